/**
 * `deferLater`: a Deferred that fires after a delay, with the result of a function.
 * @packageDocumentation
 */

import { Deferred, type Unwrapped } from "../defer/index.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";

/**
 * A Deferred that fires `delay` seconds from now. Without a function it fires with undefined;
 * with one, `fn(...args)` is called then and the Deferred fires with its result (waiting for it
 * if it is a Deferred or a Promise), or errbacks with what it throws. Twisted's
 * `twisted.internet.task.deferLater`.
 *
 * Cancelling the Deferred before the delay is up cancels the timer, so `fn` never runs, and
 * errbacks with `CancelledError`.
 *
 * ```ts
 * await deferLater(reactor, 1.5, () => "ready");
 * ```
 *
 * Differences from Twisted: no keyword arguments; `fn`'s arguments are type-checked.
 *
 * @param clock - what schedules the call: the reactor, or a `Clock` in tests.
 * @param delay - seconds to wait.
 * @returns the Deferred.
 * @throws what `clock.callLater` throws (a RangeError for a negative delay).
 */
export function deferLater(clock: IReactorTime, delay: number): Deferred<undefined>;
/**
 * A Deferred that fires `delay` seconds from now with the result of `fn(...args)`; see the
 * first signature.
 * @param clock - what schedules the call.
 * @param delay - seconds to wait.
 * @param fn - called after the delay; its result is the Deferred's.
 * @param args - its arguments.
 */
export function deferLater<R, A extends unknown[]>(
  clock: IReactorTime,
  delay: number,
  fn: (...args: A) => R,
  ...args: A
): Deferred<Unwrapped<R>>;
export function deferLater(
  clock: IReactorTime,
  delay: number,
  fn?: (...args: unknown[]) => unknown,
  ...args: unknown[]
): Deferred<unknown> {
  let delayedCall: IDelayedCall | undefined;
  const d = new Deferred<unknown>(() => {
    delayedCall?.cancel();
  });
  if (fn !== undefined) d.addCallback(() => fn(...args));
  delayedCall = clock.callLater(delay, (value: undefined) => d.callback(value), undefined);
  return d;
}
