import { describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/index.js";
import { CancelledError } from "../../src/errors.js";
import { Clock, deferLater } from "../../src/task/index.js";
import { failureResultOf, hasNoResult, successResultOf } from "./helpers.js";

class TestException extends Error {}

describe("deferLater", () => {
  it("calls the function after the delay and fires with its result", () => {
    const clock = new Clock();
    const calls: [string, string][] = [];
    const flag = {};
    const d = deferLater(
      clock,
      3,
      (foo: string, bar: string) => {
        calls.push([foo, bar]);
        return flag;
      },
      "foo",
      "bar",
    );
    clock.advance(2);
    expect(calls).toEqual([]);
    expect(hasNoResult(d)).toBe(true);
    clock.advance(1);
    expect(calls).toEqual([["foo", "bar"]]);
    expect(successResultOf(d)).toBe(flag);
  });

  it("errbacks with what the function throws", () => {
    const clock = new Clock();
    const d = deferLater(clock, 1, () => {
      throw new TestException();
    });
    clock.advance(1);
    failureResultOf(d, TestException);
  });

  it("fires with undefined after the delay when given no function", () => {
    const clock = new Clock();
    const d = deferLater(clock, 2.0);
    expect(hasNoResult(d)).toBe(true);
    clock.advance(2.0);
    expect(successResultOf(d)).toBeUndefined();
  });

  it("waits for a Deferred the function returns", () => {
    const clock = new Clock();
    const inner = new Deferred<string>();
    const d = deferLater(clock, 1, () => inner);
    clock.advance(1);
    expect(hasNoResult(d)).toBe(true);
    inner.callback("late");
    expect(successResultOf(d)).toBe("late");
  });

  it("cancels the timer and errbacks with CancelledError when cancelled", () => {
    const clock = new Clock();
    const called: unknown[] = [];
    const d = deferLater(clock, 1, (x: null) => called.push(x), null);
    d.cancel();
    failureResultOf(d, CancelledError);
    expect(clock.getDelayedCalls()).toEqual([]);
    clock.advance(1);
    expect(called).toEqual([]);
  });

  it("ignores a cancel after it has fired", () => {
    const clock = new Clock();
    const d = deferLater(clock, 1, () => 5);
    clock.advance(1);
    d.cancel();
    expect(successResultOf(d)).toBe(5);
  });

  it("rejects a negative delay", () => {
    expect(() => deferLater(new Clock(), -1)).toThrow(RangeError);
  });
});
