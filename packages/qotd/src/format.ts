/**
 * How a quote goes on the wire: line breaks as CRLF, a final CRLF, and RFC 865's length cap.
 * @packageDocumentation
 */

/**
 * The longest message RFC 865 allows: "The quote should be limited to 512 characters." The
 * count includes the final CRLF.
 */
export const MAX_QUOTE_LENGTH = 512;

/** The largest UDP answer `QOTDDatagramProtocol` sends by default, in bytes. */
export const MAX_DATAGRAM_SIZE = 512;

const CRLF = "\r\n";

function checkLimit(value: number, what: string): void {
  if (!Number.isInteger(value) || value < CRLF.length) {
    throw new RangeError(`${what} must be an integer >= 2, got ${String(value)}`);
  }
}

/** The body of a message: line breaks as CRLF, trailing line breaks removed. */
function bodyOf(quote: string): string {
  return quote.replace(/\r\n|\r|\n/g, CRLF).replace(/(?:\r\n)+$/, "");
}

/** `body` cut to at most `limit` code points, never in the middle of a CRLF. */
function cutToCodePoints(body: string, limit: number): string {
  // A string has at least as many UTF-16 code units as code points.
  if (body.length <= limit) return body;
  let count = 0;
  let end = 0;
  for (const ch of body) {
    if (count === limit) break;
    count += 1;
    end += ch.length;
  }
  return withoutHalfCRLF(body.slice(0, end));
}

function withoutHalfCRLF(body: string): string {
  return body.endsWith("\r") ? body.slice(0, -1) : body;
}

/**
 * The message a QOTD server sends for `quote`: its line breaks rewritten as CRLF (a bare LF or
 * CR becomes CRLF), trailing line breaks dropped, cut so that the whole message, final CRLF
 * included, holds at most `maxLength` characters, and ended with CRLF.
 *
 * Characters are Unicode code points: a character outside the Basic Multilingual Plane counts
 * once and is never split. A cut never leaves half of a CRLF.
 *
 * Use it to send a quote over your own transport exactly as `QOTD` does.
 *
 * @param quote - the quote, as a quoter gave it.
 * @param maxLength - the cap, in characters, final CRLF included; {@link MAX_QUOTE_LENGTH} by
 *   default.
 * @returns the message, ending with CRLF.
 * @throws RangeError when `maxLength` is not an integer of at least 2.
 */
export function formatQuote(quote: string, maxLength: number = MAX_QUOTE_LENGTH): string {
  checkLimit(maxLength, "maxLength");
  return cutToCodePoints(bodyOf(quote), maxLength - CRLF.length) + CRLF;
}

/**
 * The message for `quote` as UTF-8 bytes: {@link formatQuote}, then cut further, at a character
 * boundary, so that it holds at most `maxBytes` bytes with its final CRLF. This is what
 * `QOTDDatagramProtocol` sends in one datagram.
 *
 * @param quote - the quote.
 * @param maxLength - the cap in characters, final CRLF included; 512 by default.
 * @param maxBytes - the cap in bytes, final CRLF included; {@link MAX_DATAGRAM_SIZE} by default.
 * @returns the bytes, ending with CRLF.
 * @throws RangeError when a limit is not an integer of at least 2.
 */
export function encodeQuote(
  quote: string,
  maxLength: number = MAX_QUOTE_LENGTH,
  maxBytes: number = MAX_DATAGRAM_SIZE,
): Buffer {
  checkLimit(maxBytes, "maxBytes");
  const message = Buffer.from(formatQuote(quote, maxLength), "utf8");
  if (message.length <= maxBytes) return message;
  const body = message.subarray(0, message.length - CRLF.length);
  let end = maxBytes - CRLF.length;
  // Back up to the first byte of the character the cut falls in (UTF-8 continuation bytes are
  // 10xxxxxx), so no character is split.
  while (end > 0 && ((body[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  const cut = withoutHalfCRLF(body.subarray(0, end).toString("utf8"));
  return Buffer.from(cut + CRLF, "utf8");
}
