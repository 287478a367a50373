import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlreadyCalled, AlreadyCancelled } from "../../src/errors.js";
import type { IReactorTime } from "../../src/interfaces/time.js";
import { Clock } from "../../src/task/clock.js";
import { DelayedCall } from "../../src/task/delayedCall.js";

describe("Clock: time and scheduling", () => {
  it("starts at time 0", () => {
    expect(new Clock().seconds()).toBe(0);
  });

  it("is an IReactorTime", () => {
    const time: IReactorTime = new Clock();
    expect(time.getDelayedCalls()).toEqual([]);
  });

  it("returns a new, active delayed call scheduled at now + delay", () => {
    const clock = new Clock();
    clock.advance(5);
    const first = clock.callLater(10, (_a: number, _b: string) => undefined, 1, "x");
    const second = clock.callLater(1, () => undefined);
    expect(first).toBeInstanceOf(DelayedCall);
    expect(first).not.toBe(second);
    expect(first.getTime()).toBe(15);
    expect(first.active()).toBe(true);
    expect(first.args).toEqual([1, "x"]);
  });

  it("type-checks the arguments against the function", () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    const f = (a: number, b: string) => seen.push(a, b);
    clock.callLater(1, f, 1, "x");
    // @ts-expect-error the arguments are in the wrong order
    clock.callLater(1, f, "x", 1);
    clock.advance(1);
    expect(seen).toEqual([1, "x", "x", 1]);
  });

  it("runs nothing before the time and the call when the time comes", () => {
    const clock = new Clock();
    const events: number[] = [];
    const call = clock.callLater(2, () => events.push(clock.seconds()));
    clock.advance(1);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([2]);
    expect(call.active()).toBe(false);
    expect(call.called).toBe(true);
  });

  it("runs a zero-delay call on advance(0)", () => {
    const clock = new Clock();
    let ran = false;
    clock.callLater(0, () => {
      ran = true;
    });
    expect(ran).toBe(false);
    clock.advance(0);
    expect(ran).toBe(true);
  });

  it("rejects a negative or NaN delay, and a function that is not one", () => {
    const clock = new Clock();
    expect(() => clock.callLater(-1, () => undefined)).toThrow(RangeError);
    expect(() => clock.callLater(Number.NaN, () => undefined)).toThrow(RangeError);
    expect(() => clock.callLater(1, "nope" as unknown as () => void)).toThrow(TypeError);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("rejects a negative advance", () => {
    const clock = new Clock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(clock.seconds()).toBe(0);
  });

  it("lists pending calls in run order, and forgets them once run or cancelled", () => {
    const clock = new Clock();
    const late = clock.callLater(2, () => undefined);
    const early = clock.callLater(1, () => undefined);
    const cancelled = clock.callLater(1.5, () => undefined);
    cancelled.cancel();
    expect(clock.getDelayedCalls()).toEqual([early, late]);
    expect(clock.calls).toEqual([early, late]);
    clock.advance(1);
    expect(clock.getDelayedCalls()).toEqual([late]);
  });

  it("pumps a list of advances", () => {
    const clock = new Clock();
    const times: number[] = [];
    for (const delay of [1, 2, 3]) clock.callLater(delay, () => times.push(clock.seconds()));
    clock.pump([1, 1, 1]);
    expect(times).toEqual([1, 2, 3]);
  });

  it("propagates an error thrown by a call and keeps the later calls pending", () => {
    const clock = new Clock();
    const ran: string[] = [];
    clock.callLater(1, () => {
      throw new Error("boom");
    });
    clock.callLater(1, () => ran.push("second"));
    expect(() => clock.advance(1)).toThrow("boom");
    expect(ran).toEqual([]);
    clock.advance(0);
    expect(ran).toEqual(["second"]);
  });
});

describe("Clock: DelayedCall cancel, delay and reset", () => {
  it("does not run a cancelled call", () => {
    const clock = new Clock();
    let ran = false;
    const call = clock.callLater(1, () => {
      ran = true;
    });
    call.cancel();
    expect(call.active()).toBe(false);
    expect(call.cancelled).toBe(true);
    clock.advance(2);
    expect(ran).toBe(false);
  });

  it("raises AlreadyCancelled from every change to a cancelled call", () => {
    const call = new Clock().callLater(1, () => undefined);
    call.cancel();
    expect(() => call.cancel()).toThrow(AlreadyCancelled);
    expect(() => call.reset(1)).toThrow(AlreadyCancelled);
    expect(() => call.delay(1)).toThrow(AlreadyCancelled);
  });

  it("raises AlreadyCalled from every change to a call that ran", () => {
    const clock = new Clock();
    const call = clock.callLater(1, () => undefined);
    clock.advance(1);
    expect(() => call.cancel()).toThrow(AlreadyCalled);
    expect(() => call.reset(1)).toThrow(AlreadyCalled);
    expect(() => call.delay(1)).toThrow(AlreadyCalled);
  });

  it("raises AlreadyCalled when a call cancels itself while it runs", () => {
    const clock = new Clock();
    const errors: unknown[] = [];
    const call = clock.callLater(1, () => {
      try {
        call.cancel();
      } catch (error) {
        errors.push(error);
      }
    });
    clock.advance(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AlreadyCalled);
  });

  it("delays a call relative to its scheduled time", () => {
    const clock = new Clock();
    const events: number[] = [];
    const call = clock.callLater(1, () => events.push(clock.seconds()));
    call.delay(1);
    expect(call.getTime()).toBe(2);
    clock.advance(1.5);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([2.5]);
  });

  it("moves a call sooner with a negative delay", () => {
    const clock = new Clock();
    const call = clock.callLater(5, () => undefined);
    call.delay(-3);
    expect(call.getTime()).toBe(2);
    clock.advance(2);
    expect(call.called).toBe(true);
  });

  it("resets a call to a later time, measured from now", () => {
    const clock = new Clock();
    const events: number[] = [];
    const call = clock.callLater(2, () => events.push(clock.seconds()));
    clock.advance(1);
    call.reset(3);
    expect(call.getTime()).toBe(4);
    clock.advance(2);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([4]);
  });

  it("resets a call to a sooner time", () => {
    const clock = new Clock();
    const events: number[] = [];
    const call = clock.callLater(4, () => events.push(clock.seconds()));
    call.reset(3);
    expect(call.getTime()).toBe(3);
    clock.advance(3);
    expect(events).toEqual([3]);
  });

  it("describes itself with its delay, state and function", () => {
    const clock = new Clock();
    function tick() {}
    const call = clock.callLater(1.5, tick);
    expect(call.toString()).toBe("<DelayedCall [1.5s] called=false cancelled=false tick(0 args)>");
  });
});

describe("Clock: ordering", () => {
  function recorder(clock: Clock) {
    const result: [string, number][] = [];
    const log = (name: string) => result.push([name, clock.seconds()]);
    return { result, log };
  }

  it("runs calls due at the same time in the order they were scheduled", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    for (const name of ["a", "b", "c", "d"]) clock.callLater(1, log, name);
    clock.advance(5);
    expect(result.map(([name]) => name)).toEqual(["a", "b", "c", "d"]);
  });

  it("runs calls in time order whatever order they were scheduled in", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    clock.callLater(3, log, "c");
    clock.callLater(1, log, "a");
    clock.callLater(2, log, "b");
    clock.advance(10);
    expect(result).toEqual([
      ["a", 10],
      ["b", 10],
      ["c", 10],
    ]);
  });

  it("honours a reset when a call is added afterwards", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    const a = clock.callLater(1, log, "a");
    a.reset(3);
    clock.callLater(2, log, "b");
    clock.pump([1, 1, 1]);
    expect(result).toEqual([
      ["b", 2],
      ["a", 3],
    ]);
  });

  it("honours a reset of an earlier call past a later one", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    const a = clock.callLater(1, log, "a");
    clock.callLater(2, log, "b");
    a.reset(3);
    clock.pump([1, 1, 1]);
    expect(result).toEqual([
      ["b", 2],
      ["a", 3],
    ]);
  });

  it("keeps calls ordered when a call resets another while it runs", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    const b = clock.callLater(2, log, "b");
    clock.callLater(1, () => b.reset(3));
    clock.callLater(3, log, "c");
    clock.pump(Array.from({ length: 10 }, () => 0.5));
    expect(result).toEqual([
      ["c", 3],
      ["b", 4],
    ]);
  });

  it("runs, in the same advance, calls that a call schedules for a time already due", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    clock.callLater(1, () => {
      log("first");
      clock.callLater(0, log, "added now");
      clock.callLater(0.5, log, "added later");
    });
    clock.callLater(1, log, "second");
    clock.advance(1);
    expect(result).toEqual([
      ["first", 1],
      ["second", 1],
      ["added now", 1],
    ]);
    clock.advance(0.5);
    expect(result.at(-1)).toEqual(["added later", 1.5]);
  });

  it("runs a call moved later to a shared time after the calls already there", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    const moved = clock.callLater(1, log, "moved");
    clock.callLater(3, log, "there");
    moved.reset(3);
    clock.advance(3);
    expect(result.map(([name]) => name)).toEqual(["there", "moved"]);
  });

  it("lets a call advance the clock re-entrantly", () => {
    const clock = new Clock();
    const { result, log } = recorder(clock);
    clock.callLater(1, () => {
      log("outer");
      clock.advance(2);
    });
    clock.callLater(2, log, "inner");
    clock.callLater(3.5, log, "late");
    clock.advance(1);
    expect(result).toEqual([
      ["outer", 1],
      ["inner", 3],
    ]);
    expect(clock.seconds()).toBe(3);
  });

  it("schedules, moves and runs 100,000 calls without quadratic cost", () => {
    const clock = new Clock();
    const n = 100_000;
    let last = -1;
    let inOrder = true;
    let ran = 0;
    const calls = [];
    for (let i = 0; i < n; i++) {
      calls.push(
        clock.callLater((i * 7919) % n, () => {
          const now = clock.seconds();
          if (now < last) inOrder = false;
          last = now;
          ran++;
        }),
      );
    }
    for (let i = 0; i < n; i += 2) calls[i]?.reset((i * 104729) % n);
    for (let i = 1; i < n; i += 4) calls[i]?.cancel();
    const started = performance.now();
    for (let step = 0; step < 1000; step++) clock.advance(n / 1000);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(ran).toBe(n - n / 4);
    expect(inOrder).toBe(true);
    expect(clock.getDelayedCalls()).toEqual([]);
  });
});

