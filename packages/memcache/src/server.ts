/**
 * A small in-memory memcached-compatible server, for demos and tests (the `twist memcache`
 * plugin): `MemCacheServerProtocol` and `MemCacheServerFactory`.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import { type IAddress, type IReactorTime, ServerFactory } from "@twisted-ts/core";
import { MAX_FLAGS, MAX_KEY_LENGTH, MAX_LINE_LENGTH, MAX_VALUE_LENGTH } from "./parser.js";
import { MemCacheStore } from "./store.js";

/** The version the server reports. */
export const SERVER_VERSION = "1.6.0-twisted-ts";

const MAX_U64 = (1n << 64n) - 1n;
const DIGITS = /^\d+$/;
const STORAGE = new Set(["set", "add", "replace", "append", "prepend", "cas"]);

interface PendingStore {
  readonly command: string;
  readonly key: string;
  readonly flags: number;
  readonly exptime: number;
  readonly length: number;
  readonly cas: bigint | null;
  readonly noreply: boolean;
  /** Too large: read and drop the data, then answer `SERVER_ERROR`. */
  readonly swallow: boolean;
  readonly chunks: Buffer[];
  received: number;
}

type Handler = (this: MemCacheServerProtocol, args: string[]) => void;

/**
 * One connection to the in-memory server: memcached's text protocol for `get`, `gets`, `set`,
 * `add`, `replace`, `append`, `prepend`, `cas`, `delete`, `incr`, `decr`, `touch`, `stats`
 * (and `stats settings`), `version`, `flush_all` and `quit`, with `noreply` on the commands
 * that take it. Each command is a `do_<command>` method, found by name.
 *
 * Limits, as memcached's defaults: keys of at most `MAX_KEY_LENGTH` (250) bytes (longer:
 * `CLIENT_ERROR bad command line format`); values of at most the factory's `maxValueLength`
 * (1 MiB; larger: the data is read and dropped, and the answer is `SERVER_ERROR object too
 * large for cache`); command lines of at most `MAX_LENGTH` (16384) bytes (longer: `CLIENT_ERROR
 * line too long` and the connection is closed).
 *
 * Differences from memcached: no eviction, no memory limit, no binary or meta protocol, no
 * `verbosity`, `gat`, `cache_memlimit` or `lru_crawler`; `stats` reports a handful of counters.
 */
export class MemCacheServerProtocol extends LineReceiver<MemCacheServerFactory> {
  /** The longest command line, in bytes. */
  override MAX_LENGTH = MAX_LINE_LENGTH;
  private pending: PendingStore | undefined = undefined;

  private get store(): MemCacheStore {
    const factory = this.factory;
    if (factory === undefined) throw new Error("MemCacheServerProtocol needs its factory");
    return factory.store;
  }

  /**
   * Run one command line.
   * @param line - the line, without its CRLF.
   */
  override lineReceived(line: Buffer): void {
    const words = line
      .toString("latin1")
      .split(" ")
      .filter((word) => word !== "");
    const [command, ...args] = words;
    if (command === undefined) {
      this.sendLine("ERROR");
      return;
    }
    const name = command.toLowerCase();
    if (STORAGE.has(name)) {
      this.storageCommand(name, args);
      return;
    }
    const handler = (this as unknown as Record<string, unknown>)[`do_${name}`];
    if (typeof handler === "function") (handler as Handler).call(this, args);
    else this.sendLine("ERROR");
  }

  /**
   * Collect a storage command's data block, then store it and answer.
   * @param data - bytes received in raw mode.
   */
  override rawDataReceived(data: Buffer): void {
    const pending = this.pending;
    if (pending === undefined) {
      this.setLineMode(data);
      return;
    }
    pending.received += data.length;
    const extra = pending.received - (pending.length + 2);
    if (pending.swallow) {
      // Count the bytes of a value too large to keep, without keeping them.
      if (extra < 0) return;
      this.pending = undefined;
      this.sendLine("SERVER_ERROR object too large for cache");
      this.setLineMode(data.subarray(data.length - extra));
      return;
    }
    pending.chunks.push(data);
    if (extra < 0) return;
    const all = Buffer.concat(pending.chunks);
    this.pending = undefined;
    const rest = all.subarray(pending.length + 2);
    if (all[pending.length] !== 0x0d || all[pending.length + 1] !== 0x0a) {
      this.sendLine("CLIENT_ERROR bad data chunk");
    } else {
      const reply = this.applyStore(pending, Buffer.from(all.subarray(0, pending.length)));
      if (!pending.noreply) this.sendLine(reply);
    }
    this.setLineMode(rest);
  }

  /**
   * A command line longer than `MAX_LENGTH`: answer and close the connection.
   * @param _line - the buffered bytes.
   */
  override lineLengthExceeded(_line: Buffer): void {
    this.sendLine("CLIENT_ERROR line too long");
    this.transport?.loseConnection();
  }

