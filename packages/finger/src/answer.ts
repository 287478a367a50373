/**
 * Shaping a finger answer for the wire: CRLF line ends, control characters filtered (RFC 1288
 * §3.3), and a size cap.
 * @packageDocumentation
 */

/** The largest answer the server sends and the client accepts, in bytes (64 KiB). */
export const MAX_ANSWER_SIZE = 65536;

/** The line that ends an answer cut at its size cap. */
export const TRUNCATED_MARKER = "[answer truncated]\r\n";

/**
 * Turn status text into answer lines: every line end (`\r\n`, `\n` or `\r`) becomes CRLF, a
 * non-empty text gets a final CRLF, and (when `filter` is true) every control character but
 * tab — C0, DEL and C1 — becomes `?`, as RFC 1288 §3.3 asks of a server so an answer cannot
 * drive the client's terminal.
 * @param text - the text.
 * @param filter - whether to replace control characters; true by default.
 * @returns the lines, CRLF-terminated; `""` for an empty text.
 */
export function toAnswerLines(text: string, filter = true): string {
  if (text === "") return "";
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines
    .map((line) => (filter ? line.replace(/(?!\t)\p{Cc}/gu, "?") : line))
    .map((line) => `${line}\r\n`)
    .join("");
}

/** An answer's bytes, after the size cap. */
export interface CappedAnswer {
  /** The bytes to send. */
  readonly bytes: Buffer;
  /** Whether the answer was cut to fit. */
  readonly truncated: boolean;
}

/**
 * Encode an answer as UTF-8 and cap it at `maxSize` bytes. A longer answer is cut at a line or
 * character boundary so that, with {@link TRUNCATED_MARKER} appended, it fits in `maxSize`.
 * @param answer - the answer text.
 * @param maxSize - the cap, in bytes.
 * @returns the bytes, and whether they were cut.
 */
export function capAnswer(answer: string, maxSize: number): CappedAnswer {
  const bytes = Buffer.from(answer, "utf8");
  if (bytes.length <= maxSize) return { bytes, truncated: false };
  const marker = Buffer.from(TRUNCATED_MARKER, "latin1");
  let end = Math.max(0, maxSize - marker.length - 2);
  // Back up to the start of a UTF-8 character, then to the end of a line when there is one.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  const lastLine = bytes.lastIndexOf(0x0a, end - 1);
  if (lastLine !== -1) end = lastLine + 1;
  const head = bytes.subarray(0, end);
  const needsBreak = head.length > 0 && head[head.length - 1] !== 0x0a;
  const cut = Buffer.concat([head, needsBreak ? Buffer.from("\r\n") : Buffer.alloc(0), marker]);
  return { bytes: cut.subarray(0, Math.max(maxSize, 0)), truncated: true };
}
