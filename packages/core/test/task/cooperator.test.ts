import { afterEach, describe, expect, it, vi } from "vitest";
import { Deferred, fail } from "../../src/defer/index.js";
import { SchedulerStopped } from "../../src/errors.js";
import { Clock, Cooperator, coiterate, cooperate, setDefaultClock } from "../../src/task/index.js";
import { FakeDelayedCall, FakeScheduler, failureResultOf, successResultOf } from "./helpers.js";

class TestException extends Error {}

/** A termination predicate factory that allows `n` units of work per tick. */
function unitsPerTick(n: number) {
  return () => {
    let left = n;
    return () => --left <= 0;
  };
}

function* range(n: number, out?: number[]) {
  for (let i = 0; i < n; i++) {
    out?.push(i);
    yield i;
  }
}

describe("Cooperator: running tasks", () => {
  it("runs a task to completion and fires coiterate's Deferred with the iterator", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const out: number[] = [];
    const it = range(3, out);
    const d = coop.coiterate(it);
    while (scheduler.work.length > 0) scheduler.pump();
    expect(out).toEqual([0, 1, 2]);
    expect(successResultOf(d)).toBe(it);
  });

  it("interleaves tasks round robin", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const seen: unknown[] = [];
    function* each(things: unknown[]) {
      for (const thing of things) {
        seen.push(thing);
        yield;
      }
    }
    const groups = [
      ["a", "b", "c"],
      [1, 2, 3],
      ["d", "e", "f"],
      [4, 5, 6],
    ];
    const done = groups.map((group) => coop.coiterate(each(group)));
    while (scheduler.work.length > 0) scheduler.pump();
    expect(seen).toEqual(["a", 1, "d", 4, "b", 2, "e", 5, "c", 3, "f", 6]);
    for (const d of done) successResultOf(d);
  });

  it("ends each tick when the termination predicate says so, keeping turns across ticks", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({
      scheduler: scheduler.schedule,
      terminationPredicateFactory: unitsPerTick(3),
    });
    const seen: string[] = [];
    function* named(name: string) {
      for (let i = 0; i < 4; i++) {
        seen.push(`${name}${i}`);
        yield;
      }
    }
    coop.cooperate(named("a"));
    coop.cooperate(named("b"));
    scheduler.pump();
    expect(seen).toEqual(["a0", "b0", "a1"]);
    scheduler.pump();
    expect(seen.slice(3)).toEqual(["b1", "a2", "b2"]);
  });

  it("stops a tick when the predicate turns true, even mid-task", () => {
    const scheduler = new FakeScheduler();
    let stopped = false;
    const coop = new Cooperator({
      scheduler: scheduler.schedule,
      terminationPredicateFactory: () => () => stopped,
    });
    const out: number[] = [];
    function* work() {
      for (let i = 0; i < 100; i++) {
        out.push(i);
        if (i === 9) stopped = true;
        yield i;
      }
    }
    coop.coiterate(work()).addErrback((f) => f.trap(SchedulerStopped));
    scheduler.pump();
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    coop.stop();
  });

  it("ends the default tick after about 10 ms of real time", () => {
    let now = 0;
    const spy = vi.spyOn(performance, "now").mockImplementation(() => {
      now += 4;
      return now;
    });
    try {
      const scheduler = new FakeScheduler();
      const coop = new Cooperator({ scheduler: scheduler.schedule });
      const out: number[] = [];
      coop.cooperate(range(100, out));
      scheduler.pump();
      // The slice ends 10 ms after it starts: the checks at +4 and +8 continue, +12 stops.
      expect(out).toEqual([0, 1, 2]);
      expect(Cooperator.MAX_SLICE).toBe(0.01);
      coop.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it("schedules each tick on the given clock, 1e-8 seconds later", () => {
    const clock = new Clock();
    const coop = new Cooperator({ clock, terminationPredicateFactory: unitsPerTick(1) });
    const out: number[] = [];
    const d = coop.coiterate(range(2, out));
    const [tick] = clock.getDelayedCalls();
    expect(tick?.getTime()).toBe(1e-8);
    clock.advance(1);
    expect(out).toEqual([0]);
    clock.advance(1);
    clock.advance(1);
    expect(out).toEqual([0, 1]);
    successResultOf(d);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("fails coiterate's Deferred with what the iterator throws", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    // A plain iterator (not a generator) whose first step fails.
    const failing: Iterator<unknown, unknown, undefined> = {
      next() {
        throw new TestException();
      },
    };
    const d = coop.coiterate(failing);
    scheduler.pump();
    failureResultOf(d, TestException);
  });

  it("fails coiterate's Deferred when a yielded Deferred has already failed", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const d = coop.coiterate(
      (function* () {
        yield fail(new TestException());
      })(),
    );
    scheduler.pump();
    failureResultOf(d, TestException);
  });

  it("fails coiterate's Deferred when a yielded Deferred fails later", () => {
    const clock = new Clock();
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const d = coop.coiterate(
      (function* () {
        const later = new Deferred<void>();
        clock.callLater(0, () => later.errback(new TestException()));
        yield later;
      })(),
    );
    scheduler.pump();
    clock.advance(0);
    failureResultOf(d, TestException);
  });

  it("pauses a task that yields a Promise until it settles", async () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    let resolve: () => void = () => undefined;
    const out: string[] = [];
    coop.cooperate(
      (function* () {
        out.push("before");
        yield new Promise<void>((r) => {
          resolve = r;
        });
        out.push("after");
      })(),
    );
    scheduler.pump();
    expect(out).toEqual(["before"]);
    expect(scheduler.work).toEqual([]);
    resolve();
    await Promise.resolve();
    await Promise.resolve();
    scheduler.pump();
    expect(out).toEqual(["before", "after"]);
  });

  it("rejects an async iterator, whose steps it could not tell apart from waits", () => {
    const coop = new Cooperator({ scheduler: new FakeScheduler().schedule });
    async function* later() {
      yield 1;
    }
    expect(() => coop.cooperate(later() as unknown as Iterator<unknown>)).toThrow(TypeError);
  });

  it("schedules only one tick when a done callback adds another task", () => {
    const calls: FakeDelayedCall[] = [];
    const coop = new Cooperator({
      scheduler: (tick) => {
        expect(calls).toEqual([]);
        const call = new FakeDelayedCall(tick);
        calls.push(call);
        return call;
      },
      terminationPredicateFactory: () => () => true,
    });
    const done: unknown[] = [];
    coop.coiterate([][Symbol.iterator]()).addCallback(() => {
      coop.coiterate([][Symbol.iterator]()).addBoth((r) => {
        done.push(r);
      });
    });
    let work = 0;
    while (done.length === 0 && work < 50) {
      work += 1;
      calls.shift()?.func();
    }
    expect(done).toHaveLength(1);
    expect(work).toBeLessThan(50);
  });

  it("cancels the scheduled tick when its last task goes, and schedules anew for a new one", () => {
    let last: FakeDelayedCall | undefined;
    const coop = new Cooperator({
      scheduler: (tick) => {
        last = new FakeDelayedCall(tick);
        return last;
      },
    });
    const task1 = coop.cooperate([1, 2][Symbol.iterator]());
    const task2 = coop.cooperate([1, 2][Symbol.iterator]());
    const first = last;
    task1.stop();
    expect(first?.cancelled).toBe(false);
    task2.stop();
    expect(first?.cancelled).toBe(true);
    coop.cooperate([1, 2][Symbol.iterator]());
    expect(last).not.toBe(first);
    expect(last?.cancelled).toBe(false);
    coop.stop();
  });
});

