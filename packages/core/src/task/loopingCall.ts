/**
 * `LoopingCall`: call a function every N seconds, on a fixed grid, waiting for it when it is
 * asynchronous.
 * @packageDocumentation
 */

import { Deferred, maybeDeferred } from "../defer/index.js";
import type { Failure } from "../failure.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { getDefaultClock } from "./defaultClock.js";

/** Python's `%` for floats: the result has the sign of the divisor. */
function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * Call a function repeatedly, every `interval` seconds. Twisted's
 * `twisted.internet.task.LoopingCall`.
 *
 * Calls fall on a grid measured from the time of `start()`: with an interval of 5 started at
 * t=0, f runs at 0, 5, 10, … If f (or the loop) is late, missed grid points are skipped rather
 * than bunched up: the next call is at the next grid point still in the future. Use
 * {@link LoopingCall.withCount} to learn how many were skipped.
 *
 * If f returns a Deferred or a Promise, nothing more is scheduled until it settles; its value
 * is ignored, and a failure stops the loop. An interval of 0 calls f once per turn of the
 * loop (`callLater(0)`); on a `Clock`, which runs calls scheduled for the present within the
 * same `advance`, such a loop runs again and again in one `advance` until it is stopped or
 * waits on a Deferred.
 *
 * ```ts
 * const loop = new LoopingCall(poll, "queue-1");
 * loop.clock = reactor;                 // or a Clock in tests
 * loop.start(5).addCallback(() => console.log("stopped"));
 * ```
 *
 * Differences from Twisted: where Twisted asserts (starting a running loop, stopping or
 * resetting one that is not running) this throws a plain `Error` with Twisted's message, and a
 * negative interval is a `RangeError` (Twisted's `ValueError`). `clock` is read from the
 * default clock (see `setDefaultClock`) at each use until it is set; with neither, `start`
 * throws. There is no deprecated `deferred` property and no keyword arguments.
 *
 * @typeParam A - the types of the arguments passed to `f`.
 */
export class LoopingCall<A extends unknown[] = unknown[]> {
  /** The function to call. */
  readonly f: (...args: A) => unknown;
  /** The arguments to pass it. */
  readonly a: A;
  /**
   * True from `start()` until `stop()`, or until f fails. It is false by the time the
   * Deferred returned by `start()` fires.
   */
  running = false;
  /**
   * The number of seconds between calls, as given to `start()`; undefined before the first
   * start. It may be changed while running; the change applies from the next scheduling.
   */
  interval: number | undefined = undefined;
  /** The time (seconds, on `clock`'s scale) the grid is measured from: `start()` or `reset()`. */
  starttime: number | undefined = undefined;
  /** The pending call to f, or null while f runs (or is waited on) and when stopped. */
  call: IDelayedCall | null = null;

  private explicitClock: IReactorTime | undefined;
  private deferred: Deferred<LoopingCall<A>> | null = null;
  private runAtStart = false;
  private realLastTime: number | undefined;

  /**
   * @param f - the function to call; it may return a Deferred or a Promise to be waited on.
   * @param a - the arguments to pass it, type-checked against it.
   */
  constructor(f: (...args: A) => unknown, ...a: A) {
    this.f = f;
    this.a = a;
  }

  /**
   * The `IReactorTime` that schedules the calls. Set it before `start()`; until it is set,
   * reading it returns the default clock (the installed reactor).
   * @throws Error when read while neither it nor a default clock is set.
   */
  get clock(): IReactorTime {
    return this.explicitClock ?? getDefaultClock();
  }
  /** Set the `IReactorTime` that schedules the calls (before `start()`). */
  set clock(clock: IReactorTime) {
    this.explicitClock = clock;
  }

  /**
   * A LoopingCall that passes `countCallable` the number of grid intervals that have elapsed
   * since it last ran: normally 1, more when calls were skipped because the loop or f was
   * late. With an interval of 0 the count is always 1. It never passes 0: if no interval has
   * elapsed, the call is skipped.
   * @param countCallable - gets the count; may return a Deferred or Promise to wait on.
   * @returns a new LoopingCall, not started.
   */
  static withCount(countCallable: (count: number) => unknown): LoopingCall<[]> {
    const loop: LoopingCall<[]> = new LoopingCall(() => {
      const now = loop.clock.seconds();
      const interval = loop.interval as number;
      if (interval === 0) {
        loop.realLastTime = now;
        return countCallable(1);
      }
      let lastTime = loop.realLastTime;
      if (lastTime === undefined) {
        lastTime = loop.starttime as number;
        if (loop.runAtStart) lastTime -= interval;
      }
      const count = loop.intervalOf(now) - loop.intervalOf(lastTime);
      if (count > 0) {
        loop.realLastTime = now;
        return countCallable(count);
      }
      return undefined;
    });
    return loop;
  }

  /**
   * Start calling f every `interval` seconds.
   * @param interval - seconds between calls; may be fractional; 0 means every turn of the loop.
   * @param now - call f at once (synchronously, before `start` returns), or only after the
   *   first interval.
   * @returns a Deferred that fires with this LoopingCall once it is stopped with `stop()`, or
   *   errbacks with f's failure (a throw, or a failed Deferred or rejected Promise) when f
   *   fails, which ends the loop.
   * @throws Error if the loop is already running, or no clock is available.
   * @throws RangeError if `interval` is negative or NaN.
   */
  start(interval: number, now = true): Deferred<LoopingCall<A>> {
    if (this.running) throw new Error("Tried to start an already running LoopingCall.");
    if (!(interval >= 0)) throw new RangeError(`interval must be >= 0, got ${interval}`);
    const clock = this.clock;
    this.running = true;
    // The loop may fail (and drop this.deferred) before start returns: keep a local reference.
    const deferred = new Deferred<LoopingCall<A>>();
    this.deferred = deferred;
    this.starttime = clock.seconds();
    this.interval = interval;
    this.runAtStart = now;
    if (now) this.tick();
    else this.scheduleFrom(this.starttime);
    return deferred;
  }

  /**
   * Stop the loop. If f is not running, the Deferred from `start()` fires now, with this
   * LoopingCall; if f is running or being waited on, it fires when f finishes.
   * @throws Error if the loop is not running.
   */
  stop(): void {
    if (!this.running) throw new Error("Tried to stop a LoopingCall that was not running.");
    this.running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.fire();
    }
  }

  /**
   * Skip the next call and restart the grid from now: the next call is one interval from now.
   * Does nothing while f is running or being waited on.
   * @throws Error if the loop is not running.
   */
  reset(): void {
    if (!this.running) throw new Error("Tried to reset a LoopingCall that was not running.");
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.starttime = this.clock.seconds();
      this.scheduleFrom(this.starttime);
    }
  }

  /** A description for debugging: the interval and the function's name. */
  toString(): string {
    return `LoopingCall<${String(this.interval)}>(${this.f.name || "<anonymous>"}, ${this.a.length} args)`;
  }

  private readonly tick = (): void => {
    this.call = null;
    maybeDeferred(this.f, ...this.a)
      .addCallback(() => {
        if (this.running) this.scheduleFrom(this.clock.seconds());
        else this.fire();
      })
      .addErrback((failure: Failure) => {
        this.running = false;
        const deferred = this.deferred;
        this.deferred = null;
        deferred?.errback(failure);
      });
  };

  private fire(): void {
    const deferred = this.deferred;
    this.deferred = null;
    deferred?.callback(this);
  }

  private intervalOf(t: number): number {
    return Math.trunc((t - (this.starttime as number)) / (this.interval as number));
  }

  private scheduleFrom(when: number): void {
    this.call = this.clock.callLater(this.delayFrom(when), this.tick);
  }

  private delayFrom(when: number): number {
    const interval = this.interval as number;
    if (interval === 0) return 0;
    const runningFor = when - (this.starttime as number);
    const untilNextInterval = interval - floorMod(runningFor, interval);
    // So small next to `when` that adding it changes nothing: that grid point is now, so aim
    // for the one after it.
    if (when === when + untilNextInterval) return interval;
    return untilNextInterval;
  }
}
