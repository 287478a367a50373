/**
 * `SMTPReader`: the byte reader of the SMTP server. It is fed bytes and hands back, one at a
 * time, command lines, unstuffed DATA lines and the DATA end, or BDAT chunk bytes; it never
 * touches a socket.
 * @packageDocumentation
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const EMPTY = Buffer.alloc(0);

/** What `SMTPReader.read` found. */
export const ReadResult = {
  /** Nothing complete yet: feed more bytes. */
  needMore: 0,
  /** A command line (in `line`, without its line end). */
  line: 1,
  /** A command line longer than `maxLineLength`; its bytes are dropped up to its end. */
  tooLong: 2,
  /** A DATA line (in `line`), dot-unstuffed, without its CRLF. */
  dataLine: 3,
  /** The DATA end, a line holding only "." between two CRLFs; the reader is in command mode. */
  dataEnd: 4,
  /** A DATA line longer than `maxDataLineLength`; its bytes are dropped up to its CRLF. */
  dataTooLong: 5,
  /** Bytes of a BDAT chunk (in `line`). */
  chunk: 6,
  /** The BDAT chunk is complete; the reader is in command mode. */
  chunkEnd: 7,
} as const;

/** One of the {@link ReadResult} values. */
export type ReadResultCode = (typeof ReadResult)[keyof typeof ReadResult];

/** What the reader is reading: command lines, DATA lines, or a BDAT chunk's bytes. */
export type ReaderMode = "command" | "data" | "bdat";

/**
 * The SMTP server's input reader: a push parser with three modes.
 *
 * - **command**: a line ends at LF, and a CR before it is dropped (Postfix is as lenient).
 * - **data**: a line ends only at CRLF. A bare LF or a bare CR is part of the line, so only
 *   `CRLF . CRLF` ends the data (the SMTP smuggling defence: `\n.\n`, `\r.\r`, `\n.\r\n` and
 *   `\r\n.\n` are all message content). A leading dot is removed (`..x` → `.x`).
 * - **bdat**: exactly the announced number of bytes, passed on as they come.
 *
 * Lines and chunks are views into the fed buffers (never copied, except an unfinished line
 * joined with the head of the next chunk), and fed buffers are never changed. Memory is bounded
 * by what was fed and not read yet, plus one line: a line past its limit is reported once and
 * its bytes are dropped as they come.
 */
export class SMTPReader {
  /** The current mode; change it with `startData`, `startChunk` and `reset`. */
  mode: ReaderMode = "command";
  /** The longest command line kept, in bytes without the line end. */
  maxLineLength = 12288;
  /** The longest DATA line kept, in bytes without the CRLF. */
  maxDataLineLength = 16384;
  /** The line or chunk bytes of the last `read` result. */
  line: Buffer = EMPTY;
  private buf: Buffer = EMPTY;
  private off = 0;
  private scan = 0;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private skipping = false;
  private skipCR = false;
  private remaining = 0;

  /**
   * Add received bytes.
   * @param data - the bytes; they must not be changed afterwards (lines are views).
   */
  feed(data: Buffer): void {
    if (data.length === 0) return;
    if (this.off >= this.buf.length && this.queue.length === 0) {
      this.buf = data;
      this.off = 0;
      this.scan = 0;
    } else {
      this.queue.push(data);
      this.queued += data.length;
    }
  }

  /** How many bytes are held, fed but not read yet. */
  get buffered(): number {
    return this.buf.length - this.off + this.queued;
  }

  /** Drop every byte held and go back to command mode (after STARTTLS, RFC 3207). */
  reset(): void {
    this.buf = EMPTY;
    this.off = this.scan = this.queued = this.remaining = 0;
    this.queue.length = 0;
    this.skipping = this.skipCR = false;
    this.mode = "command";
    this.line = EMPTY;
  }

  /** Read DATA lines from now on, until the end of the data. */
  startData(): void {
    this.mode = "data";
    this.scan = this.off;
  }

  /**
   * Read a BDAT chunk of `size` bytes from now on.
   * @param size - the chunk's size in bytes.
   */
  startChunk(size: number): void {
    this.mode = "bdat";
    this.remaining = size;
  }

