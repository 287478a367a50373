/**
 * The memcached text-protocol client: `MemCacheProtocol` (Twisted's
 * `twisted.protocols.memcache.MemCacheProtocol`), `MemCacheClientFactory` and
 * `connectMemCache`.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import {
  ClientCreator,
  ClientFactory,
  type ConnectTCPOptions,
  connectionDone,
  Deferred,
  type Failure,
  fail,
  type IAddress,
  type IDelayedCall,
  type IReactorTCP,
  type IReactorTime,
  TimeoutError,
} from "@twisted-ts/core";
import {
  ClientError,
  NoSuchCommand,
  NotConnectedError,
  ServerError,
  UnexpectedReplyError,
} from "./errors.js";
import {
  type ErrorReply,
  encodeKey,
  encodeValue,
  MAX_FLAGS,
  MAX_KEY_LENGTH,
  MAX_LINE_LENGTH,
  MAX_VALUE_LENGTH,
  type NumberReply,
  parseReply,
  type Reply,
  type StatReply,
  type ValueReply,
  type VersionReply,
} from "./parser.js";

/** memcached's port, 11211. Twisted's `DEFAULT_PORT`. */
export const DEFAULT_PORT = 11211;

/** Seconds to wait for a reply before dropping the connection (60), Twisted's default. */
export const DEFAULT_TIMEOUT = 60;

/** A key: a string (sent as UTF-8) or bytes. */
export type MemCacheKey = string | Uint8Array;

/** A value: a string (sent as UTF-8) or bytes. */
export type MemCacheValue = string | Uint8Array;

/** What `get` gives: the flags and the value, or `[0, null]` when the key has no value. */
export type GetResult = [flags: number, value: Buffer | null];

/**
 * What `get(key, true)` (a `gets`) gives: the flags, the cas unique (decimal; "" when the key
 * has no value) and the value, or null.
 */
export type GetsResult = [flags: number, cas: string, value: Buffer | null];

/** The scheduler the reply timeout uses: the reactor, or a `Clock` in tests. */
export type TimeoutClock = Pick<IReactorTime, "callLater">;

interface Entry {
  flags: number;
  cas: string;
  value: Buffer | null;
}

type Fail = (reason: Error | Failure) => void;

type Pending =
  | { kind: "bool"; command: string; succeed: (value: boolean) => void; fail: Fail }
  | { kind: "counter"; command: string; succeed: (value: number | false) => void; fail: Fail }
  | { kind: "version"; command: string; succeed: (value: string) => void; fail: Fail }
  | {
      kind: "stats";
      command: string;
      values: Map<string, string>;
      succeed: (value: Map<string, string>) => void;
      fail: Fail;
    }
  | {
      kind: "get";
      command: "get" | "gets";
      /** Wire key (Latin-1 of its bytes) → the name the result uses. */
      wanted: Map<string, string>;
      entries: Map<string, Entry>;
      succeed: (entries: Map<string, Entry>) => void;
      fail: Fail;
    };

interface RawValue {
  readonly name: string;
  readonly flags: number;
  readonly cas: string;
  readonly length: number;
  readonly chunks: Buffer[];
  received: number;
}

type Handler = (this: MemCacheProtocol, reply: Reply) => void;

function settle<T>(d: Deferred<T>): { succeed: (value: T) => void; fail: Fail } {
  return { succeed: (value) => d.callback(value), fail: (reason) => d.errback(reason) };
}

function nameOf(key: MemCacheKey): string {
  if (typeof key === "string") return key;
  return key instanceof Uint8Array ? Buffer.from(key).toString("utf8") : String(key);
}

function checkInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ClientError(`Invalid ${what}: ${String(value)}`);
  }
}

