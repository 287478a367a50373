/**
 * Checking what a fake transport's `write` is given.
 * @packageDocumentation
 */
import type { WriteData } from "../interfaces/transport.js";

/**
 * Check and copy what a transport's `write` takes: a `Uint8Array` is copied (so a caller that
 * reuses its buffer does not change what was recorded) and a string is encoded as UTF-8.
 * @internal
 * @param data - what was passed to `write`.
 * @returns the bytes, as a new Buffer.
 * @throws TypeError for anything but a `Uint8Array` or a string.
 */
export function bytesOf(data: WriteData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof Uint8Array) return Buffer.from(data);
  const unknownData: unknown = data;
  throw new TypeError(
    `transport.write takes a Uint8Array or a string, not ${
      unknownData === null ? "null" : typeof unknownData
    }`,
  );
}

/**
 * Check and join what a transport's `writeSequence` takes; nothing is written when any chunk is
 * of the wrong type.
 * @internal
 * @param chunks - the chunks.
 * @returns the bytes of all chunks, joined.
 * @throws TypeError when a chunk is not a `Uint8Array` or a string, or `chunks` is not an array.
 */
export function bytesOfSequence(chunks: readonly WriteData[]): Buffer {
  if (!Array.isArray(chunks)) {
    throw new TypeError("transport.writeSequence takes an array of Uint8Arrays or strings");
  }
  return Buffer.concat(chunks.map(bytesOf));
}