describe("Clock: properties", () => {
  // Delays and steps are multiples of 1/4, so sums are exact and ties are frequent.
  const quarter = fc.integer({ min: 0, max: 40 }).map((n) => n / 4);

  it("runs any set of calls in (time, scheduling order), each in the first advance that reaches it", () => {
    fc.assert(
      fc.property(
        fc.array(quarter, { maxLength: 40 }),
        fc.array(quarter, { maxLength: 30 }),
        (delays, steps) => {
          const clock = new Clock();
          const ran: { index: number; at: number }[] = [];
          delays.forEach((delay, index) => {
            clock.callLater(delay, () => ran.push({ index, at: clock.seconds() }));
          });
          let now = 0;
          const advanceTimes: number[] = [];
          for (const step of steps) {
            now += step;
            advanceTimes.push(now);
            clock.advance(step);
          }
          const expected = delays
            .map((delay, index) => ({ delay, index }))
            .filter(({ delay }) => advanceTimes.some((t) => t >= delay))
            .sort((x, y) => x.delay - y.delay || x.index - y.index);
          expect(ran.map((r) => r.index)).toEqual(expected.map((e) => e.index));
          for (const { index, at } of ran) {
            const due = delays[index] as number;
            expect(at).toBe(advanceTimes.find((t) => t >= due));
          }
          expect(clock.getDelayedCalls()).toHaveLength(delays.length - ran.length);
        },
      ),
    );
  });

  it("orders moved calls by their new time, behind calls already scheduled there", () => {
    fc.assert(
      fc.property(
        fc.array(quarter, { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), quarter), { maxLength: 30 }),
        (delays, resets) => {
          const clock = new Clock();
          const order: number[] = [];
          const calls = delays.map((delay, index) =>
            clock.callLater(delay, () => order.push(index)),
          );
          // The model: each (re)scheduling takes the next sequence number.
          const model = delays.map((time, index) => ({ index, time, seq: index }));
          let seq = delays.length;
          for (const [which, delay] of resets) {
            const i = which % delays.length;
            calls[i]?.reset(delay);
            model[i] = { index: i, time: delay, seq: seq++ };
          }
          clock.advance(100);
          const expected = [...model].sort((x, y) => x.time - y.time || x.seq - y.seq);
          expect(order).toEqual(expected.map((m) => m.index));
        },
      ),
    );
  });
});