/**
 * A memcached text-protocol client: one connection to one server. Every command returns a
 * Deferred; replies are matched to commands in the order they were sent (a queue), so commands
 * may be pipelined.
 *
 * ```ts
 * const mc = await connectMemCache(reactor, "127.0.0.1");
 * await mc.set("greeting", "hello", 0, 60);
 * const [flags, value] = await mc.get("greeting"); // [0, <Buffer 68 65 6c 6c 6f>]
 * ```
 *
 * Timeout: while a command waits for its reply, the connection must show life every
 * `persistentTimeOut` seconds (60 by default), measured from the first unanswered command and
 * restarted by every line or chunk of a value received. When it runs out, every pending
 * command fails with core's `TimeoutError`, the connection is dropped, and later commands fail
 * with `NotConnectedError`. The countdown runs on `clock`: without one, there is no timeout.
 *
 * Limits: keys of 1 to `MAX_KEY_LENGTH` (250) bytes, without spaces or control characters;
 * values of at most `maxValueLength` bytes (1 MiB), both ways; reply lines of at most
 * `MAX_LENGTH` bytes (16384). A call that breaks a limit fails with `ClientError` and sends
 * nothing; a reply that breaks one fails every pending command with `UnexpectedReplyError` and
 * drops the connection.
 *
 * Replies are dispatched by name to `cmd_<KEYWORD>` methods, as in Twisted.
 *
 * Differences from Twisted: keys and values may be strings (sent as UTF-8) as well as bytes;
 * cas uniques are decimal strings; `getMultiple` gives a `Map` keyed by each key as given (a
 * bytes key by its UTF-8 decoding); `stats` gives a `Map`; a key is also checked for spaces and
 * control characters (Twisted checks only its length) and `delete` checks it too; a storage
 * command is one write; an unexpected reply fails the pending commands and drops the
 * connection, where Twisted raises `RuntimeError` from `dataReceived`; the timeout needs a
 * `clock` (Twisted uses the global reactor); a command on a closed connection fails with
 * `NotConnectedError` (Twisted: `RuntimeError`); the timeout's message is "memcache reply timed
 * out after 60 seconds" (Twisted: "Connection timeout").
 */
export class MemCacheProtocol extends LineReceiver<MemCacheClientFactory> {
  /** The longest key, in bytes; `MAX_KEY_LENGTH` (250). */
  MAX_KEY_LENGTH = MAX_KEY_LENGTH;
  /** The longest reply line, in bytes; `MAX_LINE_LENGTH` (16384). */
  override MAX_LENGTH = MAX_LINE_LENGTH;
  /** The longest value sent or received, in bytes; `MAX_VALUE_LENGTH` (1 MiB). */
  maxValueLength = MAX_VALUE_LENGTH;
  /** Seconds to wait for a sign of life from the server while a command is pending. */
  persistentTimeOut: number;
  /** The timeout given to the constructor, in seconds (Twisted keeps both names). */
  timeOut: number;
  /** Schedules the timeout: the reactor, or a `Clock` in tests; none means no timeout. */
  clock: TimeoutClock | undefined;
  private readonly current: Pending[] = [];
  private raw: RawValue | undefined = undefined;
  private timeoutCall: IDelayedCall | undefined = undefined;
  private disconnected = false;

  /**
   * @param timeOut - seconds to wait for a reply before dropping the connection (60).
   * @param clock - what schedules the timeout: the reactor, or a `Clock` in tests.
   */
  constructor(timeOut: number = DEFAULT_TIMEOUT, clock?: TimeoutClock) {
    super();
    this.persistentTimeOut = timeOut;
    this.timeOut = timeOut;
    this.clock = clock;
  }

  /** How many commands wait for their reply. */
  get pendingCount(): number {
    return this.current.length;
  }

  /**
   * Fail every pending command with `TimeoutError` and drop the connection. Called when the
   * timeout runs out; override to do more.
   */
  timeoutConnection(): void {
    this.timeoutCall = undefined;
    this.disconnected = true;
    this.cancelCommands(new TimeoutError(this.persistentTimeOut, "memcache reply timed out after"));
    this.transport?.loseConnection();
  }

