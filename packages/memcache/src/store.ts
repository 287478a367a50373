/**
 * `MemCacheStore`: the items of the in-memory server, with memcached's expiry rules and cas
 * uniques, on an injectable clock.
 * @packageDocumentation
 */
import type { IReactorTime } from "@twisted-ts/core";

/** memcached's boundary between relative and absolute expiry times: 30 days, in seconds. */
export const RELATIVE_EXPIRY_LIMIT = 60 * 60 * 24 * 30;

/** One stored item. */
export interface StoredItem {
  /** The data. */
  readonly value: Buffer;
  /** The 32-bit flags stored with it. */
  readonly flags: number;
  /** Its cas unique: a new one on every change. */
  readonly cas: bigint;
  /** When it expires, in the clock's seconds; 0 for never. */
  readonly expiresAt: number;
}

/** The counters `stats` reports. */
export interface StoreCounters {
  /** Retrieval commands (`get_hits + get_misses`, counted by key). */
  cmd_get: number;
  /** Storage commands. */
  cmd_set: number;
  /** Keys found by retrievals. */
  get_hits: number;
  /** Keys not found by retrievals. */
  get_misses: number;
  /** Items ever stored. */
  total_items: number;
}

/**
 * The items of an in-memory memcached-compatible server: a Map from key bytes to item, with
 * memcached's expiry rules (0 never expires, up to 30 days is relative to now, beyond is a
 * Unix time, a negative time expires at once) read on `clock`, and a cas unique per change.
 * There is no eviction and no memory limit: it is for demos and tests, not production.
 */
export class MemCacheStore {
  /** Counters for `stats`. */
  readonly counters: StoreCounters = {
    cmd_get: 0,
    cmd_set: 0,
    get_hits: 0,
    get_misses: 0,
    total_items: 0,
  };
  /** The clock's time when the store was made, for `uptime`. */
  readonly startedAt: number;
  private readonly items = new Map<string, StoredItem>();
  private nextCas = 1n;

  /**
   * @param clock - reads the time for expiry: the reactor, or a `Clock` in tests.
   */
  constructor(readonly clock: Pick<IReactorTime, "seconds">) {
    this.startedAt = clock.seconds();
  }

  /** How many unexpired items the store holds. */
  get size(): number {
    let count = 0;
    for (const key of [...this.items.keys()]) if (this.get(key) !== undefined) count++;
    return count;
  }

  /**
   * The item under a key, unless it has expired (an expired item is removed).
   * @param key - the key, as a Latin-1 string of its bytes.
   * @returns the item, or undefined.
   */
  get(key: string): StoredItem | undefined {
    const item = this.items.get(key);
    if (item === undefined) return undefined;
    if (item.expiresAt !== 0 && item.expiresAt <= this.clock.seconds()) {
      this.items.delete(key);
      return undefined;
    }
    return item;
  }

  /**
   * Store an item, with a new cas unique.
   * @param key - the key, as a Latin-1 string of its bytes.
   * @param value - the data.
   * @param flags - the flags.
   * @param expiresAt - from `expiryOf`: 0 for never.
   */
  put(key: string, value: Buffer, flags: number, expiresAt: number): void {
    this.items.set(key, { value, flags, expiresAt, cas: this.nextCas++ });
    this.counters.total_items++;
  }

  /**
   * Remove an item.
   * @param key - the key, as a Latin-1 string of its bytes.
   * @returns whether there was an unexpired item.
   */
  delete(key: string): boolean {
    const found = this.get(key) !== undefined;
    this.items.delete(key);
    return found;
  }

  /**
   * Make every item expire, now or in `delay` seconds.
   * @param delay - seconds from now; 0 for now.
   */
  flushAll(delay = 0): void {
    if (delay <= 0) {
      this.items.clear();
      return;
    }
    const at = this.clock.seconds() + delay;
    for (const [key, item] of this.items) {
      if (item.expiresAt === 0 || item.expiresAt > at)
        this.items.set(key, { ...item, expiresAt: at });
    }
  }

  /**
   * The expiry time of an item stored with memcached's `exptime`.
   * @param exptime - 0 for never; up to 30 days, seconds from now; beyond, a Unix time;
   *   negative, already expired.
   * @returns the time in the clock's seconds, 0 for never.
   */
  expiryOf(exptime: number): number {
    if (exptime === 0) return 0;
    if (exptime < 0) return -1;
    return exptime > RELATIVE_EXPIRY_LIMIT ? exptime : this.clock.seconds() + exptime;
  }
}
