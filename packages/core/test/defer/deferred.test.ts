import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AlreadyCalledError,
  CancelledError,
  Clock,
  Deferred,
  Failure,
  fail,
  maybeDeferred,
  setDebugging,
  succeed,
  TimeoutError,
} from "../../src/index.js";

describe("Deferred: firing and the two tracks", () => {
  it("runs callbacks synchronously when fired", () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.addCallback((x) => {
      seen.push(x);
    });
    expect(seen).toEqual([]);
    d.callback(5);
    expect(seen).toEqual([5]);
  });

  it("runs a callback added to a fired Deferred at once", () => {
    const d = succeed(3);
    let seen = 0;
    d.addCallback((x) => {
      seen = x;
    });
    expect(seen).toBe(3);
  });

  it("passes each callback's return value to the next", () => {
    const d = new Deferred<number>();
    const out: unknown[] = [];
    d.addCallback((x) => x + 1)
      .addCallback((x) => `${x}!`)
      .addCallback((x) => {
        out.push(x);
      });
    d.callback(1);
    expect(out).toEqual(["2!"]);
  });

  it("passes extra arguments to callbacks and errbacks", () => {
    const d = new Deferred<number>();
    let got: unknown[] = [];
    d.addCallback((x: number, a: string, b: number) => [x, a, b], "a", 2).addCallback((r) => {
      got = r;
    });
    d.callback(1);
    expect(got).toEqual([1, "a", 2]);
    const e = fail<number>(new Error("x"));
    let ebGot: unknown[] = [];
    e.addErrback((f: Failure, tag: string) => {
      ebGot = [f.getErrorMessage(), tag];
    }, "tag");
    expect(ebGot).toEqual(["x", "tag"]);
  });

  it("moves to the errback path when a callback throws and back when an errback returns", () => {
    const d = new Deferred<number>();
    const trail: string[] = [];
    d.addCallback(() => {
      throw new RangeError("bad");
    })
      .addCallback(() => {
        trail.push("skipped callback");
      })
      .addErrback((f) => {
        trail.push(`errback ${f.getErrorMessage()}`);
        expect(f.check(RangeError)).toBe(RangeError);
        return 7;
      })
      .addCallback((x) => {
        trail.push(`callback ${x}`);
      });
    d.callback(0);
    expect(trail).toEqual(["errback bad", "callback 7"]);
  });

  it("treats a returned Failure as an error", () => {
    const d = new Deferred<number>();
    let message = "";
    d.addCallback(() => new Failure(new Error("returned")));
    d.addErrback((f) => {
      message = f.getErrorMessage();
    });
    d.callback(1);
    expect(message).toBe("returned");
  });

  it("wraps a non-Error thrown value in a Failure", () => {
    const d = new Deferred<number>();
    let value: unknown;
    d.addCallback(() => {
      throw "a string";
    });
    d.addErrback((f) => {
      value = f.value;
      expect(f.type).toBe(String);
      expect(f.trap(String)).toBe(String);
    });
    d.callback(1);
    expect(value).toBe("a string");
  });

  it("addCallbacks runs only one of the pair", () => {
    const calls: string[] = [];
    succeed(1).addCallbacks(
      () => {
        calls.push("cb");
        throw new Error("from cb");
      },
      () => {
        calls.push("eb");
      },
    );
    expect(calls).toEqual(["cb"]);
  });

  it("addBoth sees successes and failures", () => {
    const seen: unknown[] = [];
    succeed(1).addBoth((r) => {
      seen.push(r);
    });
    fail(new Error("e")).addBoth((r) => {
      seen.push(r instanceof Failure);
    });
    expect(seen).toEqual([1, true]);
  });

  it("runs a callback added from inside a callback after the current one returns", () => {
    const d = new Deferred<number>();
    const order: string[] = [];
    d.addCallback((x) => {
      d.addCallback((y) => {
        order.push(`inner ${y}`);
      });
      order.push("outer end");
      return x + 1;
    });
    d.callback(1);
    expect(order).toEqual(["outer end", "inner 2"]);
  });

  it("throws AlreadyCalledError on a second fire, in any order", () => {
    const a = new Deferred<number>();
    a.callback(1);
    expect(() => a.callback(2)).toThrow(AlreadyCalledError);
    expect(() => a.errback(new Error("x"))).toThrow(AlreadyCalledError);
    const b = new Deferred<number>();
    b.addErrback(() => undefined);
    b.errback(new Error("x"));
    expect(() => b.callback(1)).toThrow(AlreadyCalledError);
  });

  it("refuses a Deferred as a callback value", () => {
    const d = new Deferred<unknown>();
    expect(() => d.callback(new Deferred())).toThrow(TypeError);
  });

  it("shows creation and first-firing stacks in debug mode", () => {
    setDebugging(true);
    try {
      const d = new Deferred<number>();
      d.callback(1);
      let message = "";
      try {
        d.callback(2);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain("Deferred was created");
      expect(message).toContain("First invoker was");
      expect(Deferred.debug).toBe(true);
    } finally {
      Deferred.debug = false;
    }
  });
});

