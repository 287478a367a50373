/**
 * `Cooperator`: run many iterators a little at a time, taking turns, without blocking the loop.
 * @packageDocumentation
 */

import { Deferred } from "../defer/index.js";
import { SchedulerStopped } from "../errors.js";
import { Failure } from "../failure.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { type CooperativeIterator, CooperativeTask } from "./cooperativeTask.js";
import { getDefaultClock } from "./defaultClock.js";

/**
 * Makes, at the start of each tick, a predicate that says when the tick must end. The
 * Cooperator asks the predicate after every unit of work (so a tick always does at least one).
 */
export type TerminationPredicateFactory = () => () => boolean;

/**
 * Schedules the Cooperator's next tick: calls `tick` at some later time and returns a handle
 * whose `cancel()` unschedules it. `(tick) => clock.callLater(0, tick)` is one.
 */
export type CooperatorScheduler = (tick: () => void) => Pick<IDelayedCall, "cancel">;

/** Options for a {@link Cooperator}; all are optional. */
export interface CooperatorOptions {
  /**
   * Decides how long a tick lasts. The default ends a tick once about 10 ms of real time have
   * passed ({@link Cooperator.MAX_SLICE}).
   */
  terminationPredicateFactory?: TerminationPredicateFactory;
  /** Schedules each tick. The default calls `clock.callLater(1e-8, tick)`. */
  scheduler?: CooperatorScheduler;
  /**
   * The clock the default scheduler uses; the default clock (the installed reactor) when
   * omitted. Ignored when `scheduler` is given.
   */
  clock?: IReactorTime;
  /** Whether tasks run as soon as they are added (true, the default) or only after `start()`. */
  started?: boolean;
}

/** The delay of each tick with the default scheduler, in seconds: Twisted's `_EPSILON`. */
const EPSILON = 1e-8;

/**
 * A cooperative task scheduler: it runs many iterators (generators, usually), one step of one
 * iterator at a time, round robin, in ticks of about 10 ms, scheduling each tick with
 * `callLater`. Long computations written as generators that `yield` often then share the loop
 * with network I/O. Twisted's `twisted.internet.task.Cooperator`.
 *
 * A task that yields a Deferred (or a Promise) is paused until it settles, so a generator can
 * also run asynchronous steps one after another.
 *
 * ```ts
 * const coop = new Cooperator({ clock: reactor });
 * const task = coop.cooperate(function* () { for (const row of rows) { process(row); yield; } }());
 * task.whenDone().addCallback(() => console.log("done"));
 * ```
 *
 * Differences from Twisted: options come as an object, with an extra `clock`. `stop()` fails
 * every unfinished task at once, including paused ones (Twisted fails a paused task only when
 * it resumes, and, as it removes tasks from the list it is walking, can miss every other
 * running one). A yielded Promise pauses a task like a Deferred. An async iterator is a
 * TypeError. The default scheduler throws, when a task is added, if no clock is given and no
 * reactor is installed.
 */
export class Cooperator {
  /** The default length of a tick, in seconds: 10 ms. */
  static readonly MAX_SLICE = 0.01;

  private readonly tasks: CooperativeTask[] = [];
  private readonly live = new Set<CooperativeTask>();
  private metarator: Iterator<CooperativeTask> = [][Symbol.iterator]();
  private readonly terminationPredicateFactory: TerminationPredicateFactory;
  private readonly scheduler: CooperatorScheduler;
  private delayedCall: Pick<IDelayedCall, "cancel"> | null = null;
  private stopped = false;
  private started: boolean;
  private mustScheduleOnStart = false;

  /** @param options - how ticks are timed and scheduled; see {@link CooperatorOptions}. */
  constructor(options: CooperatorOptions = {}) {
    this.terminationPredicateFactory = options.terminationPredicateFactory ?? realTimeSlice;
    const clock = options.clock;
    this.scheduler =
      options.scheduler ?? ((tick) => (clock ?? getDefaultClock()).callLater(EPSILON, tick));
    this.started = options.started ?? true;
  }

  /** Whether the Cooperator has been started and not stopped since. */
  get running(): boolean {
    return this.started && !this.stopped;
  }

  /**
   * Run an iterator as a cooperative task, and get a Deferred for its end.
   * @param iterator - the work; each `next()` is one unit.
   * @param doneDeferred - the Deferred to fire; a new one by default.
   * @returns a Deferred that fires with the iterator when it is exhausted, or errbacks as
   *   `CooperativeTask.whenDone()` does.
   * @throws what the scheduler throws.
   */
  coiterate<I extends CooperativeIterator>(iterator: I, doneDeferred?: Deferred<I>): Deferred<I> {
    const done = doneDeferred ?? new Deferred<I>();
    this.cooperate(iterator).whenDone().chainDeferred(done);
    return done;
  }

