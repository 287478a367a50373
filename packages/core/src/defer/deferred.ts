/**
 * `Deferred`: a result that is not there yet, with Twisted's synchronous callback chain.
 * @packageDocumentation
 */
import { AlreadyCalledError, CancelledError, TimeoutError } from "../errors.js";
import { Failure } from "../failure.js";
import type { IReactorTime } from "../interfaces/time.js";
import {
  type DebugInfo,
  debugInfoFor,
  getDebugging,
  isDebugging,
  keepUnhandled,
  markObserved,
  setDebugging,
  stackHere,
} from "./debug.js";

/** A value that a callback may return: the value itself, or a Deferred or Promise of it. */
export type Chainable<U> = U | Deferred<U> | PromiseLike<U>;

/** What a callback's return value becomes for the next link: Deferreds and Promises unwrapped. */
export type Unwrapped<U> = U extends Failure ? never : Awaited<U>;

/** A function that cancels a Deferred's underlying operation; see `Deferred.cancel`. */
export type Canceller<T> = (deferred: Deferred<T>) => void;

/** Something with `callLater`, such as the reactor or a `Clock`; see `Deferred.addTimeout`. */
export type TimeoutClock = Pick<IReactorTime, "callLater">;

type Fn = (result: unknown, ...args: unknown[]) => unknown;

/**
 * One link of the chain. The common link, a callback without extra arguments (failures pass
 * it by), is stored as the bare function; a Deferred waiting on this one is stored as itself;
 * anything else as a `Link`.
 */
interface Link {
  cb: Fn;
  cbArgs: readonly unknown[];
  eb: Fn;
  ebArgs: readonly unknown[];
}
type Entry = Fn | Link | Deferred<unknown>;

const NO_ARGS: readonly unknown[] = Object.freeze([]);
const NO_RESULT: unique symbol = Symbol("no result");
const DEFERRED_BRAND = Symbol.for("twisted-ts.Deferred");
const passthru: Fn = (result) => result;