describe("Cooperator: starting and stopping", () => {
  it("reports running from its started flag, start() and stop()", () => {
    expect(new Cooperator({ scheduler: new FakeScheduler().schedule }).running).toBe(true);
    const coop = new Cooperator({ scheduler: new FakeScheduler().schedule, started: false });
    expect(coop.running).toBe(false);
    coop.start();
    expect(coop.running).toBe(true);
    coop.stop();
    expect(coop.running).toBe(false);
  });

  it("holds tasks until start() when created unstarted", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule, started: false });
    const out: number[] = [];
    coop.cooperate(range(1, out));
    expect(scheduler.work).toEqual([]);
    coop.start();
    scheduler.pump();
    expect(out).toEqual([0]);
  });

  it("fails new tasks at once with SchedulerStopped once stopped", () => {
    const coop = new Cooperator({ scheduler: new FakeScheduler().schedule });
    coop.stop();
    failureResultOf(coop.coiterate([][Symbol.iterator]()), SchedulerStopped);
    const mine = new Deferred<Iterator<never>>();
    expect(coop.coiterate([][Symbol.iterator](), mine)).toBe(mine);
    failureResultOf(mine, SchedulerStopped);
  });

  it("fails every running task with SchedulerStopped and runs none of them further", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const out: number[] = [];
    const done = [coop.coiterate(range(3, out)), coop.coiterate(range(3, out))];
    done.push(coop.coiterate(range(3, out)));
    coop.stop();
    for (const d of done) failureResultOf(d, SchedulerStopped);
    expect(scheduler.work.every((unit) => unit.cancelled)).toBe(true);
    scheduler.pump();
    expect(out).toEqual([]);
  });

  it("fails a task waiting on a yielded Deferred at once, and ignores that Deferred later", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const outstanding = new Deferred<string>();
    let resumed = false;
    const d = coop.coiterate(
      (function* () {
        yield outstanding;
        resumed = true;
      })(),
    );
    scheduler.pump();
    coop.stop();
    failureResultOf(d, SchedulerStopped);
    outstanding.callback("arglebargle");
    scheduler.pump();
    expect(resumed).toBe(false);
  });

  it("can be started again after a stop", () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    coop.stop();
    coop.start();
    const out: number[] = [];
    const d = coop.coiterate(range(1, out));
    scheduler.pump();
    scheduler.pump();
    expect(out).toEqual([0]);
    successResultOf(d);
  });
});

describe("coiterate and cooperate: the global Cooperator", () => {
  afterEach(() => {
    setDefaultClock(undefined);
  });

  it("runs tasks on the default clock", () => {
    const clock = new Clock();
    setDefaultClock(clock);
    const out: number[] = [];
    const task = cooperate(range(3, out));
    const d = coiterate(range(2));
    expect(clock.getDelayedCalls()).toHaveLength(1);
    clock.pump([1, 1, 1, 1]);
    expect(out).toEqual([0, 1, 2]);
    successResultOf(d);
    successResultOf(task.whenDone());
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("throws, adding nothing, when no reactor is installed", () => {
    expect(() => cooperate(range(1))).toThrow("no reactor installed");
    const clock = new Clock();
    setDefaultClock(clock);
    const d = coiterate(range(1));
    clock.pump([1, 1]);
    successResultOf(d);
  });
});
