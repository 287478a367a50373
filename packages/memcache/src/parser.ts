/**
 * The memcached text protocol as pure functions: `parseReply` turns one reply line into a typed
 * `Reply`, `encodeKey` and `encodeValue` check what a client may send. They never touch a
 * socket; `MemCacheProtocol` feeds them the lines `LineReceiver` cuts.
 * @packageDocumentation
 */
import { ClientError } from "./errors.js";

/** The longest key memcached accepts, in bytes (250). Twisted's `MAX_KEY_LENGTH`. */
export const MAX_KEY_LENGTH = 250;

/**
 * The longest value sent or accepted, in bytes (1 MiB, memcached's default item size limit,
 * `-I 1m`; the server's own limit is a little lower, as an item also holds its key and
 * headers, and it answers `SERVER_ERROR object too large for cache` above it).
 */
export const MAX_VALUE_LENGTH = 1024 * 1024;

/** The longest reply line accepted, in bytes, without its CRLF (16384). */
export const MAX_LINE_LENGTH = 16384;

/** The largest flags value: flags are 32-bit unsigned integers. */
export const MAX_FLAGS = 0xffff_ffff;

/** A reply line that carries nothing but its keyword. */
export interface KeywordReply {
  /** The keyword. */
  readonly type:
    | "STORED"
    | "NOT_STORED"
    | "EXISTS"
    | "NOT_FOUND"
    | "DELETED"
    | "OK"
    | "END"
    | "TOUCHED"
    | "ERROR";
}

/** `VALUE <key> <flags> <bytes> [<cas unique>]`: a value's header; its data block follows. */
export interface ValueReply {
  /** Always "VALUE". */
  readonly type: "VALUE";
  /** The key, as bytes. */
  readonly key: Buffer;
  /** The flags stored with the value. */
  readonly flags: number;
  /** The length of the data block that follows, in bytes (without its CRLF). */
  readonly length: number;
  /** The cas unique, in decimal, for a `gets`; "" for a `get`. */
  readonly cas: string;
}

/** `STAT <name> <value>`: one statistic of a `stats` reply. */
export interface StatReply {
  /** Always "STAT". */
  readonly type: "STAT";
  /** The statistic's name. */
  readonly name: string;
  /** Its value, as text (it may hold spaces). */
  readonly value: string;
}

/** `VERSION <version>`. */
export interface VersionReply {
  /** Always "VERSION". */
  readonly type: "VERSION";
  /** The server's version text. */
  readonly version: string;
}

/** `CLIENT_ERROR <text>` or `SERVER_ERROR <text>`. */
export interface ErrorReply {
  /** Which error. */
  readonly type: "CLIENT_ERROR" | "SERVER_ERROR";
  /** The text after the keyword. */
  readonly text: string;
}

/** A decimal number alone on a line: the new value after `incr` or `decr`. */
export interface NumberReply {
  /** Always "NUMBER". */
  readonly type: "NUMBER";
  /** The value. Above `Number.MAX_SAFE_INTEGER` it is rounded. */
  readonly value: number;
}

/** Any line that is none of the above, or a malformed one. */
export interface UnknownReply {
  /** Always "UNKNOWN". */
  readonly type: "UNKNOWN";
  /** The line, decoded as Latin-1 (byte for byte). */
  readonly line: string;
}

/** One reply line from a memcached server, classified. */
export type Reply =
  | KeywordReply
  | ValueReply
  | StatReply
  | VersionReply
  | ErrorReply
  | NumberReply
  | UnknownReply;

const KEYWORDS: ReadonlySet<string> = new Set([
  "STORED",
  "NOT_STORED",
  "EXISTS",
  "NOT_FOUND",
  "DELETED",
  "OK",
  "END",
  "TOUCHED",
  "ERROR",
]);

const DIGITS = /^\d+$/;