  /**
   * Fail every pending command with the reason the connection was lost.
   * @param reason - why.
   */
  override connectionLost(reason: Failure = connectionDone): void {
    this.disconnected = true;
    this.stopTimeout();
    this.cancelCommands(reason);
    super.connectionLost(reason);
  }

  // ---- commands -------------------------------------------------------------------------

  /**
   * Get one key's value.
   * @param key - the key.
   * @param withIdentifier - false or absent: a `get`.
   * @returns a Deferred that fires with `[flags, value]` (`[0, null]` for a miss).
   */
  get(key: MemCacheKey, withIdentifier?: false): Deferred<GetResult>;
  /**
   * Get one key's value with its cas unique (a `gets`), for `checkAndSet`.
   * @param key - the key.
   * @param withIdentifier - true: a `gets`.
   * @returns a Deferred that fires with `[flags, cas, value]` (`[0, "", null]` for a miss).
   */
  get(key: MemCacheKey, withIdentifier: true): Deferred<GetsResult>;
  /**
   * Get one key's value, with its cas unique when `withIdentifier` is true.
   * @param key - the key.
   * @param withIdentifier - whether to send `gets`.
   * @returns a Deferred that fires with `[flags, value]` or `[flags, cas, value]`.
   */
  get(key: MemCacheKey, withIdentifier?: boolean): Deferred<GetResult | GetsResult>;
  get(key: MemCacheKey, withIdentifier = false): Deferred<GetResult | GetsResult> {
    const name = nameOf(key);
    return this.retrieve([key], withIdentifier).addCallback((entries) => {
      const entry = entries.get(name) ?? { flags: 0, cas: "", value: null };
      return withIdentifier
        ? ([entry.flags, entry.cas, entry.value] as GetsResult)
        : ([entry.flags, entry.value] as GetResult);
    });
  }

  /**
   * Get several keys' values in one command.
   * @param keys - the keys.
   * @param withIdentifier - false or absent: a `get`.
   * @returns a Deferred that fires with a Map from each key (a bytes key by its UTF-8 decoding)
   *   to `[flags, value]`; a key with no value maps to `[0, null]`.
   */
  getMultiple(
    keys: Iterable<MemCacheKey>,
    withIdentifier?: false,
  ): Deferred<Map<string, GetResult>>;
  /**
   * Get several keys' values and cas uniques in one `gets`.
   * @param keys - the keys.
   * @param withIdentifier - true: a `gets`.
   * @returns a Deferred that fires with a Map from each key to `[flags, cas, value]`; a key
   *   with no value maps to `[0, "", null]`.
   */
  getMultiple(keys: Iterable<MemCacheKey>, withIdentifier: true): Deferred<Map<string, GetsResult>>;
  /**
   * Get several keys' values, with their cas uniques when `withIdentifier` is true.
   * @param keys - the keys.
   * @param withIdentifier - whether to send `gets`.
   * @returns a Deferred that fires with a Map from each key to its result.
   */
  getMultiple(
    keys: Iterable<MemCacheKey>,
    withIdentifier?: boolean,
  ): Deferred<Map<string, GetResult | GetsResult>>;
  getMultiple(
    keys: Iterable<MemCacheKey>,
    withIdentifier = false,
  ): Deferred<Map<string, GetResult | GetsResult>> {
    const list = [...keys];
    return this.retrieve(list, withIdentifier).addCallback((entries) => {
      const result = new Map<string, GetResult | GetsResult>();
      for (const key of list) {
        const entry = entries.get(nameOf(key)) ?? { flags: 0, cas: "", value: null };
        result.set(
          nameOf(key),
          withIdentifier ? [entry.flags, entry.cas, entry.value] : [entry.flags, entry.value],
        );
      }
      return result;
    });
  }

