/**
 * `FileSender`: a pull producer that sends a file to a consumer.
 * @packageDocumentation
 */
import { Deferred, type IConsumer, type IPullProducer } from "@twisted-ts/core";
import { ProducerStoppedError } from "../errors.js";
import { EMPTY, toBuffer } from "./bytes.js";
import { type ChunkReader, type FileSource, readerFor } from "./fileSources.js";

/** A function applied to each chunk before it is written (to encode or escape it). */
export type FileTransform = (chunk: Buffer) => Uint8Array | string;

/**
 * A producer that sends the contents of a file to a consumer (a transport, usually), one chunk
 * of `CHUNK_SIZE` bytes (2^14) each time the consumer asks: Twisted's
 * `twisted.protocols.basic.FileSender`. It registers itself as a pull (non-streaming) producer,
 * so it never writes faster than the connection drains, and it unregisters at the end.
 *
 * ```ts
 * const sender = new FileSender();
 * sender
 *   .beginFileTransfer("/var/www/index.html", this.transport!)
 *   .addCallback(() => this.transport?.loseConnection());
 * ```
 *
 * Reads never block the event loop: a path or `FileHandle` is read with `node:fs/promises`, a
 * stream as it yields. While a read is in flight, a request for a chunk is remembered and
 * answered when the read lands. After each chunk it reads the next one ahead, so the end of the
 * file is noticed without waiting for the consumer to ask again.
 *
 * Differences from Twisted: sources are paths, `FileHandle`s, streams, async iterables or bytes
 * (see `FileSource`) instead of Python file objects. The Deferred fires as soon as the last chunk
 * has been written and the end of the source has been read, without waiting for one more
 * `resumeProducing` from the consumer. A read error, or an error thrown by `transform`, fails the
 * Deferred (and unregisters the producer) instead of propagating into the consumer. After
 * `stopProducing`, nothing more is read or written. The stop error is a `ProducerStoppedError`.
 */
export class FileSender implements IPullProducer {
  /** The size of each read, in bytes: 2^14 (16384). Set it before `beginFileTransfer`. */
  CHUNK_SIZE: number = 2 ** 14;
  /** The last byte written to the consumer (empty before the first chunk). */
  lastSent: Buffer = EMPTY;
  /** The Deferred of the transfer in progress, or undefined once it has fired. */
  deferred: Deferred<Buffer> | undefined = undefined;
  /** The consumer of the transfer. */
  consumer: IConsumer | undefined = undefined;
  /** The function applied to each chunk, if any. */
  transform: FileTransform | undefined = undefined;
  private reader: ChunkReader | undefined = undefined;
  /** A chunk read ahead, waiting for the consumer to ask for it. */
  private ready: Buffer | undefined = undefined;
  /** Whether a read is in flight. */
  private reading = false;
  /** Whether the consumer asked for a chunk that has not been written yet. */
  private wanted = false;

  /**
   * Start sending `file` to `consumer`: register as a pull producer, then write one chunk each
   * time the consumer calls `resumeProducing`.
   * @param file - what to send: a path, a `FileHandle`, a `Readable`, an async iterable of
   *   bytes, or bytes. A path is opened and closed by the sender; anything else is left open.
   * @param consumer - where to write, usually a transport.
   * @param transform - applied to each chunk before it is written.
   * @returns a Deferred that fires with the last byte sent (an empty Buffer for an empty file)
   *   once everything has been written, or fails with `ProducerStoppedError` when the consumer
   *   stops the transfer, or with the error of a failed read.
   * @throws TypeError when `file` is none of the accepted sources; Error when the consumer
   *   already has a producer.
   */
  beginFileTransfer(
    file: FileSource,
    consumer: IConsumer,
    transform?: FileTransform,
  ): Deferred<Buffer> {
    this.reader = readerFor(file);
    this.consumer = consumer;
    this.transform = transform;
    this.lastSent = EMPTY;
    const deferred = new Deferred<Buffer>();
    this.deferred = deferred;
    consumer.registerProducer(this, false);
    return deferred;
  }

  /** Write the next chunk (or, at the end of the file, unregister and fire the Deferred). */
  resumeProducing(): void {
    if (this.reader === undefined) return;
    const chunk = this.ready;
    if (chunk !== undefined) {
      this.ready = undefined;
      this.send(chunk);
      return;
    }
    this.wanted = true;
    this.fetch();
  }

  /** Does nothing: a pull producer writes only when asked. */
  pauseProducing(): void {}

  /**
   * The consumer is going away: fail the Deferred with `ProducerStoppedError` ("Consumer asked
   * us to stop producing") unless it has fired, and read nothing more.
   */
  stopProducing(): void {
    const deferred = this.deferred;
    this.end();
    if (deferred !== undefined) deferred.errback(new ProducerStoppedError());
  }

  /** Read one chunk, unless one is ready or on its way; the result goes to `received`. */
  private fetch(): void {
    const reader = this.reader;
    if (reader === undefined || this.reading || this.ready !== undefined) return;
    this.reading = true;
    let result: Buffer | Promise<Buffer>;
    try {
      result = reader.read(this.CHUNK_SIZE);
    } catch (error) {
      this.reading = false;
      this.fail(error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (chunk) => {
          this.reading = false;
          this.received(chunk);
        },
        (error: unknown) => {
          this.reading = false;
          this.fail(error);
        },
      );
    } else {
      this.reading = false;
      this.received(result);
    }
  }

  private received(chunk: Buffer): void {
    if (this.reader === undefined) return;
    if (chunk.length === 0) {
      this.finish();
    } else if (this.wanted) {
      this.send(chunk);
    } else {
      this.ready = chunk;
    }
  }

  /** Write a chunk, then read the next one ahead. */
  private send(chunk: Buffer): void {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    this.wanted = false;
    try {
      const out = toBuffer(this.transform === undefined ? chunk : this.transform(chunk));
      consumer.write(out);
      if (out.length > 0) this.lastSent = Buffer.from(out.subarray(out.length - 1));
    } catch (error) {
      this.fail(error);
      return;
    }
    this.fetch();
  }

  private finish(): void {
    const consumer = this.consumer;
    const deferred = this.deferred;
    this.end();
    consumer?.unregisterProducer();
    deferred?.callback(this.lastSent);
  }

  private fail(error: unknown): void {
    if (this.reader === undefined) return;
    const consumer = this.consumer;
    const deferred = this.deferred;
    this.end();
    try {
      consumer?.unregisterProducer();
    } finally {
      deferred?.errback(error);
    }
  }

  /** Forget the transfer and release the source. */
  private end(): void {
    this.reader?.close();
    this.reader = undefined;
    this.deferred = undefined;
    this.ready = undefined;
    this.wanted = false;
  }
}
