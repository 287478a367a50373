/**
 * The body decoders: a push parser for `Transfer-Encoding: chunked` and one for a known
 * `Content-Length`. They are fed bytes and never touch a socket.
 * @packageDocumentation
 */
import { MalformedRequest, RequestLimitExceeded } from "../errors.js";

/** What a body decoder reports to. */
export interface BodySink {
  /**
   * Body bytes: a view into the received chunk, valid while the call lasts unless copied.
   * @param data - the bytes.
   */
  dataReceived(data: Buffer): void;
}

/** A body decoder: fed the bytes after the headers, it says where the body ends. */
export interface BodyDecoder {
  /**
   * Decodes more bytes.
   * @param data - the next bytes of the connection.
   * @returns the bytes after the end of the body once it has ended (maybe empty), else
   *   `undefined`.
   * @throws {@link MalformedRequest} when the body is malformed or over a limit.
   */
  feed(data: Buffer): Buffer | undefined;
}

/** Limits of a {@link ChunkedDecoder}, in bytes. */
export interface ChunkedLimits {
  /** Longest chunk-size line, extensions included, without CRLF. */
  maxChunkSizeLineLength: number;
  /** Most bytes of trailer lines, CRLFs included. */
  maxTrailersSize: number;
  /** Largest decoded body. */
  maxBodySize: number;
}

/** The decoder's states. */
const State = { Size: 0, Data: 1, DataCR: 2, DataLF: 3, Trailer: 4, Done: 5 } as const;

const CR = 13;
const LF = 10;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Whether a byte may appear in a chunk extension (VCHAR, SP, HTAB or obs-text). */
function isExtByte(c: number): boolean {
  return c === 9 || (c >= 32 && c !== 127);
}

/**
 * Parses a chunk-size line: `1*HEXDIG [ BWS ";" chunk-ext ]`.
 * @returns the size.
 * @throws MalformedRequest on a bad size ("-", "0x", empty, spaces, too many digits) or a bad
 *   byte in the extensions.
 */
export function parseChunkSizeLine(line: Buffer): number {
  let end = line.indexOf(59); // ";"
  if (end === -1) end = line.length;
  else {
    for (let i = end; i < line.length; i++) {
      if (!isExtByte(line[i] as number)) throw new MalformedRequest("bad chunk extension");
    }
    // BWS before the ";"
    while (end > 0 && (line[end - 1] === 32 || line[end - 1] === 9)) end--;
  }
  if (end === 0 || end > 16) throw new MalformedRequest("bad chunk size");
  let size = 0;
  for (let i = 0; i < end; i++) {
    const c = line[i] as number;
    if (!isHex(c)) throw new MalformedRequest("bad chunk size");
    size = size * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  if (!Number.isSafeInteger(size)) throw new MalformedRequest("chunk size too large");
  return size;
}

/**
 * Decodes `Transfer-Encoding: chunked` (RFC 9112 §7.1): Twisted's `_ChunkedTransferDecoder`.
 * Sizes are hexadecimal without sign, prefix or spaces; extensions are checked for stray
 * control bytes and dropped; each chunk must end with CRLF exactly; a bare CR or LF anywhere
 * in a size or trailer line is refused; trailers are counted against `maxTrailersSize` and
 * dropped.
 */
export class ChunkedDecoder implements BodyDecoder {
  private state: number = State.Size;
  private line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private trailerBytes = 0;
  /** How many body bytes have been decoded. */
  received = 0;

  /**
   * @param sink - where the body's bytes go.
   * @param limits - the limits.
   */
  constructor(
    private readonly sink: BodySink,
    private readonly limits: ChunkedLimits,
  ) {}

  /** @inheritDoc */
  feed(data: Buffer): Buffer | undefined {
    let at = 0;
    const n = data.length;
    while (at < n) {
      switch (this.state) {
        case State.Size:
        case State.Trailer: {
          const lf = data.indexOf(LF, at);
          const piece = data.subarray(at, lf === -1 ? n : lf + 1);
          this.lineLength += piece.length;
          const limit =
            this.state === State.Size
              ? this.limits.maxChunkSizeLineLength + 2
              : this.limits.maxTrailersSize - this.trailerBytes;
          if (this.lineLength > limit) {
            throw new RequestLimitExceeded(
              this.state === State.Size ? "maxChunkSizeLineLength" : "maxTrailersSize",
              400,
            );
          }
          this.line.push(piece);
          if (lf === -1) return undefined;
          at = lf + 1;
          const full = this.line.length === 1 ? piece : Buffer.concat(this.line);
          this.line = [];
          this.lineLength = 0;
          if (full.length < 2 || full[full.length - 2] !== CR) {
            throw new MalformedRequest("bare LF in chunked body");
          }
          const content = full.subarray(0, full.length - 2);
          if (content.indexOf(CR) !== -1) throw new MalformedRequest("bare CR in chunked body");
          if (this.state === State.Size) {
            const size = parseChunkSizeLine(content);
            if (size === 0) {
              this.state = State.Trailer;
            } else {
              if (this.received + size > this.limits.maxBodySize) {
                throw new RequestLimitExceeded("maxBodySize", 413);
              }
              this.remaining = size;
              this.state = State.Data;
            }
          } else {
            this.trailerBytes += full.length;
            if (content.length === 0) {
              this.state = State.Done;
              return data.subarray(at);
            }
            if (content.indexOf(0) !== -1) throw new MalformedRequest("NUL in trailer");
          }
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, n - at);
          this.remaining -= take;
          this.received += take;
          this.sink.dataReceived(data.subarray(at, at + take));
          at += take;
          if (this.remaining === 0) this.state = State.DataCR;
          break;
        }
        case State.DataCR:
          if (data[at] !== CR) throw new MalformedRequest("chunk not followed by CRLF");
          at++;
          this.state = State.DataLF;
          break;
        case State.DataLF:
          if (data[at] !== LF) throw new MalformedRequest("chunk not followed by CRLF");
          at++;
          this.state = State.Size;
          break;
        default:
          return data.subarray(at);
      }
    }
    return this.state === State.Done ? data.subarray(at) : undefined;
  }
}

/** Decodes a body of known length (`Content-Length`): Twisted's `_IdentityTransferDecoder`. */
export class LengthDecoder implements BodyDecoder {
  /**
   * @param sink - where the body's bytes go.
   * @param remaining - the body's length in bytes.
   */
  constructor(
    private readonly sink: BodySink,
    private remaining: number,
  ) {}

  /** @inheritDoc */
  feed(data: Buffer): Buffer | undefined {
    if (this.remaining === 0) return data;
    if (data.length <= this.remaining) {
      this.remaining -= data.length;
      if (data.length > 0) this.sink.dataReceived(data);
      return this.remaining === 0 ? data.subarray(data.length) : undefined;
    }
    const take = this.remaining;
    this.remaining = 0;
    this.sink.dataReceived(data.subarray(0, take));
    return data.subarray(take);
  }
}
