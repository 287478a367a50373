/**
 * `LineBuffer`: cuts a byte stream into lines, keeping a partial last line until its newline.
 * @packageDocumentation
 */

const LF = 0x0a;
const CR = 0x0d;

/** What one `feed` found. */
export interface FedLines {
  /** The complete lines, in order, without `\n` (nor a `\r` before it). */
  readonly lines: Buffer[];
  /** How many lines were longer than `maxLength` (those are dropped, not in `lines`). */
  readonly overlong: number;
}

/**
 * A push parser for newline-terminated lines: feed it bytes as they come, cut anywhere, and it
 * hands back the complete lines. A partial last line waits for its newline.
 *
 * A line longer than `maxLength` bytes is dropped and counted, as soon as it passes the limit
 * (the rest of it, up to its newline, is skipped), so a file without newlines cannot make it
 * hold unbounded memory.
 */
export class LineBuffer {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private skipping = false;

  /** @param maxLength - the longest line kept, in bytes without its ending; 16 KiB by default. */
  constructor(readonly maxLength = 16_384) {}

  /** How many bytes of a partial line are waiting for their newline. */
  get partialLength(): number {
    return this.pendingLength;
  }

  /**
   * Take more bytes.
   * @param data - the next bytes of the stream.
   * @returns the lines completed by them, and how many overlong lines were dropped.
   */
  feed(data: Uint8Array): FedLines {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const lines: Buffer[] = [];
    let overlong = 0;
    let start = 0;
    for (let end = bytes.indexOf(LF, start); end >= 0; end = bytes.indexOf(LF, start)) {
      const piece = bytes.subarray(start, end);
      start = end + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      const whole = this.pendingLength === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingLength = 0;
      const line =
        whole.length > 0 && whole[whole.length - 1] === CR ? whole.subarray(0, -1) : whole;
      if (line.length > this.maxLength) overlong++;
      else lines.push(Buffer.from(line));
    }
    const rest = bytes.subarray(start);
    if (rest.length > 0 && !this.skipping) {
      this.pending.push(Buffer.from(rest));
      this.pendingLength += rest.length;
      // One byte of slack: the line may yet end in "\r\n".
      if (this.pendingLength > this.maxLength + 1) {
        overlong++;
        this.skipping = true;
        this.pending = [];
        this.pendingLength = 0;
      }
    }
    return { lines, overlong };
  }

  /** Forget a partial line (the file it came from was truncated or replaced). */
  reset(): void {
    this.pending = [];
    this.pendingLength = 0;
    this.skipping = false;
  }
}