  /**
   * Read the next thing.
   * @returns a {@link ReadResult} code; `line` holds the line or chunk bytes.
   */
  read(): ReadResultCode {
    for (;;) {
      if (this.mode === "bdat" && this.remaining === 0) {
        this.mode = "command";
        this.scan = this.off;
        return ReadResult.chunkEnd;
      }
      if (this.off >= this.buf.length) {
        const next = this.queue.shift();
        if (next === undefined) {
          this.buf = EMPTY;
          this.off = this.scan = 0;
          return ReadResult.needMore;
        }
        this.queued -= next.length;
        this.buf = next;
        this.off = this.scan = 0;
      }
      if (this.mode === "bdat") {
        const n = Math.min(this.remaining, this.buf.length - this.off);
        this.line = this.buf.subarray(this.off, this.off + n);
        this.off += n;
        this.remaining -= n;
        return ReadResult.chunk;
      }
      const data = this.mode === "data";
      if (this.skipping) {
        this.skip(data);
        continue;
      }
      const buf = this.buf;
      let i = buf.indexOf(LF, this.scan);
      if (data) {
        while (i !== -1 && !(i > this.off && buf[i - 1] === CR)) i = buf.indexOf(LF, i + 1);
      }
      if (i !== -1) {
        const start = this.off;
        const end = i > start && buf[i - 1] === CR ? i - 1 : i;
        this.off = this.scan = i + 1;
        if (!data) {
          this.line = buf.subarray(start, end);
          return end - start > this.maxLineLength ? ReadResult.tooLong : ReadResult.line;
        }
        if (end - start > this.maxDataLineLength) return ReadResult.dataTooLong;
        if (buf[start] === DOT) {
          if (end - start === 1) {
            this.mode = "command";
            return ReadResult.dataEnd;
          }
          this.line = buf.subarray(start + 1, end);
        } else {
          this.line = buf.subarray(start, end);
        }
        return ReadResult.dataLine;
      }
      const held = buf.length - this.off;
      const limit = data ? this.maxDataLineLength : this.maxLineLength;
      if (held > limit + 2) {
        // Past the limit with no line end: drop it as it comes.
        this.skipCR = buf[buf.length - 1] === CR;
        this.off = this.scan = buf.length;
        this.skipping = true;
        return data ? ReadResult.dataTooLong : ReadResult.tooLong;
      }
      if (this.queue.length === 0) {
        this.scan = buf.length;
        return ReadResult.needMore;
      }
      this.joinNext(data);
    }
  }

  /** Join the unfinished line with the next chunk, up to that chunk's first line end. */
  private joinNext(data: boolean): void {
    const next = this.queue[0] as Buffer;
    const lastCR = this.buf[this.buf.length - 1] === CR;
    let j = next.indexOf(LF);
    if (data) {
      while (j !== -1 && !(j > 0 ? next[j - 1] === CR : lastCR)) j = next.indexOf(LF, j + 1);
    }
    const head = this.buf.subarray(this.off);
    if (j === -1 || j === next.length - 1) {
      this.queue.shift();
      this.queued -= next.length;
      this.buf = Buffer.concat([head, next]);
      this.scan = j === -1 ? Math.max(0, head.length - 1) : this.buf.length - 1;
    } else {
      this.queue[0] = next.subarray(j + 1);
      this.queued -= j + 1;
      this.buf = Buffer.concat([head, next.subarray(0, j + 1)]);
      this.scan = this.buf.length - 1;
    }
    this.off = 0;
  }

  /** Drop bytes up to the end of an over-long line. */
  private skip(data: boolean): void {
    const buf = this.buf;
    let i = buf.indexOf(LF, this.off);
    if (data) {
      while (i !== -1 && !(i > this.off ? buf[i - 1] === CR : this.skipCR)) {
        i = buf.indexOf(LF, i + 1);
      }
    }
    if (i === -1) {
      this.skipCR = buf[buf.length - 1] === CR;
      this.off = this.scan = buf.length;
      return;
    }
    this.off = this.scan = i + 1;
    this.skipping = false;
  }
}