describe("Deferred: pause and chaining", () => {
  it("holds callbacks while paused and runs them on unpause", () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.addCallback((x) => {
      seen.push(x);
    });
    d.pause();
    d.pause();
    d.callback(1);
    d.unpause();
    expect(seen).toEqual([]);
    d.unpause();
    expect(seen).toEqual([1]);
  });

  it("pauses the outer chain until a returned Deferred fires, taking its result", () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    const seen: unknown[] = [];
    outer
      .addCallback(() => inner)
      .addCallback((s) => {
        seen.push(s);
      });
    outer.callback(1);
    expect(seen).toEqual([]);
    expect(outer.paused).toBe(1);
    inner.callback("done");
    expect(seen).toEqual(["done"]);
    expect(inner.result).toBeUndefined();
  });

  it("takes the result of an inner Deferred that has already fired, leaving it undefined", () => {
    const inner = succeed("ready");
    let got = "";
    succeed(1)
      .addCallback(() => inner)
      .addCallback((s) => {
        got = s;
      });
    expect(got).toBe("ready");
    expect(inner.result).toBeUndefined();
  });

  it("passes an inner failure out and does not leave it on the inner Deferred", () => {
    const inner = fail(new Error("inner"));
    let message = "";
    succeed(1)
      .addCallback(() => inner)
      .addErrback((f) => {
        message = f.getErrorMessage();
      });
    expect(message).toBe("inner");
    expect(inner.result).toBeUndefined();
  });

  it("runs the inner Deferred's own callbacks before the outer receives (innerCallbacksPreserved)", () => {
    const order: string[] = [];
    const inner = new Deferred<string>();
    inner.addCallback((r) => {
      order.push(`inner callback ${r}`);
      return `${r}+`;
    });
    const outer = succeed(0).addCallback(() => inner);
    outer.addCallback((r) => {
      order.push(`outer got ${r}`);
    });
    inner.callback("x");
    expect(order).toEqual(["inner callback x", "outer got x+"]);
  });

  it("makes callbacks added to the outer after chaining wait for the inner chain", () => {
    const inner = new Deferred<number>();
    const outer = succeed(0).addCallback(() => inner);
    const seen: number[] = [];
    outer.addCallback((x) => {
      seen.push(x);
    });
    expect(seen).toEqual([]);
    inner.callback(9);
    expect(seen).toEqual([9]);
  });

  it("delivers through chains A<-B<-C fired out of order, and the middle still takes callbacks", () => {
    const a = new Deferred<string>();
    const b = new Deferred<string>();
    const c = new Deferred<string>();
    const results: string[] = [];
    a.addCallback(() => b);
    a.addCallback((r) => {
      results.push(`a:${r}`);
    });
    b.addCallback(() => c);
    c.callback("c");
    a.callback("start");
    expect(results).toEqual([]);
    b.callback("b");
    expect(results).toEqual(["a:c"]);
    let middle: unknown = "unset";
    b.addCallback((r) => {
      middle = r;
    });
    expect(middle).toBeUndefined();
  });

  it("waits on a paused inner Deferred that already has a result", () => {
    const inner = succeed(4);
    inner.pause();
    const seen: number[] = [];
    succeed(0)
      .addCallback(() => inner)
      .addCallback((x) => {
        seen.push(x);
      });
    expect(seen).toEqual([]);
    inner.unpause();
    expect(seen).toEqual([4]);
  });

  it("runs a 100,000-deep chain of returned Deferreds without growing the stack", () => {
    const depth = 100_000;
    const first = new Deferred<number>();
    let last: Deferred<number> = first;
    const all: Deferred<number>[] = [];
    for (let i = 0; i < depth; i++) {
      const next = new Deferred<number>();
      const prev = last;
      next.addCallback(() => prev);
      all.push(next);
      last = next;
    }
    for (let i = all.length - 1; i >= 0; i--) (all[i] as Deferred<number>).callback(0);
    let got = 0;
    last.addCallback((x) => {
      got = x;
    });
    first.callback(42);
    expect(got).toBe(42);
  });

  it("runs callbacks at the same stack depth for 1 and N chained links", () => {
    const depthAt = (links: number): number => {
      let depth = 0;
      const innermost = new Deferred<number>();
      let outer: Deferred<number> = innermost;
      for (let i = 0; i < links; i++) {
        const prev = outer;
        outer = succeed(0).addCallback(() => prev);
      }
      outer.addCallback(() => {
        depth = new Error().stack?.split("\n").length ?? 0;
      });
      innermost.callback(1);
      return depth;
    };
    expect(depthAt(1)).toBe(depthAt(50));
  });

  it("chainDeferred hands the result over and leaves undefined behind", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    let got = 0;
    b.addCallback((x) => {
      got = x;
    });
    a.chainDeferred(b);
    a.callback(3);
    expect(got).toBe(3);
    expect(a.result).toBeUndefined();
  });

  it("turns a callback that returns its own Deferred into a TypeError failure", () => {
    const d = new Deferred<number>();
    let failure: Failure | undefined;
    d.addCallback(() => d as unknown as number).addErrback((f) => {
      failure = f;
    });
    d.callback(1);
    expect(failure?.check(TypeError)).toBe(TypeError);
  });
});

