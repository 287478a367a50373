/**
 * Counting a string's UTF-8 length without encoding it.
 * @packageDocumentation
 */

/**
 * The number of bytes `text` takes in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD,
 * which is what encoding it would write).
 *
 * @param text - any string.
 * @param start - where to start counting (a code unit index); 0 by default.
 * @param end - where to stop (exclusive); the end of the string by default.
 * @returns the UTF-8 length of that part, in bytes.
 */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Whether `text[start, end)` takes more than `limit` bytes in UTF-8, counting only when the
 * answer is not plain from its length (a UTF-16 code unit is 1 to 3 bytes).
 * @returns the exact byte length when it is over `limit`, or -1 when it is within.
 */
export function utf8LengthOver(text: string, start: number, end: number, limit: number): number {
  const units = end - start;
  if (units * 3 <= limit) return -1;
  const bytes = utf8Length(text, start, end);
  return bytes > limit ? bytes : -1;
}
