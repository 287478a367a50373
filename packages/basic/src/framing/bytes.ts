/**
 * Internal byte helpers shared by the receivers: the empty buffer, string-or-bytes conversion,
 * delimiter search and the transport's `disconnecting` flag.
 * @internal
 * @packageDocumentation
 */
import type { ITransport } from "@twisted-ts/core";

/** The empty buffer, shared: nobody writes into a zero-length buffer. */
export const EMPTY: Buffer = Buffer.alloc(0);

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

/**
 * The class Node makes Buffers with (`FastBuffer`, which `Buffer[Symbol.species]` returns).
 * Constructing it directly costs about half of `subarray`, which looks the species up on every
 * call; that matters once per line. Falls back to `subarray` should it ever be missing.
 */
const FastBuffer: ViewConstructor | undefined = (() => {
  const species: unknown = (Buffer as unknown as { [Symbol.species]: unknown })[Symbol.species];
  if (typeof species !== "function" || species === Buffer) return undefined;
  const probe = new (species as ViewConstructor)(new ArrayBuffer(1), 0, 1);
  return Buffer.isBuffer(probe) ? (species as ViewConstructor) : undefined;
})();

/**
 * `bytes.subarray(start, end)`, made faster: a Buffer that shares memory with `bytes`.
 * @param bytes - the Buffer to view.
 * @param start - where the view starts, 0 ≤ start ≤ end.
 * @param end - where it ends, end ≤ bytes.length.
 */
export function viewOf(bytes: Buffer, start: number, end: number): Buffer {
  if (FastBuffer === undefined) return bytes.subarray(start, end);
  return new FastBuffer(bytes.buffer, bytes.byteOffset + start, end - start);
}

/**
 * Bytes as a Buffer, without copying when they already are one; a string as its UTF-8 encoding.
 * @param data - bytes or a string.
 * @throws TypeError for anything else.
 */
export function toBuffer(data: Uint8Array | string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`expected bytes or a string, got ${typeof data}`);
}

/**
 * `prefix` followed by `suffix`, in one new Buffer (one allocation, one copy of each).
 * @param prefix - bytes or a string (UTF-8).
 * @param suffix - bytes.
 */
export function joinBytes(prefix: Uint8Array | string, suffix: Uint8Array): Buffer {
  if (typeof prefix === "string") {
    const size = Buffer.byteLength(prefix, "utf8");
    const out = Buffer.allocUnsafe(size + suffix.length);
    out.write(prefix, 0, "utf8");
    out.set(suffix, size);
    return out;
  }
  if (!(prefix instanceof Uint8Array)) {
    throw new TypeError(`expected bytes or a string, got ${typeof prefix}`);
  }
  const out = Buffer.allocUnsafe(prefix.length + suffix.length);
  out.set(prefix, 0);
  out.set(suffix, prefix.length);
  return out;
}

/**
 * The position of the first `delimiter` in `buf` at or after `from`, or -1. An empty delimiter
 * is never found (Twisted's `split(b"")` raises, which its receivers treat as "no delimiter").
 *
 * One- and two-byte delimiters (`\n`, `\r\n`) are searched for as single bytes, which Node
 * answers with `memchr`; longer ones with `Buffer.indexOf`.
 */
export function indexOfDelimiter(buf: Buffer, delimiter: Buffer, from: number): number {
  const size = delimiter.length;
  if (size === 1) return buf.indexOf(delimiter[0]!, from);
  if (size === 2) {
    const first = delimiter[0]!;
    const last = delimiter[1]!;
    let at = from + 1;
    for (;;) {
      const found = buf.indexOf(last, at);
      if (found === -1) return -1;
      if (buf[found - 1] === first) return found - 1;
      at = found + 1;
    }
  }
  if (size === 0) return -1;
  return buf.indexOf(delimiter, from);
}

/**
 * Where the first delimiter of `pending` followed by `data` ends, as a position in `data`, or
 * -1. `pending` must hold no whole delimiter (the receivers know when it does not), so the first
 * delimiter either straddles the two or lies in `data`. The line before it is the first
 * `pending.length + result - delimiter.length` bytes of the two.
 *
 * This lets a receiver complete a buffered partial line from the head of a new chunk without
 * copying the whole chunk behind the partial line.
 */
export function delimiterEndAcross(pending: Buffer, data: Buffer, delimiter: Buffer): number {
  const size = delimiter.length;
  if (size === 0) return -1;
  const held = pending.length;
  // The straddling occurrence that starts earliest has the most bytes in `pending`.
  for (let inPending = Math.min(size - 1, held); inPending >= 1; inPending--) {
    const inData = size - inPending;
    if (data.length < inData) continue;
    let same = true;
    for (let i = 0; i < inPending && same; i++) {
      same = pending[held - inPending + i] === delimiter[i];
    }
    for (let i = 0; i < inData && same; i++) same = data[i] === delimiter[inPending + i];
    if (same) return inData;
  }
  const at = indexOfDelimiter(data, delimiter, 0);
  return at === -1 ? -1 : at + size;
}

/**
 * The first `length` bytes of `head` followed by `tail`: a view of `head` when they all come
 * from it, else a new Buffer.
 */
export function prefixOfBoth(head: Buffer, tail: Buffer, length: number): Buffer {
  if (length <= head.length) return viewOf(head, 0, length);
  const out = Buffer.allocUnsafe(length);
  head.copy(out, 0);
  tail.copy(out, head.length, 0, length - head.length);
  return out;
}

/**
 * Whether the end of some prefix of `delimiter` is also the start of it (as in `"aa"` or
 * `"abab"`), so that two occurrences can overlap and a backward search may disagree with a
 * forward one.
 */
export function canOverlap(delimiter: Buffer): boolean {
  const size = delimiter.length;
  for (let shift = 1; shift < size; shift++) {
    if (delimiter.compare(delimiter, 0, size - shift, shift, size) === 0) return true;
  }
  return false;
}

/** Whether the transport is closing: Twisted's `transport.disconnecting`, false when absent. */
export function isDisconnecting(transport: ITransport | undefined): boolean {
  return (
    transport !== undefined &&
    !!(transport as ITransport & { disconnecting?: unknown }).disconnecting
  );
}
