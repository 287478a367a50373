/**
 * Message bodies for the client: what `getMailData` returns, and `RewindableMessage`, which a
 * sender factory reads again on each retry.
 * @packageDocumentation
 */
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { has8BitBytes, normalizeLineEndings } from "./encoder.js";

/**
 * A message body, headers included, as the client sends it: a string (sent as UTF-8), bytes,
 * or a stream (a `Readable` or any async iterable of bytes or strings), read with flow control.
 * Lines may end with CRLF, LF or CR: the client sends CRLF.
 */
export type MessageData = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

/**
 * What a sender factory or `sendmail` accepts: a {@link MessageData}, or a function that returns a
 * fresh stream each time it is called (then a retry calls it again, and nothing is copied).
 */
export type MessageInput = MessageData | (() => Readable | AsyncIterable<Uint8Array | string>);

/** What is known of a message before it is sent (for SIZE and BODY=8BITMIME). */
export interface MessageInfo {
  /** Its size in bytes as sent (CRLF line endings, before dot-stuffing), when known. */
  size: number | undefined;
  /** Whether it holds 8-bit bytes; undefined when unknown (a stream). */
  eightBit: boolean | undefined;
}

/**
 * Describe a message: exact for strings and bytes, unknown for streams.
 * @param data - the message.
 */
export function describeMessage(data: MessageData): MessageInfo {
  if (typeof data === "string" || data instanceof Uint8Array) {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    return { size: normalizeLineEndings(bytes).length, eightBit: has8BitBytes(bytes) };
  }
  return { size: undefined, eightBit: undefined };
}

/**
 * A message that can be read from the start again, for retries: Twisted rewinds its file with
 * `seek(0)`; this is what rewinding means here:
 * - a string or bytes: sent again from memory;
 * - a function returning a stream: called again for each attempt (nothing is copied);
 * - a single `Readable` or async iterable: copied to a temporary file as soon as this object
 *   is made (memory stays bounded), and each attempt reads that file; the file is deleted by
 *   `dispose()`, which the sender factories call when they are done. An attempt that reaches
 *   DATA before the copy is complete waits for it.
 */
export class RewindableMessage {
  private readonly input: MessageInput;
  private spool: Promise<string> | undefined = undefined;
  private spoolPath: string | undefined = undefined;
  private spoolSize: number | undefined = undefined;
  private disposed = false;

  /** @param input - the message. */
  constructor(input: MessageInput) {
    this.input = input;
    if (
      typeof input !== "string" &&
      !(input instanceof Uint8Array) &&
      typeof input !== "function"
    ) {
      this.spool = this.copyToFile(input);
      // A failed copy fails the attempt that reads it, not the process.
      this.spool.catch(() => undefined);
    }
  }

  /** Whether the message is in memory (a string or bytes). */
  get inMemory(): boolean {
    return typeof this.input === "string" || this.input instanceof Uint8Array;
  }

  /**
   * The message from its start, for one attempt.
   * @returns the data: the string or bytes themselves, a fresh stream, or a reader of the copy.
   */
  open(): MessageData {
    const input = this.input;
    if (typeof input === "string" || input instanceof Uint8Array) return input;
    if (typeof input === "function") return input();
    return this.readCopy();
  }

  /** @returns what is known of the message (a copied stream's size once the copy is done). */
  describe(): MessageInfo {
    const input = this.input;
    if (typeof input === "string" || input instanceof Uint8Array) return describeMessage(input);
    return { size: this.spoolSize, eightBit: undefined };
  }

  /** Rewind: nothing to do, since `open()` always starts at the beginning. Twisted's `seek(0)`. */
  rewind(): void {}

  /** Delete the temporary copy, if one was made. Safe to call more than once. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const spool = this.spool;
    if (spool === undefined) return;
    spool.then(
      (path) => rm(join(path, ".."), { recursive: true, force: true }),
      () => undefined,
    );
  }

  private async copyToFile(source: Readable | AsyncIterable<Uint8Array | string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "twisted-ts-smtp-"));
    const path = join(dir, "message");
    const handle = await open(path, "w", 0o600);
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        await handle.write(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
      }
    } finally {
      await handle.close();
    }
    this.spoolPath = path;
    this.spoolSize = (await stat(path)).size;
    if (this.disposed) await rm(dir, { recursive: true, force: true });
    return path;
  }

  private async *readCopy(): AsyncGenerator<Buffer> {
    const path = await (this.spool as Promise<string>);
    for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 16 })) {
      yield chunk as Buffer;
    }
  }

  /** @returns the path of the temporary copy, once made (for tests). */
  get copyPath(): string | undefined {
    return this.spoolPath;
  }
}