  /**
   * `get <key>*`.
   * @param keys - the keys.
   */
  do_get(keys: string[]): void {
    this.retrieve(keys, false);
  }

  /**
   * `gets <key>*`: values with their cas uniques.
   * @param keys - the keys.
   */
  do_gets(keys: string[]): void {
    this.retrieve(keys, true);
  }

  /**
   * `delete <key> [noreply]`.
   * @param args - the arguments.
   */
  do_delete(args: string[]): void {
    const [key, ...rest] = args;
    const noreply = rest[0] === "noreply";
    if (!this.validKey(key) || rest.length > (noreply ? 1 : 0)) return;
    const reply = this.store.delete(key) ? "DELETED" : "NOT_FOUND";
    if (!noreply) this.sendLine(reply);
  }

  /**
   * `incr <key> <value> [noreply]`: wraps at 2^64.
   * @param args - the arguments.
   */
  do_incr(args: string[]): void {
    this.counter(args, (current, delta) => (current + delta) & MAX_U64);
  }

  /**
   * `decr <key> <value> [noreply]`: stops at 0.
   * @param args - the arguments.
   */
  do_decr(args: string[]): void {
    this.counter(args, (current, delta) => (current > delta ? current - delta : 0n));
  }

  /**
   * `touch <key> <exptime> [noreply]`: a new expiry time.
   * @param args - the arguments.
   */
  do_touch(args: string[]): void {
    const [key, exptime, flag] = args;
    if (!this.validKey(key)) return;
    if (exptime === undefined || !/^-?\d+$/.test(exptime)) {
      this.sendLine("CLIENT_ERROR bad command line format");
      return;
    }
    const store = this.store;
    const item = store.get(key);
    if (item !== undefined) store.put(key, item.value, item.flags, store.expiryOf(Number(exptime)));
    if (flag !== "noreply") this.sendLine(item === undefined ? "NOT_FOUND" : "TOUCHED");
  }

  /**
   * `stats` or `stats settings`.
   * @param args - the arguments.
   */
  do_stats(args: string[]): void {
    const store = this.store;
    const now = store.clock.seconds();
    let stats: [string, string | number][];
    if (args.length === 0) {
      stats = [
        ["pid", process.pid],
        ["uptime", Math.floor(now - store.startedAt)],
        ["time", Math.floor(now)],
        ["version", SERVER_VERSION],
        ["curr_items", store.size],
        ...Object.entries(store.counters),
      ];
    } else if (args.length === 1 && args[0] === "settings") {
      stats = [
        ["maxbytes", 0],
        ["item_size_max", this.factory?.maxValueLength ?? MAX_VALUE_LENGTH],
        ["evictions", "off"],
      ];
    } else {
      this.sendLine("ERROR");
      return;
    }
    const lines = stats.map(([name, value]) => `STAT ${name} ${value}\r\n`);
    this.transport?.write(`${lines.join("")}END\r\n`);
  }

  /** `version`. */
  do_version(): void {
    this.sendLine(`VERSION ${SERVER_VERSION}`);
  }

  /**
   * `flush_all [delay] [noreply]`.
   * @param args - the arguments.
   */
  do_flush_all(args: string[]): void {
    const noreply = args[args.length - 1] === "noreply";
    const rest = noreply ? args.slice(0, -1) : args;
    const delay = rest[0];
    if (rest.length > 1 || (delay !== undefined && !DIGITS.test(delay))) {
      this.sendLine("CLIENT_ERROR bad command line format");
      return;
    }
    this.store.flushAll(delay === undefined ? 0 : Number(delay));
    if (!noreply) this.sendLine("OK");
  }

  /** `quit`: close the connection. */
  do_quit(): void {
    this.transport?.loseConnection();
  }

  private validKey(key: string | undefined): key is string {
    if (key === undefined || key.length > MAX_KEY_LENGTH) {
      this.sendLine("CLIENT_ERROR bad command line format");
      return false;
    }
    return true;
  }

  private retrieve(keys: string[], withCas: boolean): void {
    if (keys.length === 0) {
      this.sendLine("ERROR");
      return;
    }
    if (keys.some((key) => key.length > MAX_KEY_LENGTH)) {
      this.sendLine("CLIENT_ERROR bad command line format");
      return;
    }
    const store = this.store;
    const parts: Buffer[] = [];
    for (const key of keys) {
      store.counters.cmd_get++;
      const item = store.get(key);
      if (item === undefined) {
        store.counters.get_misses++;
        continue;
      }
      store.counters.get_hits++;
      const cas = withCas ? ` ${item.cas}` : "";
      parts.push(
        Buffer.from(`VALUE ${key} ${item.flags} ${item.value.length}${cas}\r\n`, "latin1"),
        item.value,
        this.delimiter,
      );
    }
    parts.push(Buffer.from("END\r\n"));
    this.transport?.write(Buffer.concat(parts));
  }

