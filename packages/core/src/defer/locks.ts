/**
 * Locks for code that waits on Deferreds: `DeferredLock` and `DeferredSemaphore`.
 * @packageDocumentation
 */
import { Deferred, type Unwrapped } from "./deferred.js";
import { maybeDeferred } from "./helpers.js";

/** What `acquire`, `release` and `run` share between a lock and a semaphore. */
interface Acquirable {
  acquire(): Deferred<unknown>;
  release(): void;
}

/** Acquire, call `fn(...args)` through maybeDeferred, release when its result is in. */
function runHolding<R, A extends unknown[]>(
  primitive: Acquirable,
  fn: (...args: A) => R,
  args: A,
): Deferred<Unwrapped<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(`run() takes a function to call, not ${String(fn)}`);
  }
  return primitive.acquire().addCallback(() =>
    maybeDeferred(fn, ...args).addBoth((result: unknown) => {
      primitive.release();
      return result;
    }),
  ) as unknown as Deferred<Unwrapped<R>>;
}

/** Remove `d` from `waiting`: the canceller of a Deferred that has not been handed the lock. */
function removeWaiter(waiting: Deferred<never>[], d: Deferred<never>): void {
  const index = waiting.indexOf(d);
  if (index !== -1) waiting.splice(index, 1);
}

/**
 * A lock for code that waits on Deferreds: Twisted's `DeferredLock`. At most one holder at a
 * time; the others wait, first in, first out.
 *
 * `acquire()` returns a Deferred that fires with the lock once you hold it (at once, if it is
 * free). Whoever acquired it calls `release()` when done, and the oldest waiter gets it.
 * `run(fn, ...args)` does all three for you, and releases even when `fn` throws or its Deferred
 * fails. Cancelling a Deferred from `acquire()` that is still waiting removes it from the
 * queue (it errbacks with `CancelledError`); cancelling one that already fired does nothing.
 *
 * Differences from Twisted: there is no `async with`; use `run` (or `await lock.acquire()` and
 * `try { … } finally { lock.release(); }`). Releasing a lock that is not held throws an
 * `Error` (Twisted asserts).
 *
 * @example
 * ```ts
 * const lock = new DeferredLock();
 * lock.run(() => writeRecord(record)); // one write at a time, in call order
 * ```
 */
export class DeferredLock {
  private isLocked = false;
  private readonly waiters: Deferred<this>[] = [];

  /**
   * Whether someone holds the lock: useful to see whether `acquire()` would fire at once.
   * Read-only.
   */
  get locked(): boolean {
    return this.isLocked;
  }

  /** The Deferreds of the `acquire()` calls still waiting, oldest first. Read-only. */
  get waiting(): readonly Deferred<this>[] {
    return this.waiters;
  }

  /**
   * Ask for the lock.
   * @returns a Deferred that fires with this lock once you hold it: at once if it is free,
   *   else after the earlier waiters have had it. Cancelling it while it waits withdraws the
   *   request.
   */
  acquire(): Deferred<this> {
    const d: Deferred<this> = new Deferred<this>((cancelled) => {
      removeWaiter(this.waiters as Deferred<never>[], cancelled as Deferred<never>);
    });
    if (this.isLocked) {
      this.waiters.push(d);
    } else {
      this.isLocked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Give the lock up; the oldest waiter, if any, gets it (its Deferred fires now, before this
   * returns). Only whoever acquired the lock should call this.
   * @throws Error when the lock is not held.
   */
  release(): void {
    if (!this.isLocked) throw new Error("Tried to release an unlocked lock");
    this.isLocked = false;
    const next = this.waiters.shift();
    if (next !== undefined) {
      this.isLocked = true;
      next.callback(this);
    }
  }

  /**
   * Acquire the lock, call `fn(...args)`, and release the lock once its result is in — after
   * the Deferred or Promise it returns has fired, and whether it succeeds or fails.
   * @param fn - the function to run while holding the lock.
   * @param args - its arguments.
   * @returns a Deferred of what `fn` returns (or of the Deferred or Promise it returns).
   * @throws TypeError when `fn` is not a function.
   */
  run<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): Deferred<Unwrapped<R>> {
    return runHolding(this, fn, args);
  }
}

/**
 * A semaphore for code that waits on Deferreds: Twisted's `DeferredSemaphore`. At most `limit`
 * holders at a time; the others wait, first in, first out. Use it to bound how many operations
 * run at once (at most N downloads in flight, say).
 *
 * `acquire()` returns a Deferred that fires with the semaphore once you hold a token;
 * `release()` gives the token back, to the oldest waiter if any. `run(fn, ...args)` does all
 * three. Cancelling a waiting `acquire()` removes it from the queue; cancelling one that
 * already fired does nothing.
 *
 * Differences from Twisted: there is no `async with`; use `run`. Bad token counts are a
 * `RangeError` (Twisted: `ValueError`), and releasing more tokens than were acquired throws an
 * `Error` (Twisted asserts).
 *
 * @example
 * ```ts
 * const sem = new DeferredSemaphore(3);
 * const pages = urls.map((url) => sem.run(getPage, url)); // at most 3 at a time
 * ```
 */
export class DeferredSemaphore {
  /** How many holders the semaphore allows at once. */
  readonly limit: number;
  private available: number;
  private readonly waiters: Deferred<this>[] = [];

  /**
   * @param tokens - how many holders it allows at once: a positive integer.
   * @throws RangeError when `tokens` is not an integer of at least 1.
   */
  constructor(tokens: number) {
    if (!Number.isInteger(tokens) || tokens < 1) {
      throw new RangeError(`DeferredSemaphore requires tokens >= 1, got ${tokens}`);
    }
    this.limit = tokens;
    this.available = tokens;
  }

  /** How many tokens are free: `limit` minus the current holders. Read-only. */
  get tokens(): number {
    return this.available;
  }

  /** The Deferreds of the `acquire()` calls still waiting, oldest first. Read-only. */
  get waiting(): readonly Deferred<this>[] {
    return this.waiters;
  }

  /**
   * Ask for a token.
   * @returns a Deferred that fires with this semaphore once you hold a token: at once if one
   *   is free, else after the earlier waiters. Cancelling it while it waits withdraws the
   *   request.
   */
  acquire(): Deferred<this> {
    const d: Deferred<this> = new Deferred<this>((cancelled) => {
      removeWaiter(this.waiters as Deferred<never>[], cancelled as Deferred<never>);
    });
    if (this.available === 0) {
      this.waiters.push(d);
    } else {
      this.available--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Give a token back; the oldest waiter, if any, gets it (its Deferred fires now, before this
   * returns). Only a holder should call this.
   * @throws Error when every token is already free (more releases than acquisitions).
   */
  release(): void {
    if (this.available >= this.limit) {
      throw new Error("Someone released me too many times: too many tokens!");
    }
    const next = this.waiters.shift();
    if (next !== undefined) {
      next.callback(this);
    } else {
      this.available++;
    }
  }

  /**
   * Acquire a token, call `fn(...args)`, and release the token once its result is in — after
   * the Deferred or Promise it returns has fired, and whether it succeeds or fails.
   * @param fn - the function to run while holding a token.
   * @param args - its arguments.
   * @returns a Deferred of what `fn` returns (or of the Deferred or Promise it returns).
   * @throws TypeError when `fn` is not a function.
   */
  run<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): Deferred<Unwrapped<R>> {
    return runHolding(this, fn, args);
  }
}