/**
 * A placeholder for a result that will arrive later: Twisted's `twisted.internet.defer.Deferred`.
 *
 * You attach callbacks (for a success) and errbacks (for a `Failure`) to a chain; when the
 * Deferred fires (`callback(value)` or `errback(error)`), each link gets the previous link's
 * result. A callback's return value goes to the next callback; throwing, or returning a
 * `Failure`, goes to the next errback; an errback that returns a value goes back to callbacks.
 * A callback that returns a Deferred (or a Promise) pauses the chain until that fires, and
 * continues with its result.
 *
 * Everything is synchronous, as in Twisted: `callback()` runs the whole chain before it returns,
 * and a callback added to a fired Deferred runs at once. No microtask is involved, unless a
 * callback returns a Promise.
 *
 * A Deferred is also awaitable (`await d`, `d.then()`): awaiting adds a link that passes the
 * result on unchanged, so it does not change what later callbacks see. A failure rejects with the
 * wrapped value (the original error).
 *
 * Differences from Twisted: callbacks take extra positional arguments only (no keyword
 * arguments); a Deferred is awaitable from any async function; `fromPromise`, `asPromise`,
 * `signal` and `cancelOnAbort` bridge to Promises and `AbortSignal`.
 *
 * @typeParam T - the type of the result the next callback added will receive.
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  /** Whether `callback` or `errback` has been called. */
  called = false;
  /** How many times `pause()` has been called without a matching `unpause()`. */
  paused = 0;
  /** The current result: a value, a `Failure`, or a Deferred this one waits on. */
  result: unknown = NO_RESULT;

  private links: Entry[] | null = null;
  private next = 0;
  private runningCallbacks = false;
  private suppressAlreadyCalled = false;
  private canceller: ((deferred: never) => void) | undefined;
  /** @internal */
  debugInfo: DebugInfo | undefined;
  private abortController: AbortController | undefined;
  /** @internal */
  declare readonly [DEFERRED_BRAND]: true;

  /**
   * @param canceller - called by `cancel()` to stop the underlying operation; it may fire the
   *   Deferred itself (with any result). When it does not, the Deferred errbacks with
   *   `CancelledError`.
   */
  constructor(canceller?: Canceller<T>) {
    this.canceller = canceller;
    if (isDebugging()) debugInfoFor(this).creator = stackHere("Deferred was created");
  }

  /**
   * Debug mode: when on, every Deferred records where it was made and first fired, and
   * `AlreadyCalledError` and the unhandled-error log show both. Same as `setDebugging`.
   */
  static get debug(): boolean {
    return getDebugging();
  }
  /** Turn debug mode on or off; see the getter. */
  static set debug(on: boolean) {
    setDebugging(on);
  }

  /** Whether the value is a Deferred (of this copy of the package). */
  static isDeferred(value: unknown): value is Deferred<unknown> {
    return value instanceof Deferred;
  }

  /**
   * A Deferred that fires with the Promise's value, or errbacks with its rejection reason.
   * Cancelling the Deferred cannot stop the Promise: it errbacks with `CancelledError`, and the
   * Promise's late result is ignored.
   * @param promise - any Promise or thenable.
   */
  static fromPromise<V>(promise: PromiseLike<V>): Deferred<V> {
    if (promise instanceof Deferred) return promise as Deferred<V>;
    const d = new Deferred<V>();
    promise.then(
      (value) => {
        if (!d.called) d.callback(value);
        else d.callbackIfSuppressed();
      },
      (reason: unknown) => {
        if (!d.called) d.errback(reason);
        else d.callbackIfSuppressed();
      },
    );
    return d;
  }

  private callbackIfSuppressed(): void {
    // A cancelled Deferred without a canceller swallows exactly one late result.
    this.suppressAlreadyCalled = false;
  }

  /**
   * Add a callback and an errback as one link. Only one of them runs, depending on whether the
   * result at that point is a success or a `Failure`.
   * @param callback - runs on success, with the result and `callbackArgs`.
   * @param errback - runs on failure, with the Failure and `errbackArgs`; omit to pass failures on.
   * @param callbackArgs - extra arguments for the callback.
   * @param errbackArgs - extra arguments for the errback.
   * @returns this Deferred, typed for what the next link will see.
   */
  addCallbacks<U, V = never>(
    callback: ((result: T, ...args: never[]) => Chainable<U>) | null,
    errback?: ((failure: Failure, ...args: never[]) => Chainable<V>) | null,
    callbackArgs: readonly unknown[] = NO_ARGS,
    errbackArgs: readonly unknown[] = NO_ARGS,
  ): Deferred<Unwrapped<U> | Unwrapped<V>> {
    this.push({
      cb: (callback as Fn | null) ?? passthru,
      cbArgs: callbackArgs,
      eb: (errback as Fn | null | undefined) ?? passthru,
      ebArgs: errbackArgs,
    });
    return this as unknown as Deferred<Unwrapped<U> | Unwrapped<V>>;
  }

  /**
   * Add a callback: it gets the result (and `args`), and what it returns is the next result.
   * Failures pass it by.
   * @param callback - the function to run on success.
   * @param args - extra arguments passed after the result.
   */
  addCallback<U, A extends unknown[] = []>(
    callback: (result: T, ...args: A) => Chainable<U>,
    ...args: A
  ): Deferred<Unwrapped<U>>;
  addCallback(callback: (result: never, ...args: never[]) => unknown): unknown {
    // `arguments` rather than a rest parameter: no array is made for the common no-extra case.
    // biome-ignore lint/complexity/noArguments: hot path, see above.
    if (arguments.length > 1) {
      // biome-ignore lint/complexity/noArguments: hot path, see above.
      const extra = Array.prototype.slice.call(arguments, 1);
      this.push({ cb: callback as Fn, cbArgs: extra, eb: passthru, ebArgs: NO_ARGS });
    } else {
      this.push(callback as Fn);
    }
    return this;
  }

  /**
   * Add an errback: it gets the `Failure` (and `args`). Returning a value recovers (the next
   * callback gets it); throwing or returning a Failure keeps the chain on the error path.
   * Successes pass it by.
   * @param errback - the function to run on failure.
   * @param args - extra arguments passed after the Failure.
   */
  addErrback<U, A extends unknown[] = []>(
    errback: (failure: Failure, ...args: A) => Chainable<U>,
    ...args: A
  ): Deferred<T | Unwrapped<U>> {
    this.push({ cb: passthru, cbArgs: NO_ARGS, eb: errback as Fn, ebArgs: args });
    return this as unknown as Deferred<T | Unwrapped<U>>;
  }

  /**
   * Add a function that runs on success and on failure alike (like `finally`, but its return
   * value is the next result).
   * @param fn - gets the result or the Failure, and `args`.
   * @param args - extra arguments passed after the result.
   */
  addBoth<U, A extends unknown[] = []>(
    fn: (result: T | Failure, ...args: A) => Chainable<U>,
    ...args: A
  ): Deferred<Unwrapped<U>> {
    const extra = args.length === 0 ? NO_ARGS : args;
    this.push({ cb: fn as Fn, cbArgs: extra, eb: fn as Fn, ebArgs: extra });
    return this as unknown as Deferred<Unwrapped<U>>;
  }

  /**
   * Hand this Deferred's result to `d` (`d.callback` or `d.errback`); this Deferred is left
   * with `undefined`. Unlike returning a Deferred from a callback, long chains of
   * `chainDeferred` are not protected from deep recursion, as in Twisted.
   * @param d - the Deferred that receives the result.
   * @returns this Deferred.
   */
  chainDeferred(d: Deferred<T>): Deferred<void> {
    return this.addCallbacks(
      (result: T) => {
        d.callback(result);
      },
      (failure: Failure) => {
        d.errback(failure);
      },
    );
  }

  /**
   * Fire the Deferred with a success: run the callback chain now, synchronously.
   * @param result - the result; must not be a Deferred.
   * @throws AlreadyCalledError when the Deferred has already fired.
   */
  callback(result: T): void {
    if (result instanceof Deferred) {
      throw new TypeError("callback() takes a value, not a Deferred: chain it instead");
    }
    this.startRunCallbacks(result);
  }

  /**
   * Fire the Deferred with a failure: run the chain now, starting on the errback path.
   * @param reason - a `Failure`, or any thrown value (wrapped in a Failure).
   * @throws AlreadyCalledError when the Deferred has already fired.
   */
  errback(reason?: unknown): void {
    let failure: Failure;
    if (reason instanceof Failure) failure = reason;
    else if (Failure.isFailure(reason))
      failure = new Failure(reason.value); // another copy's
    else failure = new Failure(reason ?? new Error("errback() called without a reason"));
    this.startRunCallbacks(failure);
  }

  /** Stop running callbacks until a matching `unpause()`; pauses count. */
  pause(): void {
    this.paused++;
  }

  /** Undo one `pause()`; when none remain and the Deferred has fired, the chain goes on. */
  unpause(): void {
    this.paused--;
    if (this.paused > 0) return;
    if (this.called) this.runCallbacks();
  }

  /**
   * Cancel the operation this Deferred stands for.
   *
   * Before it fires: the canceller runs; if that does not fire the Deferred, it errbacks with
   * `CancelledError`. With no canceller, the one late `callback`/`errback` from the abandoned
   * operation is ignored. After it has fired but while it waits on another Deferred returned by a
   * callback, the cancel goes to that one. Otherwise it does nothing.
   */
  cancel(): void {
    if (!this.called) {
      const canceller = this.canceller as Canceller<T> | undefined;
      if (canceller) {
        this.canceller = undefined;
        canceller(this);
      } else {
        this.suppressAlreadyCalled = true;
      }
      if (!this.called) this.errback(new Failure(new CancelledError()));
      this.abortController?.abort(new CancelledError());
    } else if (this.result instanceof Deferred) {
      this.result.cancel();
    }
  }

  /**
   * Cancel this Deferred after `timeout` seconds unless it has fired; a cancellation caused by
   * the timeout becomes `TimeoutError`. Covers only the callbacks added before this call.
   * @param timeout - seconds.
   * @param clock - the reactor or a `Clock`.
   * @param onTimeoutCancel - instead of raising TimeoutError, compute the result after a
   *   timeout from the result the cancellation produced and the timeout.
   * @returns this Deferred.
   */
  addTimeout(
    timeout: number,
    clock: TimeoutClock,
    onTimeoutCancel?: (result: T | Failure, timeout: number) => unknown,
  ): Deferred<T> {
    let timedOut = false;
    const delayedCall = clock.callLater(timeout, () => {
      timedOut = true;
      this.cancel();
    });
    this.addBoth((result: T | Failure) => {
      if (!timedOut) return result;
      if (onTimeoutCancel) return onTimeoutCancel(result, timeout);
      if (result instanceof Failure) {
        result.trap(CancelledError);
        throw new TimeoutError(timeout, "Deferred");
      }
      return result;
    });
    this.addBoth((result: unknown) => {
      if (delayedCall.active()) delayedCall.cancel();
      return result;
    });
    return this as Deferred<T>;
  }

  /**
   * An `AbortSignal` that aborts (with a `CancelledError` reason) when this Deferred is
   * cancelled, to hand to `fetch`, `setTimeout` from `node:timers/promises`, and other APIs
   * that take a signal.
   */
  get signal(): AbortSignal {
    this.abortController ??= new AbortController();
    return this.abortController.signal;
  }

  /**
   * Cancel this Deferred when `signal` aborts (at once if it already has).
   * @param signal - the signal to follow.
   * @returns this Deferred.
   */
  cancelOnAbort(signal: AbortSignal): this {
    if (signal.aborted) {
      this.cancel();
      return this;
    }
    const onAbort = (): void => this.cancel();
    signal.addEventListener("abort", onAbort, { once: true });
    const forget: Fn = (result) => {
      signal.removeEventListener("abort", onAbort);
      return result;
    };
    this.push({ cb: forget, cbArgs: NO_ARGS, eb: forget, ebArgs: NO_ARGS });
    return this;
  }

  /**
   * Make this Deferred awaitable. The link it adds passes the result on unchanged; a failure
   * rejects with the wrapped value and counts as handled for the unhandled-error log.
   * @param onfulfilled - as in `Promise.prototype.then`.
   * @param onrejected - as in `Promise.prototype.then`.
   */
  // biome-ignore lint/suspicious/noThenProperty: a Deferred is deliberately a thenable.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<T>((resolve, reject) => {
      this.push({
        cb: (result) => {
          resolve(result as T);
          return result;
        },
        cbArgs: NO_ARGS,
        eb: (failure) => {
          markObserved(failure as Failure);
          reject((failure as Failure).value);
          return failure;
        },
        ebArgs: NO_ARGS,
      });
    }).then(onfulfilled, onrejected);
  }

  /**
   * A Promise for the result. Unlike `then`, this consumes the result: the Deferred is left with
   * `undefined`, and a failure is the Promise's to handle.
   */
  asPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.addCallbacks(
        (result: T) => {
          resolve(result);
        },
        (failure: Failure) => {
          reject(failure.value);
        },
      );
    });
  }

  /** `Deferred at 0x… current result: …`-style text, for logs and debugging. */
  toString(): string {
    const state = this.result === NO_RESULT ? "" : ` current result: ${String(this.result)}`;
    return `<Deferred${this.paused ? " (paused)" : ""}${state}>`;
  }

  /**
   * @internal Fire this Deferred with whatever `inner` ends with, ahead of every link added so
   * far: it pauses until `inner` has a result, then goes on with it. `inlineCallbacks` uses this
   * so that a cancelled generator can carry on.
   */
  fireWithResultOf(inner: Deferred<unknown>): void {
    const hand = (): Deferred<unknown> => inner;
    this.links ??= [];
    this.links.splice(this.next, 0, { cb: hand, cbArgs: NO_ARGS, eb: hand, ebArgs: NO_ARGS });
    this.startRunCallbacks(undefined);
  }

  private startRunCallbacks(result: unknown): void {
    if (this.called) {
      if (this.suppressAlreadyCalled) {
        this.suppressAlreadyCalled = false;
        return;
      }
      const info = this.debugInfo;
      const extra = info ? `\n${info.creator ?? ""}\n${info.invoker ?? ""}` : "";
      throw new AlreadyCalledError(`Deferred has already been fired${extra}`);
    }
    if (isDebugging()) debugInfoFor(this).invoker = stackHere("First invoker was");
    this.called = true;
    this.result = result;
    this.runCallbacks();
  }

  /** Append one link, and run it at once if the Deferred has fired. */
  private push(entry: Entry): void {
    const links = this.links;
    if (links === null) this.links = [entry];
    else links.push(entry);
    if (this.called) this.runCallbacks();
  }

  /**
   * Run pending links. A Deferred waiting on another is not recursed into: the chain of
   * Deferreds handing results on is walked with an explicit stack (made only when needed), so 1
   * link or 100,000 run at the same JavaScript stack depth.
   */
  private runCallbacks(): void {
    if (this.runningCallbacks) return;
    let chain: Deferred<unknown>[] | null = null;
    let current = this as Deferred<unknown>;
    for (;;) {
      if (current.paused > 0) return;
      let finished = true;
      const links = current.links;
      if (links !== null) {
        while (current.next < links.length) {
          const entry = links[current.next++] as Entry;
          let result = current.result;
          const failed = result instanceof Failure;
          let fn: Fn;
          let args: readonly unknown[];
          if (typeof entry === "function") {
            if (failed) continue;
            fn = entry;
            args = NO_ARGS;
          } else if (entry instanceof Deferred) {
            // Hand our result to the Deferred waiting on us, and run its chain next.
            entry.result = result;
            current.result = undefined;
            if (current.debugInfo) current.debugInfo.failResult = undefined;
            entry.paused--;
            if (chain === null) chain = [current];
            chain.push(entry);
            finished = false;
            break;
          } else if (failed) {
            fn = entry.eb;
            args = entry.ebArgs;
          } else {
            fn = entry.cb;
            args = entry.cbArgs;
          }
          current.runningCallbacks = true;
          try {
            result = args.length === 0 ? fn(result) : fn(result, ...args);
          } catch (error) {
            result = Failure.from(error);
          }
          current.runningCallbacks = false;
          current.result = result;
          if (typeof result !== "object" || result === null) {
            if (typeof result !== "function") continue;
          }
          if (!(result instanceof Deferred)) {
            if (typeof (result as { then?: unknown }).then !== "function") continue;
            result = Deferred.fromPromise(result as PromiseLike<unknown>);
            current.result = result;
          }
          const inner = result as Deferred<unknown>;
          if (inner === current) {
            current.result = new Failure(
              new TypeError("a callback returned the Deferred it was added to"),
            );
            continue;
          }
          const innerResult = inner.result;
          if (innerResult === NO_RESULT || innerResult instanceof Deferred || inner.paused > 0) {
            // Not fired yet (or itself waiting): pause until it hands its result over.
            current.paused++;
            inner.push(current);
            break;
          }
          // Already has a result: take it; the inner Deferred is left with undefined.
          inner.result = undefined;
          if (inner.debugInfo) inner.debugInfo.failResult = undefined;
          current.result = innerResult;
        }
        if (current.next >= links.length) {
          current.links = null;
          current.next = 0;
        }
      }
      if (!finished) {
        current = chain?.[chain.length - 1] as Deferred<unknown>;
        continue;
      }
      if (current.result instanceof Failure) {
        keepUnhandled(debugInfoFor(current), current.result);
      } else if (current.debugInfo) {
        current.debugInfo.failResult = undefined;
      }
      if (chain === null) return;
      chain.pop();
      if (chain.length === 0) return;
      current = chain[chain.length - 1] as Deferred<unknown>;
    }
  }
}

Object.defineProperty(Deferred.prototype, DEFERRED_BRAND, { value: true });
