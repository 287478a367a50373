/**
 * Threads: Twisted's `IReactorFromThreads`, `IReactorThreads` and the thread pool's interface,
 * plus the forms a function takes to cross into a worker thread.
 * @packageDocumentation
 */
import type { Failure } from "../failure.js";

/**
 * A function named by module and export: the module is imported in the thread that runs it
 * (`import(module)`) and its export `export` is called. Use it for functions that need imports
 * or module state, or that are not self-contained.
 */
export interface ModuleFunction {
  /**
   * The module: a URL (`new URL("./work.js", import.meta.url)`, "file:", "data:" or "node:"),
   * an absolute path, or a bare package name. Relative paths are refused (relative to what?).
   */
  readonly module: string | URL;
  /** The name of the exported function. */
  readonly export: string;
}

/**
 * A function to run in another thread: a self-contained function, sent as its source text
 * (`fn.toString()`) and rebuilt in a clean scope there, or a {@link ModuleFunction}.
 *
 * A self-contained function uses only its arguments, globals and `await import(...)`; one that
 * uses a variable from around it (a closure) fails with a `ReferenceError` that says so. Bound
 * and native functions cannot be sent. Arguments and results cross by structured clone: plain
 * data, arrays, Maps, Sets, Dates, typed arrays, Errors; no functions, no class instances (they
 * arrive as plain objects).
 */
export type ThreadFunction<A extends unknown[] = unknown[], R = unknown> =
  | ((...args: A) => R)
  | ModuleFunction;

/** What `ThreadPool.statistics()` reports. */
export interface ThreadPoolStatistics {
  /** Workers alive and waiting for work. */
  readonly idleWorkerCount: number;
  /** Workers running a function (including workers still starting). */
  readonly busyWorkerCount: number;
  /** Work waiting for a worker. */
  readonly backloggedWorkCount: number;
}

/** A pool of worker threads: Twisted's `twisted.python.threadpool.ThreadPool` interface. */
export interface IThreadPool {
  /** The fewest workers kept once started. */
  readonly min: number;
  /** The most workers at once. */
  readonly max: number;
  /** Whether the pool runs work (between `start` and `stop`). */
  readonly started: boolean;
  /** Whether the pool has been stopped (work given after that is dropped). */
  readonly joined: boolean;
  /** How many workers exist now, idle or busy. */
  readonly workers: number;
  /** Start running work: queued work starts now. */
  start(): void;
  /** Stop: end every worker (work in progress is abandoned) and drop queued work. */
  stop(): void;
  /**
   * Change the pool's bounds.
   * @param minthreads - the new minimum (the current one when undefined).
   * @param maxthreads - the new maximum (the current one when undefined).
   * @throws RangeError when the minimum is negative or above the maximum.
   */
  adjustPoolsize(minthreads?: number, maxthreads?: number): void;
  /**
   * Run a function in a worker; a failure is logged.
   * @param fn - the function.
   * @param args - its arguments.
   */
  callInThread<A extends unknown[]>(fn: ThreadFunction<A>, ...args: A): void;
  /**
   * Run a function in a worker and call `onResult(true, result)` or `onResult(false, failure)`
   * on the main thread when it is done.
   * @param onResult - told how it went.
   * @param fn - the function.
   * @param args - its arguments.
   */
  callInThreadWithCallback<A extends unknown[], R>(
    onResult: ((success: boolean, result: Awaited<R> | Failure) => void) | null,
    fn: ThreadFunction<A, R>,
    ...args: A
  ): void;
  /** How many workers are idle and busy and how much work waits. */
  statistics(): ThreadPoolStatistics;
}

/** Running a function on the reactor's thread from elsewhere: Twisted's `IReactorFromThreads`. */
export interface IReactorFromThreads {
  /**
   * Run `fn(...args)` on the reactor, soon, outside the current call stack.
   * @param fn - the function.
   * @param args - its arguments.
   */
  callFromThread<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
}

/** The reactor's thread pool: Twisted's `IReactorThreads`. */
export interface IReactorThreads extends IReactorFromThreads {
  /** The reactor's pool (0 to 10 workers), made on first use; it starts when the reactor runs. */
  getThreadPool(): IThreadPool;
  /**
   * Run a function in the reactor's pool; a failure is logged.
   * @param fn - the function.
   * @param args - its arguments.
   */
  callInThread<A extends unknown[]>(fn: ThreadFunction<A>, ...args: A): void;
  /**
   * Set the most workers the reactor's pool may have.
   * @param size - the maximum.
   */
  suggestThreadPoolSize(size: number): void;
}
