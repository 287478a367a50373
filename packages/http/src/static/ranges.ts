/**
 * `Range: bytes=…` (RFC 9110 §14): parsing a header into range specs, and resolving them
 * against a file's size.
 * @packageDocumentation
 */

/** One range spec as sent: `first-last`, `first-`, or the suffix `-length`. */
export interface RangeSpec {
  /** The first byte, or `undefined` for a suffix range. */
  first: number | undefined;
  /** The last byte (inclusive) or, for a suffix range, how many final bytes; `undefined` for `first-`. */
  last: number | undefined;
}

/** A satisfiable range of a file: `start` to `end`, both inclusive, in bytes. */
export interface ByteRange {
  /** The first byte. */
  start: number;
  /** The last byte (inclusive). */
  end: number;
}

/**
 * Parses a `Range` header. Returns `undefined` when the header is to be ignored (a full 200
 * sent), as Twisted and RFC 9110 do: a unit other than `bytes`, a spec that is not
 * `digits-digits`, `digits-` or `-digits`, a `first` after `last`, or no spec at all.
 * @param header - the header's value.
 * @returns the specs, in order.
 */
export function parseRangeHeader(header: string): RangeSpec[] | undefined {
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return undefined;
  const specs: RangeSpec[] = [];
  for (const raw of header.slice(eq + 1).split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const m = /^(\d*)-(\d*)$/.exec(item);
    if (m === null) return undefined;
    const first = m[1] === "" ? undefined : Number(m[1]);
    const last = m[2] === "" ? undefined : Number(m[2]);
    if (first === undefined && last === undefined) return undefined;
    if (first !== undefined && last !== undefined && first > last) return undefined;
    if (!Number.isSafeInteger(first ?? 0) || !Number.isSafeInteger(last ?? 0)) return undefined;
    specs.push({ first, last });
  }
  return specs.length === 0 ? undefined : specs;
}

/**
 * Resolves one spec against a size (RFC 9110 §14.1.2): the end is clamped to the last byte; a
 * suffix longer than the file selects the whole file (RFC 9110, where Twisted computed a
 * negative offset); a first byte at or past the end, a zero-length suffix, or any range of an
 * empty file is unsatisfiable.
 * @param spec - the spec.
 * @param size - the file's size in bytes.
 * @returns the range, or `undefined` when unsatisfiable.
 */
export function resolveRange(spec: RangeSpec, size: number): ByteRange | undefined {
  if (size === 0) return undefined;
  if (spec.first === undefined) {
    const length = spec.last ?? 0;
    if (length === 0) return undefined;
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  const end = spec.last === undefined ? size - 1 : Math.min(spec.last, size - 1);
  return { start: spec.first, end };
}
