import { describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/index.js";
import { Clock, LoopingCall } from "../../src/task/index.js";
import { successResultOf } from "./helpers.js";

function counting(clock: Clock, fn: (count: number) => unknown) {
  const loop = LoopingCall.withCount(fn);
  loop.clock = clock;
  return loop;
}

describe("LoopingCall.withCount", () => {
  it("passes 1 per call, and the number of elapsed intervals after a skip", () => {
    const clock = new Clock();
    const times: [number, number][] = [];
    const loop = counting(clock, (count) => times.push([clock.seconds(), count]));
    const interval = 0.5;
    const delay = 0.01;
    loop.start(interval);
    expect(times).toEqual([[0, 1]]);
    clock.advance(interval + delay);
    expect(times).toEqual([
      [0, 1],
      [interval + delay, 1],
    ]);
    clock.advance(3 * interval + delay);
    expect(times.at(-1)).toEqual([4 * interval + 2 * delay, 3]);
    clock.advance(0);
    expect(times).toHaveLength(3);
  });

  it("counts grid intervals, not the time between calls", () => {
    const clock = new Clock();
    const times: [number, number][] = [];
    const loop = counting(clock, (count) => times.push([clock.seconds(), count]));
    const interval = 0.5;
    const delay = 0.01;
    loop.start(interval);
    expect(times.pop()).toEqual([0, 1]);
    clock.advance(interval + delay);
    expect(times.pop()).toEqual([interval + delay, 1]);
    clock.advance(interval * 1.75);
    expect(times.pop()).toEqual([2.75 * interval + delay, 1]);
    clock.advance(interval * 0.25);
    expect(times.pop()).toEqual([3 * interval + delay, 1]);
  });

  it("never passes 0, and the counts add up, with an interval inexact in binary", () => {
    const clock = new Clock();
    const counts: number[] = [];
    const loop = counting(clock, (count) => counts.push(count));
    const count = 10;
    const timespan = 1.0;
    const interval = timespan / count;
    loop.start(interval, false);
    for (let i = 0; i < count; i++) clock.advance(interval);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += interval;
    const epsilon = timespan - sum;
    clock.advance(epsilon);
    // The test is only meaningful if 0.1 really is inexact and the clock reached the timespan.
    expect(Math.abs(epsilon)).toBeGreaterThan(0);
    expect(clock.seconds()).toBeGreaterThanOrEqual(timespan);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
    expect(counts).not.toContain(0);
  });

  it("always passes 1 with interval 0", () => {
    const clock = new Clock();
    const counts: number[] = [];
    const loop = counting(clock, (count) => {
      counts.push(count);
      if (counts.length > 4) loop.stop();
    });
    const done = loop.start(0, false);
    clock.pump([0, 0, 0, 0, 0]);
    expect(successResultOf(done)).toBe(loop);
    expect(counts).toEqual([1, 1, 1, 1, 1]);
  });

  it("passes 1 with interval 0 even after waiting on a Deferred", () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const counts: number[] = [];
    const loop = counting(clock, (count) => {
      counts.push(count);
      if (counts.length === 2) return pending;
      if (counts.length > 4) loop.stop();
      return undefined;
    });
    loop.start(0, false);
    clock.pump([0, 0]);
    expect(counts).toEqual([1, 1]);
    clock.pump([1, 1]);
    expect(counts).toEqual([1, 1]);
    pending.callback(undefined);
    clock.pump([0, 0, 0, 0]);
    expect(counts).toEqual([1, 1, 1, 1, 1]);
  });

  it("counts from the last call when interval 0 is followed by a non-zero interval", () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const counts: number[] = [];
    const loop = counting(clock, (count) => {
      counts.push(count);
      return counts.length === 2 ? pending : undefined;
    });
    loop.start(0, false);
    clock.pump([1, 1, 1, 1, 1, 1, 1]);
    expect(counts).toEqual([1, 1]);
    loop.interval = 2;
    pending.callback(undefined);
    clock.advance(9);
    // 14 seconds at interval 2 is 7 intervals; as in Twisted (its #5962), the Clock makes the
    // second call appear at 1 rather than 2, which adds one.
    expect(counts).toEqual([1, 1, 8]);
    clock.advance(2);
    expect(counts).toEqual([1, 1, 8, 1]);
    clock.advance(4);
    expect(counts).toEqual([1, 1, 8, 1, 2]);
  });

  it("counts the intervals skipped while a returned Deferred was pending", () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const counts: number[] = [];
    const loop = counting(clock, (count) => {
      counts.push(count);
      return counts.length === 1 ? pending : undefined;
    });
    loop.start(0.2, false);
    expect(counts).toEqual([]);
    clock.pump([0.2, 0.4]);
    expect(counts).toEqual([1]);
    pending.callback(undefined);
    clock.pump([0.2]);
    expect(counts).toEqual([1, 3]);
  });
});
