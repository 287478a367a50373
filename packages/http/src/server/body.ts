/**
 * The request body as it arrives: kept in memory while small, spooled to a temporary file
 * when large or of unknown length.
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestBody } from "../iweb.js";

const EMPTY = Buffer.alloc(0);

/**
 * A request body being received: Twisted's `Request.content`, a BytesIO or a TemporaryFile.
 * Bytes go in with `write`; `read` returns all of them. A spooled body lives in a file created
 * with mode 0600 in the OS's temporary directory, removed by `close` (the channel calls it when
 * the request is finished or its connection is lost).
 */
export class RequestContent implements RequestBody {
  private chunks: Buffer[] = [];
  private size = 0;
  private fd: number | null = null;
  /** The temporary file's path while the body is spooled, else `null`. */
  path: string | null = null;

  /**
   * @param memoryLimit - bytes kept in memory before spooling to a file.
   * @param spool - spool from the start (for a body whose length is unknown).
   */
  constructor(
    private readonly memoryLimit: number,
    spool = false,
  ) {
    if (spool) this.spool();
  }

  /** Its length in bytes. */
  get length(): number {
    return this.size;
  }

  /** Whether the body lives in a temporary file. */
  get spooled(): boolean {
    return this.fd !== null;
  }

  /**
   * Appends bytes.
   * @param data - the bytes (copied).
   */
  write(data: Buffer): void {
    if (data.length === 0) return;
    if (this.fd === null && this.size + data.length > this.memoryLimit) this.spool();
    if (this.fd !== null) {
      let off = 0;
      while (off < data.length)
        off += writeSync(this.fd, data, off, data.length - off, this.size + off);
    } else {
      this.chunks.push(Buffer.from(data));
    }
    this.size += data.length;
  }

  /** @returns every byte received. */
  read(): Buffer {
    if (this.fd === null) {
      if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
      return this.chunks[0] ?? EMPTY;
    }
    const out = Buffer.allocUnsafe(this.size);
    let off = 0;
    while (off < this.size) {
      const n = readSync(this.fd, out, off, this.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === this.size ? out : out.subarray(0, off);
  }

  /**
   * Releases the body: closes and removes its temporary file, if any (a spooled body reads as
   * empty afterwards; one in memory stays readable).
   */
  close(): void {
    if (this.fd !== null) this.size = 0;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
    if (this.path !== null) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
      this.path = null;
    }
  }

  private spool(): void {
    const path = join(tmpdir(), `twisted-ts-body-${process.pid}-${randomBytes(8).toString("hex")}`);
    const fd = openSync(path, "wx+", 0o600);
    this.fd = fd;
    this.path = path;
    for (const chunk of this.chunks) writeSync(fd, chunk, 0, chunk.length, fstatSync(fd).size);
    this.chunks = [];
  }
}
