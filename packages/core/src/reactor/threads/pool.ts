/**
 * `ThreadPool`: a pool of `worker_threads` workers, Twisted's `twisted.python.threadpool`.
 * @packageDocumentation
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { Deferred } from "../../defer/deferred.js";
import { maybeDeferred } from "../../defer/helpers.js";
import { Failure } from "../../failure.js";
import type {
  IReactorFromThreads,
  IThreadPool,
  ThreadFunction,
  ThreadPoolStatistics,
} from "../../interfaces/threads.js";
import { Logger } from "../../logger/index.js";
import {
  deserializeError,
  explainReferenceError,
  resolveTask,
  type SerializedError,
  serializeError,
  type Task,
  taskFor,
} from "./task.js";
import { WORKER_SOURCE } from "./workerSource.js";

const log = new Logger({ namespace: "twisted-ts.python.threadpool" });

/** What to call when a piece of work is done. */
type OnResult = ((success: boolean, result: unknown) => void) | null;

interface Work {
  readonly id: number;
  readonly api: string;
  readonly task: Task;
  readonly args: readonly unknown[];
  readonly onResult: OnResult;
}

type WorkerMessage =
  | { type: "result"; id: number; ok: true; value: unknown }
  | { type: "result"; id: number; ok: false; error: SerializedError }
  | { type: "call"; api: string; task: Task; args: unknown[] };

/** One worker thread, with its channel for `blockingCallFromThread` answers. */
interface PoolWorker {
  readonly thread: Worker;
  readonly signal: Int32Array;
  readonly replyPort: MessagePort;
  work: Work | undefined;
  exited: boolean;
}

/**
 * A pool of worker threads that runs functions off the reactor's thread, so CPU-heavy work does
 * not stall the event loop. Twisted's `ThreadPool`. The reactor keeps one (`getThreadPool()`),
 * used by `callInThread` and `deferToThread`; make your own for work that must not compete
 * with it (then `start()` and `stop()` it yourself and use `deferToThreadPool`).
 *
 * Workers are made when work arrives (up to `max`), kept while idle (down to `min` on
 * `adjustPoolsize`), and do not keep Node alive while idle. Functions cross as source text or
 * as `{ module, export }` (see `ThreadFunction`); arguments and results must be
 * structured-cloneable; an async function is awaited in the worker. Inside a worker,
 * `blockingCallFromThread` runs a function on the reactor's thread and waits for it.
 *
 * Differences from Twisted: the bounds default to 0 and 10 (Twisted's class defaults are 5 and
 * 20; its reactor pool is 0 and 10), since each worker is a whole V8 isolate; `onResult` runs on
 * the reactor's thread, not in the worker; `stop()` ends workers at once (work in progress is
 * abandoned and its callbacks never run) instead of waiting for them.
 */
export class ThreadPool implements IThreadPool {
  /** The fewest workers kept once started. */
  min: number;
  /** The most workers at once. */
  max: number;
  /** The pool's name, for logs. */
  readonly name: string | undefined;
  /** Whether the pool runs work. */
  started = false;
  /** Whether the pool has been stopped. */
  joined = false;
  private readonly idle: PoolWorker[] = [];
  private readonly busy = new Set<PoolWorker>();
  private readonly queue: Work[] = [];
  private nextId = 1;

  /**
   * @param minthreads - the fewest workers once started (0).
   * @param maxthreads - the most workers (10).
   * @param name - the pool's name, for logs.
   * @param reactor - where `blockingCallFromThread` calls run (`callFromThread`); without one
   *   they run on the next turn of the event loop.
   * @throws RangeError when `minthreads` is negative or above `maxthreads`.
   */
  constructor(
    minthreads = 0,
    maxthreads = 10,
    name?: string,
    private readonly reactor?: IReactorFromThreads,
  ) {
    checkBounds(minthreads, maxthreads);
    this.min = minthreads;
    this.max = maxthreads;
    this.name = name;
  }

  /** How many workers exist, idle or busy. */
  get workers(): number {
    return this.idle.length + this.busy.size;
  }

  /** @inheritDoc */
  statistics(): ThreadPoolStatistics {
    return {
      idleWorkerCount: this.idle.length,
      busyWorkerCount: this.busy.size,
      backloggedWorkCount: this.queue.length,
    };
  }

  /** Start running work: grow to `min` workers and start what is queued. */
  start(): void {
    this.joined = false;
    this.started = true;
    this.adjustPoolsize();
    this.dispatch();
  }

  /** Stop: end every worker now and drop queued work; work given later is ignored. */
  stop(): void {
    this.joined = true;
    this.started = false;
    this.queue.length = 0;
    for (const worker of [...this.idle, ...this.busy]) this.retire(worker);
  }

  /** @inheritDoc */
  adjustPoolsize(minthreads?: number, maxthreads?: number): void {
    const min = minthreads ?? this.min;
    const max = maxthreads ?? this.max;
    checkBounds(min, max);
    this.min = min;
    this.max = max;
    if (!this.started) return;
    while (this.workers > this.max && this.idle.length > 0) this.retire(this.idle[0] as PoolWorker);
    while (this.workers < this.min) this.idle.push(this.spawn());
    this.dispatch();
  }

  /** @inheritDoc */
  callInThread<A extends unknown[]>(fn: ThreadFunction<A>, ...args: A): void {
    this.submit("callInThread", fn as ThreadFunction<never[]>, args, null);
  }

