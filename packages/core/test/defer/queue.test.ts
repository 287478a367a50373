import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Deferred } from "../../src/defer/deferred.js";
import { DeferredQueue } from "../../src/defer/queue.js";
import { CancelledError, QueueOverflow, QueueUnderflow } from "../../src/errors.js";
import type { Failure } from "../../src/failure.js";

/** Collect what a Deferred fires with into `into`. */
function collect<T>(d: Deferred<T>, into: T[]): void {
  d.addCallback((x) => {
    into.push(x);
  });
}

describe("DeferredQueue", () => {
  it("hands puts to waiting gets, keeps the rest, and enforces both limits", () => {
    const n = 2;
    const m = 2;
    const queue = new DeferredQueue<number>(n, m);
    let gotten: number[] = [];
    for (let i = 0; i < m; i++) collect(queue.get(), gotten);
    expect(() => queue.get()).toThrow(QueueUnderflow);
    for (let i = 0; i < m; i++) {
      queue.put(i);
      expect(gotten).toEqual(Array.from({ length: i + 1 }, (_, k) => k));
    }
    for (let i = 0; i < n; i++) {
      queue.put(n + i);
      expect(gotten).toEqual([0, 1]);
    }
    expect(() => queue.put(99)).toThrow(QueueOverflow);
    gotten = [];
    for (let i = 0; i < n; i++) {
      collect(queue.get(), gotten);
      expect(gotten).toEqual(Array.from({ length: i + 1 }, (_, k) => n + k));
    }
  });

  it("returns an already fired Deferred from get when an object is waiting", () => {
    const queue = new DeferredQueue<string>();
    queue.put("a");
    const d = queue.get();
    expect(d.called).toBe(true);
    const got: string[] = [];
    collect(d, got);
    expect(got).toEqual(["a"]);
    expect(queue.pending).toEqual([]);
  });

  it("gives each put to the oldest waiting get", () => {
    const queue = new DeferredQueue<number>();
    const first: number[] = [];
    const second: number[] = [];
    collect(queue.get(), first);
    collect(queue.get(), second);
    expect(queue.waiting).toHaveLength(2);
    queue.put(1);
    expect(first).toEqual([1]);
    expect(second).toEqual([]);
    queue.put(2);
    expect(second).toEqual([2]);
    expect(queue.waiting).toHaveLength(0);
  });

  it("keeps objects in order in pending", () => {
    const queue = new DeferredQueue<string>();
    queue.put("x");
    queue.put("y");
    expect(queue.pending).toEqual(["x", "y"]);
    expect(queue.size).toBe(Number.POSITIVE_INFINITY);
    expect(queue.backlog).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps an undefined object like any other", () => {
    const queue = new DeferredQueue<undefined>();
    queue.put(undefined);
    expect(queue.pending).toHaveLength(1);
    const d = queue.get();
    expect(d.called).toBe(true);
    expect(queue.pending).toHaveLength(0);
  });

  it("overflows at once with size 0 and underflows at once with backlog 0", () => {
    expect(() => new DeferredQueue<null>(0).put(null)).toThrow(QueueOverflow);
    expect(() => new DeferredQueue<null>(Number.POSITIVE_INFINITY, 0).get()).toThrow(
      QueueUnderflow,
    );
  });

  it("still hands a put to a waiting get when size is 0", () => {
    const queue = new DeferredQueue<number>(0);
    const got: number[] = [];
    collect(queue.get(), got);
    queue.put(3);
    expect(got).toEqual([3]);
  });

  it("rejects negative and NaN limits", () => {
    expect(() => new DeferredQueue(-1)).toThrow(RangeError);
    expect(() => new DeferredQueue(Number.POSITIVE_INFINITY, Number.NaN)).toThrow(RangeError);
  });

  it("does nothing when a get that already fired is cancelled", () => {
    const queue = new DeferredQueue<null>();
    const d = queue.get();
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    queue.put(null);
    d.cancel();
    expect(failures).toEqual([]);
  });

  it("removes a waiting get that is cancelled, so the next put goes elsewhere", () => {
    const queue = new DeferredQueue<string>();
    const d = queue.get();
    d.cancel();
    expect(queue.waiting).toHaveLength(0);
    const outcome: unknown[] = [];
    d.addErrback((f) => {
      outcome.push(f.check(CancelledError));
      // Were the Deferred still in the queue, put would fire it again: AlreadyCalledError.
      queue.put("after");
      return queue.get();
    });
    collect(d, outcome);
    expect(outcome).toEqual([CancelledError, "after"]);
  });

  it("frees backlog room when a waiting get is cancelled", () => {
    const queue = new DeferredQueue<number>(Number.POSITIVE_INFINITY, 1);
    const d = queue.get();
    expect(() => queue.get()).toThrow(QueueUnderflow);
    d.cancel();
    d.addErrback(() => undefined);
    const got: number[] = [];
    collect(queue.get(), got);
    queue.put(8);
    expect(got).toEqual([8]);
  });

  it("delivers objects first in, first out whatever the interleaving of puts and gets", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant("get" as const), fc.integer())), (ops) => {
        const queue = new DeferredQueue<number>();
        const put: number[] = [];
        const got: number[] = [];
        for (const op of ops) {
          if (op === "get") {
            collect(queue.get(), got);
          } else {
            put.push(op);
            queue.put(op);
          }
        }
        const gets = ops.filter((op) => op === "get").length;
        expect(got).toEqual(put.slice(0, Math.min(gets, put.length)));
        expect(queue.pending).toEqual(put.slice(got.length));
        expect(queue.waiting).toHaveLength(gets - got.length);
      }),
    );
  });
});
