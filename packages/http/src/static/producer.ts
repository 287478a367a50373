/**
 * `StaticProducer`: streams parts of an open file into a request, one chunk per read, as a push
 * producer that honours the transport's flow control.
 * @packageDocumentation
 */
import type { IPushProducer } from "@twisted-ts/core";
import type { IRequest } from "../iweb.js";
import type { StaticFileSystem } from "./filesystem.js";

/** One piece of a response body: optional bytes to write first, then a span of the file. */
export interface BodyPart {
  /** Bytes written before the span (a multipart boundary and part headers). */
  prefix?: Buffer;
  /** The first byte of the span. */
  start: number;
  /** The last byte of the span (inclusive). */
  end: number;
}

/**
 * Writes spans of an open file to a request and finishes it: Twisted's
 * `NoRangeStaticProducer`, `SingleRangeStaticProducer` and `MultipleRangeStaticProducer` in
 * one. It is a push producer: it reads `bufferSize` bytes at a time with asynchronous reads and
 * writes each chunk as it arrives, stops reading while paused, and closes the descriptor when
 * done, when stopped (the connection was lost) and on a read error. Only one chunk is ever in
 * memory.
 *
 * A file that shrinks while being sent ends the response early (the client sees fewer bytes
 * than `Content-Length`), as in Twisted.
 *
 * Differences from Twisted: Twisted's static producers are pull producers that read
 * synchronously; this one reads asynchronously so the loop never waits on the disk.
 */
export class StaticProducer implements IPushProducer {
  /** How many bytes each read asks for (Twisted's `abstract.FileDescriptor.bufferSize`). */
  static bufferSize = 65536;

  private paused = false;
  private stopped = false;
  private reading = false;
  private closed = false;
  private index = 0;
  private position: number;
  private prefixWritten = false;

  /**
   * @param request - where to write.
   * @param fd - the open file; the producer owns it from now on and closes it.
   * @param parts - the spans to send, in order.
   * @param trailer - bytes written after the last span (a multipart closing boundary).
   * @param fileSystem - how to read and close.
   */
  constructor(
    private readonly request: IRequest,
    private readonly fd: number,
    private readonly parts: readonly BodyPart[],
    private readonly trailer: Buffer | undefined,
    private readonly fileSystem: StaticFileSystem,
  ) {
    this.position = parts[0]?.start ?? 0;
  }

  /**
   * Registers with the request as a push producer and starts reading. It stops producing when
   * the request's `notifyFinish` errbacks (the connection was lost), whether or not the
   * request also calls `stopProducing`.
   */
  start(): void {
    this.request.notifyFinish().addErrback(() => {
      this.stopProducing();
    });
    this.request.registerProducer(this, true);
    this.next();
  }

  /** Stops reading until `resumeProducing`. */
  pauseProducing(): void {
    this.paused = true;
  }

  /** Reads and writes again. */
  resumeProducing(): void {
    this.paused = false;
    this.next();
  }

  /** Stops for good and closes the file; the request is not finished. */
  stopProducing(): void {
    this.stopped = true;
    if (!this.reading) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fileSystem.close(this.fd);
  }

  private done(): void {
    this.close();
    if (this.stopped) return;
    this.stopped = true;
    this.request.unregisterProducer();
    this.request.finish();
  }

  private next(): void {
    if (this.stopped || this.paused || this.reading) return;
    const part = this.parts[this.index];
    if (part === undefined) {
      if (this.trailer !== undefined) this.request.write(this.trailer);
      this.done();
      return;
    }
    if (!this.prefixWritten) {
      this.prefixWritten = true;
      if (part.prefix !== undefined) this.request.write(part.prefix);
      if (this.stopped || this.paused) return;
    }
    const wanted = Math.min(StaticProducer.bufferSize, part.end + 1 - this.position);
    if (wanted <= 0) {
      this.advance();
      this.next();
      return;
    }
    const buffer = Buffer.allocUnsafe(wanted);
    this.reading = true;
    this.fileSystem.read(this.fd, buffer, this.position, (error, bytesRead) => {
      this.reading = false;
      if (this.stopped) {
        this.close();
        return;
      }
      if (error !== null || bytesRead === 0) {
        this.done();
        return;
      }
      this.position += bytesRead;
      if (this.position > part.end) this.advance();
      this.request.write(buffer.subarray(0, bytesRead));
      this.next();
    });
  }

  private advance(): void {
    this.index += 1;
    this.prefixWritten = false;
    this.position = this.parts[this.index]?.start ?? 0;
  }
}
