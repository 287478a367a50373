import { afterEach, describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/index.js";
import { Clock, getDefaultClock, LoopingCall, setDefaultClock } from "../../src/task/index.js";
import { failureResultOf, hasNoResult, successResultOf } from "./helpers.js";

class TestException extends Error {}

/** A LoopingCall on `clock`. */
function looping<A extends unknown[]>(clock: Clock, f: (...args: A) => unknown, ...args: A) {
  const loop = new LoopingCall(f, ...args);
  loop.clock = clock;
  return loop;
}

describe("LoopingCall: the basic loop", () => {
  it("calls f at once and then every interval, and fires with itself on stop", () => {
    const clock = new Clock();
    const calls: unknown[][] = [];
    const loop = looping(clock, (a: string, b: string) => calls.push([a, b]), "a", "b");
    const d = loop.start(0.1);
    expect(loop.running).toBe(true);
    clock.pump([0.05, 0.1, 0.1]);
    expect(calls).toEqual([
      ["a", "b"],
      ["a", "b"],
      ["a", "b"],
    ]);
    expect(hasNoResult(d)).toBe(true);
    loop.stop();
    expect(loop.running).toBe(false);
    expect(successResultOf(d)).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("waits one interval before the first call when now is false", () => {
    const clock = new Clock();
    const calls: number[] = [];
    const loop = looping(clock, () => calls.push(clock.seconds()));
    const d = loop.start(0.1, false);
    expect(calls).toEqual([]);
    clock.pump([0.05, 0.1, 0.1]);
    expect(calls).toHaveLength(2);
    loop.stop();
    expect(successResultOf(d)).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("rejects a negative or NaN interval", () => {
    const loop = looping(new Clock(), () => undefined);
    expect(() => loop.start(-1)).toThrow(RangeError);
    expect(() => loop.start(Number.NaN)).toThrow(RangeError);
    expect(loop.running).toBe(false);
  });

  it("refuses to start twice, and to stop or reset when not running", () => {
    const loop = looping(new Clock(), () => undefined);
    expect(() => loop.stop()).toThrow("Tried to stop a LoopingCall that was not running.");
    expect(() => loop.reset()).toThrow("Tried to reset a LoopingCall that was not running.");
    loop.start(1);
    expect(() => loop.start(1)).toThrow("Tried to start an already running LoopingCall.");
  });

  it.each([0, 10])("makes no call when stopped at once (interval %s)", (interval) => {
    const clock = new Clock();
    let ran = false;
    const loop = looping(clock, () => {
      ran = true;
    });
    loop.start(interval, false);
    loop.stop();
    expect(ran).toBe(false);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("restarts the grid from now on reset", () => {
    const clock = new Clock();
    const ran: number[] = [];
    const loop = looping(clock, () => ran.push(clock.seconds()));
    loop.start(2, false);
    clock.advance(1);
    loop.reset();
    clock.advance(1);
    expect(ran).toEqual([]);
    clock.advance(1);
    expect(ran).toEqual([3]);
  });

  it("calls f on every turn with interval 0, which on a Clock is within one advance", () => {
    const clock = new Clock();
    let count = 0;
    const loop = looping(clock, () => {
      count += 1;
      if (count > 5) loop.stop();
    });
    const d = loop.start(0);
    expect(count).toBe(1);
    expect(clock.getDelayedCalls().map((call) => call.getTime())).toEqual([0]);
    // Each call schedules the next at the present time, which the same advance then runs.
    clock.advance(0);
    expect(count).toBe(6);
    expect(successResultOf(d)).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("applies a changed interval from the next scheduling, on the same grid origin", () => {
    const clock = new Clock();
    const times: number[] = [];
    const loop = looping(clock, () => times.push(clock.seconds()));
    loop.start(1);
    loop.interval = 3;
    clock.pump([1, 1, 1, 1, 1, 1]);
    // The call at 1 was already scheduled; from there the next grid point of 3 is 3.
    expect(times).toEqual([0, 1, 3, 6]);
  });

  it("describes itself with its interval and function", () => {
    function poll() {}
    const loop = looping(new Clock(), poll);
    loop.start(1.5);
    expect(loop.toString()).toBe("LoopingCall<1.5>(poll, 0 args)");
  });
});

describe("LoopingCall: the clock", () => {
  afterEach(() => {
    setDefaultClock(undefined);
  });

  it("throws a clear error when no clock is set and no reactor is installed", () => {
    const loop = new LoopingCall(() => undefined);
    expect(() => loop.clock).toThrow("no reactor installed; set loopingCall.clock");
    expect(() => loop.start(1)).toThrow("no reactor installed; set loopingCall.clock");
    expect(loop.running).toBe(false);
  });

  it("uses the default clock until one is set", () => {
    const reactorClock = new Clock();
    expect(setDefaultClock(reactorClock)).toBeUndefined();
    expect(getDefaultClock()).toBe(reactorClock);
    const loop = new LoopingCall(() => undefined);
    expect(loop.clock).toBe(reactorClock);
    const mine = new Clock();
    loop.clock = mine;
    expect(loop.clock).toBe(mine);
    loop.start(1, false);
    expect(mine.getDelayedCalls()).toHaveLength(1);
    expect(reactorClock.getDelayedCalls()).toHaveLength(0);
    loop.stop();
  });
});

describe("LoopingCall: skipping missed intervals", () => {
  it("skips the grid points that passed while f ran", () => {
    const clock = new Clock();
    const times: number[] = [];
    let callDuration = 2;
    const loop = looping(clock, () => {
      times.push(clock.seconds());
      clock.advance(callDuration);
    });
    loop.start(0.5);
    expect(times).toEqual([0]);
    expect(clock.seconds()).toBe(2);
    // The grid point at 2 is the present, not the future: it is skipped.
    clock.advance(0);
    expect(times).toEqual([0]);
    callDuration = 1;
    clock.advance(0.5);
    expect(times).toEqual([0, 2.5]);
    expect(clock.seconds()).toBe(3.5);
    clock.advance(0);
    expect(times).toEqual([0, 2.5]);
    callDuration = 0;
    clock.advance(0.5);
    expect(times).toEqual([0, 2.5, 4]);
  });

  it("skips the grid points that passed while the loop was late, without bunching", () => {
    const clock = new Clock();
    const times: number[] = [];
    const loop = looping(clock, () => times.push(clock.seconds()));
    loop.start(0.5);
    clock.advance(2);
    expect(times).toEqual([0, 2]);
    clock.advance(1);
    expect(times).toEqual([0, 2, 3]);
    clock.advance(0);
    expect(times).toEqual([0, 2, 3]);
  });

  it("does not reschedule while f's Deferred is pending", () => {
    const clock = new Clock();
    const loop = looping(clock, () => {
      const d = new Deferred<void>();
      d.addCallback(() => loop.stop());
      clock.callLater(1, () => d.callback(undefined));
      return d;
    });
    const done = loop.start(0.2);
    clock.pump([0.2, 0.8]);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(successResultOf(done)).toBe(loop);
  });

  it("waits for a returned Promise before scheduling the next call", async () => {
    const clock = new Clock();
    let resolve: () => void = () => undefined;
    let calls = 0;
    const loop = looping(clock, () => {
      calls += 1;
      return new Promise<void>((r) => {
        resolve = r;
      });
    });
    loop.start(1);
    clock.advance(5);
    expect(calls).toBe(1);
    expect(clock.getDelayedCalls()).toEqual([]);
    resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(clock.getDelayedCalls()).toHaveLength(1);
    clock.advance(1);
    expect(calls).toBe(2);
  });
});

describe("LoopingCall: stopping and failing", () => {
  it("fires the start Deferred only when a pending f finishes, if stopped meanwhile", () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const loop = looping(clock, () => pending);
    const done = loop.start(1);
    loop.stop();
    expect(loop.running).toBe(false);
    expect(hasNoResult(done)).toBe(true);
    pending.callback(undefined);
    expect(successResultOf(done)).toBe(loop);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("errbacks with f's error and stops the loop when f throws", () => {
    const clock = new Clock();
    const loop = looping(
      clock,
      (x: string) => {
        throw new TestException(x);
      },
      "bar",
    );
    const done = loop.start(0.1);
    expect(loop.running).toBe(false);
    const failure = failureResultOf(done, TestException);
    expect((failure.value as Error).message).toBe("bar");
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("errbacks when f stops the loop and then throws", () => {
    const clock = new Clock();
    const loop = looping(clock, () => {
      loop.stop();
      throw new TestException("late");
    });
    failureResultOf(loop.start(0.1), TestException);
    expect(loop.running).toBe(false);
  });

  it("errbacks when f's Deferred fails, leaving nothing scheduled", () => {
    const clock = new Clock();
    const loop = looping(clock, () => {
      const d = new Deferred<void>();
      clock.callLater(0.3, () => d.errback(new TestException()));
      return d;
    });
    const done = loop.start(1);
    clock.pump([0.3]);
    failureResultOf(done, TestException);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("errbacks when f's Promise rejects", async () => {
    const clock = new Clock();
    const loop = looping(clock, () => Promise.reject(new TestException("rejected")));
    const done = loop.start(1);
    await done.then(
      () => expect.fail("the loop should have failed"),
      (error: unknown) => expect(error).toBeInstanceOf(TestException),
    );
    expect(loop.running).toBe(false);
  });

  it("can be started again after it stopped", () => {
    const clock = new Clock();
    let calls = 0;
    const loop = looping(clock, () => {
      calls += 1;
    });
    loop.start(1);
    loop.stop();
    const again = loop.start(1);
    clock.advance(1);
    expect(calls).toBe(3);
    loop.stop();
    expect(successResultOf(again)).toBe(loop);
  });
});
