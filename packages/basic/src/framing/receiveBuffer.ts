/**
 * `ReceiveBuffer`: the bytes a receiver has been given and not yet consumed.
 * @internal
 * @packageDocumentation
 */
import { EMPTY } from "./bytes.js";

/** Smallest store allocated when bytes must be copied. */
const MIN_STORE = 1024;

/**
 * The unconsumed bytes of a receiver: `data.subarray(off)`. Receivers read `data` and advance
 * `off` directly, which keeps their loops free of calls.
 *
 * Appending to an empty buffer keeps the caller's chunk as it is (no copy). Appending to a
 * non-empty one copies into a store with room to spare, which doubles as it fills, so a line
 * that arrives one byte at a time costs linear time, not quadratic.
 *
 * Bytes are never written twice: new bytes go only past the written end of the store, and a
 * store is dropped (never reused) once everything in it has been consumed. So a view handed out
 * with `subarray` keeps its contents for as long as anyone holds it.
 */
export class ReceiveBuffer {
  /** The written bytes; the unconsumed ones start at `off`. */
  data: Buffer = EMPTY;
  /** Where the unconsumed bytes start in `data`. */
  off = 0;
  /** The store `data` is a prefix view of (or `data` itself); room past `data.length` is free. */
  private store: Buffer = EMPTY;

  /** How many bytes are unconsumed. */
  get length(): number {
    return this.data.length - this.off;
  }

  /**
   * Add bytes at the end.
   * @param chunk - the bytes; the caller must not change them afterwards.
   */
  append(chunk: Buffer): void {
    const added = chunk.length;
    if (added === 0) return;
    const data = this.data;
    const end = data.length;
    const pending = end - this.off;
    if (pending === 0) {
      this.data = chunk;
      this.store = chunk;
      this.off = 0;
      return;
    }
    const store = this.store;
    if (store.length - end >= added) {
      chunk.copy(store, end);
      this.data = store.subarray(0, end + added);
      return;
    }
    const size = pending + added;
    const grown = Buffer.allocUnsafe(Math.max(size * 2, MIN_STORE));
    data.copy(grown, 0, this.off, end);
    chunk.copy(grown, pending);
    this.store = grown;
    this.data = grown.subarray(0, size);
    this.off = 0;
  }

  /**
   * Empty the buffer.
   * @returns the bytes that were unconsumed (a view, never written again).
   */
  clear(): Buffer {
    const rest = this.off === 0 ? this.data : this.data.subarray(this.off);
    this.data = EMPTY;
    this.store = EMPTY;
    this.off = 0;
    return rest;
  }

  /**
   * Replace the content with `bytes` (consumed from the start).
   * @param bytes - the new content; the caller must not change it afterwards.
   */
  reset(bytes: Buffer): void {
    this.data = bytes;
    this.store = bytes;
    this.off = 0;
  }

  /** The unconsumed bytes, as a view (never written again). */
  view(): Buffer {
    return this.off === 0 ? this.data : this.data.subarray(this.off);
  }
}