  /**
   * Store a value, whether or not the key exists.
   * @param key - the key.
   * @param val - the value.
   * @param flags - 32-bit flags stored with it (0).
   * @param expireTime - 0 for never; up to 30 days, seconds from now; beyond, a Unix time.
   * @returns a Deferred that fires with true once stored.
   */
  set(key: MemCacheKey, val: MemCacheValue, flags = 0, expireTime = 0): Deferred<boolean> {
    return this.store("set", key, val, flags, expireTime, "");
  }

  /**
   * Store a value only if the key does not exist.
   * @param key - the key.
   * @param val - the value.
   * @param flags - 32-bit flags stored with it (0).
   * @param expireTime - as for `set`.
   * @returns a Deferred that fires with true once stored, false when the key exists.
   */
  add(key: MemCacheKey, val: MemCacheValue, flags = 0, expireTime = 0): Deferred<boolean> {
    return this.store("add", key, val, flags, expireTime, "");
  }

  /**
   * Store a value only if the key exists.
   * @param key - the key.
   * @param val - the value.
   * @param flags - 32-bit flags stored with it (0).
   * @param expireTime - as for `set`.
   * @returns a Deferred that fires with true once stored, false when the key does not exist.
   */
  replace(key: MemCacheKey, val: MemCacheValue, flags = 0, expireTime = 0): Deferred<boolean> {
    return this.store("replace", key, val, flags, expireTime, "");
  }

  /**
   * Add data after an existing value (its flags and expiry are kept).
   * @param key - the key.
   * @param val - the data.
   * @returns a Deferred that fires with true once stored, false when the key does not exist.
   */
  append(key: MemCacheKey, val: MemCacheValue): Deferred<boolean> {
    return this.store("append", key, val, 0, 0, "");
  }

  /**
   * Add data before an existing value (its flags and expiry are kept).
   * @param key - the key.
   * @param val - the data.
   * @returns a Deferred that fires with true once stored, false when the key does not exist.
   */
  prepend(key: MemCacheKey, val: MemCacheValue): Deferred<boolean> {
    return this.store("prepend", key, val, 0, 0, "");
  }

  /**
   * Store a value only if nobody changed it since `get(key, true)` gave `cas` (a `cas`).
   * @param key - the key.
   * @param val - the value.
   * @param cas - the cas unique from `get(key, true)` or `getMultiple(keys, true)`.
   * @param flags - 32-bit flags stored with it (0).
   * @param expireTime - as for `set`.
   * @returns a Deferred that fires with true once stored, false when the value changed since
   *   (`EXISTS`) or the key does not exist (`NOT_FOUND`).
   */
  checkAndSet(
    key: MemCacheKey,
    val: MemCacheValue,
    cas: string | bigint,
    flags = 0,
    expireTime = 0,
  ): Deferred<boolean> {
    const text = String(cas);
    if (!/^\d+$/.test(text)) return fail(new ClientError(`Invalid cas unique: ${text}`));
    return this.store("cas", key, val, flags, expireTime, text);
  }

  /**
   * Delete a key.
   * @param key - the key.
   * @returns a Deferred that fires with true once deleted, false when it did not exist.
   */
  delete(key: MemCacheKey): Deferred<boolean> {
    return this.command(
      (k) => [Buffer.from("delete "), k[0] as Buffer],
      [key],
      (d) => ({
        kind: "bool",
        command: "delete",
        ...settle(d),
      }),
    );
  }

  /**
   * Add `val` to a key's decimal value (wrapping at 2^64).
   * @param key - the key.
   * @param val - a non-negative integer (1).
   * @returns a Deferred that fires with the new value, or false when the key does not exist;
   *   it fails with `ClientError` when the value is not a number.
   */
  increment(key: MemCacheKey, val = 1): Deferred<number | false> {
    return this.counter("incr", key, val);
  }

