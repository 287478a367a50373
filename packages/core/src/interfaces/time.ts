/**
 * The time interfaces of the reactor, Twisted's `IReactorTime` and `IDelayedCall`: scheduling a
 * function to run later, and the handle that lets you cancel or move it.
 *
 * Time is in seconds, as a floating-point number, everywhere.
 *
 * @packageDocumentation
 */

/**
 * A function scheduled to run later, as returned by {@link IReactorTime.callLater}: a handle
 * that lets you ask when it will run, move it, or cancel it. Twisted's `IDelayedCall`.
 *
 * A delayed call is *spent* once it has run or been cancelled; after that, `cancel`, `reset` and
 * `delay` throw `AlreadyCalled` (it ran) or `AlreadyCancelled` (it was cancelled), and `active()`
 * is false.
 */
export interface IDelayedCall {
  /**
   * The function that will be (or was) called. Read-only: to call something else, cancel this
   * call and schedule another.
   */
  readonly func: (...args: never) => unknown;

  /** The arguments `func` will be (or was) called with. */
  readonly args: readonly unknown[];

  /**
   * When this call is scheduled to run.
   * @returns the time, in seconds, on the same scale as the scheduler's `seconds()`.
   */
  getTime(): number;

  /**
   * Unschedule this call, so that it never runs.
   * @throws AlreadyCancelled if it was already cancelled.
   * @throws AlreadyCalled if it has already run (or is running now).
   */
  cancel(): void;

  /**
   * Move this call later (or sooner, with a negative value) by `secondsLater`, relative to the
   * time it is currently scheduled for.
   * @param secondsLater - how much later, in seconds.
   * @throws AlreadyCancelled if it was cancelled.
   * @throws AlreadyCalled if it has already run.
   */
  delay(secondsLater: number): void;

  /**
   * Reschedule this call to run `secondsFromNow` seconds after the present time (not after
   * its original time).
   * @param secondsFromNow - the new delay, in seconds from now.
   * @throws AlreadyCancelled if it was cancelled.
   * @throws AlreadyCalled if it has already run.
   */
  reset(secondsFromNow: number): void;

  /**
   * Whether this call is still pending.
   * @returns true until it has run or been cancelled, then false.
   */
  active(): boolean;
}

/**
 * Time-related methods of the reactor, Twisted's `IReactorTime`: what the current time is, and
 * how to run a function later. Library code takes an `IReactorTime` argument (often named
 * `clock`) instead of reaching for the global reactor, so that tests can pass a `Clock` and
 * control time by hand.
 */
export interface IReactorTime {
  /**
   * The current time, as the scheduler sees it. Every scheduled time is on this scale.
   * @returns the time in seconds (floating point). For the real reactor it is the wall clock
   *   (seconds since the epoch); for a `Clock` it starts at 0 and moves only with `advance`.
   */
  seconds(): number;

  /**
   * Call a function later.
   *
   * The arguments are type-checked against the function:
   * `callLater(1, (a: number, b: string) => …, 1, "x")` compiles, `callLater(1, f, "x", 1)`
   * does not.
   *
   * @param delay - how long to wait, in seconds (0 means "on the next turn of the loop").
   * @param callable - the function to call.
   * @param args - the arguments to pass it.
   * @returns a handle to cancel or move the call.
   * @throws RangeError if `delay` is negative or not a number.
   */
  callLater<A extends unknown[]>(
    delay: number,
    callable: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall;

  /**
   * Every call that is scheduled and has not yet run nor been cancelled.
   * @returns a new array, which the caller may keep or change.
   */
  getDelayedCalls(): IDelayedCall[];
}
