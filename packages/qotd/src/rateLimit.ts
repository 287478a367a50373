/**
 * Token buckets on an injectable clock, for `QOTDDatagramProtocol`'s rate limits.
 * @packageDocumentation
 */

/**
 * A token bucket: it holds up to `burst` tokens, gains `rate` tokens a second, and each answer
 * takes one. So a source gets at most `burst` answers at once and `rate` a second after that.
 */
export class TokenBucket {
  /** Tokens now in the bucket (as of `updatedAt`). */
  tokens: number;
  /** When `tokens` was last brought up to date, in the clock's seconds. */
  updatedAt: number;

  /**
   * @param rate - tokens gained a second.
   * @param burst - the most tokens it holds (it starts full).
   * @param now - the current time, in seconds.
   */
  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Bring `tokens` up to date with the time `now` (seconds). */
  refill(now: number): void {
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
    this.updatedAt = Math.max(now, this.updatedAt);
  }

  /**
   * Whether a token is there at `now` (seconds); refills first. A hair under one token counts
   * as one, so that times summed in floating point (ten steps of 0.1 s) refill as expected.
   */
  hasToken(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1 - 1e-9;
  }

  /** Take a token; call after `hasToken` said yes. */
  take(): void {
    this.tokens -= 1;
  }
}

/**
 * One token bucket per key (a source host), plus one shared by all, with a bound on how many
 * keys are remembered. When the bound is reached, the least recently used bucket is forgotten
 * (which can only let that source have its burst again; the shared bucket still holds the
 * total).
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly total: TokenBucket | undefined;

  /**
   * @param perKeyRate - answers a second for each key.
   * @param perKeyBurst - answers at once for each key.
   * @param totalRate - answers a second for all keys together; Infinity for no limit.
   * @param maxKeys - how many keys to remember at most.
   * @param now - the current time, in seconds.
   */
  constructor(
    private readonly perKeyRate: number,
    private readonly perKeyBurst: number,
    totalRate: number,
    private readonly maxKeys: number,
    now: number,
  ) {
    this.total =
      totalRate === Number.POSITIVE_INFINITY
        ? undefined
        : new TokenBucket(totalRate, Math.max(1, totalRate), now);
  }

  /** How many keys have a bucket now. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Take a token for `key` at time `now` if both its bucket and the shared one have one.
   * @returns "ok", or which limit refused: "source" or "total".
   */
  take(key: string, now: number): "ok" | "source" | "total" {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.prune(this.maxKeys - 1);
      bucket = new TokenBucket(this.perKeyRate, this.perKeyBurst, now);
    } else {
      this.buckets.delete(key); // re-inserted below: the Map's order is least recently used first
    }
    this.buckets.set(key, bucket);
    if (!bucket.hasToken(now)) return "source";
    if (this.total !== undefined && !this.total.hasToken(now)) return "total";
    bucket.take();
    this.total?.take();
    return "ok";
  }

  /**
   * Forget the least recently used buckets until at most `limit` are left. O(1) a bucket, so a
   * flood of spoofed sources cannot make each datagram cost a scan.
   */
  private prune(limit: number): void {
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= limit) return;
      this.buckets.delete(key);
    }
  }
}
