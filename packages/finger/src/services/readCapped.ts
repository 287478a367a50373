/**
 * Reading a small file with a size cap, for the file and local-users back ends.
 * @packageDocumentation
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

/** Options of {@link readCapped}. */
export interface ReadCappedOptions {
  /** Refuse to follow a symbolic link in the last component (O_NOFOLLOW). */
  noFollow?: boolean | undefined;
  /** When set, the file must belong to this uid (or it is treated as missing). */
  owner?: number | undefined;
}

/**
 * Read at most `maxSize` bytes of a regular file.
 * @param path - the file.
 * @param maxSize - the most bytes read; the rest of a longer file is ignored.
 * @param options - link and owner checks.
 * @returns the bytes and whether the file was longer than `maxSize`, or undefined when the
 *   file is missing, not a regular file, a refused link, or not the owner's.
 * @throws Error for other I/O errors (a permission error included).
 */
export async function readCapped(
  path: string,
  maxSize: number,
  options: ReadCappedOptions = {},
): Promise<{ bytes: Buffer; truncated: boolean } | undefined> {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, flags);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    if (options.owner !== undefined && stat.uid !== options.owner) return undefined;
    const buffer = Buffer.alloc(Math.min(maxSize + 1, stat.size + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const truncated = filled > maxSize;
    return { bytes: buffer.subarray(0, Math.min(filled, maxSize)), truncated };
  } finally {
    await handle.close();
  }
}

/**
 * {@link readCapped}, synchronously: for the one read a service makes as it starts, so it
 * answers from its first moment (as Twisted's tutorial service, which reads in `startService`).
 * @param path - the file.
 * @param maxSize - the most bytes read.
 * @returns the bytes and whether the file was longer, or undefined when it is missing or not a
 *   regular file.
 * @throws Error for other I/O errors.
 */
export function readCappedSync(
  path: string,
  maxSize: number,
): { bytes: Buffer; truncated: boolean } | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(maxSize + 1, stat.size + 1));
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: buffer.subarray(0, Math.min(filled, maxSize)), truncated: filled > maxSize };
  } finally {
    closeSync(fd);
  }
}