  /**
   * Subtract `val` from a key's decimal value (stopping at 0).
   * @param key - the key.
   * @param val - a non-negative integer (1).
   * @returns a Deferred that fires with the new value, or false when the key does not exist.
   */
  decrement(key: MemCacheKey, val = 1): Deferred<number | false> {
    return this.counter("decr", key, val);
  }

  /**
   * Get the server's statistics.
   * @param arg - sent after `stats` ("items", "slabs", "settings", …), when given.
   * @returns a Deferred that fires with a Map from each statistic's name to its value.
   */
  stats(arg?: string): Deferred<Map<string, string>> {
    if (arg !== undefined && arg !== "" && !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(arg)) {
      return fail(new ClientError(`Invalid stats argument: ${JSON.stringify(arg)}`));
    }
    const line = arg ? `stats ${arg}` : "stats";
    return this.command(
      () => [Buffer.from(line)],
      [],
      (d) => ({
        kind: "stats",
        command: "stats",
        values: new Map(),
        ...settle(d),
      }),
    );
  }

  /**
   * Get the server's version.
   * @returns a Deferred that fires with the version text ("1.6.21").
   */
  version(): Deferred<string> {
    return this.command(
      () => [Buffer.from("version")],
      [],
      (d) => ({
        kind: "version",
        command: "version",
        ...settle(d),
      }),
    );
  }

  /**
   * Invalidate every item.
   * @returns a Deferred that fires with true once done.
   */
  flushAll(): Deferred<boolean> {
    return this.command(
      () => [Buffer.from("flush_all")],
      [],
      (d) => ({
        kind: "bool",
        command: "flush_all",
        ...settle(d),
      }),
    );
  }

  // ---- sending --------------------------------------------------------------------------

  private retrieve(keys: MemCacheKey[], withIdentifier: boolean): Deferred<Map<string, Entry>> {
    const command = withIdentifier ? "gets" : "get";
    if (keys.length === 0) return fail(new ClientError("No keys given"));
    return this.command(
      (encoded) => [Buffer.from(command), ...encoded.flatMap((k) => [Buffer.from(" "), k])],
      keys,
      (d, encoded) => {
        const wanted = new Map<string, string>();
        keys.forEach((key, i) => {
          wanted.set((encoded[i] as Buffer).toString("latin1"), nameOf(key));
        });
        return { kind: "get", command, wanted, entries: new Map(), ...settle(d) };
      },
    );
  }

