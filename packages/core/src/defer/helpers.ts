/**
 * Small ways to make Deferreds: `succeed`, `fail`, `maybeDeferred`, `ensureDeferred`.
 * @packageDocumentation
 */
import { NotACoroutineError } from "../errors.js";
import { Failure } from "../failure.js";
import { Deferred, type Unwrapped } from "./deferred.js";

/**
 * A Deferred that has already fired with `result`: callbacks added to it run at once.
 * @param result - the value.
 */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(result);
  return d;
}

/**
 * A Deferred that has already failed with `reason`: errbacks added to it run at once.
 * @param reason - a Failure or any thrown value.
 */
export function fail<T = never>(reason?: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(reason);
  return d;
}

/**
 * Call `fn(...args)` and always get a Deferred: a returned Deferred as it is, a Promise as a
 * Deferred that follows it, a value as `succeed(value)`, and a throw (or a returned Failure) as
 * `fail(...)`. Use it to call user code whose style you don't know.
 * @param fn - the function to call.
 * @param args - its arguments.
 */
export function maybeDeferred<R, A extends unknown[]>(
  fn: (...args: A) => R,
  ...args: A
): Deferred<Unwrapped<R>> {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    return fail(error);
  }
  if (result instanceof Deferred) return result as Deferred<Unwrapped<R>>;
  if (Failure.isFailure(result)) return fail(result);
  if (isThenable(result)) return Deferred.fromPromise(result) as Deferred<Unwrapped<R>>;
  return succeed(result as Unwrapped<R>);
}

/**
 * Turn the result of an async function (a Promise), or a Deferred, into a Deferred: Twisted's
 * `ensureDeferred`. Given an async function itself, call it first.
 * @param value - a Promise, a Deferred, or a function returning one.
 * @throws NotACoroutineError for anything else.
 */
export function ensureDeferred<T>(
  value: PromiseLike<T> | Deferred<T> | (() => PromiseLike<T>),
): Deferred<T> {
  const target = typeof value === "function" ? value() : value;
  if (target instanceof Deferred) return target;
  if (isThenable(target)) return Deferred.fromPromise(target);
  throw new NotACoroutineError(`${String(target)} is not a Promise or a Deferred`);
}

/** @internal Whether a value has a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
