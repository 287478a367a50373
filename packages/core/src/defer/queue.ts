/**
 * `DeferredQueue`: a queue whose `get` returns a Deferred.
 * @packageDocumentation
 */
import { QueueOverflow, QueueUnderflow } from "../errors.js";
import { Deferred } from "./deferred.js";
import { succeed } from "./helpers.js";

function checkLimit(name: string, value: number): number {
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(`DeferredQueue ${name} must be 0 or more (or Infinity), got ${value}`);
  }
  return value;
}

/**
 * A first-in, first-out queue for code that waits on Deferreds: Twisted's `DeferredQueue`.
 *
 * `put(obj)` hands the object to the oldest `get()` still waiting, or else keeps it.
 * `get()` returns a Deferred that has already fired when an object is waiting, or else a
 * Deferred that fires when one is `put`. Both limits are checked synchronously: `put` throws
 * `QueueOverflow` when `size` objects are already kept, and `get` throws `QueueUnderflow` when
 * `backlog` gets are already waiting. Cancelling a waiting `get()` removes it, so the next
 * object goes to the next getter; cancelling one that already fired does nothing.
 *
 * Differences from Twisted: "no limit" is `Infinity` (Twisted: `None`), and a negative or NaN
 * limit is a `RangeError`.
 *
 * @example
 * ```ts
 * const lines = new DeferredQueue<string>();
 * protocol.lineReceived = (line) => lines.put(line);
 * const next = await lines.get();
 * ```
 *
 * @typeParam T - the type of the objects in the queue.
 */
export class DeferredQueue<T> {
  /** At most this many objects are kept waiting for a getter (`Infinity`: no limit). */
  readonly size: number;
  /** At most this many `get()` Deferreds wait for an object (`Infinity`: no limit). */
  readonly backlog: number;
  private readonly objects: T[] = [];
  private readonly getters: Deferred<T>[] = [];

  /**
   * @param size - the most objects kept at once; `put` beyond it throws `QueueOverflow`.
   * @param backlog - the most gets waiting at once; `get` beyond it throws `QueueUnderflow`.
   * @throws RangeError when a limit is negative or NaN.
   */
  constructor(size = Number.POSITIVE_INFINITY, backlog = Number.POSITIVE_INFINITY) {
    this.size = checkLimit("size", size);
    this.backlog = checkLimit("backlog", backlog);
  }

  /** The objects put and not yet taken, oldest first. Read-only. */
  get pending(): readonly T[] {
    return this.objects;
  }

  /** The Deferreds of the `get()` calls waiting for an object, oldest first. Read-only. */
  get waiting(): readonly Deferred<T>[] {
    return this.getters;
  }

  /**
   * Add an object: the oldest waiting `get()` fires with it now (before `put` returns), or it
   * is kept until someone calls `get()`.
   * @param obj - the object.
   * @throws QueueOverflow when nobody is waiting and `size` objects are already kept.
   */
  put(obj: T): void {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      getter.callback(obj);
    } else if (this.objects.length < this.size) {
      this.objects.push(obj);
    } else {
      throw new QueueOverflow(`DeferredQueue is full (size ${this.size})`);
    }
  }

  /**
   * Take the oldest object.
   * @returns a Deferred that has already fired with the oldest object when one is kept, or
   *   else one that fires with the next object `put`. Cancel it to stop waiting.
   * @throws QueueUnderflow when no object is kept and `backlog` gets are already waiting.
   */
  get(): Deferred<T> {
    if (this.objects.length > 0) {
      return succeed(this.objects.shift() as T);
    }
    if (this.getters.length < this.backlog) {
      const d: Deferred<T> = new Deferred<T>((cancelled) => {
        const index = this.getters.indexOf(cancelled);
        if (index !== -1) this.getters.splice(index, 1);
      });
      this.getters.push(d);
      return d;
    }
    throw new QueueUnderflow(`DeferredQueue has too many waiting gets (backlog ${this.backlog})`);
  }
}
