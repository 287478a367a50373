/**
 * `CooperativeTask`: one iterator being run by a `Cooperator`.
 * @packageDocumentation
 */

import { Deferred } from "../defer/index.js";
import {
  NotPaused,
  type SchedulerError,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  TaskStopped,
} from "../errors.js";
import { Failure } from "../failure.js";

/**
 * What a Cooperator runs: an iterator (a generator, usually) whose every `next()` is one small
 * unit of work. Yielding a Deferred or a Promise pauses the task until it settles.
 */
export type CooperativeIterator = Iterator<unknown, unknown, undefined>;

/**
 * The side of a Cooperator that its tasks talk to.
 * @internal
 */
export interface TaskHost {
  addTask(task: CooperativeTask): void;
  removeTask(task: CooperativeTask): void;
  forgetTask(task: CooperativeTask): void;
}

type Completion = new (message?: string) => SchedulerError;

const completionMessages = new Map<Function, string>([
  [TaskDone, "This task has already completed"],
  [TaskFailed, "This task has already failed"],
  [TaskStopped, "This task was stopped"],
  [SchedulerStopped, "The Cooperator was stopped"],
]);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * A task inside a {@link Cooperator}: an iterator that the Cooperator advances a step at a time,
 * taking turns with its other tasks. You can pause, resume and stop it, and wait for it to
 * finish. Twisted's `twisted.internet.task.CooperativeTask`; make one with
 * `Cooperator.cooperate`.
 *
 * Differences from Twisted: a yielded Promise pauses the task like a yielded Deferred does. A
 * yielded Deferred that fails after the task has already finished is ignored (Twisted would
 * fail while firing the finished task's Deferreds again).
 *
 * @typeParam I - the iterator's type; `whenDone()` fires with it.
 */
export class CooperativeTask<I extends CooperativeIterator = CooperativeIterator> {
  private readonly iterator: I;
  private readonly cooperator: TaskHost;
  private deferreds: Deferred<I>[] = [];
  private pauseCount = 0;
  private completionState: Completion | null = null;
  private completionResult: I | Failure | null = null;

  /**
   * Use `Cooperator.cooperate` instead: it creates the task and adds it to the Cooperator.
   * @param iterator - the work.
   * @param cooperator - the Cooperator that runs it.
   * @internal
   */
  constructor(iterator: I, cooperator: TaskHost) {
    this.iterator = iterator;
    this.cooperator = cooperator;
    cooperator.addTask(this as CooperativeTask);
  }

  /**
   * A new Deferred for the end of this task. Each call returns a new one, so callbacks on one do
   * not change what the others see.
   * @returns a Deferred that fires with the iterator once it is exhausted, or errbacks with what
   *   `next()` threw (or with the failure of a yielded Deferred), with `TaskStopped` after
   *   `stop()`, or with `SchedulerStopped` when its Cooperator is stopped. If the task has
   *   already finished, it has already fired.
   */
  whenDone(): Deferred<I> {
    const d = new Deferred<I>();
    if (this.completionState === null) this.deferreds.push(d);
    else this.fireOne(d, this.completionResult as I | Failure);
    return d;
  }

  /**
   * Stop doing work until `resume()`. Pauses count: pausing twice needs two resumes.
   * @throws TaskDone, TaskFailed, TaskStopped or SchedulerStopped if the task has finished.
   */
  pause(): void {
    this.checkFinish();
    this.pauseCount += 1;
    if (this.pauseCount === 1) this.cooperator.removeTask(this as CooperativeTask);
  }

  /**
   * Undo one `pause()`. After the last one, the task takes turns again from the Cooperator's
   * next tick (not at once). Resuming a paused task that has meanwhile finished does nothing.
   * @throws NotPaused if the task is not paused.
   */
  resume(): void {
    if (this.pauseCount === 0) throw new NotPaused("This task is not paused");
    this.pauseCount -= 1;
    if (this.pauseCount === 0 && this.completionState === null) {
      this.cooperator.addTask(this as CooperativeTask);
    }
  }

  /**
   * Stop this task for good: it does no more work, and `whenDone()` errbacks with
   * `TaskStopped`. The iterator is not closed (its `return()` is not called).
   * @throws TaskDone, TaskFailed, TaskStopped or SchedulerStopped if the task has finished.
   */
  stop(): void {
    this.checkFinish();
    this.completeWith(TaskStopped, new Failure(new TaskStopped("This task was stopped")));
  }

  /**
   * Finish the task: record how, leave the Cooperator, then fire the `whenDone()` Deferreds
   * (last, so that their callbacks see the Cooperator without this task).
   * @internal
   */
  completeWith(state: Completion, result: I | Failure): void {
    this.completionState = state;
    this.completionResult = result;
    if (this.pauseCount === 0) this.cooperator.removeTask(this as CooperativeTask);
    this.cooperator.forgetTask(this as CooperativeTask);
    const deferreds = this.deferreds;
    this.deferreds = [];
    for (const d of deferreds) this.fireOne(d, result);
  }

  /** Whether the task has finished (completed, failed, or was stopped). @internal */
  get finished(): boolean {
    return this.completionState !== null;
  }

  /**
   * Do one unit of work: take one item from the iterator; finish when it is exhausted or
   * throws; pause until it settles when the item is a Deferred or a Promise.
   * @internal
   */
  oneWorkUnit(): void {
    if (this.completionState !== null) return;
    let step: IteratorResult<unknown, unknown>;
    try {
      step = this.iterator.next();
    } catch (error) {
      this.completeWith(TaskFailed, Failure.from(error));
      return;
    }
    if (step.done === true) {
      this.completeWith(TaskDone, this.iterator);
      return;
    }
    const value = step.value;
    if (value instanceof Deferred || isThenable(value)) {
      this.pause();
      Deferred.fromPromise(value as PromiseLike<unknown>).addCallbacks(
        () => {
          this.resume();
        },
        (failure: Failure) => {
          if (this.completionState === null) this.completeWith(TaskFailed, failure);
        },
      );
    }
  }

  private fireOne(d: Deferred<I>, result: I | Failure): void {
    if (Failure.isFailure(result)) d.errback(result);
    else d.callback(result);
  }

  private checkFinish(): void {
    const State = this.completionState;
    if (State !== null) throw new State(completionMessages.get(State));
  }
}
