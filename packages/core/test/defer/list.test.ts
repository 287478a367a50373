import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import { fail, succeed } from "../../src/defer/helpers.js";
import {
  DeferredList,
  type DeferredListResult,
  type DeferredListSingleResult,
  gatherResults,
  race,
} from "../../src/defer/list.js";
import { CancelledError, FailureGroup, FirstError } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import { capturedLogs } from "../../src/logger/index.js";

class GenericError extends Error {}
class RuntimeErrorLike extends Error {}

/** The result a Deferred has now; fails the test if it has none or a Failure. */
function successResultOf<T>(d: Deferred<T>): T {
  let outcome: { result: unknown } | undefined;
  d.addBoth((result: unknown) => {
    outcome = { result };
    return result;
  });
  if (outcome === undefined) throw new Error(`${String(d)} has no result`);
  if (outcome.result instanceof Failure) {
    throw new Error(`${String(d)} failed: ${outcome.result.getErrorMessage()}`);
  }
  return outcome.result as T;
}

/** The Failure a Deferred has now (which is then handled); fails the test otherwise. */
function failureResultOf(d: Deferred<unknown>, ...types: (new (...args: never[]) => Error)[]) {
  let outcome: { result: unknown } | undefined;
  d.addBoth((result: unknown) => {
    outcome = { result };
  });
  if (outcome === undefined) throw new Error(`${String(d)} has no result`);
  const failure = outcome.result;
  if (!(failure instanceof Failure)) throw new Error(`${String(d)} succeeded`);
  if (types.length > 0 && failure.check(...types) === null) {
    throw new Error(`unexpected failure ${failure.toString()}`);
  }
  return failure;
}

/** A canceller that fires its Deferred with a success. */
const callbackCanceller = (d: Deferred<string>): void => d.callback("Callback Result");

/** Handle a member's failure so that it is not logged as unhandled. */
const swallow = (d: Deferred<unknown>): void => {
  d.addErrback(() => undefined);
};

