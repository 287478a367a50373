import { describe, expect, it } from "vitest";
import {
  CancelledError,
  Deferred,
  type Failure,
  fail,
  inlineCallbacks,
  succeed,
  waitFor,
} from "../../src/index.js";

describe("inlineCallbacks", () => {
  it("resumes with a yielded Deferred's result and fires with the return value", () => {
    const d = new Deferred<number>();
    const f = inlineCallbacks(function* (base: number) {
      const x: number = (yield d) as number;
      return base + x;
    });
    const result = f(10);
    expect(result.called).toBe(false);
    d.callback(5);
    expect(result.result).toBe(15);
  });

  it("throws a yielded Deferred's failure into the generator", () => {
    const f = inlineCallbacks(function* () {
      try {
        yield fail(new RangeError("inside"));
        return "not reached";
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    });
    expect(f().result).toBe("caught inside");
  });

  it("errbacks when the generator throws", () => {
    const f = inlineCallbacks(function* () {
      yield succeed(1);
      throw new TypeError("gen");
    });
    const d = f();
    expect((d.result as Failure).check(TypeError)).toBe(TypeError);
    d.addErrback(() => undefined);
  });

  it("sends a non-Deferred yielded value straight back", () => {
    const f = inlineCallbacks(function* () {
      const x = yield 7;
      return x;
    });
    expect(f().result).toBe(7);
  });

  it("waits for a yielded Promise", async () => {
    const f = inlineCallbacks(function* () {
      const x = yield* waitFor(Promise.resolve(3));
      return x * 2;
    });
    expect(await f()).toBe(6);
  });

  it("does not grow the stack when yielding many fired Deferreds", () => {
    const f = inlineCallbacks(function* () {
      let total = 0;
      for (let i = 0; i < 100_000; i++) total += (yield succeed(1)) as number;
      return total;
    });
    expect(f().result).toBe(100_000);
  });

  it("refuses a function that does not return a generator", () => {
    const f = inlineCallbacks((() => 5) as unknown as () => Generator<unknown, number, unknown>);
    expect(() => f()).toThrow(TypeError);
  });

  it("cancels the awaited Deferred when the outer one is cancelled", () => {
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const f = inlineCallbacks(function* () {
      yield inner;
      return "done";
    });
    const d = f();
    let failure: Failure | undefined;
    d.addErrback((fl) => {
      failure = fl;
    });
    d.cancel();
    expect(innerCancelled).toBe(true);
    expect(failure?.check(CancelledError)).toBe(CancelledError);
  });

  it("lets a generator that catches CancelledError carry on and succeed", () => {
    const first = new Deferred<number>();
    const second = new Deferred<number>();
    const f = inlineCallbacks(function* () {
      try {
        yield first;
      } catch (error) {
        expect(error).toBeInstanceOf(CancelledError);
      }
      const x = (yield second) as number;
      return x + 1;
    });
    const d = f();
    const seen: unknown[] = [];
    d.addBoth((r) => {
      seen.push(r);
    });
    d.cancel();
    expect(seen).toEqual([]);
    second.callback(41);
    expect(seen).toEqual([42]);
  });

  it("lets a generator turn a cancellation into another error", () => {
    const f = inlineCallbacks(function* () {
      try {
        yield new Deferred<number>();
      } catch {
        throw new RangeError("converted");
      }
    });
    const d = f();
    let failure: Failure | undefined;
    d.addErrback((fl) => {
      failure = fl;
    });
    d.cancel();
    expect(failure?.check(RangeError)).toBe(RangeError);
  });

  it("forwards cancellation through stacked inlineCallbacks", () => {
    let innermostCancelled = false;
    const innermost = new Deferred<number>(() => {
      innermostCancelled = true;
    });
    const inner = inlineCallbacks(function* () {
      return (yield innermost) as number;
    });
    const outer = inlineCallbacks(function* () {
      return (yield inner()) as number;
    });
    const d = outer();
    d.addErrback((fl) => fl.trap(CancelledError));
    d.cancel();
    expect(innermostCancelled).toBe(true);
    expect(d.called).toBe(true);
  });

  it("fires with a returned Deferred's result", () => {
    const f = inlineCallbacks(function* () {
      yield succeed(0);
      return succeed("nested");
    });
    expect(f().result).toBe("nested");
  });
});
