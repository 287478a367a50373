/**
 * `MemoryReactorClock`: a `MemoryReactor` that is also a `Clock`.
 * @packageDocumentation
 */
import type { IReactorTime } from "../interfaces/time.js";
import { Clock } from "../task/clock.js";
import type { DelayedCall } from "../task/delayedCall.js";
import { MemoryReactor } from "./memoryReactor.js";

/**
 * A `MemoryReactor` with a hand-driven clock: Twisted's `MemoryReactorClock`. It records listen
 * and connect calls as `MemoryReactor` does, and schedules `callLater` calls that run only when
 * the test calls `advance` (or `pump`), as `Clock` does. Pass it to code that needs a reactor
 * with time, such as `ClientCreator` or a `ReconnectingClientFactory`'s `clock`.
 *
 * Differences from Twisted: it is a `MemoryReactor` subclass that delegates its time methods to a
 * `Clock` (JavaScript has no multiple inheritance), so `instanceof Clock` is false; the clock is
 * `reactor.clock`. The time methods behave exactly as `Clock`'s (see its differences from
 * Twisted).
 */
export class MemoryReactorClock extends MemoryReactor implements IReactorTime {
  /** The clock the time methods use. */
  readonly clock: Clock = new Clock();

  /** The current fake time, in seconds (0 until the first `advance`). */
  get rightNow(): number {
    return this.clock.rightNow;
  }

  /** @returns the current fake time, in seconds. */
  seconds(): number {
    return this.clock.seconds();
  }

  /**
   * Schedule `callable(...args)` for `delay` seconds from now; see `Clock.callLater`.
   * @throws RangeError for a negative or NaN delay.
   */
  callLater<A extends unknown[]>(
    delay: number,
    callable: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    return this.clock.callLater(delay, callable, ...args);
  }

  /** Every pending call, in the order they will run. */
  getDelayedCalls(): DelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  /** The pending calls, as `Clock.calls`. */
  get calls(): DelayedCall[] {
    return this.clock.calls;
  }

  /**
   * Move time forward by `amount` seconds and run what has come due; see `Clock.advance`.
   * @throws RangeError for a negative or NaN amount; whatever a call throws.
   */
  advance(amount: number): void {
    this.clock.advance(amount);
  }

  /**
   * Advance by each amount in turn; see `Clock.pump`.
   * @param timings - the amounts, in seconds.
   */
  pump(timings: Iterable<number>): void {
    this.clock.pump(timings);
  }
}
