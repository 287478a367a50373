/**
 * Running functions in worker threads and back: `deferToThreadPool` and
 * `blockingCallFromThread`, Twisted's `twisted.internet.threads`, and the reactor's own pool.
 * @packageDocumentation
 */
import { isMainThread } from "node:worker_threads";
import { Deferred } from "../../defer/deferred.js";
import type { IReactorCore } from "../../interfaces/reactor.js";
import type { IReactorFromThreads, IThreadPool, ThreadFunction } from "../../interfaces/threads.js";
import { ThreadPool } from "./pool.js";
import { type Task, taskFor } from "./task.js";
import { WORKER_CHANNEL } from "./workerSource.js";

/**
 * Run a function in a worker of `threadpool` and get its result, delivered on the reactor's
 * thread (`callFromThread`). Use it with a pool of your own; `reactor.deferToThread` uses the
 * reactor's pool.
 * @param reactor - the reactor whose thread gets the result.
 * @param threadpool - the pool to run in (it must be started to run anything).
 * @param fn - a self-contained function (sent as source text) or `{ module, export }`; an async
 *   function is awaited in the worker.
 * @param args - its arguments (structured-cloneable).
 * @returns a Deferred of the result, or of a Failure of what it threw (a closure's
 *   `ReferenceError` says it is one; arguments or a result that cannot be cloned give a
 *   `TypeError`).
 * @throws TypeError when `fn` cannot cross threads (native, bound, a relative module path).
 */
export function deferToThreadPool<A extends unknown[], R>(
  reactor: IReactorFromThreads,
  threadpool: IThreadPool,
  fn: ThreadFunction<A, R>,
  ...args: A
): Deferred<Awaited<R>> {
  const d = new Deferred<Awaited<R>>();
  const onResult = (success: boolean, result: unknown): void => {
    if (success) reactor.callFromThread(() => d.callback(result as Awaited<R>));
    else reactor.callFromThread(() => d.errback(result));
  };
  if (threadpool instanceof ThreadPool) {
    threadpool.submit("deferToThread", fn as ThreadFunction<never[]>, args, onResult);
  } else {
    threadpool.callInThreadWithCallback(onResult, fn, ...args);
  }
  return d;
}

/** What a pool worker publishes on its global object. */
interface WorkerChannel {
  blockingCall(task: Task, args: readonly unknown[], api: string): unknown;
}

/**
 * From inside a pool worker: run `fn(...args)` on the reactor's thread, wait for its result
 * (and for its Deferred or Promise), and return it, or throw what it threw. Twisted's
 * `blockingCallFromThread`. The worker is blocked meanwhile (`Atomics.wait`); the reactor is not.
 *
 * Inside a worker it is also a global, next to a global `reactor` stand-in, so a
 * self-contained function can write `blockingCallFromThread(reactor, f, x)` as in Twisted.
 * `fn` crosses as `deferToThread`'s functions do and is rebuilt on the reactor's thread in its
 * global scope (a `{ module, export }` there shares that module's state with the main program).
 * @param _reactor - the reactor, for Twisted's signature; the call always goes to the reactor
 *   whose pool runs this worker.
 * @param fn - the function to run on the reactor's thread.
 * @param args - its arguments (structured-cloneable).
 * @returns its result (structured-cloneable).
 * @throws Error when called on the reactor's thread (it would wait for itself forever).
 */
export function blockingCallFromThread<A extends unknown[], R>(
  _reactor: unknown,
  fn: ThreadFunction<A, R>,
  ...args: A
): Awaited<R> {
  const channel = (globalThis as { [key: symbol]: WorkerChannel | undefined })[
    Symbol.for(WORKER_CHANNEL)
  ];
  if (channel === undefined || isMainThread) {
    throw new Error(
      "blockingCallFromThread must be called from a thread-pool worker, not from the reactor's thread",
    );
  }
  const task = taskFor(fn as ThreadFunction<never[]>, "blockingCallFromThread");
  return channel.blockingCall(task, args, "blockingCallFromThread") as Awaited<R>;
}

const pools = new WeakMap<object, ThreadPool>();

/**
 * @internal The reactor's pool (0 to 10 workers), made on first use: it starts when the reactor
 * runs (so work given before `run()` waits, as in Twisted) and stops during shutdown.
 */
export function reactorThreadPool(reactor: IReactorCore & IReactorFromThreads): ThreadPool {
  let pool = pools.get(reactor);
  if (pool === undefined) {
    const made = new ThreadPool(0, 10, "twisted.internet.reactor", reactor);
    reactor.callWhenRunning(() => made.start());
    reactor.addSystemEventTrigger("during", "shutdown", () => made.stop());
    pools.set(reactor, made);
    pool = made;
  }
  return pool;
}

/**
 * @internal Set the most workers of the reactor's pool; 0 with no pool yet does nothing.
 * @throws RangeError for a negative size.
 */
export function suggestReactorThreadPoolSize(
  reactor: IReactorCore & IReactorFromThreads,
  size: number,
): void {
  if (size === 0 && !pools.has(reactor)) return;
  reactorThreadPool(reactor).adjustPoolsize(undefined, size);
}
