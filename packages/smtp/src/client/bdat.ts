/**
 * `BdatTransfer`: a message body sent in BDAT chunks (RFC 3030 CHUNKING).
 * @packageDocumentation
 */
import { FileSender, type FileSource } from "@twisted-ts/basic";
import type { Failure, IConsumer } from "@twisted-ts/core";
import { DataEncoder } from "./encoder.js";

const EMPTY = Buffer.alloc(0);

/** What a {@link BdatTransfer} tells its client. */
export interface BdatHooks {
  /** A chunk went out (push the reply timeout back). */
  progress(): void;
  /** Record a command in the session log. */
  log(line: string): void;
  /** Every reply is in: the transaction's outcome (the first failure, or the LAST reply). */
  done(code: number, resp: string): void;
  /** Reading the body failed (or the transfer was stopped by the consumer). */
  failed(failure: Failure): void;
}

/**
 * Sends a body as `BDAT <n>` chunks, each read with flow control by a `FileSender` and made
 * CRLF-only (no dot-stuffing: BDAT is length-framed), then `BDAT <n> LAST` with what is left
 * (a final CRLF when the body lacks one). The chunks are written without waiting for their
 * replies (the client uses BDAT only with PIPELINING); replies are counted in order. After a
 * failed chunk nothing more is sent (RFC 3030 §4.2), and the outcome is that failure once every
 * chunk sent has its reply.
 */
export class BdatTransfer {
  /** Chunks written (LAST included). */
  sent = 0;
  /** Replies received. */
  replies = 0;
  /** Whether `BDAT … LAST` has been written. */
  lastSent = false;
  /** Whether the transfer was stopped before LAST. */
  stopped = false;
  /** The first failed reply, if any. */
  failure: readonly [number, string] | undefined = undefined;
  private readonly sender = new FileSender();
  private readonly encoder = new DataEncoder(false);

  /**
   * @param consumer - the transport.
   * @param chunkSize - bytes read per chunk.
   * @param hooks - what to tell the client.
   */
  constructor(
    private readonly consumer: IConsumer,
    chunkSize: number,
    private readonly hooks: BdatHooks,
  ) {
    this.sender.CHUNK_SIZE = chunkSize;
  }

  /**
   * Start sending.
   * @param source - the body.
   */
  start(source: FileSource): void {
    const d = this.sender.beginFileTransfer(source, this.consumer, (chunk) => this.frame(chunk));
    d.addCallbacks(
      () => {
        if (this.stopped) return undefined;
        const tail = this.encoder.end();
        this.sent++;
        this.lastSent = true;
        this.hooks.log(`>>> BDAT ${tail.length} LAST`);
        this.consumer.write(Buffer.concat([Buffer.from(`BDAT ${tail.length} LAST\r\n`), tail]));
        return undefined;
      },
      (failure: Failure) => {
        if (this.stopped) return undefined;
        this.stopped = true;
        this.hooks.failed(failure);
        return undefined;
      },
    );
  }

  /**
   * One reply to a chunk.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  reply(code: number, resp: string): void {
    this.replies++;
    if ((code < 200 || code > 299) && this.failure === undefined) {
      this.failure = [code, resp];
      if (!this.lastSent) this.stop();
    }
    if (this.replies < this.sent || !(this.lastSent || this.stopped)) return;
    const [fc, fr] = this.failure ?? [code, resp];
    this.hooks.done(fc, fr);
  }

  /** Send nothing more (a failed chunk, or the connection is going away). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sender.deferred === undefined) return;
    const consumer = this.sender.consumer;
    this.sender.stopProducing();
    try {
      consumer?.unregisterProducer();
    } catch {
      // already unregistered
    }
  }

  private frame(chunk: Buffer): Buffer {
    this.hooks.progress();
    const body = this.encoder.encode(chunk);
    if (body.length === 0) return EMPTY;
    this.sent++;
    this.hooks.log(`>>> BDAT ${body.length}`);
    return Buffer.concat([Buffer.from(`BDAT ${body.length}\r\n`), body]);
  }
}
