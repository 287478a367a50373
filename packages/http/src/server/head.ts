/**
 * The status line and headers of a response, decided when its first byte is written.
 * @packageDocumentation
 */
import type { Request } from "./request.js";
import { NO_BODY_CODES } from "./status.js";

/**
 * Whether a response carries no body: HEAD, 1xx, 204 and 304.
 * @param request - the request.
 */
export function isBodyless(request: Request): boolean {
  return request.method === "HEAD" || NO_BODY_CODES.has(request.code) || request.code < 200;
}

/**
 * Completes the response headers and formats the head (Twisted's part of `http.Request.write`):
 * `Last-Modified` and `ETag` from `setLastModified`/`setETag`; the site's default
 * `Content-Type` unless 204, 304 or `Content-Length: 0`; `Transfer-Encoding: chunked` on
 * HTTP/1.1 without a `Content-Length` (never for a bodyless response), or, on HTTP/1.0, a
 * body delimited by closing the connection; `Connection: close` when the connection will
 * close. The status line always says HTTP/1.1.
 * @param request - the request (its `chunked` and the channel's `persistent` are updated).
 * @returns the head, ending with the empty line (latin-1 text).
 */
export function responseHead(request: Request): string {
  const headers = request.responseHeaders;
  const channel = request.channel;
  if (request.lastModified !== undefined && !headers.hasHeader("last-modified")) {
    headers.setRawHeaders("last-modified", [new Date(request.lastModified * 1000).toUTCString()]);
  }
  if (request.etag !== undefined && !headers.hasHeader("etag")) {
    headers.setRawHeaders("etag", [request.etag]);
  }
  const length = headers.getHeader("content-length");
  const defaultType = request.site.defaultContentType;
  if (
    defaultType !== null &&
    length !== "0" &&
    !NO_BODY_CODES.has(request.code) &&
    !headers.hasHeader("content-type")
  ) {
    headers.setRawHeaders("content-type", [defaultType]);
  }
  if (length === undefined && !isBodyless(request)) {
    if (request.clientproto === "HTTP/1.1") {
      request.chunked = true;
      headers.setRawHeaders("transfer-encoding", ["chunked"]);
    } else {
      channel.persistent = false;
    }
  }
  if (!channel.persistent) headers.setRawHeaders("connection", ["close"]);
  let head = `HTTP/1.1 ${request.code} ${request.codeMessage}\r\n`;
  for (const [name, values] of headers.getAllRawHeaders()) {
    for (const value of values) head += `${name}: ${value}\r\n`;
  }
  for (const cookie of request.cookies) head += `Set-Cookie: ${cookie}\r\n`;
  return `${head}\r\n`;
}
