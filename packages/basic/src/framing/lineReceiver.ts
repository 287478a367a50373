/**
 * `LineReceiver`: lines, or raw data, depending on mode.
 * @packageDocumentation
 */
import { transportOf } from "@twisted-ts/core";
import { NotImplementedError } from "../errors.js";
import {
  delimiterEndAcross,
  indexOfDelimiter,
  isDisconnecting,
  joinBytes,
  prefixOfBoth,
  viewOf,
} from "./bytes.js";
import { PauseableProtocol } from "./pauseable.js";
import { ReceiveBuffer } from "./receiveBuffer.js";

/**
 * A protocol that receives lines and, when asked, raw data: Twisted's
 * `twisted.protocols.basic.LineReceiver`, the base of line-based protocols such as IRC, SMTP,
 * POP or HTTP's headers.
 *
 * In line mode (the default) each line, without its `delimiter`, goes to `lineReceived`. After
 * `setRawMode()`, everything received goes to `rawDataReceived` until `setLineMode()`. Bytes
 * after the switch point, even in the same chunk, go to the new mode.
 *
 * The loop runs while bytes are buffered and `paused` is false, and it stops early when
 * `lineReceived` or `rawDataReceived` returns a truthy value (which `dataReceived` then returns)
 * or, after a line, when the transport is `disconnecting`. What is left stays buffered. A
 * `dataReceived` made from inside one of the hooks only appends to the buffer, and the loop
 * that is already running delivers it, so the stack stays flat.
 *
 * Limits: a line longer than `MAX_LENGTH` bytes (not counting the delimiter) calls
 * `lineLengthExceeded` with the whole buffer from the start of that line, and the buffer is
 * cleared. Without a delimiter yet, that happens once `MAX_LENGTH + delimiter.length` bytes are
 * buffered. A line of exactly `MAX_LENGTH` bytes is accepted. The default `lineLengthExceeded`
 * drops the connection.
 *
 * The Buffers given to `lineReceived`, `rawDataReceived` and `lineLengthExceeded` are views
 * into the received chunks, not copies. The receiver never writes to them again, so they may be
 * kept; a kept view keeps the whole chunk it belongs to in memory, so copy it
 * (`Buffer.from(line)`) to keep a few small lines for long. In return, the caller of
 * `dataReceived` must not change a chunk after passing it (Node's sockets never do).
 *
 * ```ts
 * class Upper extends LineReceiver {
 *   override lineReceived(line: Buffer): void {
 *     this.sendLine(line.toString("utf8").toUpperCase());
 *   }
 * }
 * ```
 *
 * Differences from Twisted: `delimiter` is a `Buffer` per instance; `sendLine` also takes a
 * string (sent as UTF-8); "truthy" is JavaScript's (an empty Buffer is truthy, where Python's
 * `b""` is not); `line_mode` is `0 | 1` as in Twisted. An empty delimiter never matches.
 *
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class LineReceiver<F = unknown> extends PauseableProtocol<F> {
  /** The line delimiter, `\r\n` by default. Change it before bytes arrive, or between lines. */
  delimiter: Buffer = Buffer.from("\r\n");
  /** The longest line accepted, in bytes, without the delimiter. 16384 by default. */
  MAX_LENGTH = 16384;
  /** 1 in line mode, 0 in raw mode. Use `setLineMode` and `setRawMode` to change it. */
  line_mode: 0 | 1 = 1;
  /** True while `dataReceived` is running, so that nested calls only append. */
  private _busyReceiving = false;
  private readonly _buffer = new ReceiveBuffer();
  /** How many bytes from the start of the buffer are known not to start `_scannedFor`. */
  private _scanned = 0;
  private _scannedFor: Buffer | undefined = undefined;
  /** What `lineReceived` returned on the fast path. */
  private _lastWhy: unknown = undefined;

  /**
   * Empty the buffer, for example to discard what follows a command that ends the session. It
   * may be called from inside `lineReceived`: the lines it removes are never delivered.
   * @returns every buffered byte, delimiters included.
   */
  clearLineBuffer(): Buffer {
    return this._takeAll();
  }

  /** Empty the buffer and return what it held (what `clearLineBuffer` does, not overridable). */
  private _takeAll(): Buffer {
    this._scanned = 0;
    return this._buffer.clear();
  }

  /**
   * Take bytes from the transport and deliver lines (or raw data) from them.
   * @param data - the bytes; they must not be changed afterwards (the receiver hands out views).
   * @returns the truthy value that stopped the loop, what `lineLengthExceeded` returned, or
   *   `undefined`.
   * @throws whatever `lineReceived`, `rawDataReceived` or `lineLengthExceeded` throw.
   */
  override dataReceived(data: Buffer): unknown {
    const buffer = this._buffer;
    if (this._busyReceiving) {
      buffer.append(data);
      return undefined;
    }
    this._busyReceiving = true;
    try {
      if (this._appendCompletingLine(data)) {
        const why = this._lastWhy;
        this._lastWhy = undefined;
        if (why || isDisconnecting(this.transport)) return why;
      }
      while (buffer.data.length > buffer.off && !this.paused) {
        if (this.line_mode) {
          const bytes = buffer.data;
          const start = buffer.off;
          const delimiter = this.delimiter;
          const from = this._scannedFor === delimiter ? start + this._scanned : start;
          const at = indexOfDelimiter(bytes, delimiter, from);
          if (at === -1) {
            const size = bytes.length - start;
            if (size >= this.MAX_LENGTH + delimiter.length) {
              return this.lineLengthExceeded(this._takeAll());
            }
            // Skip what was searched already when more bytes arrive.
            this._scannedFor = delimiter;
            this._scanned = Math.max(0, size - delimiter.length + 1);
            return undefined;
          }
          this._scanned = 0;
          if (at - start > this.MAX_LENGTH) {
            // The line, its delimiter and everything after it.
            return this.lineLengthExceeded(this._takeAll());
          }
          buffer.off = at + delimiter.length;
          const why = this.lineReceived(viewOf(bytes, start, at));
          if (why || isDisconnecting(this.transport)) return why;
        } else {
          const why = this.rawDataReceived(this._takeAll());
          if (why) return why;
        }
      }
      return undefined;
    } finally {
      this._busyReceiving = false;
    }
  }

  /**
   * Append `data`, taking a fast path when it finishes the buffered partial line: deliver that
   * line (a copy of the partial line and the head of `data`) and keep `data` itself as the
   * buffer, instead of copying all of `data` behind the partial line. The fast path is taken
   * only in line mode, unpaused, when the buffer is known to hold no delimiter and the line is
   * not too long; the loop handles every other case the same way, only slower.
   * @returns true when a line was delivered, with what `lineReceived` returned in `_lastWhy`.
   */
  private _appendCompletingLine(data: Buffer): boolean {
    const buffer = this._buffer;
    const held = buffer.length;
    const delimiter = this.delimiter;
    const size = delimiter.length;
    if (
      held === 0 ||
      data.length === 0 ||
      !this.line_mode ||
      this.paused ||
      this._scannedFor !== delimiter ||
      this._scanned !== Math.max(0, held - size + 1)
    ) {
      buffer.append(data);
      return false;
    }
    const head = buffer.view();
    const resume = delimiterEndAcross(head, data, delimiter);
    if (resume === -1) {
      buffer.append(data);
      // Neither holds a delimiter: the loop need not search again.
      this._scanned = Math.max(0, held + data.length - size + 1);
      return false;
    }
    const length = held + resume - size;
    if (length > this.MAX_LENGTH) {
      buffer.append(data);
      return false;
    }
    const line = prefixOfBoth(head, data, length);
    buffer.reset(data);
    buffer.off = resume;
    this._scanned = 0;
    this._lastWhy = this.lineReceived(line);
    return true;
  }

  /**
   * Switch to line mode. Called from `rawDataReceived` with the bytes it did not use, those
   * bytes are parsed for lines (after the ones already buffered). Do not pass `extra` from
   * inside `lineReceived`: it would be appended after the buffered lines.
   * @param extra - bytes to parse as lines, if any.
   * @returns what `dataReceived(extra)` returned, or `undefined` without `extra`.
   */
  setLineMode(extra?: Buffer): unknown {
    this.line_mode = 1;
    if (extra !== undefined && extra.length > 0) return this.dataReceived(extra);
    return undefined;
  }

  /** Switch to raw mode: from now on, received bytes go to `rawDataReceived`. */
  setRawMode(): void {
    this.line_mode = 0;
  }

  /**
   * Called with the bytes received in raw mode. Override it if you use raw mode.
   * @param _data - everything buffered, as one Buffer.
   * @returns a truthy value to stop the loop (it is returned by `dataReceived`), or nothing.
   * @throws NotImplementedError unless overridden.
   */
  rawDataReceived(_data: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name}.rawDataReceived`);
  }

  /**
   * Called with each line received, without its delimiter. Override it.
   * @param _line - the line: a view that may be kept (see the class notes).
   * @returns a truthy value to stop the loop (it is returned by `dataReceived`), or nothing.
   * @throws NotImplementedError unless overridden.
   */
  lineReceived(_line: Buffer): unknown {
    throw new NotImplementedError(`${this.constructor.name}.lineReceived`);
  }

  /**
   * Send a line and the delimiter, as a single write.
   * @param line - the line, without the delimiter: bytes, or a string sent as UTF-8.
   * @throws TypeError when `line` is neither; Error when not connected.
   */
  sendLine(line: Uint8Array | string): void {
    transportOf(this).write(joinBytes(line, this.delimiter));
  }

  /**
   * Called when the peer sends a line longer than `MAX_LENGTH`. The default drops the
   * connection; override it to answer with an error instead.
   * @param _line - the rest of the buffer, starting with (at least part of) the long line; it
   *   may hold more than one line, or only the start of one.
   * @returns anything; `dataReceived` returns it.
   */
  lineLengthExceeded(_line: Buffer): unknown {
    this.transport?.loseConnection();
    return undefined;
  }
}