  private store(
    command: string,
    key: MemCacheKey,
    val: MemCacheValue,
    flags: number,
    expireTime: number,
    cas: string,
  ): Deferred<boolean> {
    let value: Buffer;
    try {
      checkInteger("flags", flags, 0, MAX_FLAGS);
      checkInteger("expireTime", expireTime, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      value = encodeValue(val, this.maxValueLength);
    } catch (error) {
      return fail(error);
    }
    const tail = `${flags} ${expireTime} ${value.length}${cas === "" ? "" : ` ${cas}`}\r\n`;
    return this.command(
      (k) => [
        Buffer.from(`${command} `),
        k[0] as Buffer,
        Buffer.from(` ${tail}`),
        value,
        this.delimiter,
      ],
      [key],
      (d) => ({ kind: "bool", command, ...settle(d) }),
      false,
    );
  }

  private counter(
    command: "incr" | "decr",
    key: MemCacheKey,
    val: number,
  ): Deferred<number | false> {
    try {
      checkInteger("value", val, 0, Number.MAX_SAFE_INTEGER);
    } catch (error) {
      return fail(error);
    }
    return this.command(
      (k) => [Buffer.from(`${command} `), k[0] as Buffer, Buffer.from(` ${val}`)],
      [key],
      (d) => ({ kind: "counter", command, ...settle(d) }),
    );
  }

  /**
   * Check the connection and the keys, write the command, queue what waits for its reply.
   * @param build - the bytes to write, from the encoded keys.
   * @param keys - the keys to check.
   * @param pending - what waits for the reply.
   * @param endLine - whether to end the bytes with the delimiter.
   */
  private command<T>(
    build: (keys: Buffer[]) => Buffer[],
    keys: readonly MemCacheKey[],
    pending: (d: Deferred<T>, keys: Buffer[]) => Pending,
    endLine = true,
  ): Deferred<T> {
    const transport = this.transport;
    if (transport === undefined || this.disconnected) return fail(new NotConnectedError());
    let encoded: Buffer[];
    try {
      encoded = keys.map((key) => encodeKey(key, this.MAX_KEY_LENGTH));
    } catch (error) {
      return fail(error);
    }
    const d = new Deferred<T>();
    if (this.current.length === 0) this.startTimeout();
    this.current.push(pending(d, encoded));
    const parts = build(encoded);
    if (endLine) parts.push(this.delimiter);
    transport.write(Buffer.concat(parts));
    return d;
  }

  // ---- receiving ------------------------------------------------------------------------

  /**
   * Dispatch one reply line to its `cmd_<KEYWORD>` method.
   * @param line - the line, without its CRLF.
   */
  override lineReceived(line: Buffer): void {
    this.resetTimeout();
    if (this.current.length === 0) {
      this.protocolViolation(`a reply when no command is pending: ${line.toString("latin1")}`);
      return;
    }
    const reply = parseReply(line);
    const handler = (this as unknown as Record<string, unknown>)[`cmd_${reply.type}`];
    if (typeof handler === "function") (handler as Handler).call(this, reply);
    else this.cmd_UNKNOWN(reply);
    if (this.current.length === 0) this.stopTimeout();
  }

  /**
   * Collect a value's data block (and its CRLF), then go back to line mode.
   * @param data - bytes received in raw mode.
   */
  override rawDataReceived(data: Buffer): void {
    this.resetTimeout();
    const raw = this.raw;
    const head = this.current[0];
    if (raw === undefined || head?.kind !== "get") {
      this.protocolViolation("raw data with no value pending");
      return;
    }
    raw.chunks.push(data);
    raw.received += data.length;
    if (raw.received < raw.length + 2) return;
    const all = Buffer.concat(raw.chunks);
    if (all[raw.length] !== 0x0d || all[raw.length + 1] !== 0x0a) {
      this.protocolViolation("a value's data block does not end with CRLF");
      return;
    }
    this.raw = undefined;
    head.entries.set(raw.name, {
      flags: raw.flags,
      cas: raw.cas,
      value: Buffer.from(all.subarray(0, raw.length)),
    });
    this.setLineMode(all.subarray(raw.length + 2));
  }

  /**
   * A reply line longer than `MAX_LENGTH`: fail every pending command and drop the connection.
   * @param _line - the buffered bytes.
   */
  override lineLengthExceeded(_line: Buffer): void {
    this.protocolViolation(`a reply line longer than ${this.MAX_LENGTH} bytes`);
  }

  /** `STORED`: a storage command succeeded (true). */
  cmd_STORED(): void {
    this.finishBool(true, "STORED");
  }

  /** `NOT_STORED`: `add` or `replace` found the key in the wrong state (false). */
  cmd_NOT_STORED(): void {
    this.finishBool(false, "NOT_STORED");
  }

  /** `EXISTS`: `cas` found the value changed since (false). */
  cmd_EXISTS(): void {
    this.finishBool(false, "EXISTS");
  }

  /** `DELETED`: `delete` succeeded (true). */
  cmd_DELETED(): void {
    this.finishBool(true, "DELETED");
  }

  /** `OK`: `flush_all` succeeded (true). */
  cmd_OK(): void {
    this.finishBool(true, "OK");
  }

  /** `TOUCHED`: a `touch` succeeded (true). */
  cmd_TOUCHED(): void {
    this.finishBool(true, "TOUCHED");
  }

  /** `NOT_FOUND`: `delete`, `incr`, `decr` or `cas` on a missing key (false). */
  cmd_NOT_FOUND(): void {
    const head = this.current[0];
    if (head?.kind === "counter") {
      this.current.shift();
      head.succeed(false);
    } else this.finishBool(false, "NOT_FOUND");
  }

  /** `END`: the end of a `get`, `gets` or `stats` reply. */
  cmd_END(): void {
    const head = this.current[0];
    if (head?.kind === "get") {
      this.current.shift();
      head.succeed(head.entries);
    } else if (head?.kind === "stats") {
      this.current.shift();
      head.succeed(head.values);
    } else {
      this.protocolViolation(`Unexpected END response to ${head?.command} command`);
    }
  }

  /**
   * `VALUE <key> <flags> <bytes> [<cas>]`: read the data block that follows in raw mode.
   * @param reply - the parsed line.
   */
  cmd_VALUE(reply: Reply): void {
    const head = this.current[0];
    const value = reply as ValueReply;
    if (head?.kind !== "get") {
      this.protocolViolation(`a VALUE in reply to ${head?.command}`);
      return;
    }
    const name = head.wanted.get(value.key.toString("latin1"));
    if (name === undefined) {
      this.protocolViolation("Unexpected commands answer: a value for a key not asked for");
      return;
    }
    if (value.length > this.maxValueLength) {
      this.protocolViolation(`a value of ${value.length} bytes, over the limit`);
      return;
    }
    if (head.command === "gets" && value.cas === "") {
      this.protocolViolation("a gets reply without a cas unique");
      return;
    }
    this.raw = {
      name,
      flags: value.flags,
      cas: value.cas,
      length: value.length,
      chunks: [],
      received: 0,
    };
    this.setRawMode();
  }

  /**
   * `STAT <name> <value>`: one statistic.
   * @param reply - the parsed line.
   */
  cmd_STAT(reply: Reply): void {
    const head = this.current[0];
    const stat = reply as StatReply;
    if (head?.kind !== "stats") {
      this.protocolViolation(`a STAT in reply to ${head?.command}`);
      return;
    }
    head.values.set(stat.name, stat.value);
  }

  /**
   * `VERSION <text>`.
   * @param reply - the parsed line.
   */
  cmd_VERSION(reply: Reply): void {
    const head = this.current[0];
    if (head?.kind !== "version") {
      this.protocolViolation(`a VERSION in reply to ${head?.command}`);
      return;
    }
    this.current.shift();
    head.succeed((reply as VersionReply).version);
  }

  /**
   * A decimal number: the new value after `incr` or `decr`.
   * @param reply - the parsed line.
   */
  cmd_NUMBER(reply: Reply): void {
    const head = this.current[0];
    if (head?.kind !== "counter") {
      this.protocolViolation(`a number in reply to ${head?.command}`);
      return;
    }
    this.current.shift();
    head.succeed((reply as NumberReply).value);
  }

  /** `ERROR`: the server does not know the command; it fails with `NoSuchCommand`. */
  cmd_ERROR(): void {
    this.current.shift()?.fail(new NoSuchCommand());
  }

  /**
   * `CLIENT_ERROR <text>`: the command fails with `ClientError`.
   * @param reply - the parsed line.
   */
  cmd_CLIENT_ERROR(reply: Reply): void {
    const { text } = reply as ErrorReply;
    this.current.shift()?.fail(new ClientError(`client error: ${text}`, text));
  }

  /**
   * `SERVER_ERROR <text>`: the command fails with `ServerError`.
   * @param reply - the parsed line.
   */
  cmd_SERVER_ERROR(reply: Reply): void {
    this.current.shift()?.fail(new ServerError((reply as ErrorReply).text));
  }

  /**
   * A line that is no reply: fail every pending command and drop the connection.
   * @param reply - the parsed line.
   */
  cmd_UNKNOWN(reply: Reply): void {
    const line = reply.type === "UNKNOWN" ? reply.line : reply.type;
    this.protocolViolation(`an unexpected reply: ${JSON.stringify(line)}`);
  }

  // ---- internals ------------------------------------------------------------------------

  private finishBool(value: boolean, keyword: string): void {
    const head = this.current[0];
    if (head?.kind !== "bool") {
      this.protocolViolation(`${keyword} in reply to ${head?.command}`);
      return;
    }
    this.current.shift();
    head.succeed(value);
  }

  private protocolViolation(message: string): void {
    this.disconnected = true;
    this.stopTimeout();
    this.raw = undefined;
    this.clearLineBuffer();
    this.cancelCommands(new UnexpectedReplyError(message));
    this.transport?.loseConnection();
  }

  private cancelCommands(reason: Error | Failure): void {
    for (const command of this.current.splice(0)) command.fail(reason);
  }

  private startTimeout(): void {
    this.stopTimeout();
    if (this.clock === undefined) return;
    this.timeoutCall = this.clock.callLater(this.persistentTimeOut, () => this.timeoutConnection());
  }

  private resetTimeout(): void {
    if (this.timeoutCall?.active()) this.timeoutCall.reset(this.persistentTimeOut);
  }

  private stopTimeout(): void {
    if (this.timeoutCall?.active()) this.timeoutCall.cancel();
    this.timeoutCall = undefined;
  }
}

/** Options of `new MemCacheClientFactory(options)` and `connectMemCache`. */
export interface MemCacheClientOptions {
  /** Seconds to wait for a reply (`DEFAULT_TIMEOUT`, 60). */
  readonly timeOut?: number;
  /** Schedules the reply timeout: the reactor, or a `Clock` in tests. */
  readonly clock?: TimeoutClock;
}

/** Makes a `MemCacheProtocol`, with the factory's timeout and clock, for each connection. */
export class MemCacheClientFactory extends ClientFactory<MemCacheProtocol> {
  /** The protocol built for each connection. */
  override protocol = MemCacheProtocol;
  /** Seconds each protocol waits for a reply. */
  readonly timeOut: number;
  /** The clock each protocol's timeout runs on. */
  readonly clock: TimeoutClock | undefined;

