/**
 * `deferToThread` on the global reactor, as `twisted.internet.threads.deferToThread` is.
 * @packageDocumentation
 */
import type { Deferred } from "../../defer/deferred.js";
import type { ThreadFunction } from "../../interfaces/threads.js";
import { reactor } from "../reactor.js";

/**
 * Run a function in the global reactor's thread pool and get its result on the reactor's
 * thread: Twisted's `threads.deferToThread`. Library code should prefer
 * `someReactor.deferToThread(...)` or `deferToThreadPool`, which take the reactor as a value.
 *
 * The function crosses to the worker as source text, rebuilt there in a clean scope, or as
 * `{ module, export }`; arguments and result must be structured-cloneable; an async function
 * is awaited. Work given before `reactor.run()` waits for it.
 * @param fn - a self-contained function or `{ module, export }`.
 * @param args - its arguments.
 * @returns a Deferred of the result, or of a Failure of what it threw.
 * @throws TypeError when `fn` cannot cross threads.
 */
export function deferToThread<A extends unknown[], R>(
  fn: ThreadFunction<A, R>,
  ...args: A
): Deferred<Awaited<R>> {
  return reactor.deferToThread(fn, ...args);
}
