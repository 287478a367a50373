/**
 * `LineOnlyReceiver`: lines only, the fast path.
 * @packageDocumentation
 */
import { Protocol, transportOf } from "@twisted-ts/core";
import { NotImplementedError } from "../errors.js";
import {
  canOverlap,
  delimiterEndAcross,
  indexOfDelimiter,
  isDisconnecting,
  prefixOfBoth,
  toBuffer,
  viewOf,
} from "./bytes.js";
import { ReceiveBuffer } from "./receiveBuffer.js";

/**
 * A protocol that receives only lines: Twisted's `twisted.protocols.basic.LineOnlyReceiver`.
 * Use it instead of `LineReceiver` when the protocol never switches to raw mode and never
 * pauses: it has less to check per line.
 *
 * Each chunk is split into lines at once. Before each line it checks the transport's
 * `disconnecting` flag, so that a line which closes the connection is the last one delivered. A
 * line longer than `MAX_LENGTH` calls `lineLengthExceeded(line)`, and the rest of that chunk's
 * complete lines are dropped. The unfinished line at the end of the chunk is kept; when it is
 * already longer than `MAX_LENGTH` (note: `>`, where `LineReceiver` waits for
 * `MAX_LENGTH + delimiter.length`), `lineLengthExceeded` is called with it.
 *
 * Lines are views into the received chunks, as with `LineReceiver`: they may be kept, and the
 * caller of `dataReceived` must not change a chunk after passing it.
 *
 * Differences from Twisted: `sendLine` also takes a string (sent as UTF-8); an empty delimiter
 * never matches (Twisted's `split` raises `ValueError`).
 *
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class LineOnlyReceiver<F = unknown> extends Protocol<F> {
  /** The line delimiter, `\r\n` by default. */
  delimiter: Buffer = Buffer.from("\r\n");
  /** The longest line accepted, in bytes, without the delimiter. 16384 by default. */
  MAX_LENGTH = 16384;
  private readonly _buffer = new ReceiveBuffer();
  private _overlapChecked: Buffer | undefined = undefined;
  /** The delimiter the kept unfinished line is known not to contain. */
  private _cleanFor: Buffer | undefined = undefined;
  private _overlaps = false;

  /**
   * Take bytes from the transport and deliver the complete lines in them.
   * @param data - the bytes; they must not be changed afterwards (lines are views).
   * @returns what `lineLengthExceeded` returned, or `undefined`.
   * @throws whatever `lineReceived` or `lineLengthExceeded` throw.
   */
  override dataReceived(data: Buffer): unknown {
    const buffer = this._buffer;
    const delimiter = this.delimiter;
    const size = delimiter.length;
    const held = buffer.length;
    // The unfinished line kept from the last call holds no delimiter (when `_cleanFor` is still
    // the delimiter), so the search starts where a delimiter may end in the new bytes.
    const clean = this._cleanFor === delimiter;
    this._cleanFor = delimiter;
    let first: Buffer | undefined;
    let bytes: Buffer;
    let start: number;
    let from: number;
    if (clean && held > 0 && data.length > 0) {
      // Finish the unfinished line from the head of `data`, then keep `data` itself as the
      // buffer, rather than copying all of `data` behind the unfinished line.
      const head = buffer.view();
      const resume = delimiterEndAcross(head, data, delimiter);
      if (resume === -1) {
        buffer.append(data);
        bytes = buffer.data;
        start = from = bytes.length;
      } else {
        first = prefixOfBoth(head, data, held + resume - size);
        buffer.reset(data);
        bytes = data;
        start = from = resume;
        buffer.off = resume;
      }
    } else {
      buffer.append(data);
      bytes = buffer.data;
      start = buffer.off;
      from = clean ? Math.max(start, bytes.length - data.length - size + 1) : start;
    }
    // As in Twisted, the unfinished line becomes the buffer before any line is delivered.
    const end = this.endOfLastLine(bytes, from, delimiter);
    if (end !== -1) buffer.off = end;
    const max = this.MAX_LENGTH;
    if (first !== undefined) {
      if (isDisconnecting(this.transport)) return undefined;
      if (first.length > max) return this.lineLengthExceeded(first);
      this.lineReceived(first);
    }
    while (start < end) {
      const at = indexOfDelimiter(bytes, delimiter, start);
      if (isDisconnecting(this.transport)) return undefined;
      const line = viewOf(bytes, start, at);
      start = at + size;
      if (line.length > max) return this.lineLengthExceeded(line);
      this.lineReceived(line);
    }
    if (buffer.length > this.MAX_LENGTH) return this.lineLengthExceeded(buffer.view());
    return undefined;
  }

  /**
   * Where the unfinished line starts (just after the last delimiter a forward split finds), or
   * -1 without one. `from` is where the first delimiter may start.
   */
  private endOfLastLine(bytes: Buffer, from: number, delimiter: Buffer): number {
    const size = delimiter.length;
    if (size === 0) return -1;
    if (this._overlapChecked !== delimiter) {
      this._overlaps = canOverlap(delimiter);
      this._overlapChecked = delimiter;
    }
    if (!this._overlaps) {
      // Occurrences cannot overlap, so the last one is where a forward split ends.
      const tail = from === 0 ? bytes : bytes.subarray(from);
      const at = size === 1 ? tail.lastIndexOf(delimiter[0]!) : tail.lastIndexOf(delimiter);
      return at === -1 ? -1 : from + at + size;
    }
    let end = -1;
    for (let at = indexOfDelimiter(bytes, delimiter, from); at !== -1; ) {
      end = at + size;
      at = indexOfDelimiter(bytes, delimiter, end);
    }
    return end;
  }

  /**
   * Called with each line received, without its delimiter. Override it.
   * @param _line - the line: a view that may be kept.
   * @throws NotImplementedError unless overridden.
   */
  lineReceived(_line: Buffer): void {
    throw new NotImplementedError(`${this.constructor.name}.lineReceived`);
  }

  /**
   * Send a line and the delimiter, with one `writeSequence` call.
   * @param line - the line, without the delimiter: bytes, or a string sent as UTF-8.
   * @throws TypeError when `line` is neither; Error when not connected.
   */
  sendLine(line: Uint8Array | string): void {
    transportOf(this).writeSequence([toBuffer(line), this.delimiter]);
  }

  /**
   * Called when the peer sends a line longer than `MAX_LENGTH`. The default drops the
   * connection.
   * @param _line - the long line (or the unfinished line, when that one is too long).
   * @returns anything; `dataReceived` returns it.
   */
  lineLengthExceeded(_line: Buffer): unknown {
    this.transport?.loseConnection();
    return undefined;
  }
}
