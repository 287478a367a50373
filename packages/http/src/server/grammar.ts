/**
 * Byte classes of HTTP/1.1's grammar (RFC 9110 §5.6), as lookup tables for the parser.
 * @packageDocumentation
 */

/** 1 for each byte that may appear in a token (a method or a header name). */
export const TOKEN_BYTES: Uint8Array = (() => {
  const table = new Uint8Array(256);
  const extra = "!#$%&'*+-.^_`|~";
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1;
  for (let c = 97; c <= 122; c++) table[c] = 1;
  for (const ch of extra) table[ch.charCodeAt(0)] = 1;
  return table;
})();

/**
 * Whether `bytes[start, end)` is a non-empty token.
 * @param bytes - the bytes.
 * @param start - the first index.
 * @param end - one past the last index.
 */
export function isTokenRange(bytes: Uint8Array, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (TOKEN_BYTES[bytes[i] as number] === 0) return false;
  return true;
}

/**
 * Splits a comma-separated header value into trimmed, lower-cased, non-empty elements.
 * @param value - the value (or several values joined with ",").
 * @returns the elements.
 */
export function headerTokens(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(",")) {
    const t = part.trim().toLowerCase();
    if (t !== "") out.push(t);
  }
  return out;
}
