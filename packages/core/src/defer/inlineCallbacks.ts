/**
 * `inlineCallbacks`: write Deferred-using code as a generator that yields Deferreds.
 * @packageDocumentation
 */
import { Failure } from "../failure.js";
import { Deferred } from "./deferred.js";
import { isThenable } from "./helpers.js";

/** A generator function as `inlineCallbacks` takes it: yields Deferreds, returns the result. */
export type InlineCallbacksGenerator<A extends unknown[], R> = (
  ...args: A
) => Generator<unknown, R, unknown>;

interface Status<R> {
  /** The Deferred the generator's result goes to (replaced when the caller cancels). */
  deferred: Deferred<R>;
  /** The Deferred the generator is waiting on, if any. */
  waitingOn: Deferred<unknown> | undefined;
}

const NOTHING: unique symbol = Symbol("nothing yet");

/**
 * Wrap a generator function so that it returns a Deferred and can `yield` Deferreds (or
 * Promises) to wait for them: Twisted's `@inlineCallbacks`. `const x = yield d` resumes with
 * `d`'s result, or throws its failure's error into the generator; any other yielded value comes
 * straight back. The generator's `return` value fires the returned Deferred; a throw errbacks it.
 *
 * It resumes synchronously when a yielded Deferred has already fired, and yielding many fired
 * Deferreds in a loop does not grow the stack. Cancelling the returned Deferred cancels the
 * Deferred the generator is waiting on, so the generator sees `CancelledError` where it waits;
 * it may catch it and carry on, or turn it into another error or a success.
 *
 * For typed results, annotate: `const n: number = yield d`, or use `yield* waitFor(d)`.
 *
 * Differences from Twisted: `return value` ends the generator (there is no `returnValue`).
 *
 * @param fn - a generator function.
 * @returns a function with the same parameters that returns a Deferred of the result.
 * @throws TypeError (when called) if `fn` does not return a generator.
 */
export function inlineCallbacks<A extends unknown[], R>(
  fn: InlineCallbacksGenerator<A, R>,
): (...args: A) => Deferred<R> {
  return function (this: unknown, ...args: A): Deferred<R> {
    const gen = fn.apply(this, args);
    if (gen === null || typeof gen !== "object" || typeof gen.next !== "function") {
      throw new TypeError(
        `inlineCallbacks requires a generator function, and ${fn.name || "the function"} returned ${String(gen)}`,
      );
    }
    const cancel = (outer: Deferred<R>): void => {
      const next = new Deferred<R>(cancel as (d: Deferred<R>) => void);
      status.deferred = next;
      outer.fireWithResultOf(next);
      status.waitingOn?.cancel();
    };
    const status: Status<R> = { deferred: new Deferred<R>(cancel), waitingOn: undefined };
    const outer = status.deferred;
    drive(gen, status, false, undefined);
    return outer;
  };
}

/**
 * Yield this from an `inlineCallbacks` generator with `yield*` to get a typed result:
 * `const page = yield* waitFor(getPage(url))`.
 * @param d - the Deferred or Promise to wait for.
 */
export function* waitFor<T>(d: Deferred<T> | PromiseLike<T>): Generator<unknown, T, unknown> {
  return (yield d) as T;
}

function drive<R>(
  gen: Generator<unknown, R, unknown>,
  status: Status<R>,
  isFailure: boolean,
  input: unknown,
): void {
  let failed = isFailure;
  let value = input;
  for (;;) {
    let step: IteratorResult<unknown, R>;
    try {
      step = failed ? gen.throw((value as Failure).value) : gen.next(value);
    } catch (error) {
      status.waitingOn = undefined;
      status.deferred.errback(Failure.from(error));
      return;
    }
    if (step.done) {
      status.waitingOn = undefined;
      finish(status.deferred, step.value);
      return;
    }
    let yielded = step.value;
    if (!(yielded instanceof Deferred)) {
      if (!isThenable(yielded)) {
        failed = false;
        value = yielded;
        continue;
      }
      yielded = Deferred.fromPromise(yielded);
    }
    const awaited = yielded as Deferred<unknown>;
    let early: unknown = NOTHING;
    let waiting = true;
    awaited.addBoth((result: unknown) => {
      if (waiting) {
        waiting = false;
        early = result;
      } else {
        status.waitingOn = undefined;
        drive(gen, status, result instanceof Failure, result);
      }
      return undefined;
    });
    if (waiting) {
      // Not fired yet: resume from its callback later.
      waiting = false;
      status.waitingOn = awaited;
      return;
    }
    failed = early instanceof Failure;
    value = early;
  }
}

function finish<R>(deferred: Deferred<R>, value: R): void {
  if (value instanceof Deferred || isThenable(value)) {
    Deferred.fromPromise(value as PromiseLike<R>).addCallbacks(
      (result: R) => deferred.callback(result),
      (failure: Failure) => deferred.errback(failure),
    );
    return;
  }
  deferred.callback(value);
}