  /**
   * @param options - the timeout and its clock.
   */
  constructor(options: MemCacheClientOptions = {}) {
    super();
    this.timeOut = options.timeOut ?? DEFAULT_TIMEOUT;
    this.clock = options.clock;
  }

  /**
   * Make a protocol with this factory's timeout and clock.
   * @param _addr - the server's address.
   * @returns the protocol.
   */
  override buildProtocol(_addr: IAddress): MemCacheProtocol {
    const protocol = new MemCacheProtocol(this.timeOut, this.clock);
    protocol.factory = this;
    return protocol;
  }
}

/**
 * Connect to a memcached server over TCP: `ClientCreator` with `MemCacheProtocol`, the reactor
 * as the timeout's clock.
 * @param reactor - the reactor to connect with (and to run the timeout on).
 * @param host - the server's host name or address.
 * @param port - its port (`DEFAULT_PORT`, 11211).
 * @param options - `timeOut` for replies (60 seconds) and `connect`, the connect options
 *   (`timeout`, 30 seconds, and `bindAddress`).
 * @returns a Deferred that fires with the connected protocol.
 */
export function connectMemCache(
  reactor: IReactorTime & IReactorTCP,
  host: string,
  port: number = DEFAULT_PORT,
  options: { readonly timeOut?: number; readonly connect?: ConnectTCPOptions } = {},
): Deferred<MemCacheProtocol> {
  const creator = new ClientCreator<MemCacheProtocol, [number, TimeoutClock]>(
    reactor,
    MemCacheProtocol,
    options.timeOut ?? DEFAULT_TIMEOUT,
    reactor,
  );
  return creator.connectTCP(host, port, options.connect ?? {});
}
