/**
 * Percent-decoding and query strings: the parts of Python's `urllib.parse` that twisted.web
 * uses (`unquote`, `parse_qs` with blank values kept, `quote` with nothing safe).
 * @packageDocumentation
 */

const utf8 = new TextDecoder("utf-8");

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * Percent-decodes a string and reads the bytes as UTF-8 (invalid sequences become U+FFFD). A
 * `%` not followed by two hex digits is kept as it is.
 * @param text - the encoded text (latin-1: one character per byte).
 * @param plusIsSpace - whether `+` means a space (form encoding).
 * @returns the decoded text.
 */
export function unquote(text: string, plusIsSpace = false): string {
  if (text.indexOf("%") === -1 && !(plusIsSpace && text.indexOf("+") !== -1)) {
    // Fast path: nothing to decode; bytes above 0x7f (latin-1) still need a UTF-8 read.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point.
    return /^[\x00-\x7f]*$/.test(text) ? text : utf8.decode(Buffer.from(text, "latin1"));
  }
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 && i + 2 < text.length) {
      const h = hexValue(text.charCodeAt(i + 1));
      const l = hexValue(text.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        out[n++] = h * 16 + l;
        i += 2;
        continue;
      }
    }
    out[n++] = c === 43 && plusIsSpace ? 32 : c & 0xff;
  }
  return utf8.decode(out.subarray(0, n));
}

/**
 * Parses a query string or a form body into name → values, keeping blank values (Python's
 * `parse_qs(text, keep_blank_values=True)`); a pair without `=` has the value `""`.
 * @param text - the query (without `?`) or the body.
 * @param into - the map to add to (values are appended).
 * @returns `into`.
 */
export function parseQueryString(
  text: string,
  into: Map<string, string[]> = new Map(),
): Map<string, string[]> {
  if (text.length === 0) return into;
  for (const pair of text.split("&")) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf("=");
    const name = unquote(eq === -1 ? pair : pair.slice(0, eq), true);
    const value = eq === -1 ? "" : unquote(pair.slice(eq + 1), true);
    const values = into.get(name);
    if (values === undefined) into.set(name, [value]);
    else values.push(value);
  }
  return into;
}

/**
 * Percent-encodes a path segment with nothing left safe but letters, digits and `-._~`
 * (Python's `quote(segment, safe="")`).
 * @param segment - the segment.
 * @returns the encoded segment.
 */
export function quoteSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
