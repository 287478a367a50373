import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import { succeed } from "../../src/defer/helpers.js";
import { DeferredLock, DeferredSemaphore } from "../../src/defer/locks.js";
import { CancelledError } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";

/** What a Deferred holds now: `{ result }`, or undefined when it has not fired. The result is
 * passed on unchanged. */
function peek(d: Deferred<unknown>): { result: unknown } | undefined {
  let outcome: { result: unknown } | undefined;
  d.addBoth((result: unknown) => {
    outcome = { result };
    return result;
  });
  return outcome;
}

/** The Failure a Deferred holds now (passed on unchanged); throws when it holds none. */
function failureIn(d: Deferred<unknown>): Failure {
  const result = peek(d)?.result;
  if (!(result instanceof Failure)) throw new Error(`${String(d)} holds no Failure`);
  return result;
}

describe("DeferredLock", () => {
  it("fires acquire at once with the lock when it is free", () => {
    const lock = new DeferredLock();
    expect(lock.locked).toBe(false);
    const d = lock.acquire();
    expect(peek(d)).toEqual({ result: lock });
    expect(lock.locked).toBe(true);
  });

  it("makes later acquires wait and hands the lock over first in, first out", () => {
    const lock = new DeferredLock();
    const order: string[] = [];
    lock.acquire().addCallback(() => {
      order.push("a");
    });
    for (const name of ["b", "c", "d"]) {
      lock.acquire().addCallback(() => {
        order.push(name);
      });
    }
    expect(order).toEqual(["a"]);
    expect(lock.waiting).toHaveLength(3);
    lock.release();
    expect(order).toEqual(["a", "b"]);
    expect(lock.locked).toBe(true);
    lock.release();
    lock.release();
    expect(order).toEqual(["a", "b", "c", "d"]);
    expect(lock.waiting).toHaveLength(0);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it("throws when releasing a lock that is not held", () => {
    const lock = new DeferredLock();
    expect(() => lock.release()).toThrow("Tried to release an unlocked lock");
  });

  it("runs a function holding the lock until its Deferred fires, then releases it", () => {
    const lock = new DeferredLock();
    const control = new Deferred<string>();
    let calledWith: unknown[] = [];
    const result = lock.run(
      (a: number, b: string) => {
        calledWith = [a, b];
        return control;
      },
      1,
      "x",
    );
    expect(calledWith).toEqual([1, "x"]);
    expect(lock.locked).toBe(true);
    let acquiredNext = false;
    lock.acquire().addCallback(() => {
      acquiredNext = true;
    });
    expect(acquiredNext).toBe(false);
    control.callback("done");
    expect(peek(result)).toEqual({ result: "done" });
    expect(acquiredNext).toBe(true);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it("waits for the lock before running the function", () => {
    const lock = new DeferredLock();
    lock.acquire();
    let ran = false;
    const result = lock.run(() => {
      ran = true;
      return 5;
    });
    expect(ran).toBe(false);
    lock.release();
    expect(ran).toBe(true);
    expect(peek(result)).toEqual({ result: 5 });
    expect(lock.locked).toBe(false);
  });

  it("releases the lock when the function throws, and fails with its error", () => {
    const lock = new DeferredLock();
    const error = new RangeError("boom");
    const result = lock.run(() => {
      throw error;
    });
    expect(lock.locked).toBe(false);
    const failures: Failure[] = [];
    result.addErrback((f) => {
      failures.push(f);
    });
    expect(failures.map((f) => f.value)).toEqual([error]);
  });

  it("releases the lock when the function's Deferred fails", () => {
    const lock = new DeferredLock();
    const control = new Deferred<number>();
    const result = lock.run(() => control);
    control.errback(new RangeError("later"));
    expect(lock.locked).toBe(false);
    const outcome = peek(result);
    expect(outcome?.result).toBeInstanceOf(Failure);
    result.addErrback(() => undefined);
  });

  it("releases the lock after the function's Promise settles", async () => {
    const lock = new DeferredLock();
    const result = lock.run(async (x: number) => x * 2, 21);
    expect(lock.locked).toBe(true);
    expect(await result).toBe(42);
    expect(lock.locked).toBe(false);
  });

  it("throws TypeError when run is not given a function", () => {
    const lock = new DeferredLock();
    expect(() => lock.run(undefined as unknown as () => void)).toThrow(TypeError);
    expect(lock.locked).toBe(false);
  });

  it("removes a waiting acquire that is cancelled", () => {
    const lock = new DeferredLock();
    lock.acquire();
    const d = lock.acquire();
    d.cancel();
    expect(failureIn(d).check(CancelledError)).toBe(CancelledError);
    d.addErrback(() => undefined);
    expect(lock.waiting).toHaveLength(0);
    lock.release();
    expect(lock.locked).toBe(false);
  });

  it("does nothing when an acquire that already holds the lock is cancelled", () => {
    const lock = new DeferredLock();
    const d = lock.acquire();
    d.cancel();
    expect(peek(d)).toEqual({ result: lock });
    expect(lock.locked).toBe(true);
  });

  it("never calls a run's function when the run is cancelled while waiting", () => {
    const lock = new DeferredLock();
    lock.acquire();
    let ran = false;
    const result = lock.run(() => {
      ran = true;
    });
    result.cancel();
    lock.release();
    expect(ran).toBe(false);
    expect(lock.locked).toBe(false);
    expect(failureIn(result).check(CancelledError)).toBe(CancelledError);
    result.addErrback(() => undefined);
  });

  it("cancels the function's Deferred and releases the lock when a running run is cancelled", () => {
    const lock = new DeferredLock();
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const result = lock.run(() => inner);
    result.cancel();
    expect(innerCancelled).toBe(true);
    expect(lock.locked).toBe(false);
    expect(failureIn(result).check(CancelledError)).toBe(CancelledError);
    result.addErrback(() => undefined);
  });

  it("types acquire and run from the lock and the function", async () => {
    const lock = new DeferredLock();
    const acquired = lock.acquire();
    expectTypeOf(acquired).toEqualTypeOf<Deferred<DeferredLock>>();
    lock.release();
    const fromDeferred = lock.run(() => succeed(2));
    expectTypeOf(fromDeferred).toEqualTypeOf<Deferred<number>>();
    expect(peek(fromDeferred)).toEqual({ result: 2 });
    const fromPromise = lock.run(async () => "s");
    expectTypeOf(fromPromise).toEqualTypeOf<Deferred<string>>();
    expect(await fromPromise).toBe("s");
    expect(lock.locked).toBe(false);
  });
});

describe("DeferredSemaphore", () => {
  it("rejects token counts below one, and non-integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new DeferredSemaphore(bad)).toThrow(RangeError);
    }
  });

  it("lets limit holders in at once and makes the next wait", () => {
    const n = 13;
    const sem = new DeferredSemaphore(n);
    expect(sem.limit).toBe(n);
    let count = 0;
    for (let i = 1; i <= n; i++) {
      sem.acquire().addCallback(() => {
        count++;
      });
      expect(count).toBe(i);
      expect(sem.tokens).toBe(n - i);
    }
    sem.acquire().addCallback(() => {
      count++;
    });
    expect(count).toBe(n);
    sem.release();
    expect(count).toBe(n + 1);
    expect(sem.tokens).toBe(0);
    for (let i = 0; i < n; i++) sem.release();
    expect(sem.tokens).toBe(n);
  });

  it("throws when released more often than acquired", () => {
    const sem = new DeferredSemaphore(2);
    sem.acquire();
    sem.release();
    expect(() => sem.release()).toThrow(/too many/);
  });

  it("holds a token while the run function's Deferred is pending", () => {
    const sem = new DeferredSemaphore(1);
    const control = new Deferred<void>();
    let arg: unknown;
    const results: unknown[] = [];
    const unique = {};
    sem
      .run((a: object) => {
        arg = a;
        return control;
      }, unique)
      .addCallback((r) => {
        results.push(r);
      });
    expect(arg).toBe(unique);
    expect(sem.tokens).toBe(0);
    expect(results).toEqual([]);
    control.callback();
    expect(results).toEqual([undefined]);
    expect(sem.tokens).toBe(1);
  });

  it("removes a waiting acquire that is cancelled", () => {
    const sem = new DeferredSemaphore(1);
    sem.acquire();
    const d = sem.acquire();
    d.cancel();
    expect(failureIn(d).check(CancelledError)).toBe(CancelledError);
    d.addErrback(() => undefined);
    expect(sem.waiting).toHaveLength(0);
    sem.release();
    expect(sem.tokens).toBe(1);
  });

  it("does nothing when an acquire that holds a token is cancelled", () => {
    const sem = new DeferredSemaphore(1);
    const d = sem.acquire();
    d.cancel();
    expect(peek(d)).toEqual({ result: sem });
    expect(sem.tokens).toBe(0);
  });

  it("never has more than limit holders and serves waiters first in, first out", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom("acquire", "release", "cancel"), { maxLength: 60 }),
        (limit, ops) => {
          const sem = new DeferredSemaphore(limit);
          let holders = 0;
          let nextId = 0;
          const granted: number[] = [];
          const requested: number[] = [];
          const cancelled = new Set<number>();
          const pending: { id: number; d: Deferred<DeferredSemaphore> }[] = [];
          for (const op of ops) {
            if (op === "acquire") {
              const id = nextId++;
              requested.push(id);
              const d = sem.acquire();
              d.addCallbacks(
                () => {
                  holders++;
                  granted.push(id);
                },
                () => undefined,
              );
              if (!d.called) pending.push({ id, d });
            } else if (op === "release" && holders > 0) {
              holders--;
              sem.release();
            } else if (op === "cancel" && pending.length > 0) {
              const { id, d } = pending.shift()!;
              if (!d.called) cancelled.add(id);
              d.cancel();
            }
            expect(holders).toBeLessThanOrEqual(limit);
            expect(sem.tokens).toBe(limit - holders);
          }
          // Everything granted was granted in request order, skipping cancelled requests.
          const expectedOrder = requested
            .filter((id) => !cancelled.has(id))
            .slice(0, granted.length);
          expect(granted).toEqual(expectedOrder);
        },
      ),
    );
  });
});
