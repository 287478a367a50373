/**
 * Length-prefixed strings: `IntNStringReceiver` and its 8-, 16- and 32-bit forms.
 * @packageDocumentation
 */
import { transportOf } from "@twisted-ts/core";
import { NotImplementedError, StringTooLongError } from "../errors.js";
import { toBuffer, viewOf } from "./bytes.js";
import { PauseableProtocol } from "./pauseable.js";
import { ReceiveBuffer } from "./receiveBuffer.js";

/**
 * The base of length-prefixed protocols: Twisted's `twisted.protocols.basic.IntNStringReceiver`.
 * Each message is its length as an unsigned big-endian integer of `prefixLength` bytes,
 * followed by that many bytes. Use `Int8StringReceiver`, `Int16StringReceiver` or
 * `Int32StringReceiver`, or subclass this one with another `prefixLength` (1 to 6).
 *
 * A length above `MAX_LENGTH` (99999 by default) calls `lengthLimitExceeded(length)`, which
 * drops the connection by default; the payload is never delivered, and the bytes from that
 * prefix on stay in the buffer (`recvd`). It is also a push producer (`PauseableProtocol`):
 * while `paused`, nothing is delivered.
 *
 * `recvd` is Twisted's legacy view of the buffer: inside `stringReceived` it holds the bytes
 * after the current message, and assigning it replaces the buffer, so that a protocol can
 * switch to another framing in the middle of a chunk.
 *
 * The Buffers given to `stringReceived` are views into the received chunks: they may be kept,
 * and the caller of `dataReceived` must not change a chunk after passing it.
 *
 * Differences from Twisted: the prefix is described by `prefixLength` alone (there is no
 * `structFormat`); `sendString` also takes a string (sent as UTF-8); a `dataReceived` made from
 * inside `stringReceived` is parsed after the current message (Twisted parses the whole chunk
 * again, delivering its messages twice).
 *
 * @typeParam F - the factory type, as for `Protocol`.
 */
export abstract class IntNStringReceiver<F = unknown> extends PauseableProtocol<F> {
  /** The size of the length prefix, in bytes (1 to 6). */
  abstract readonly prefixLength: number;
  /** The longest string accepted, in bytes. 99999 by default. */
  MAX_LENGTH = 99999;
  private readonly _unprocessed = new ReceiveBuffer();
  /** What `recvd` was set to, until `dataReceived` switches to it. */
  private _recvdSet: Buffer | undefined = undefined;

  /**
   * The bytes received and not yet parsed: inside `stringReceived`, those after the current
   * message; inside `lengthLimitExceeded`, those from the refused prefix on.
   */
  get recvd(): Buffer {
    return this._recvdSet ?? this._unprocessed.view();
  }

  /**
   * Replace the unparsed bytes. Set from inside `stringReceived`, parsing goes on with these
   * bytes instead of the rest of the chunk.
   * @param bytes - the new unparsed bytes.
   */
  set recvd(bytes: Buffer) {
    this._recvdSet = bytes;
  }

  /**
   * Called with each string received. Override it.
   * @param _string - the string, without its prefix: a view that may be kept.
   * @throws NotImplementedError unless overridden.
   */
  stringReceived(_string: Buffer): void {
    throw new NotImplementedError(`${this.constructor.name}.stringReceived`);
  }

  /**
   * Called when the peer announces a string longer than `MAX_LENGTH`. The default drops the
   * connection. The string itself is never delivered.
   * @param _length - the announced length, in bytes.
   */
  lengthLimitExceeded(_length: number): void {
    this.transport?.loseConnection();
  }

  /**
   * Take bytes from the transport and deliver each complete string to `stringReceived`.
   * @param data - the bytes; they must not be changed afterwards (strings are views).
   * @throws whatever `stringReceived` or `lengthLimitExceeded` throw.
   */
  override dataReceived(data: Buffer): void {
    const unprocessed = this._unprocessed;
    unprocessed.append(data);
    const prefixLength = this.prefixLength;
    let bytes = unprocessed.data;
    let offset = unprocessed.off;
    while (bytes.length >= offset + prefixLength && !this.paused) {
      const length = readLength(bytes, offset, prefixLength);
      if (length > this.MAX_LENGTH) {
        this.lengthLimitExceeded(length);
        return;
      }
      const start = offset + prefixLength;
      const end = start + length;
      if (bytes.length < end) break;
      unprocessed.off = end;
      this.stringReceived(viewOf(bytes, start, end));
      const replacement = this._recvdSet;
      if (replacement !== undefined) {
        this._recvdSet = undefined;
        unprocessed.reset(replacement);
      }
      bytes = unprocessed.data;
      offset = unprocessed.off;
    }
  }

  /**
   * Send `string` with its length prefix, in one write.
   * @param string - the string: bytes, or a string sent as UTF-8.
   * @throws StringTooLongError when it has 2^(8 × prefixLength) bytes or more (nothing is sent);
   *   TypeError when `string` is neither bytes nor a string; Error when not connected.
   */
  sendString(string: Uint8Array | string): void {
    const payload = toBuffer(string);
    const prefixLength = this.prefixLength;
    const limit = 2 ** (8 * prefixLength);
    if (payload.length >= limit) throw new StringTooLongError(payload.length, limit - 1);
    const out = Buffer.allocUnsafe(prefixLength + payload.length);
    out.writeUIntBE(payload.length, 0, prefixLength);
    payload.copy(out, prefixLength);
    transportOf(this).write(out);
  }
}

function readLength(bytes: Buffer, offset: number, prefixLength: number): number {
  switch (prefixLength) {
    case 4:
      return bytes.readUInt32BE(offset);
    case 2:
      return bytes.readUInt16BE(offset);
    case 1:
      return bytes[offset]!;
    default:
      return bytes.readUIntBE(offset, prefixLength);
  }
}

/**
 * Strings prefixed by their length as one byte (0 to 255): Twisted's `Int8StringReceiver`.
 * See `IntNStringReceiver`.
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class Int8StringReceiver<F = unknown> extends IntNStringReceiver<F> {
  /** One byte. */
  readonly prefixLength: number = 1;
}

/**
 * Strings prefixed by their length as two big-endian bytes (0 to 65535): Twisted's
 * `Int16StringReceiver`. See `IntNStringReceiver`.
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class Int16StringReceiver<F = unknown> extends IntNStringReceiver<F> {
  /** Two bytes. */
  readonly prefixLength: number = 2;
}

/**
 * Strings prefixed by their length as four big-endian bytes: Twisted's `Int32StringReceiver`,
 * the usual choice. See `IntNStringReceiver`.
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class Int32StringReceiver<F = unknown> extends IntNStringReceiver<F> {
  /** Four bytes. */
  readonly prefixLength: number = 4;
}