describe("DeferredList", () => {
  it("fires with [success, value] pairs in input order once every member has fired", () => {
    const [d1, d2, d3] = [new Deferred<string>(), new Deferred<string>(), new Deferred<string>()];
    const dl = new DeferredList([d1, d2, d3]);
    d1.callback("1");
    d2.errback(new GenericError("2"));
    swallow(d2);
    expect(dl.called).toBe(false);
    d3.callback("3");
    const result = successResultOf(dl);
    expect(result.map(([ok, value]) => [ok, ok ? value : value.getErrorMessage()])).toEqual([
      [true, "1"],
      [false, "2"],
      [true, "3"],
    ]);
    expect(result[1]?.[1]).toBeInstanceOf(Failure);
  });

  it("orders results by input position, not by firing order", () => {
    const ds = [new Deferred<number>(), new Deferred<number>(), new Deferred<number>()];
    const dl = new DeferredList(ds);
    ds[2]?.callback(2);
    ds[0]?.callback(0);
    ds[1]?.callback(1);
    expect(successResultOf(dl)).toEqual([
      [true, 0],
      [true, 1],
      [true, 2],
    ]);
  });

  it("tracks finishedCount and resultList as members fire", () => {
    const [d1, d2] = [new Deferred<number>(), new Deferred<number>()];
    const dl = new DeferredList([d1, d2]);
    expect(dl.finishedCount).toBe(0);
    expect(dl.resultList).toEqual([undefined, undefined]);
    d2.callback(7);
    expect(dl.finishedCount).toBe(1);
    expect(dl.resultList).toEqual([undefined, [true, 7]]);
    d1.callback(6);
    expect(dl.finishedCount).toBe(2);
    expect(successResultOf(dl)).toBe(dl.resultList);
  });

  it("fires with an empty list at once when given no Deferreds", () => {
    const dl = new DeferredList([]);
    expect(dl.called).toBe(true);
    expect(successResultOf(dl)).toEqual([]);
  });

  it("never fires when empty with fireOnOneCallback, even when cancelled", () => {
    const dl = new DeferredList([], { fireOnOneCallback: true });
    expect(dl.called).toBe(false);
    dl.cancel();
    expect(dl.called).toBe(false);
  });

  it("collects members that had already fired, at once", () => {
    const d1 = fail<number>(new GenericError("Bang"));
    const d2 = succeed(2);
    const dl = new DeferredList([d1, d2]);
    const result = successResultOf(dl);
    expect(result[0]?.[0]).toBe(false);
    expect(result[1]).toEqual([true, 2]);
    swallow(d1);
  });

  it("sees the results left by callbacks added to members before it", () => {
    const d = new Deferred<number>();
    d.addCallback((x) => x * 10);
    const dl = new DeferredList([d]);
    d.callback(4);
    expect(successResultOf(dl)).toEqual([[true, 40]]);
  });

  it("errbacks with FirstError on the first failure with fireOnOneErrback", () => {
    const [d1, d2, d3] = [new Deferred<string>(), new Deferred<string>(), new Deferred<string>()];
    const dl = new DeferredList([d1, d2, d3], { fireOnOneErrback: true });
    swallow(d2);
    d1.callback("1");
    expect(dl.called).toBe(false);
    const error = new GenericError("from def2");
    d2.errback(error);
    const failure = failureResultOf(dl, FirstError);
    const firstError = failure.value as FirstError;
    expect(firstError.index).toBe(1);
    expect(firstError.subFailure.value).toBe(error);
    expect(firstError.subFailure.check(GenericError)).toBe(GenericError);
  });

  it("errbacks at once with fireOnOneErrback when a member had already failed", () => {
    const d1 = fail(new GenericError("Bang"));
    const d2 = new Deferred<never>();
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    expect((failureResultOf(dl, FirstError).value as FirstError).index).toBe(0);
    swallow(d1);
  });

  it("fires with [result, index] on the first success with fireOnOneCallback", () => {
    const [d1, d2] = [new Deferred<string>(), new Deferred<string>()];
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    d2.callback("second");
    expect(successResultOf(dl)).toEqual(["second", 1]);
    d1.callback("first");
    expect(dl.finishedCount).toBe(2);
    expect(dl.resultList).toEqual([
      [true, "first"],
      [true, "second"],
    ]);
  });

  it("fires with the whole list with fireOnOneCallback when every member fails", () => {
    const [d1, d2] = [new Deferred<string>(), new Deferred<string>()];
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true, consumeErrors: true });
    d1.errback(new GenericError("a"));
    expect(dl.called).toBe(false);
    d2.errback(new GenericError("b"));
    const result = successResultOf(dl) as DeferredListResult<string>;
    expect(result.map(([ok]) => ok)).toEqual([false, false]);
  });

  it("leaves a failed member its Failure without consumeErrors", () => {
    const d1 = new Deferred<never>();
    const dl = new DeferredList([d1]);
    const trapped: Failure[] = [];
    d1.addErrback((f) => {
      trapped.push(f);
    });
    d1.errback(new GenericError("Bang"));
    expect(trapped.map((f) => f.getErrorMessage())).toEqual(["Bang"]);
    const [item] = successResultOf(dl);
    expect(item?.[0]).toBe(false);
    expect((item![1] as Failure).getErrorMessage()).toBe("Bang");
  });

  it("leaves a failed member undefined with consumeErrors, and still records the Failure", () => {
    const d1 = new Deferred<never>();
    const dl = new DeferredList([d1], { consumeErrors: true });
    const trapped: Failure[] = [];
    const after: unknown[] = [];
    d1.addCallbacks(
      (x) => {
        after.push(x);
      },
      (f) => {
        trapped.push(f);
      },
    );
    d1.errback(new GenericError("Bang"));
    expect(trapped).toEqual([]);
    expect(after).toEqual([undefined]);
    const [item] = successResultOf(dl);
    expect((item![1] as Failure).getErrorMessage()).toBe("Bang");
  });

  it("still errbacks with fireOnOneErrback when consuming errors", () => {
    const d1 = new Deferred<never>();
    const dl = new DeferredList([d1], { fireOnOneErrback: true, consumeErrors: true });
    d1.errback(new GenericError("Bang"));
    expect(failureResultOf(dl, FirstError).getErrorMessage()).toContain("Bang");
    expect(successResultOf(d1)).toBeUndefined();
  });

  describe("cancel", () => {
    it("cancels every member of a list that has not fired", () => {
      const [d1, d2] = [new Deferred<void>(), new Deferred<void>()];
      const dl = new DeferredList([d1, d2], { consumeErrors: true });
      dl.cancel();
      expect(dl.resultList.map((item) => item?.[0])).toEqual([false, false]);
      const result = successResultOf(dl);
      for (const [ok, value] of result) {
        expect(ok).toBe(false);
        if (!ok) expect(value.check(CancelledError)).toBe(CancelledError);
      }
    });

    it("fires with the values of members whose cancellers call back", () => {
      const d1 = new Deferred<string>(callbackCanceller);
      const d2 = new Deferred<string>();
      const dl = new DeferredList([d1, d2]);
      dl.cancel();
      failureResultOf(d2, CancelledError);
      const result = successResultOf(dl);
      expect(result[0]).toEqual([true, "Callback Result"]);
      expect(result[1]?.[0]).toBe(false);
      expect((result[1]![1] as Failure).check(CancelledError)).toBe(CancelledError);
    });

    it("cancels every member with fireOnOneCallback", () => {
      const [d1, d2] = [new Deferred<void>(), new Deferred<void>()];
      const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
      dl.cancel();
      failureResultOf(d1, CancelledError);
      failureResultOf(d2, CancelledError);
      expect(dl.called).toBe(true);
    });

    it("fires with [result, index] with fireOnOneCallback when a canceller calls back", () => {
      const d1 = new Deferred<string>(callbackCanceller);
      const d2 = new Deferred<string>();
      const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
      dl.cancel();
      failureResultOf(d2, CancelledError);
      expect(successResultOf(dl)).toEqual(["Callback Result", 0]);
    });

    it("errbacks with a FirstError of CancelledError with fireOnOneErrback", () => {
      const [d1, d2] = [new Deferred<void>(), new Deferred<void>()];
      const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
      dl.cancel();
      failureResultOf(d1, CancelledError);
      failureResultOf(d2, CancelledError);
      const firstError = failureResultOf(dl, FirstError).value as FirstError;
      expect(firstError.subFailure.check(CancelledError)).toBe(CancelledError);
      expect(firstError.index).toBe(0);
    });

    it("fires with the list with fireOnOneErrback when every canceller calls back", () => {
      const d1 = new Deferred<string>(callbackCanceller);
      const d2 = new Deferred<string>(callbackCanceller);
      const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
      dl.cancel();
      expect(successResultOf(dl)).toEqual([
        [true, "Callback Result"],
        [true, "Callback Result"],
      ]);
    });

    it("cancels only the Deferreds it was given, not ones added to the input array later", () => {
      const [d1, d2, d3] = [new Deferred<void>(), new Deferred<void>(), new Deferred<void>()];
      const input = [d1, d2];
      const dl = new DeferredList(input, { consumeErrors: true });
      input.push(d3);
      dl.cancel();
      expect(successResultOf(dl)).toHaveLength(2);
      expect(d3.called).toBe(false);
    });

    it("logs a member canceller that throws, and still cancels the other members", () => {
      const thrower = new Deferred<void>(() => {
        throw new RangeError("test");
      });
      const d2 = new Deferred<void>();
      const dl = new DeferredList([thrower, d2]);
      const events = capturedLogs(() => dl.cancel());
      failureResultOf(d2, CancelledError);
      expect(events).toHaveLength(1);
      expect(events[0]?.log_namespace).toBe("twisted-ts.defer");
      expect(events[0]?.log_level).toBe("critical");
      expect(events[0]?.log_format).toBe("Exception raised from user supplied canceller");
      expect(events[0]?.log_failure?.check(RangeError)).toBe(RangeError);
      expect(thrower.called).toBe(false);
    });

    it("does nothing once fireOnOneCallback has fired", () => {
      const [d1, d2] = [new Deferred<void>(), new Deferred<void>()];
      const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
      d1.callback();
      dl.cancel();
      expect(d2.called).toBe(false);
      expect(successResultOf(dl)).toEqual([undefined, 0]);
    });

    it("does nothing once fireOnOneErrback has fired", () => {
      const [d1, d2] = [new Deferred<void>(), new Deferred<void>()];
      const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
      d1.errback(new GenericError("test"));
      dl.cancel();
      expect(d2.called).toBe(false);
      failureResultOf(d1, GenericError);
      failureResultOf(dl, FirstError);
    });

    it("does nothing once the list has fired", () => {
      const dl = new DeferredList([succeed(1), succeed(2)]);
      dl.cancel();
      expect(successResultOf(dl)).toEqual([
        [true, 1],
        [true, 2],
      ]);
    });
  });

  it("types its result from its options", () => {
    const d = new Deferred<number>();
    expectTypeOf(new DeferredList([d])).toExtend<Deferred<DeferredListResult<number>>>();
    expectTypeOf(
      new DeferredList([d], { fireOnOneCallback: true, fireOnOneErrback: true }),
    ).toExtend<Deferred<DeferredListSingleResult<number>>>();
    const either = new DeferredList([d], { fireOnOneCallback: true });
    expectTypeOf(either).toExtend<
      Deferred<DeferredListSingleResult<number> | DeferredListResult<number>>
    >();
    expectTypeOf(either).not.toExtend<Deferred<DeferredListSingleResult<number>>>();
    const mixed = new DeferredList([d, succeed("s")] as Deferred<number | string>[]);
    expectTypeOf(mixed).toExtend<Deferred<DeferredListResult<number | string>>>();
    d.callback(5);
    expect(successResultOf(either)).toEqual([5, 0]);
    expect(successResultOf(mixed)).toEqual([
      [true, 5],
      [true, "s"],
    ]);
  });

  it("puts results in input order whatever the firing order and outcomes", () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.record({ ok: fc.boolean(), value: fc.integer() }), { maxLength: 12 })
          .chain((outcomes) =>
            fc.record({
              outcomes: fc.constant(outcomes),
              order: fc.shuffledSubarray(
                outcomes.map((_, i) => i),
                { minLength: outcomes.length, maxLength: outcomes.length },
              ),
              preFired: fc.array(fc.boolean(), {
                minLength: outcomes.length,
                maxLength: outcomes.length,
              }),
            }),
          ),
        ({ outcomes, order, preFired }) => {
          const fire = (d: Deferred<number>, i: number): void => {
            const { ok, value } = outcomes[i]!;
            if (ok) d.callback(value);
            else d.errback(new GenericError(String(value)));
          };
          const ds = outcomes.map(() => new Deferred<number>());
          ds.forEach((d, i) => {
            if (preFired[i]) fire(d, i);
          });
          const dl = new DeferredList(ds, { consumeErrors: true });
          for (const i of order) if (!preFired[i]) fire(ds[i]!, i);
          const result = successResultOf(dl);
          expect(
            result.map(([ok, value]) => (ok ? [true, value] : [false, value.getErrorMessage()])),
          ).toEqual(outcomes.map(({ ok, value }) => (ok ? [true, value] : [false, String(value)])));
        },
      ),
    );
  });
});

