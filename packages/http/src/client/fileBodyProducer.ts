/**
 * `FileBodyProducer`: a request body from a Buffer or a readable stream (Twisted's
 * `client.FileBodyProducer`).
 * @packageDocumentation
 */
import { statSync } from "node:fs";
import type { Readable } from "node:stream";
import {
  CancelledError,
  type CooperativeTask,
  Cooperator,
  Deferred,
  type IConsumer,
} from "@twisted-ts/core";
import { type IBodyProducer, UNKNOWN_LENGTH, type UnknownLength } from "./iweb.js";

/** Twisted's read size: 64 KiB. */
export const DEFAULT_READ_SIZE = 65536;

/** Options of {@link FileBodyProducer}. */
export interface FileBodyProducerOptions {
  /** How many bytes to write per step (Buffers only). 64 KiB. */
  readSize?: number;
  /** The length of a stream body, when the caller knows it. */
  length?: number;
}

function streamLength(stream: Readable): number | UnknownLength {
  const file = stream as Readable & { path?: unknown; start?: unknown; end?: unknown };
  const whole =
    (file.start === undefined || file.start === 0) &&
    (file.end === undefined || file.end === Number.POSITIVE_INFINITY);
  if (typeof file.path === "string" && whole) {
    try {
      const stat = statSync(file.path);
      if (stat.isFile()) return stat.size;
    } catch {
      // Unknown, then.
    }
  }
  return UNKNOWN_LENGTH;
}

/**
 * A body producer over a Buffer or a `Readable`: Twisted's `FileBodyProducer`. A Buffer is
 * written `readSize` bytes per step of a `Cooperator` (so a big body does not block the loop)
 * and has a known length. A stream is written as it produces; its length is known when given in
 * `options.length` or when it is an `fs.ReadStream` of a whole regular file, and unknown
 * otherwise (then the request is chunked). `pauseProducing` and `resumeProducing` follow the
 * transport's flow control; `stopProducing` stops (and destroys the stream), after which the
 * `startProducing` Deferred never fires.
 *
 * Differences from Twisted: takes a Buffer or a Node stream instead of a file object; the
 * default cooperator is a new `Cooperator` on the default clock.
 */
export class FileBodyProducer implements IBodyProducer {
  /** The body length, or {@link UNKNOWN_LENGTH}. */
  readonly length: number | UnknownLength;
  private readonly readSize: number;
  private task: CooperativeTask | undefined;
  private paused = false;
  private stopped = false;
  private stream: Readable | undefined;

  /**
   * @param source - the body: a Buffer, or a readable stream.
   * @param cooperator - schedules the steps over a Buffer; a default one otherwise.
   * @param options - read size and a stream's length.
   */
  constructor(
    private readonly source: Buffer | Uint8Array | Readable,
    private readonly cooperator: Cooperator = new Cooperator(),
    options: FileBodyProducerOptions = {},
  ) {
    this.readSize = options.readSize ?? DEFAULT_READ_SIZE;
    if (source instanceof Uint8Array) this.length = source.length;
    else this.length = options.length ?? streamLength(source);
  }

  /**
   * Write the body to a consumer.
   * @param consumer - where the bytes go.
   * @returns a Deferred that fires once everything has been written.
   */
  startProducing(consumer: IConsumer): Deferred<void> {
    const source = this.source;
    if (source instanceof Uint8Array) {
      const bytes = Buffer.from(source.buffer, source.byteOffset, source.length);
      const readSize = this.readSize;
      function* steps(): Generator<undefined, void, undefined> {
        for (let at = 0; at < bytes.length; at += readSize) {
          consumer.write(bytes.subarray(at, at + readSize));
          yield undefined;
        }
      }
      this.task = this.cooperator.cooperate(steps());
      const done = new Deferred<void>();
      this.task.whenDone().addCallbacks(
        () => {
          if (!this.stopped) done.callback(undefined);
        },
        (failure) => {
          if (!this.stopped) done.errback(failure);
        },
      );
      return done;
    }
    const stream = source;
    this.stream = stream;
    const done = new Deferred<void>(() => this.stopProducing());
    stream.on("data", (chunk: Buffer | string) => {
      if (!this.stopped) consumer.write(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    });
    stream.once("end", () => {
      if (!this.stopped && !done.called) done.callback(undefined);
    });
    stream.once("error", (error: Error) => {
      if (!this.stopped && !done.called) done.errback(error);
    });
    if (this.paused) stream.pause();
    return done;
  }

  /** Stop writing until `resumeProducing`. */
  pauseProducing(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.task !== undefined && !this.task.finished) this.task.pause();
    this.stream?.pause();
  }

  /** Write again. */
  resumeProducing(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.task !== undefined && !this.task.finished) this.task.resume();
    this.stream?.resume();
  }

  /** Stop for good. */
  stopProducing(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.task !== undefined && !this.task.finished) {
      try {
        this.task.stop();
      } catch {
        // Already done.
      }
    }
    this.stream?.destroy(new CancelledError());
  }
}
