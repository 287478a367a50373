/**
 * Body framing decoders for responses: a known length, and chunked transfer coding. Push objects:
 * fed bytes, they call back with body data and, at the end, with the bytes that follow the body.
 * @packageDocumentation
 */
import { ParseError } from "../errors.js";

/** The longest chunk-size line accepted (size, extensions), in bytes. */
export const MAX_CHUNK_SIZE_LINE = 1024;
/** The most trailer bytes accepted after the last chunk; trailers are read and dropped. */
export const MAX_TRAILER_BYTES = 65536;

/** What a body decoder needs: a sink for body data and one for the end. */
export interface TransferDecoderSink {
  /** Body bytes, in order. */
  dataCallback(data: Buffer): void;
  /** The body is complete; `rest` is what followed it in the stream. */
  finishCallback(rest: Buffer): void;
}

/**
 * A body framed by `Content-Length`: Twisted's `_IdentityTransferDecoder`. Bytes beyond the
 * length go to `finishCallback` as the rest.
 */
export class IdentityTransferDecoder {
  private remaining: number;
  private done = false;

  /**
   * @param contentLength - the body length, in bytes.
   * @param sink - where data and the end go.
   */
  constructor(
    contentLength: number,
    private readonly sink: TransferDecoderSink,
  ) {
    this.remaining = contentLength;
  }

  /** @returns how many body bytes are still expected. */
  get bytesRemaining(): number {
    return this.remaining;
  }

  /**
   * Take bytes from the stream.
   * @param data - the bytes.
   */
  dataReceived(data: Buffer): void {
    if (this.done) return;
    if (data.length < this.remaining) {
      this.remaining -= data.length;
      if (data.length > 0) this.sink.dataCallback(data);
      return;
    }
    const body = data.subarray(0, this.remaining);
    const rest = data.subarray(this.remaining);
    this.remaining = 0;
    this.done = true;
    if (body.length > 0) this.sink.dataCallback(body);
    this.sink.finishCallback(rest);
  }
}

type ChunkedState = "SIZE" | "BODY" | "CRLF" | "TRAILER" | "DONE";

const HEX = /^[0-9A-Fa-f]+$/;
/** Chunk extensions: `;name[=value]`, with tokens or quoted strings; no control bytes. */
const EXTENSION_BYTES = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A chunked body (RFC 9112 §7.1): Twisted's `_ChunkedTransferDecoder`. Strict: the size is hex
 * digits only (no sign, no `0x`), the size line is at most {@link MAX_CHUNK_SIZE_LINE} bytes,
 * each chunk's data must be followed by CRLF, and trailers (at most {@link MAX_TRAILER_BYTES})
 * are read and dropped. Any violation throws {@link ParseError} from `dataReceived`.
 */
export class ChunkedTransferDecoder {
  private state: ChunkedState = "SIZE";
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private trailerBytes = 0;

  /** @param sink - where data and the end go. */
  constructor(private readonly sink: TransferDecoderSink) {}

  /** @returns whether the last chunk and trailers have been read. */
  get finished(): boolean {
    return this.state === "DONE";
  }

  /**
   * Take bytes from the stream.
   * @param data - the bytes.
   * @throws ParseError on a malformed chunk.
   */
  dataReceived(data: Buffer): void {
    let input = this.buffer.length > 0 ? Buffer.concat([this.buffer, data]) : data;
    this.buffer = Buffer.alloc(0);
    while (input.length > 0 && this.state !== "DONE") {
      switch (this.state) {
        case "SIZE": {
          const eol = input.indexOf("\r\n");
          if (eol === -1) {
            if (input.length > MAX_CHUNK_SIZE_LINE) {
              throw new ParseError("chunk-size line too long", input);
            }
            this.buffer = input;
            return;
          }
          if (eol > MAX_CHUNK_SIZE_LINE) throw new ParseError("chunk-size line too long", input);
          const line = input.subarray(0, eol).toString("latin1");
          input = input.subarray(eol + 2);
          const semi = line.indexOf(";");
          const sizeText = (semi === -1 ? line : line.slice(0, semi)).replace(/[ \t]+$/, "");
          const extensions = semi === -1 ? "" : line.slice(semi);
          if (!HEX.test(sizeText) || sizeText.length > 12) {
            throw new ParseError("invalid chunk size", line);
          }
          if (!EXTENSION_BYTES.test(extensions)) {
            throw new ParseError("invalid chunk extension", line);
          }
          this.remaining = Number.parseInt(sizeText, 16);
          this.state = this.remaining === 0 ? "TRAILER" : "BODY";
          break;
        }
        case "BODY": {
          const take = Math.min(this.remaining, input.length);
          const chunk = input.subarray(0, take);
          input = input.subarray(take);
          this.remaining -= take;
          if (this.remaining === 0) this.state = "CRLF";
          this.sink.dataCallback(chunk);
          break;
        }
        case "CRLF": {
          if (input.length < 2) {
            if (input[0] !== 0x0d) throw new ParseError("chunk not followed by CRLF", input);
            this.buffer = input;
            return;
          }
          if (input[0] !== 0x0d || input[1] !== 0x0a) {
            throw new ParseError("chunk not followed by CRLF", input.subarray(0, 2));
          }
          input = input.subarray(2);
          this.state = "SIZE";
          break;
        }
        case "TRAILER": {
          const eol = input.indexOf("\r\n");
          if (eol === -1) {
            if (this.trailerBytes + input.length > MAX_TRAILER_BYTES) {
              throw new ParseError("trailers too long", input);
            }
            this.buffer = input;
            return;
          }
          this.trailerBytes += eol + 2;
          if (this.trailerBytes > MAX_TRAILER_BYTES) throw new ParseError("trailers too long");
          const line = input.subarray(0, eol);
          input = input.subarray(eol + 2);
          if (line.length === 0) {
            this.state = "DONE";
            this.sink.finishCallback(input);
            return;
          }
          if (line.indexOf(":") <= 0) throw new ParseError("invalid trailer line", line);
          break;
        }
        default:
          return;
      }
    }
  }
}