describe("Deferred: cancel", () => {
  it("errbacks with CancelledError when there is no canceller", () => {
    const d = new Deferred<number>();
    let failure: Failure | undefined;
    d.addErrback((f) => {
      failure = f;
    });
    d.cancel();
    expect(failure?.check(CancelledError)).toBe(CancelledError);
  });

  it("swallows exactly one late fire after a cancel without canceller", () => {
    const d = new Deferred<number>();
    d.addErrback(() => undefined);
    d.cancel();
    expect(() => d.callback(1)).not.toThrow();
    expect(() => d.callback(2)).toThrow(AlreadyCalledError);
  });

  it("lets a canceller that fires the Deferred win", () => {
    const d = new Deferred<string>((self) => self.callback("cancelled nicely"));
    let got = "";
    d.addCallback((r) => {
      got = r;
    });
    d.cancel();
    expect(got).toBe("cancelled nicely");
  });

  it("errbacks with CancelledError when the canceller does not fire, and refuses a late fire", () => {
    let ran = 0;
    const d = new Deferred<number>(() => {
      ran++;
    });
    let failure: Failure | undefined;
    d.addErrback((f) => {
      failure = f;
    });
    d.cancel();
    d.cancel();
    expect(ran).toBe(1);
    expect(failure?.check(CancelledError)).toBe(CancelledError);
    expect(() => d.callback(1)).toThrow(AlreadyCalledError);
  });

  it("does nothing to a fired Deferred", () => {
    const d = succeed(1);
    d.cancel();
    expect(d.result).toBe(1);
  });

  it("forwards the cancel to the Deferred it waits on", () => {
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const outer = succeed(0).addCallback(() => inner);
    let failure: Failure | undefined;
    outer.addErrback((f) => {
      failure = f;
    });
    outer.cancel();
    expect(innerCancelled).toBe(true);
    expect(failure?.check(CancelledError)).toBe(CancelledError);
  });
});

describe("Deferred: addTimeout", () => {
  it("errbacks with TimeoutError after the timeout", () => {
    const clock = new Clock();
    const d = new Deferred<number>().addTimeout(10, clock);
    let failure: Failure | undefined;
    d.addErrback((f) => {
      failure = f;
    });
    clock.advance(9.9);
    expect(failure).toBeUndefined();
    clock.advance(0.1);
    expect(failure?.check(TimeoutError)).toBe(TimeoutError);
    expect(failure?.getErrorMessage()).toBe("Deferred timed out after 10 seconds");
  });

  it("cancels the timer when the Deferred fires first", () => {
    const clock = new Clock();
    const d = new Deferred<number>().addTimeout(10, clock);
    d.callback(1);
    expect(clock.getDelayedCalls()).toHaveLength(0);
    expect(d.result).toBe(1);
  });

  it("lets an errback added before the timeout suppress the TimeoutError", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    d.addErrback((f) => {
      f.trap(CancelledError);
      return "recovered";
    });
    d.addTimeout(1, clock);
    clock.advance(1);
    expect(d.result).toBe("recovered");
  });

  it("keeps a value produced by the canceller", () => {
    const clock = new Clock();
    const d = new Deferred<string>((self) => self.callback("from canceller")).addTimeout(1, clock);
    clock.advance(2);
    expect(d.result).toBe("from canceller");
  });

  it("calls onTimeoutCancel only on an actual timeout", () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    const onTimeout = (_r: unknown, t: number) => {
      seen.push(t);
      return "timed out";
    };
    const a = new Deferred<string>().addTimeout(5, clock, onTimeout);
    a.callback("fine");
    const b = new Deferred<string>().addTimeout(5, clock, onTimeout);
    clock.advance(5);
    expect(a.result).toBe("fine");
    expect(b.result).toBe("timed out");
    expect(seen).toEqual([5]);
  });
});

