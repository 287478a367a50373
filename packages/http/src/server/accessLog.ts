/**
 * Access-log lines: Twisted's `combinedLogFormatter` and `proxiedLogFormatter`.
 * @packageDocumentation
 */
import type { Request } from "./request.js";

/** Formats one access-log line (without the newline) from the timestamp and the request. */
export type LogFormatter = (timestamp: string, request: Request) => string;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what we escape.
const NEEDS_ESCAPE = /[\x00-\x1f\x7f-\xff"\\]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what we escape.
const NEEDS_ESCAPE_ALL = /[\x00-\x1f\x7f-\xff"\\]/g;

/** Escapes `"`, `\` and control bytes, as Twisted's `_escape` does with `repr`. */
function escapeField(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(NEEDS_ESCAPE_ALL, (c) => {
    if (c === '"') return '\\"';
    if (c === "\\") return "\\\\";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

function hostOf(request: Request): string {
  try {
    const host = (request.getClientAddress() as { host?: unknown }).host;
    return typeof host === "string" && host !== "" ? host : "-";
  } catch {
    return "-";
  }
}

function line(ip: string, timestamp: string, request: Request): string {
  const referrer = escapeField(request.getHeader("referer") ?? "-");
  const agent = escapeField(request.getHeader("user-agent") ?? "-");
  const length = request.sentLength > 0 ? String(request.sentLength) : "-";
  return (
    `"${escapeField(ip)}" - - ${timestamp} "${escapeField(request.method)} ${escapeField(request.uri)} ` +
    `${escapeField(request.clientproto)}" ${request.code} ${length} "${referrer}" "${agent}"`
  );
}

/**
 * The combined log format, as Twisted writes it (the client address in quotes):
 * `"1.2.3.4" - - [06/Nov/1994:08:49:37 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8"`.
 * @param timestamp - the bracketed time.
 * @param request - the finished request.
 * @returns the line.
 */
export function combinedLogFormatter(timestamp: string, request: Request): string {
  return line(hostOf(request), timestamp, request);
}

/**
 * The combined log format with the client address taken from the last `X-Forwarded-For`
 * entry when there is one (for a server behind a reverse proxy).
 * @param timestamp - the bracketed time.
 * @param request - the finished request.
 * @returns the line.
 */
export function proxiedLogFormatter(timestamp: string, request: Request): string {
  const forwarded = request.requestHeaders.getRawHeaders("x-forwarded-for");
  const last = forwarded?.join(",").split(",").pop()?.trim();
  return line(last !== undefined && last !== "" ? last : hostOf(request), timestamp, request);
}