  /**
   * Run an iterator as a long-running cooperative task, which you can pause, resume, stop and
   * wait for.
   * @param iterator - the work; each `next()` is one unit.
   * @returns the task. On a stopped Cooperator it has already failed with `SchedulerStopped`.
   * @throws TypeError for an async iterator (an async generator): yield Promises from a plain
   *   generator instead.
   * @throws what the scheduler throws; the task is then not added.
   */
  cooperate<I extends CooperativeIterator>(iterator: I): CooperativeTask<I> {
    if (typeof iterator?.next !== "function" || Symbol.asyncIterator in iterator) {
      throw new TypeError(
        "cooperate() takes a synchronous iterator; yield Promises or Deferreds to wait",
      );
    }
    return new CooperativeTask(iterator, this);
  }

  /** Begin (or, after `stop()`, resume) scheduling ticks and accepting tasks. */
  start(): void {
    this.stopped = false;
    this.started = true;
    if (this.mustScheduleOnStart) {
      this.mustScheduleOnStart = false;
      this.reschedule();
    }
  }

  /**
   * Stop: cancel the next tick and fail every unfinished task, paused or not, with
   * `SchedulerStopped`; tasks added afterwards fail at once, until `start()`.
   */
  stop(): void {
    this.stopped = true;
    for (const task of [...this.live]) {
      task.completeWith(SchedulerStopped, stoppedFailure());
    }
    this.tasks.length = 0;
    this.cancelTick();
  }

  /** Add a task that is ready to run. @internal */
  addTask(task: CooperativeTask): void {
    this.live.add(task);
    if (this.stopped) {
      task.completeWith(SchedulerStopped, stoppedFailure());
      return;
    }
    this.tasks.push(task);
    try {
      this.reschedule();
    } catch (error) {
      this.removeTask(task);
      this.live.delete(task);
      throw error;
    }
  }

  /** Take a task out of the round robin (paused or finished). @internal */
  removeTask(task: CooperativeTask): void {
    const index = this.tasks.indexOf(task);
    if (index >= 0) this.tasks.splice(index, 1);
    if (this.tasks.length === 0) this.cancelTick();
  }

  /** Forget a finished task. @internal */
  forgetTask(task: CooperativeTask): void {
    this.live.delete(task);
  }

  /** Run one tick: units of work, round robin, until the tick's predicate says stop. */
  private readonly tick = (): void => {
    this.delayedCall = null;
    for (const task of this.tasksWhileNotStopped()) task.oneWorkUnit();
    this.reschedule();
  };

  private *tasksWhileNotStopped(): Generator<CooperativeTask, void, undefined> {
    const terminator = this.terminationPredicateFactory();
    while (this.tasks.length > 0) {
      for (let step = this.metarator.next(); step.done !== true; step = this.metarator.next()) {
        yield step.value;
        if (terminator()) return;
      }
      this.metarator = this.tasks[Symbol.iterator]();
    }
  }

  private reschedule(): void {
    if (!this.started) {
      this.mustScheduleOnStart = true;
      return;
    }
    if (this.delayedCall === null && this.tasks.length > 0) {
      this.delayedCall = this.scheduler(this.tick);
    }
  }

  private cancelTick(): void {
    const call = this.delayedCall;
    this.delayedCall = null;
    call?.cancel();
  }
}

function stoppedFailure(): Failure {
  return new Failure(new SchedulerStopped("The Cooperator was stopped"));
}

/** The default termination predicate factory: a slice of `MAX_SLICE` seconds of real time. */
function realTimeSlice(): () => boolean {
  const end = performance.now() + Cooperator.MAX_SLICE * 1000;
  return () => performance.now() >= end;
}

const theCooperator = new Cooperator();

/**
 * Run an iterator on the global Cooperator, sharing its ticks with every other iterator given to
 * `coiterate` or `cooperate`. The global Cooperator schedules with the default clock (the
 * installed reactor). Twisted's `twisted.internet.task.coiterate`.
 * @param iterator - the work; each `next()` is one unit.
 * @returns a Deferred that fires with the iterator when it is exhausted, or errbacks with its
 *   error.
 * @throws Error if no reactor is installed (see `setDefaultClock`).
 */
export function coiterate<I extends CooperativeIterator>(iterator: I): Deferred<I> {
  return theCooperator.coiterate(iterator);
}

/**
 * Run an iterator as a long-running task on the global Cooperator (see {@link coiterate}).
 * Twisted's `twisted.internet.task.cooperate`.
 * @param iterator - the work; each `next()` is one unit.
 * @returns the task, to pause, resume, stop or wait for.
 * @throws Error if no reactor is installed (see `setDefaultClock`).
 */
export function cooperate<I extends CooperativeIterator>(iterator: I): CooperativeTask<I> {
  return theCooperator.cooperate(iterator);
}