describe("Deferred: Promises, await and AbortSignal", () => {
  it("is awaitable and does not change what later callbacks see", async () => {
    const d = new Deferred<number>();
    const awaited = (async () => await d)();
    d.callback(5);
    expect(await awaited).toBe(5);
    let later = 0;
    d.addCallback((x) => {
      later = x;
    });
    expect(later).toBe(5);
  });

  it("rejects an await with the original error", async () => {
    const error = new RangeError("nope");
    await expect(fail(error)).rejects.toBe(error);
  });

  it("waits for a returned Promise before the next callback", async () => {
    const d = new Deferred<number>();
    const done = d.addCallback(async (x) => x * 2).addCallback((x) => x + 1);
    d.callback(5);
    expect(d.called).toBe(true);
    expect(await done).toBe(11);
  });

  it("fromPromise follows a Promise and asPromise consumes the result", async () => {
    const d = Deferred.fromPromise(Promise.resolve("p"));
    expect(await d.asPromise()).toBe("p");
    expect(d.result).toBeUndefined();
    const rejected = Deferred.fromPromise(Promise.reject(new Error("r")));
    await expect(rejected.asPromise()).rejects.toThrow("r");
  });

  it("cancels when an AbortSignal aborts, and hands out a signal that aborts on cancel", () => {
    const controller = new AbortController();
    const d = new Deferred<number>().cancelOnAbort(controller.signal);
    const signal = d.signal;
    d.addErrback(() => undefined);
    controller.abort();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    expect(d.called).toBe(true);
  });

  it("cancels at once when given an aborted signal", () => {
    const d = new Deferred<number>().cancelOnAbort(AbortSignal.abort());
    d.addErrback((f) => f.trap(CancelledError));
    expect(d.called).toBe(true);
  });
});

describe("maybeDeferred", () => {
  it("wraps a value, a throw, a returned Failure, a Promise and passes a Deferred through", async () => {
    expect(maybeDeferred(() => 1).result).toBe(1);
    const thrown = maybeDeferred(() => {
      throw new Error("t");
    });
    expect((thrown.result as Failure).getErrorMessage()).toBe("t");
    thrown.addErrback(() => undefined);
    const returned = maybeDeferred(() => new Failure(new Error("f")));
    expect(returned.result).toBeInstanceOf(Failure);
    returned.addErrback(() => undefined);
    const d = new Deferred<number>();
    expect(maybeDeferred(() => d)).toBe(d);
    expect(await maybeDeferred(async (x: number) => x + 1, 1)).toBe(2);
  });
});

describe("Deferred: a reference model", () => {
  type Step = { kind: "cb" | "eb" | "both"; action: "return" | "throw"; value: number };
  const stepArb = fc.record({
    kind: fc.constantFrom("cb" as const, "eb" as const, "both" as const),
    action: fc.constantFrom("return" as const, "throw" as const),
    value: fc.integer({ min: 0, max: 100 }),
  });

  /** What the chain should end with, computed without Deferreds. */
  function model(start: { ok: boolean; value: number }, steps: Step[]) {
    let state = start;
    for (const step of steps) {
      const runs = step.kind === "both" || (step.kind === "cb") === state.ok;
      if (!runs) continue;
      state = { ok: step.action === "return", value: state.value + step.value };
    }
    return state;
  }

  it("matches the model for any mix of callbacks and errbacks, fired before or after adding", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 100 }),
        fc.array(stepArb, { maxLength: 12 }),
        fc.nat(12),
        fc.boolean(),
        (ok, value, steps, fireAt, viaDeferred) => {
          const d = new Deferred<number>();
          const apply = (step: Step) => (input: number | Failure) => {
            const base = input instanceof Failure ? (input.value as { n: number }).n : input;
            const n = base + step.value;
            const out = step.action === "return" ? n : new Failure({ n });
            if (out instanceof Failure) throw out.value;
            return viaDeferred ? succeed(out) : out;
          };
          const fire = () => (ok ? d.callback(value) : d.errback({ n: value }));
          steps.forEach((step, i) => {
            if (i === fireAt) fire();
            const fn = apply(step);
            if (step.kind === "cb") d.addCallback(fn as (x: number) => number);
            else if (step.kind === "eb") d.addErrback(fn as (f: Failure) => number);
            else d.addBoth(fn);
          });
          if (!d.called) fire();
          const expected = model({ ok, value }, steps);
          let actual: { ok: boolean; value: number } | undefined;
          d.addCallbacks(
            (v) => {
              actual = { ok: true, value: v as number };
            },
            (f) => {
              actual = { ok: false, value: (f.value as { n: number }).n };
            },
          );
          expect(actual).toEqual(expected);
        },
      ),
    );
  });
});