  private storageCommand(command: string, args: string[]): void {
    const wanted = command === "cas" ? 5 : 4;
    const [key, flags, exptime, bytes, casText] = args;
    const noreply = args.length === wanted + 1 && args[wanted] === "noreply";
    if (
      key === undefined ||
      flags === undefined ||
      exptime === undefined ||
      bytes === undefined ||
      (args.length !== wanted && !noreply) ||
      !DIGITS.test(flags) ||
      Number(flags) > MAX_FLAGS ||
      !/^-?\d+$/.test(exptime) ||
      !DIGITS.test(bytes) ||
      (command === "cas" && (casText === undefined || !DIGITS.test(casText)))
    ) {
      this.sendLine("CLIENT_ERROR bad command line format");
      return;
    }
    if (key.length > MAX_KEY_LENGTH) {
      this.sendLine("CLIENT_ERROR bad command line format");
      return;
    }
    const length = Number(bytes);
    const maxValueLength = this.factory?.maxValueLength ?? MAX_VALUE_LENGTH;
    this.pending = {
      command,
      key,
      flags: Number(flags),
      exptime: Number(exptime),
      length,
      cas: command === "cas" ? BigInt(casText as string) : null,
      noreply,
      swallow: length > maxValueLength,
      chunks: [],
      received: 0,
    };
    this.store.counters.cmd_set++;
    this.setRawMode();
  }

  private applyStore(pending: PendingStore, value: Buffer): string {
    const store = this.store;
    const item = store.get(pending.key);
    const expiresAt = store.expiryOf(pending.exptime);
    switch (pending.command) {
      case "add":
        if (item !== undefined) return "NOT_STORED";
        break;
      case "replace":
        if (item === undefined) return "NOT_STORED";
        break;
      case "append":
      case "prepend": {
        if (item === undefined) return "NOT_STORED";
        const joined =
          pending.command === "append"
            ? Buffer.concat([item.value, value])
            : Buffer.concat([value, item.value]);
        store.put(pending.key, joined, item.flags, item.expiresAt);
        return "STORED";
      }
      case "cas":
        if (item === undefined) return "NOT_FOUND";
        if (item.cas !== pending.cas) return "EXISTS";
        break;
    }
    store.put(pending.key, value, pending.flags, expiresAt);
    return "STORED";
  }

  private counter(args: string[], apply: (current: bigint, delta: bigint) => bigint): void {
    const [key, delta, flag] = args;
    if (!this.validKey(key)) return;
    if (delta === undefined || !DIGITS.test(delta) || BigInt(delta) > MAX_U64) {
      this.sendLine("CLIENT_ERROR invalid numeric delta argument");
      return;
    }
    const store = this.store;
    const item = store.get(key);
    if (item === undefined) {
      if (flag !== "noreply") this.sendLine("NOT_FOUND");
      return;
    }
    const text = item.value.toString("latin1");
    if (!DIGITS.test(text) || BigInt(text) > MAX_U64) {
      this.sendLine("CLIENT_ERROR cannot increment or decrement non-numeric value");
      return;
    }
    const next = apply(BigInt(text), BigInt(delta)).toString();
    store.put(key, Buffer.from(next, "latin1"), item.flags, item.expiresAt);
    if (flag !== "noreply") this.sendLine(next);
  }
}

/** Options of `new MemCacheServerFactory(options)`. */
export interface MemCacheServerOptions {
  /** The store to serve; a new `MemCacheStore` on `clock` by default. */
  readonly store?: MemCacheStore;
  /** Reads the time for expiry when no `store` is given: the reactor, or a `Clock`. */
  readonly clock?: Pick<IReactorTime, "seconds">;
  /** The largest value accepted, in bytes (`MAX_VALUE_LENGTH`, 1 MiB). */
  readonly maxValueLength?: number;
}

/** Makes a `MemCacheServerProtocol` for each connection; every connection shares one store. */
export class MemCacheServerFactory extends ServerFactory<MemCacheServerProtocol> {
  /** The protocol built for each connection. */
  override protocol = MemCacheServerProtocol;
  /** The items, shared by every connection. */
  readonly store: MemCacheStore;
  /** The largest value accepted, in bytes. */
  readonly maxValueLength: number;

  /**
   * @param options - the store (or the clock to make one on) and the value limit.
   * @throws TypeError when given neither a store nor a clock.
   */
  constructor(options: MemCacheServerOptions) {
    super();
    if (options.store === undefined && options.clock === undefined) {
      throw new TypeError("MemCacheServerFactory needs a store or a clock");
    }
    this.store = options.store ?? new MemCacheStore(options.clock as Pick<IReactorTime, "seconds">);
    this.maxValueLength = options.maxValueLength ?? MAX_VALUE_LENGTH;
  }

  /**
   * Make a protocol for a connection.
   * @param addr - the client's address.
   * @returns the protocol.
   */
  override buildProtocol(addr: IAddress): MemCacheServerProtocol {
    const protocol = super.buildProtocol(addr);
    if (protocol === null) throw new Error("no protocol");
    return protocol;
  }
}
