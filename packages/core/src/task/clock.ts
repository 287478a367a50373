/**
 * `Clock`: a fake `IReactorTime` whose time moves only when a test says so.
 * @packageDocumentation
 */

import type { IReactorTime } from "../interfaces/time.js";
import { DelayedCall, type DelayedCallOwner } from "./delayedCall.js";
import { DelayedCallQueue } from "./delayedCallQueue.js";

/**
 * Check a delay or an amount of time: a number that is not negative.
 * @internal
 */
export function checkSeconds(value: number, what: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new RangeError(`${what} must be a number of seconds >= 0, got ${String(value)}`);
  }
}

/**
 * A deterministic, hand-driven {@link IReactorTime}: time starts at 0 and moves only when you
 * call {@link advance} (or {@link pump}), which runs every call that has come due. Use it in
 * place of the reactor in unit tests of anything that schedules with `callLater`, so the tests
 * run instantly and always the same way. Twisted's `twisted.internet.task.Clock`.
 *
 * Calls run in time order; calls due at the same time run in the order they were scheduled
 * (or last moved with `reset`/`delay`). Calls scheduled while `advance` runs, for a time that
 * is already due, run in the same `advance`.
 *
 * Pending calls are kept in a binary heap, so scheduling and running n calls costs
 * O(n log n).
 *
 * Differences from Twisted:
 * - `callLater` with a negative (or NaN) delay throws a RangeError, as the real reactor's does;
 *   Twisted's Clock accepts it and runs the call at the next `advance`. `advance` with a
 *   negative amount also throws: time never goes backwards.
 * - A call moved later (by `reset` or `delay`) to a time shared with other calls runs after
 *   them, like a call newly scheduled at that time; Twisted's Clock runs it before them.
 * - `getDelayedCalls()` returns a new array each time (Twisted returns its live list).
 */
export class Clock implements IReactorTime {
  /** The current time, in seconds. Prefer {@link seconds}; use {@link advance} to move it. */
  rightNow = 0;
  private readonly queue = new DelayedCallQueue();
  private readonly owner: DelayedCallOwner = {
    cancelled: (call) => {
      this.queue.remove(call);
    },
    rescheduled: (call) => {
      this.queue.update(call);
    },
    seconds: () => this.rightNow,
  };

  /**
   * The current fake time.
   * @returns the time in seconds; 0 until the first `advance`.
   */
  seconds(): number {
    return this.rightNow;
  }

  /**
   * Schedule `callable(...args)` to run `delay` seconds from now, that is, during the first
   * `advance` that brings the time to or past `seconds() + delay`.
   * @param delay - seconds from now; 0 means "at the next `advance`, even `advance(0)`".
   * @param callable - the function to call.
   * @param args - its arguments, type-checked against it.
   * @returns the delayed call, to cancel or move it.
   * @throws RangeError if `delay` is negative or NaN.
   * @throws TypeError if `callable` is not a function.
   */
  callLater<A extends unknown[]>(
    delay: number,
    callable: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    checkSeconds(delay, "delay");
    if (typeof callable !== "function") {
      throw new TypeError(`${String(callable)} is not callable`);
    }
    const call = new DelayedCall(this.rightNow + delay, callable, args, this.owner);
    this.queue.push(call);
    return call;
  }

  /**
   * Every pending call, in the order they will run.
   * @returns a new array of the calls that have neither run nor been cancelled.
   */
  getDelayedCalls(): DelayedCall[] {
    return this.queue.toArray();
  }

  /**
   * The pending calls, in the order they will run: an alias of {@link getDelayedCalls} for
   * tests ported from Twisted that read `clock.calls`.
   */
  get calls(): DelayedCall[] {
    return this.queue.toArray();
  }

  /**
   * Move time forward by `amount` seconds, then run, earliest first, every call whose time is
   * now or earlier, including calls that those calls schedule or move into the past. A call
   * that throws stops the advance and the error propagates to the caller; the calls after it
   * stay pending and run at the next `advance`.
   * @param amount - how far to move, in seconds (0 just runs what is due).
   * @throws RangeError if `amount` is negative or NaN; whatever a call throws.
   */
  advance(amount: number): void {
    checkSeconds(amount, "amount");
    this.rightNow += amount;
    for (;;) {
      const time = this.queue.peekTime();
      if (time === undefined || time > this.rightNow) return;
      const call = this.queue.pop() as DelayedCall;
      call.invoke();
    }
  }

  /**
   * Advance by each amount in turn: `pump([1, 1, 1])` is three `advance(1)` calls.
   * @param timings - the amounts, in seconds.
   * @throws what `advance` throws.
   */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }
}
