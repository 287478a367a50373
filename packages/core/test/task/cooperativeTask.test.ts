import { beforeEach, describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/index.js";
import {
  NotPaused,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  TaskStopped,
} from "../../src/errors.js";
import type { Failure } from "../../src/failure.js";
import { type CooperativeTask, Cooperator } from "../../src/task/index.js";
import { FakeScheduler } from "./helpers.js";

class UnhandledException extends Error {}

/**
 * A worker generator whose next step the test picks (defer, stop, die, or count), run by a
 * Cooperator that does one unit of work per tick on a fake scheduler.
 */
class Fixture {
  doDeferNext = false;
  doStopNext = false;
  doDieNext = false;
  work: unknown[] = [];
  readonly scheduler = new FakeScheduler();
  readonly cooperator = new Cooperator({
    scheduler: this.scheduler.schedule,
    terminationPredicateFactory: () => () => true,
  });
  readonly iterator = this.worker();
  readonly task: CooperativeTask<Generator<unknown, void, undefined>> = this.cooperator.cooperate(
    this.iterator,
  );

  private *worker(): Generator<unknown, void, undefined> {
    let i = 0;
    for (;;) {
      i += 1;
      if (this.doDeferNext) {
        this.doDeferNext = false;
        const d = new Deferred<unknown>();
        this.work.push(d);
        yield d;
      } else if (this.doStopNext) {
        return;
      } else if (this.doDieNext) {
        throw new UnhandledException();
      } else {
        this.work.push(i);
        yield i;
      }
    }
  }
}

describe("CooperativeTask: pause, resume, stop, whenDone", () => {
  let f: Fixture;
  beforeEach(() => {
    f = new Fixture();
  });

  it("does no work while paused and resumes on the next tick, not at resume()", () => {
    f.scheduler.pump();
    expect(f.work).toEqual([1]);
    f.scheduler.pump();
    expect(f.work).toEqual([1, 2]);
    f.task.pause();
    f.scheduler.pump();
    expect(f.work).toEqual([1, 2]);
    f.task.resume();
    expect(f.work).toEqual([1, 2]);
    f.scheduler.pump();
    expect(f.work).toEqual([1, 2, 3]);
  });

  it("raises NotPaused from resume() on a task that is not paused", () => {
    expect(() => f.task.resume()).toThrow(NotPaused);
    f.task.pause();
    f.task.resume();
    expect(() => f.task.resume()).toThrow(NotPaused);
  });

  it("counts pauses: two pauses need two resumes", () => {
    f.task.pause();
    f.scheduler.pump();
    f.task.pause();
    f.scheduler.pump();
    f.task.resume();
    f.scheduler.pump();
    expect(f.work).toEqual([]);
    f.task.resume();
    f.scheduler.pump();
    expect(f.work).toEqual([1]);
  });

  it("waits for both the yielded Deferred and a resume when paused meanwhile", () => {
    f.doDeferNext = true;
    f.scheduler.pump();
    expect(f.work).toHaveLength(1);
    expect(f.work[0]).toBeInstanceOf(Deferred);
    f.scheduler.pump();
    expect(f.work).toHaveLength(1);
    f.task.pause();
    f.scheduler.pump();
    f.task.resume();
    f.scheduler.pump();
    expect(f.work).toHaveLength(1);
    (f.work[0] as Deferred<unknown>).callback("STUFF!");
    f.scheduler.pump();
    expect(f.work).toEqual([f.work[0], 2]);
  });

  it("fires every whenDone() Deferred with the iterator, each with its own chain", () => {
    const d1 = f.task.whenDone();
    const d2 = f.task.whenDone();
    const results: unknown[] = [];
    const finals: unknown[] = [];
    d1.addCallback((r) => {
      results.push(r);
      return 1;
    }).addCallback((r) => finals.push(r));
    d2.addCallback((r) => {
      results.push(r);
      return 2;
    }).addCallback((r) => finals.push(r));
    f.doStopNext = true;
    f.scheduler.pump();
    expect(results).toEqual([f.iterator, f.iterator]);
    expect(finals).toEqual([1, 2]);
  });

  it("fails whenDone() with the iterator's error", () => {
    const errors: Failure[] = [];
    f.task.whenDone().addErrback((failure) => {
      errors.push(failure);
    });
    f.doDieNext = true;
    f.scheduler.pump();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.check(UnhandledException)).toBe(UnhandledException);
  });

  it("fails whenDone() with TaskStopped on stop()", () => {
    const errors: Failure[] = [];
    f.task.whenDone().addErrback((failure) => {
      errors.push(failure);
    });
    f.task.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.check(TaskStopped)).toBe(TaskStopped);
  });

  it("fires a whenDone() asked for after completion at once", () => {
    f.doStopNext = true;
    f.scheduler.pump();
    const results: unknown[] = [];
    f.task.whenDone().addCallback((r) => results.push(r));
    expect(results).toEqual([f.iterator]);
  });

  it("does no more work once stopped, and raises TaskStopped from stop() and pause()", () => {
    f.task.stop();
    f.scheduler.pump();
    expect(f.work).toEqual([]);
    expect(() => f.task.stop()).toThrow(TaskStopped);
    expect(() => f.task.pause()).toThrow(TaskStopped);
    f.scheduler.pump();
    expect(f.work).toEqual([]);
  });

  it("makes resume() of a paused, stopped task a no-op", () => {
    f.task.pause();
    f.task.stop();
    f.task.resume();
    f.scheduler.pump();
    expect(f.work).toEqual([]);
  });

  it("does not resume a stopped task when the Deferred it waited on fires", () => {
    f.doDeferNext = true;
    f.scheduler.pump();
    const d = f.work.pop() as Deferred<unknown>;
    const results: unknown[] = [];
    d.addBoth((r) => {
      results.push(r);
    });
    f.scheduler.pump();
    f.task.stop();
    f.scheduler.pump();
    d.callback(7);
    f.scheduler.pump();
    // The Cooperator consumed the Deferred's result, as in Twisted.
    expect(results).toEqual([undefined]);
    expect(f.work).toEqual([]);
  });

  it("ignores the failure of a yielded Deferred after the task was stopped", () => {
    f.doDeferNext = true;
    f.scheduler.pump();
    const d = f.work.pop() as Deferred<unknown>;
    f.task.stop();
    d.errback(new UnhandledException());
    const after: unknown[] = [];
    d.addBoth((r) => {
      after.push(r);
    });
    expect(after).toEqual([undefined]);
  });

  it("raises TaskDone from stop() once the iterator is exhausted", () => {
    f.doStopNext = true;
    f.scheduler.pump();
    expect(() => f.task.stop()).toThrow(TaskDone);
  });

  it("raises TaskFailed from stop() once the iterator has failed", () => {
    f.task.whenDone().addErrback(() => undefined);
    f.doDieNext = true;
    f.scheduler.pump();
    expect(() => f.task.stop()).toThrow(TaskFailed);
  });

  it("has left the Cooperator by the time its done callbacks run", () => {
    const phases: unknown[] = [];
    f.task.whenDone().addCallback((r) => {
      phases.push(r);
      f.cooperator.stop();
      phases.push("done");
    });
    f.doStopNext = true;
    f.scheduler.pump();
    expect(phases).toEqual([f.iterator, "done"]);
  });

  it("fails a paused task with SchedulerStopped when the Cooperator stops", () => {
    const errors: Failure[] = [];
    f.task.whenDone().addErrback((failure) => {
      errors.push(failure);
    });
    f.task.pause();
    f.cooperator.stop();
    expect(errors[0]?.check(SchedulerStopped)).toBe(SchedulerStopped);
    expect(() => f.task.pause()).toThrow(SchedulerStopped);
    f.task.resume();
    f.scheduler.pump();
    expect(f.work).toEqual([]);
  });
});