describe("gatherResults", () => {
  it("fires with the plain results in input order", () => {
    expect(successResultOf(gatherResults([succeed(1), succeed(2)]))).toEqual([1, 2]);
  });

  it("fires with an empty list at once when given no Deferreds", () => {
    expect(successResultOf(gatherResults([]))).toEqual([]);
  });

  it("takes any iterable of Deferreds", () => {
    expect(successResultOf(gatherResults(new Set([succeed("a"), succeed("b")])))).toEqual([
      "a",
      "b",
    ]);
  });

  it("errbacks with FirstError when a member fails", () => {
    const bad = fail<number>(new RangeError("nope"));
    const failure = failureResultOf(gatherResults([succeed(1), bad]), FirstError);
    const firstError = failure.value as FirstError;
    expect(firstError.index).toBe(1);
    expect(firstError.subFailure.value).toBeInstanceOf(RangeError);
    // Without consumeErrors the member keeps its failure.
    failureResultOf(bad, RangeError);
  });

  it("leaves a failed member undefined with consumeErrors", () => {
    const good = succeed(1);
    const bad = fail<number>(new RuntimeErrorLike("oh noes"));
    const gathered = gatherResults([good, bad], true);
    const unconsumed: Failure[] = [];
    bad.addErrback((f) => {
      unconsumed.push(f);
    });
    expect(unconsumed).toEqual([]);
    const firstError = failureResultOf(gathered, FirstError).value as FirstError;
    expect(firstError.subFailure.value).toBeInstanceOf(RuntimeErrorLike);
  });

  it("cancels every member when cancelled, and errbacks with a FirstError", () => {
    const [d1, d2] = [new Deferred<void>(), new Deferred<void>()];
    const gathered = gatherResults([d1, d2]);
    gathered.cancel();
    failureResultOf(d1, CancelledError);
    failureResultOf(d2, CancelledError);
    const firstError = failureResultOf(gathered, FirstError).value as FirstError;
    expect(firstError.subFailure.check(CancelledError)).toBe(CancelledError);
  });

  it("fires with the results when every member's canceller calls back", () => {
    const gathered = gatherResults([
      new Deferred<string>(callbackCanceller),
      new Deferred<string>(callbackCanceller),
    ]);
    gathered.cancel();
    expect(successResultOf(gathered)).toEqual(["Callback Result", "Callback Result"]);
  });

  it("types the result of a tuple position by position", () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<string>();
    const gathered = gatherResults([d1, d2]);
    expectTypeOf(gathered).toEqualTypeOf<Deferred<[number, string]>>();
    expectTypeOf(gatherResults([d1] as Deferred<number>[])).toEqualTypeOf<Deferred<number[]>>();
    d2.callback("b");
    d1.callback(1);
    expect(successResultOf(gathered)).toEqual([1, "b"]);
  });
});

