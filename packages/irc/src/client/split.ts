/**
 * Splitting long text into chunks that fit a byte budget.
 * @packageDocumentation
 */

function utf8Width(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Splits text into chunks of at most `budget` UTF-8 bytes each. A chunk ends at the last space
 * that fits (the spaces at the break are dropped), or, when a word alone is too long, at the
 * last whole code point that fits: a chunk never ends inside a UTF-8 sequence or a surrogate
 * pair. Empty chunks are never produced.
 *
 * @param text - the text, one line (no CR or LF).
 * @param budget - the most bytes a chunk may have; at least 4, so any code point fits.
 * @returns the chunks, in order; `[]` for empty text.
 * @throws RangeError when `budget` is below 4.
 *
 * Differences from Twisted: Twisted's `split` counts characters, not bytes, and breaks on any
 * whitespace (textwrap); this breaks on spaces and counts UTF-8 bytes. Graphemes made of
 * several code points may still be split between them.
 */
export function splitByBytes(text: string, budget: number): string[] {
  if (!(budget >= 4)) throw new RangeError(`the byte budget ${budget} is below 4`);
  const chunks: string[] = [];
  let rest = text;
  while (rest !== "") {
    let bytes = 0;
    let i = 0;
    let lastSpace = -1;
    while (i < rest.length) {
      const cp = rest.codePointAt(i) as number;
      const width = utf8Width(cp);
      if (bytes + width > budget) break;
      if (cp === 0x20) lastSpace = i;
      bytes += width;
      i += cp > 0xffff ? 2 : 1;
    }
    if (i >= rest.length) {
      chunks.push(rest);
      break;
    }
    if (rest.charCodeAt(i) === 0x20) lastSpace = i;
    let head: string;
    if (lastSpace > 0) {
      head = rest.slice(0, lastSpace).replace(/ +$/, "");
      rest = rest.slice(lastSpace).replace(/^ +/, "");
    } else {
      head = rest.slice(0, i);
      rest = rest.slice(i).replace(/^ +/, "");
    }
    if (head !== "") chunks.push(head);
  }
  return chunks;
}
