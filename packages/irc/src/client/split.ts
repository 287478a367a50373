/**
 * Splitting long text into chunks that fit a byte budget.
 * @packageDocumentation
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Splits one grapheme wider than the budget at code points (it cannot be kept whole). */
function splitCodePoints(grapheme: string, budget: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let bytes = 0;
  for (const cp of grapheme) {
    const width = Buffer.byteLength(cp);
    if (bytes + width > budget) {
      pieces.push(piece);
      piece = "";
      bytes = 0;
    }
    piece += cp;
    bytes += width;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

/**
 * Splits text into chunks of at most `budget` UTF-8 bytes each. A chunk ends at the last space
 * that fits (the spaces at the break are dropped), or, when a word alone is too long, at the
 * last whole grapheme (user-perceived character: an emoji with its modifiers and joiners, a
 * letter with its combining marks) that fits. A chunk never ends inside a UTF-8 sequence or a
 * surrogate pair, and inside a grapheme only when that grapheme alone is wider than the budget.
 * Empty chunks are never produced.
 *
 * @param text - the text, one line (no CR or LF).
 * @param budget - the most bytes a chunk may have; at least 4, so any code point fits.
 * @returns the chunks, in order; `[]` for empty text.
 * @throws RangeError when `budget` is below 4.
 *
 * Differences from Twisted: Twisted's `split` counts characters, not bytes, and breaks on any
 * whitespace (textwrap); this breaks on spaces and counts UTF-8 bytes.
 */
export function splitByBytes(text: string, budget: number): string[] {
  if (!(budget >= 4)) throw new RangeError(`the byte budget ${budget} is below 4`);
  if (Buffer.byteLength(text) <= budget) return text === "" ? [] : [text];
  const chunks: string[] = [];
  const push = (chunk: string): void => {
    const trimmed = chunk.replace(/ +$/, "");
    if (trimmed !== "") chunks.push(trimmed);
  };
  let current = "";
  let bytes = 0;
  let lastSpace = -1;
  let afterBreak = false;
  for (const { segment } of graphemes.segment(text)) {
    if (afterBreak && current === "" && segment === " ") continue;
    const width = Buffer.byteLength(segment);
    if (bytes + width > budget) {
      afterBreak = true;
      if (segment === " ") {
        push(current);
        current = "";
        bytes = 0;
        lastSpace = -1;
        continue;
      }
      if (lastSpace > 0) {
        push(current.slice(0, lastSpace));
        current = current.slice(lastSpace).replace(/^ +/, "");
      } else {
        push(current);
        current = "";
      }
      bytes = Buffer.byteLength(current);
      lastSpace = -1;
      if (width > budget) {
        push(current);
        const pieces = splitCodePoints(segment, budget);
        for (const piece of pieces.slice(0, -1)) chunks.push(piece);
        current = pieces[pieces.length - 1] as string;
        bytes = Buffer.byteLength(current);
        continue;
      }
      if (bytes + width > budget) {
        push(current);
        current = "";
        bytes = 0;
      }
    }
    if (segment === " ") lastSpace = current.length;
    current += segment;
    bytes += width;
  }
  push(current);
  return chunks;
}