/** Deferreds that count how many times they are cancelled, and never fire on their own. */
function raceState(n: number): { cancelled: number[]; ds: Deferred<unknown>[] } {
  const cancelled = new Array<number>(n).fill(0);
  const ds = cancelled.map(
    (_, i) =>
      new Deferred<unknown>(() => {
        cancelled[i]! += 1;
      }),
  );
  return { cancelled, ds };
}

describe("race", () => {
  it("fires with [index, result] of the first success and cancels every other member once", () => {
    fc.assert(
      fc.property(fc.nat(3), fc.nat(3), (before, after) => {
        const { cancelled, ds } = raceState(before + 1 + after);
        const raced = race(ds);
        const expected = { unique: true };
        ds[before]!.callback(expected);
        const [index, result] = successResultOf(raced);
        expect(index).toBe(before);
        expect(result).toBe(expected);
        expect(cancelled).toEqual([
          ...new Array<number>(before).fill(1),
          0,
          ...new Array<number>(after).fill(1),
        ]);
      }),
    );
  });

  it("errbacks with a FailureGroup in input order when every member fails", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), (n) => {
        const { cancelled, ds } = raceState(n);
        const raced = race(ds);
        const failures = ds.map((_, i) => new Failure(new GenericError(String(i))));
        // Fire in reverse, so the group's order is the input order, not the firing order.
        for (let i = n - 1; i >= 0; i--) ds[i]!.errback(failures[i]);
        const group = failureResultOf(raced, FailureGroup).value as FailureGroup;
        expect(group.failures).toEqual(failures);
        expect(cancelled).toEqual(new Array<number>(n).fill(0));
      }),
    );
  });

  it("consumes the members' results", () => {
    const [d1, d2] = [new Deferred<number>(), new Deferred<number>()];
    race([d1, d2]).addErrback(() => undefined);
    d1.errback(new GenericError("x"));
    d2.callback(2);
    expect(successResultOf(d1)).toBeUndefined();
    expect(successResultOf(d2)).toBeUndefined();
  });

  it("ignores a result that arrives after a member was cancelled", () => {
    const ds = [new Deferred<void>(), new Deferred<void>(), new Deferred<void>()];
    const raced = race(ds);
    ds[0]!.callback();
    expect(() => ds[1]!.callback()).not.toThrow();
    expect(successResultOf(raced)).toEqual([0, undefined]);
    // The one late result after a cancel is swallowed; the member stays cancelled.
    expect(successResultOf(ds[1]!)).toBeUndefined();
  });

  it("ignores a member whose canceller fires it with a success", () => {
    const winner = new Deferred<object>();
    const other = new Deferred<object>((d) => d.callback({}));
    const raced = race([winner, other]);
    const expected = {};
    winner.callback(expected);
    const [index, result] = successResultOf(raced);
    expect(index).toBe(0);
    expect(result).toBe(expected);
  });

  it("cancels every member when cancelled, and errbacks with a FailureGroup", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), (n) => {
        const { cancelled, ds } = raceState(n);
        const raced = race(ds);
        raced.cancel();
        expect(cancelled).toEqual(new Array<number>(n).fill(1));
        const group = failureResultOf(raced, FailureGroup).value as FailureGroup;
        expect(group.failures.every((f) => f.check(CancelledError) !== null)).toBe(true);
      }),
    );
  });

  it("never fires when given no Deferreds", () => {
    const raced = race([]);
    expect(raced.called).toBe(false);
    raced.cancel();
    failureResultOf(raced, CancelledError);
  });

  it("types the result of a tuple by index", () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<string>();
    const raced = race([d1, d2]);
    expectTypeOf(raced).toEqualTypeOf<
      Deferred<[index: 0, result: number] | [index: 1, result: string]>
    >();
    d2.callback("two");
    expect(successResultOf(raced)).toEqual([1, "two"]);
    expect(d1.called).toBe(true);
  });
});
