/**
 * `DelayedCall`: the handle that a scheduler (a `Clock`, the reactor) returns from `callLater`.
 * @packageDocumentation
 */

import { AlreadyCalled, AlreadyCancelled } from "../errors.js";
import type { IDelayedCall } from "../interfaces/time.js";

/**
 * How a {@link DelayedCall} talks to the scheduler that owns it.
 */
export interface DelayedCallOwner {
  /**
   * Called with the call when someone cancels it, before it is marked cancelled: the owner
   * forgets it.
   */
  cancelled(call: DelayedCall): void;
  /**
   * Called with the call after every change of its time (`reset`, `delay`): the owner moves it
   * in its queue.
   */
  rescheduled(call: DelayedCall): void;
  /** The owner's current time, in seconds; `reset` measures from it. */
  seconds(): number;
}

/**
 * A function scheduled to run at a given time: the {@link IDelayedCall} that a `Clock` and the
 * reactor hand back from `callLater`. Twisted's `twisted.internet.base.DelayedCall`.
 *
 * The owner (the scheduler) keeps calls in time order, and runs one with {@link invoke} when its
 * time has come. The call tells the owner when it is cancelled or moved, through the
 * {@link DelayedCallOwner} given at construction.
 *
 * Differences from Twisted: a move in either direction is reported to the owner at once
 * (Twisted reports only moves to a sooner time and remembers later ones in `delayed_time`), so
 * `getTime()` is always the single source of truth. `func` and `args` are kept after
 * cancellation rather than deleted. There is no `debug` creator stack.
 */
export class DelayedCall implements IDelayedCall {
  /** The function to call. */
  readonly func: (...args: never) => unknown;
  /** The arguments to call it with. */
  readonly args: readonly unknown[];
  private time: number;
  private readonly owner: DelayedCallOwner;
  private wasCalled = false;
  private wasCancelled = false;

  /**
   * Schedulers create delayed calls; user code gets them from `callLater`. The scheduler's
   * `callLater` checks that `args` fit `func`.
   * @param time - when to run, in seconds, on the owner's `seconds()` scale.
   * @param func - the function to call.
   * @param args - its arguments.
   * @param owner - the scheduler to tell about cancellation and moves.
   */
  constructor(
    time: number,
    func: (...args: never) => unknown,
    args: readonly unknown[],
    owner: DelayedCallOwner,
  ) {
    this.time = time;
    this.func = func;
    this.args = args;
    this.owner = owner;
  }

  /** Whether this call has run (or is running). */
  get called(): boolean {
    return this.wasCalled;
  }

  /** Whether this call was cancelled. */
  get cancelled(): boolean {
    return this.wasCancelled;
  }

  /**
   * When this call is scheduled to run.
   * @returns the time in seconds, on the owner's `seconds()` scale.
   */
  getTime(): number {
    return this.time;
  }

  /**
   * Unschedule this call: the owner drops it and it never runs.
   * @throws AlreadyCancelled if it was already cancelled.
   * @throws AlreadyCalled if it has already run, or is running now.
   */
  cancel(): void {
    this.checkPending();
    this.owner.cancelled(this);
    this.wasCancelled = true;
  }

  /**
   * Reschedule this call `secondsFromNow` seconds after the owner's present time.
   * @param secondsFromNow - the new delay in seconds, measured from now.
   * @throws AlreadyCancelled if it was cancelled.
   * @throws AlreadyCalled if it has already run.
   */
  reset(secondsFromNow: number): void {
    this.checkPending();
    this.time = this.owner.seconds() + secondsFromNow;
    this.owner.rescheduled(this);
  }

  /**
   * Move this call by `secondsLater` seconds from the time it is scheduled for (a negative
   * value moves it sooner).
   * @param secondsLater - the shift in seconds.
   * @throws AlreadyCancelled if it was cancelled.
   * @throws AlreadyCalled if it has already run.
   */
  delay(secondsLater: number): void {
    this.checkPending();
    this.time += secondsLater;
    this.owner.rescheduled(this);
  }

  /**
   * Whether this call is still pending.
   * @returns false once it has run or been cancelled.
   */
  active(): boolean {
    return !(this.wasCalled || this.wasCancelled);
  }

  /**
   * Run the call: mark it called, then call `func(...args)`. For schedulers, which must first
   * take the call out of their queue; user code never needs it. Marking it first means that the
   * function itself sees `active()` false, and that its own `cancel()` throws `AlreadyCalled`.
   * @returns what `func` returned.
   * @throws AlreadyCancelled or AlreadyCalled if the call is spent; whatever `func` throws.
   */
  invoke(): unknown {
    this.checkPending();
    this.wasCalled = true;
    return (this.func as (...args: readonly unknown[]) => unknown)(...this.args);
  }

  /** A description for debugging: the delay from now, the state and the function. */
  toString(): string {
    const name = this.func.name || "<anonymous>";
    const delay = this.time - this.owner.seconds();
    return `<DelayedCall [${delay}s] called=${this.wasCalled} cancelled=${this.wasCancelled} ${name}(${this.args.length} args)>`;
  }

  private checkPending(): void {
    if (this.wasCancelled) throw new AlreadyCancelled("This delayed call was already cancelled");
    if (this.wasCalled) throw new AlreadyCalled("This delayed call has already run");
  }
}
