/**
 * `NetstringReceiver`: D. J. Bernstein's netstrings, `12:hello world!,`.
 * @packageDocumentation
 */
import { type ITransport, Logger, Protocol, transportOf } from "@twisted-ts/core";
import { NetstringParseError, NotImplementedError } from "../errors.js";
import { toBuffer, viewOf } from "./bytes.js";
import { ReceiveBuffer } from "./receiveBuffer.js";

const log = new Logger({ namespace: "twisted-ts.protocols.basic" });

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** Reading the digits and colon of a length. */
const PARSING_LENGTH = 0;
/** Reading the payload and its comma. */
const PARSING_PAYLOAD = 1;

/**
 * A protocol that sends and receives netstrings (<https://cr.yp.to/proto/netstrings.txt>):
 * Twisted's `twisted.protocols.basic.NetstringReceiver`. A netstring is its length in decimal, a
 * colon, the bytes, and a comma: `5:hello,`. Override `stringReceived`; send with
 * `sendString`.
 *
 * The parser is a two-state machine (length, then payload). A length is refused before any of
 * the payload is read when it has more than `ceil(log10(MAX_LENGTH)) + 1` digits or is larger
 * than `MAX_LENGTH` (99999 by default), so a peer cannot make the receiver buffer a huge
 * string. Leading zeros are refused (only `0:` itself starts with one). A missing length, a
 * missing colon, or a payload not followed by a comma (the peer sent more than it declared)
 * makes the receiver call `handleParseError`, which drops the connection and sets `brokenPeer`.
 * Payloads may contain `:` and `,`.
 *
 * The Buffers given to `stringReceived` are views into the received chunks when a netstring
 * arrives in one chunk, and new Buffers otherwise; either way they may be kept, and the caller
 * of `dataReceived` must not change a chunk after passing it.
 *
 * Differences from Twisted: the parse error goes to an overridable `handleParseError(error)`
 * (Twisted's private `_handleParseError()` takes no argument) and is logged; `sendString` also
 * takes a string (sent as UTF-8). A length followed by a newline is refused at once (Twisted's
 * regular expression lets `12\n` wait for more bytes, then refuses it).
 *
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class NetstringReceiver<F = unknown> extends Protocol<F> {
  /** The longest payload accepted, in bytes. 99999 by default. */
  MAX_LENGTH = 99999;
  /** 1 once the peer has sent something that is not a netstring (the connection is dropped). */
  brokenPeer: 0 | 1 = 0;
  private readonly _remaining = new ReceiveBuffer();
  private _state: typeof PARSING_LENGTH | typeof PARSING_PAYLOAD = PARSING_LENGTH;
  /** The payload size plus one, for the comma. */
  private _expectedPayloadSize = 0;
  /** The pieces of a payload that spans chunks, and their total size. */
  private _payload: Buffer[] = [];
  private _currentPayloadSize = 0;
  /** The parse error that broke the stream: later bytes are refused with it. */
  private _error: NetstringParseError | undefined = undefined;

  /**
   * Start a connection with a fresh parser, then call `connectionMade`.
   * @param transport - the connection's transport.
   */
  override makeConnection(transport: ITransport): void {
    this._remaining.clear();
    this._state = PARSING_LENGTH;
    this._expectedPayloadSize = 0;
    this._payload = [];
    this._currentPayloadSize = 0;
    this._error = undefined;
    this.brokenPeer = 0;
    super.makeConnection(transport);
  }

  /**
   * Send `string` as a netstring, in one write.
   * @param string - the payload: bytes, or a string sent as UTF-8.
   * @throws TypeError when `string` is neither; Error when not connected.
   */
  sendString(string: Uint8Array | string): void {
    const payload = toBuffer(string);
    const prefix = `${payload.length}:`;
    const out = Buffer.allocUnsafe(prefix.length + payload.length + 1);
    out.write(prefix, 0, "latin1");
    payload.copy(out, prefix.length);
    out[out.length - 1] = COMMA;
    transportOf(this).write(out);
  }

  /**
   * Take bytes from the transport and deliver each complete netstring to `stringReceived`.
   * @param data - the bytes; they must not be changed afterwards (payloads may be views).
   * @throws whatever `stringReceived` throws, except a `NetstringParseError`, which is handled
   *   as if the peer had sent it.
   */
  override dataReceived(data: Buffer): void {
    const remaining = this._remaining;
    remaining.append(data);
    while (remaining.length > 0) {
      try {
        if (this._error !== undefined) throw this._error;
        if (!this._consumeData(remaining)) break;
      } catch (error) {
        if (!(error instanceof NetstringParseError)) throw error;
        this._error = error;
        this.handleParseError(error);
        break;
      }
    }
  }

  /**
   * Called with the payload of each netstring received. Override it.
   * @param _string - the payload, without the length, colon and comma.
   * @throws NotImplementedError unless overridden.
   */
  stringReceived(_string: Buffer): void {
    throw new NotImplementedError(`${this.constructor.name}.stringReceived`);
  }

  /**
   * Called when the peer sends something that is not a netstring. The default logs the error,
   * drops the connection and sets `brokenPeer`. Every later chunk is refused the same way.
   * @param error - what was wrong, with `kind` saying which rule was broken.
   */
  handleParseError(error: NetstringParseError): void {
    log.info("Dropping the connection of {protocol}: {error}", {
      protocol: this.logPrefix(),
      error,
    });
    this.transport?.loseConnection();
    this.brokenPeer = 1;
  }

  /** How many digits a length may have before it is refused unread. */
  private maxLengthFor = Number.NaN;
  private maxLengthDigits = 1;

  private _maxLengthSize(): number {
    // Worked out once per MAX_LENGTH value, not per message: log10 showed in profiles.
    if (this.maxLengthFor !== this.MAX_LENGTH) {
      this.maxLengthFor = this.MAX_LENGTH;
      this.maxLengthDigits = this.MAX_LENGTH >= 1 ? Math.ceil(Math.log10(this.MAX_LENGTH)) + 1 : 1;
    }
    return this.maxLengthDigits;
  }

  /**
   * Consume one length or one payload (or both).
   * @returns false when more bytes are needed.
   * @throws NetstringParseError when the bytes are not a netstring.
   */
  private _consumeData(remaining: ReceiveBuffer): boolean {
    if (this._state === PARSING_LENGTH) {
      if (!this._consumeLength(remaining)) return false;
      this._state = PARSING_PAYLOAD;
      this._payload = [];
      this._currentPayloadSize = 0;
    }
    return this._consumePayload(remaining);
  }

  /** Read `digits:`; false when the length is not finished yet. */
  private _consumeLength(remaining: ReceiveBuffer): boolean {
    const bytes = remaining.data;
    const start = remaining.off;
    const end = bytes.length;
    let at = start;
    while (at < end && bytes[at]! >= ZERO && bytes[at]! <= NINE) at++;
    const digits = at - start;
    if (digits === 0 || (digits > 1 && bytes[start] === ZERO)) {
      throw new NetstringParseError("missing-length");
    }
    if (at < end && bytes[at] !== COLON) throw new NetstringParseError("missing-length");
    const length = this._extractLength(bytes, start, digits);
    if (at === end) return false;
    this._expectedPayloadSize = length + 1;
    remaining.off = at + 1;
    return true;
  }

  /** The value of the digits; refuses too many of them, or a value above `MAX_LENGTH`. */
  private _extractLength(bytes: Buffer, start: number, digits: number): number {
    if (digits > this._maxLengthSize()) throw new NetstringParseError("too-long");
    let length = 0;
    for (let i = start; i < start + digits; i++) length = length * 10 + (bytes[i]! - ZERO);
    if (length > this.MAX_LENGTH) throw new NetstringParseError("too-long");
    return length;
  }

  /** Read the payload and its comma, and deliver it; false when it is not all here yet. */
  private _consumePayload(remaining: ReceiveBuffer): boolean {
    const bytes = remaining.data;
    const start = remaining.off;
    const wanted = this._expectedPayloadSize - this._currentPayloadSize;
    if (bytes.length - start < wanted) {
      this._payload.push(remaining.view());
      this._currentPayloadSize += bytes.length - start;
      remaining.clear();
      return false;
    }
    const end = start + wanted;
    remaining.off = end;
    this._currentPayloadSize = this._expectedPayloadSize;
    if (bytes[end - 1] !== COMMA) throw new NetstringParseError("missing-comma");
    const pieces = this._payload;
    let payload: Buffer;
    if (pieces.length === 0) {
      payload = viewOf(bytes, start, end - 1);
    } else {
      pieces.push(bytes.subarray(start, end));
      payload = Buffer.concat(pieces, this._expectedPayloadSize - 1);
    }
    this._payload = [];
    this._state = PARSING_LENGTH;
    this.stringReceived(payload);
    return true;
  }
}
