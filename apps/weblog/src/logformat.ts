/**
 * Access-log lines in the Common and Combined Log Formats, and the `<hit/>` element each one
 * becomes. Pure functions: no file, no socket.
 * @packageDocumentation
 */

/**
 * One request, as a web server logged it.
 *
 * A Common Log Format line has no `referer` nor `agent`; a Combined one has both (each may be
 * `-`, as logged).
 */
export interface Hit {
  /** The client's address (or name), the line's first field. */
  readonly host: string;
  /** When, as logged: `10/Oct/2000:13:55:36 -0700`. */
  readonly time: string;
  /** The request line, unescaped: `GET /apache_pb.gif HTTP/1.0`. */
  readonly request: string;
  /** The HTTP status code. */
  readonly status: number;
  /** The size of the response body in bytes; 0 where the log says `-`. */
  readonly bytes: number;
  /** The Referer header, in a Combined line. */
  readonly referer?: string;
  /** The User-Agent header, in a Combined line. */
  readonly agent?: string;
}

const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const LINE = new RegExp(
  [
    String.raw`^(\S+) \S+ \S+`, // host, ident, user
    String.raw` \[(\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]`, // time
    ` ${QUOTED}`, // request
    String.raw` ([1-5]\d{2}) (\d+|-)`, // status, bytes
    `(?: ${QUOTED} ${QUOTED}(?: .*)?)?`, // referer, agent, then fields we ignore
    String.raw`\s*$`,
  ].join(""),
);

/** Apache and nginx write `"` as `\"` and `\` as `\\` inside quoted fields. */
function unescapeField(field: string): string {
  return field.replace(/\\(["\\])/g, "$1");
}

/**
 * Parse one access-log line (without its newline).
 *
 * Accepted: `host ident user [time] "request" status bytes`, optionally followed by
 * `"referer" "agent"` and, after those, any further fields (which are ignored). The time must
 * look like `10/Oct/2000:13:55:36 -0700`, the status be three digits from 100 to 599, and the
 * bytes a number or `-`.
 *
 * @param line - the line; a trailing `\r` or other whitespace is allowed.
 * @returns the hit, or undefined when the line is not in either format (never throws).
 */
export function parseLogLine(line: string): Hit | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const [, host, time, request, status, bytes, referer, agent] = m;
  if (host === undefined || time === undefined || request === undefined) return undefined;
  const hit: Hit = {
    host,
    time,
    request: unescapeField(request),
    status: Number(status),
    bytes: bytes === "-" ? 0 : Number(bytes),
  };
  if (referer === undefined || agent === undefined) return hit;
  return { ...hit, referer: unescapeField(referer), agent: unescapeField(agent) };
}

/** Characters XML 1.0 does not allow at all, even as character references. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

/**
 * Escape text for an XML attribute value (in double or single quotes). Characters XML 1.0 cannot
 * carry at all (most control characters) become U+FFFD; tab, newline and carriage return become
 * character references, so attribute-value normalisation keeps them.
 * @param text - any string.
 * @returns the escaped text.
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, "\uFFFD").replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c] ?? c);
}

/**
 * The element a hit is sent as, one line:
 * `<hit host="…" time="…" request="…" status="200" bytes="2326" referer="…" agent="…"/>`
 * (`referer` and `agent` only for a Combined line).
 * @param hit - the hit.
 * @returns the element, without a newline.
 */
export function hitToXml(hit: Hit): string {
  const attributes: [string, string | number | undefined][] = [
    ["host", hit.host],
    ["time", hit.time],
    ["request", hit.request],
    ["status", hit.status],
    ["bytes", hit.bytes],
    ["referer", hit.referer],
    ["agent", hit.agent],
  ];
  const text = attributes
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => `${name}="${escapeXml(String(value))}"`)
    .join(" ");
  return `<hit ${text}/>`;
}