  /** @inheritDoc */
  callInThreadWithCallback<A extends unknown[], R>(
    onResult: ((success: boolean, result: Awaited<R> | Failure) => void) | null,
    fn: ThreadFunction<A, R>,
    ...args: A
  ): void {
    this.submit(
      "callInThreadWithCallback",
      fn as ThreadFunction<never[]>,
      args,
      onResult as OnResult,
    );
  }

  /**
   * @internal Queue work under the name of the API the user called (for error messages).
   * @throws TypeError when `fn` cannot cross threads.
   */
  submit(
    api: string,
    fn: ThreadFunction<never[]>,
    args: readonly unknown[],
    onResult: OnResult,
  ): void {
    const task = taskFor(fn, api);
    if (this.joined) return;
    this.queue.push({ id: this.nextId++, api, task, args, onResult });
    this.dispatch();
  }

  private dispatch(): void {
    while (this.started && this.queue.length > 0) {
      let worker = this.idle.shift();
      if (worker === undefined) {
        if (this.workers >= this.max) return;
        worker = this.spawn();
      }
      this.run(worker, this.queue.shift() as Work);
    }
  }

  private run(worker: PoolWorker, work: Work): void {
    try {
      worker.thread.postMessage({
        type: "run",
        id: work.id,
        api: work.api,
        task: work.task,
        args: work.args,
      });
    } catch (error) {
      this.idle.push(worker);
      const why = new TypeError(
        `${work.api}: the arguments must be structured-cloneable: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
      this.finish(work, false, new Failure(why));
      return;
    }
    worker.work = work;
    this.busy.add(worker);
    worker.thread.ref();
  }

  private spawn(): PoolWorker {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { signal, replyPort: port2 },
      transferList: [port2],
    });
    const worker: PoolWorker = { thread, signal, replyPort: port1, work: undefined, exited: false };
    thread.unref();
    thread.on("message", (message: WorkerMessage) => this.onMessage(worker, message));
    thread.on("error", (error) => {
      const work = worker.work;
      worker.work = undefined;
      if (work !== undefined && !this.joined) this.finish(work, false, new Failure(error));
    });
    thread.on("exit", (code) => this.onExit(worker, code));
    return worker;
  }

  private onMessage(worker: PoolWorker, message: WorkerMessage): void {
    if (message.type === "call") {
      this.blockingCall(worker, message.api, message.task, message.args);
      return;
    }
    const work = worker.work;
    if (work === undefined || work.id !== message.id) return;
    worker.work = undefined;
    this.busy.delete(worker);
    if (this.started && this.workers < this.max) {
      this.idle.push(worker);
      worker.thread.unref();
    } else {
      this.retire(worker);
    }
    if (message.ok) this.finish(work, true, message.value);
    else this.finish(work, false, new Failure(deserializeError(message.error)));
    this.dispatch();
  }

  private onExit(worker: PoolWorker, code: number): void {
    worker.exited = true;
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    this.busy.delete(worker);
    worker.replyPort.close();
    const work = worker.work;
    worker.work = undefined;
    if (work !== undefined && !this.joined) {
      this.finish(
        work,
        false,
        new Failure(new Error(`${work.api}: the worker exited (code ${code}) before finishing`)),
      );
    }
    if (!this.joined) this.dispatch();
  }

  private retire(worker: PoolWorker): void {
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    this.busy.delete(worker);
    worker.work = undefined;
    worker.thread.unref();
    worker.thread.terminate().catch(() => {});
  }

  private finish(work: Work, success: boolean, result: unknown): void {
    if (work.onResult === null) {
      if (!success) log.failure("Unhandled error in {api}", result, { api: work.api });
      return;
    }
    try {
      work.onResult(success, result);
    } catch (error) {
      log.failure("Unhandled error in the onResult of {api}", error, { api: work.api });
    }
  }

  /** A worker waits in `blockingCallFromThread`: run its function here, then answer it. */
  private blockingCall(worker: PoolWorker, api: string, task: Task, args: unknown[]): void {
    const call = (): void => {
      const d = Deferred.fromPromise(resolveTask(task)).addCallback((fn) =>
        maybeDeferred(fn, ...args),
      );
      d.addBoth((result: unknown) => this.answer(worker, api, task, result));
    };
    if (this.reactor !== undefined) this.reactor.callFromThread(call);
    else setImmediate(call);
  }

  private answer(worker: PoolWorker, api: string, task: Task, result: unknown): void {
    if (worker.exited) return;
    const failed = (error: unknown) => ({
      ok: false,
      error: serializeError(explainReferenceError(error, task, api, "the reactor thread")),
    });
    try {
      worker.replyPort.postMessage(
        Failure.isFailure(result) ? failed(result.value) : { ok: true, value: result },
      );
    } catch (error) {
      const why = `${api}: the result cannot be sent to the worker (it must be structured-cloneable)`;
      worker.replyPort.postMessage(failed(new TypeError(`${why}: ${String(error)}`)));
    }
    Atomics.store(worker.signal, 0, 1);
    Atomics.notify(worker.signal, 0);
  }

  /** `<ThreadPool name min..max>`. */
  toString(): string {
    return `<ThreadPool ${this.name ?? ""} ${this.min}..${this.max}>`;
  }
}

function checkBounds(min: number, max: number): void {
  if (!(min >= 0)) throw new RangeError(`the minimum number of threads is negative: ${min}`);
  if (!(min <= max))
    throw new RangeError(`the minimum number of threads (${min}) is above the maximum (${max})`);
}