function parseValue(line: Buffer, text: string): Reply {
  const words = text.split(" ");
  if (words.length !== 4 && words.length !== 5) return { type: "UNKNOWN", line: text };
  const [, key, flags, length, cas] = words as [string, string, string, string, string?];
  if (key === "" || !DIGITS.test(flags) || !DIGITS.test(length)) {
    return { type: "UNKNOWN", line: text };
  }
  if (cas !== undefined && !DIGITS.test(cas)) return { type: "UNKNOWN", line: text };
  const flagsValue = Number(flags);
  const lengthValue = Number(length);
  if (flagsValue > MAX_FLAGS || !Number.isSafeInteger(lengthValue)) {
    return { type: "UNKNOWN", line: text };
  }
  // The key's bytes, as sent: "VALUE " is 6 bytes long.
  const keyBytes = Buffer.from(line.subarray(6, 6 + key.length));
  return { type: "VALUE", key: keyBytes, flags: flagsValue, length: lengthValue, cas: cas ?? "" };
}

/**
 * Classify one reply line (without its CRLF). It never throws: a line it cannot make sense of
 * is an `UnknownReply`, and the protocol decides what that means.
 * @param line - the line's bytes.
 * @returns the reply.
 */
export function parseReply(line: Uint8Array): Reply {
  const bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  const text = bytes.toString("latin1");
  const space = text.indexOf(" ");
  const keyword = space === -1 ? text : text.slice(0, space);
  const rest = space === -1 ? "" : text.slice(space + 1);
  if (space === -1 && KEYWORDS.has(keyword)) return { type: keyword as KeywordReply["type"] };
  switch (keyword) {
    case "VALUE":
      return parseValue(bytes, text);
    case "STAT": {
      const at = rest.indexOf(" ");
      if (at <= 0) return { type: "UNKNOWN", line: text };
      return { type: "STAT", name: rest.slice(0, at), value: rest.slice(at + 1) };
    }
    case "VERSION":
      return { type: "VERSION", version: rest };
    case "CLIENT_ERROR":
    case "SERVER_ERROR":
      return { type: keyword, text: rest };
    default: {
      // Some memcached versions pad a decr reply with spaces.
      const number = /^(\d+) *$/.exec(text);
      if (number !== null) return { type: "NUMBER", value: Number(number[1]) };
      return { type: "UNKNOWN", line: text };
    }
  }
}

/**
 * Check and encode a key: a string (sent as UTF-8) or bytes, 1 to `maxKeyLength` bytes, with no
 * space and no control character (bytes 0x00–0x20 and 0x7f), as memcached requires.
 * @param key - the key.
 * @param maxKeyLength - the limit, in bytes; `MAX_KEY_LENGTH` by default.
 * @returns the key's bytes.
 * @throws ClientError for a key of another type, an empty key, a key that is too long ("Key too
 *   long", as Twisted says) or one holding a space or a control character.
 */
export function encodeKey(key: string | Uint8Array, maxKeyLength = MAX_KEY_LENGTH): Buffer {
  if (typeof key !== "string" && !(key instanceof Uint8Array)) {
    throw new ClientError(`Invalid type for key: ${typeof key}, expecting a string or bytes`);
  }
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key);
  if (bytes.length === 0) throw new ClientError("Key is empty");
  if (bytes.length > maxKeyLength) throw new ClientError("Key too long");
  for (const byte of bytes) {
    if (byte <= 0x20 || byte === 0x7f) {
      throw new ClientError("Invalid key: it holds a space or a control character");
    }
  }
  return bytes;
}

/**
 * Check and encode a value: a string (sent as UTF-8) or bytes, at most `maxValueLength` bytes.
 * @param value - the value.
 * @param maxValueLength - the limit, in bytes; `MAX_VALUE_LENGTH` by default.
 * @returns the value's bytes.
 * @throws ClientError for a value of another type, or one that is too long.
 */
export function encodeValue(value: string | Uint8Array, maxValueLength = MAX_VALUE_LENGTH): Buffer {
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    throw new ClientError(`Invalid type for value: ${typeof value}, expecting a string or bytes`);
  }
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  if (bytes.length > maxValueLength) {
    throw new ClientError(`Value too large: ${bytes.length} bytes, the limit is ${maxValueLength}`);
  }
  return bytes;
}
