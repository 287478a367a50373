/**
 * Readers behind `FileSender`: one per kind of source (bytes, path, file handle, stream).
 * @internal
 * @packageDocumentation
 */
import { type FileHandle, open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { EMPTY, toBuffer } from "./bytes.js";

/**
 * What `FileSender.beginFileTransfer` reads from:
 * - a path (`string` or `file:` `URL`): opened for reading, and closed by the sender at the end;
 * - a `FileHandle` from `node:fs/promises`: read from its current position, left open;
 * - a `Readable` stream, or any async iterable of bytes or strings: read as it yields, left as
 *   it is;
 * - a `Uint8Array`: the bytes themselves (Twisted's `BytesIO`), read synchronously.
 */
export type FileSource =
  | string
  | URL
  | Uint8Array
  | FileHandle
  | Readable
  | AsyncIterable<Uint8Array | string>;

/** Reads a source in chunks. */
export interface ChunkReader {
  /**
   * Up to `size` bytes (never more), or an empty Buffer at the end.
   * @param size - the most bytes wanted; at least 1.
   */
  read(size: number): Buffer | Promise<Buffer>;
  /** Release what the reader opened. Never throws. */
  close(): void;
}

/**
 * The reader for a source.
 * @param source - what to read.
 * @throws TypeError for anything that is not a `FileSource`.
 */
export function readerFor(source: FileSource): ChunkReader {
  if (typeof source === "string" || source instanceof URL) return new PathReader(source);
  if (source instanceof Uint8Array) return new BytesReader(toBuffer(source));
  if (typeof source === "object" && source !== null) {
    if (Symbol.asyncIterator in source) return new IterableReader(source);
    if (isFileHandle(source)) return new HandleReader(source);
  }
  throw new TypeError(
    "FileSender: expected a path, a FileHandle, a Readable, an async iterable or bytes",
  );
}

function isFileHandle(value: object): value is FileHandle {
  const handle = value as Partial<FileHandle>;
  return typeof handle.fd === "number" && typeof handle.read === "function";
}

/** Bytes in memory; reads are synchronous views. */
class BytesReader implements ChunkReader {
  private position = 0;
  constructor(private readonly bytes: Buffer) {}

  read(size: number): Buffer {
    const start = this.position;
    const end = Math.min(start + size, this.bytes.length);
    this.position = end;
    return start === end ? EMPTY : this.bytes.subarray(start, end);
  }

  close(): void {}
}

/** A file handle the caller owns: read from its current position, never closed here. */
class HandleReader implements ChunkReader {
  constructor(private readonly handle: FileHandle) {}

  async read(size: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.handle.read(buffer, 0, size, null);
    return bytesRead === 0 ? EMPTY : buffer.subarray(0, bytesRead);
  }

  close(): void {}
}

/** A path: opened on the first read, closed by `close`. */
class PathReader implements ChunkReader {
  private opening: Promise<FileHandle> | undefined = undefined;
  private closed = false;

  constructor(private readonly path: string | URL) {}

  async read(size: number): Promise<Buffer> {
    this.opening ??= open(this.path, "r");
    const handle = await this.opening;
    if (this.closed) return EMPTY;
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buffer, 0, size, null);
    return bytesRead === 0 ? EMPTY : buffer.subarray(0, bytesRead);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // FileHandle.close waits for a read in flight; an open that failed has nothing to close.
    this.opening?.then(
      (handle) => handle.close().catch(() => undefined),
      () => undefined,
    );
  }
}

/** A stream or async iterable: each chunk it yields, cut to the size asked for. */
class IterableReader implements ChunkReader {
  private readonly iterator: AsyncIterator<unknown>;
  private left: Buffer = EMPTY;
  private ended = false;

  constructor(source: AsyncIterable<unknown>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async read(size: number): Promise<Buffer> {
    while (this.left.length === 0) {
      if (this.ended) return EMPTY;
      const next = await this.iterator.next();
      if (next.done === true) {
        this.ended = true;
        return EMPTY;
      }
      this.left = toBuffer(next.value as Uint8Array | string);
    }
    const chunk = this.left.subarray(0, size);
    this.left = this.left.subarray(chunk.length);
    return chunk;
  }

  close(): void {}
}
