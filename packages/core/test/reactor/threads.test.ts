import { describe, expect, it } from "vitest";
import { Reactor } from "../../src/reactor/reactor.js";
import { blockingCallFromThread } from "../../src/reactor/threads/deferToThread.js";
import { ThreadPool } from "../../src/reactor/threads/pool.js";
import {
  deserializeError,
  explainReferenceError,
  resolveTask,
  serializeError,
  taskFor,
} from "../../src/reactor/threads/task.js";

describe("taskFor", () => {
  it("sends a function as its source text", () => {
    const add = (a: number, b: number): number => a + b;
    expect(taskFor(add, "deferToThread")).toEqual({ kind: "source", source: add.toString() });
  });

  it("turns a URL or an absolute path into a URL string and keeps bare names", () => {
    expect(taskFor({ module: new URL("file:///tmp/w.mjs"), export: "f" }, "x")).toEqual({
      kind: "module",
      module: "file:///tmp/w.mjs",
      export: "f",
    });
    expect(taskFor({ module: "/tmp/w.mjs", export: "f" }, "x")).toMatchObject({
      module: "file:///tmp/w.mjs",
    });
    expect(taskFor({ module: "node:os", export: "cpus" }, "x")).toMatchObject({
      module: "node:os",
    });
  });

  it("refuses native and bound functions, relative paths and other values", () => {
    expect(() => taskFor(Math.max, "deferToThread")).toThrow(
      /deferToThread: a native or bound function/,
    );
    expect(() => taskFor((() => 1).bind(null), "deferToThread")).toThrow(TypeError);
    expect(() => taskFor({ module: "../w.mjs", export: "f" }, "deferToThread")).toThrow(
      /is relative/,
    );
    expect(() => taskFor(42 as never, "callInThread")).toThrow(/callInThread: expected a function/);
  });
});

describe("resolveTask", () => {
  it("rebuilds arrow functions, function expressions and method shorthand", async () => {
    const arrow = await resolveTask({ kind: "source", source: "(x) => x + 1" });
    const classic = await resolveTask({
      kind: "source",
      source: "function named(x) { return x * 3; }",
    });
    const method = await resolveTask({ kind: "source", source: "double(x) { return x * 2; }" });
    expect([arrow(1), classic(2), method(4)]).toEqual([2, 6, 8]);
  });

  it("imports a module's export", async () => {
    const fn = await resolveTask({ kind: "module", module: "node:path", export: "basename" });
    expect(fn("/a/b.txt")).toBe("b.txt");
    await expect(
      resolveTask({ kind: "module", module: "node:path", export: "nope" }),
    ).rejects.toThrow(/no exported function "nope"/);
  });
});

describe("errors across threads", () => {
  it("round-trips standard errors with their class, message, stack and code", () => {
    const original = Object.assign(new RangeError("too far"), { code: "E_FAR" });
    const copy = deserializeError(structuredClone(serializeError(original))) as RangeError & {
      code: string;
    };
    expect(copy).toBeInstanceOf(RangeError);
    expect([copy.message, copy.code, copy.stack]).toEqual(["too far", "E_FAR", original.stack]);
  });

  it("keeps the name of other errors and passes thrown non-errors as values", () => {
    class Custom extends Error {
      override name = "Custom";
    }
    const copy = deserializeError(serializeError(new Custom("mine"))) as Error;
    expect([copy.constructor, copy.name, copy.message]).toEqual([Error, "Custom", "mine"]);
    expect(deserializeError(serializeError({ plain: 1 }))).toEqual({ plain: 1 });
    expect(deserializeError(serializeError(Symbol.for("s")))).toBe("Symbol(s)");
  });

  it("explains a ReferenceError for a name the function's source uses", () => {
    const task = { kind: "source", source: "() => secret" } as const;
    const explained = explainReferenceError(
      new ReferenceError("secret is not defined"),
      task,
      "deferToThread",
      "the worker",
    );
    expect((explained as Error).message).toBe(
      "deferToThread: the function uses `secret`, which is not defined in the worker; functions must be self-contained (use arguments), or pass { module, export }",
    );
    const other = new ReferenceError("elsewhere is not defined");
    expect(explainReferenceError(other, task, "deferToThread", "the worker")).toBe(other);
  });
});

describe("ThreadPool without workers", () => {
  it("checks its bounds", () => {
    expect(() => new ThreadPool(-1, 3)).toThrow(RangeError);
    expect(() => new ThreadPool(4, 3)).toThrow(RangeError);
    const pool = new ThreadPool();
    expect([pool.min, pool.max, pool.started, pool.joined, pool.workers]).toEqual([
      0,
      10,
      false,
      false,
      0,
    ]);
    expect(() => pool.adjustPoolsize(11)).toThrow(RangeError);
  });

  it("queues work until started, without making workers", () => {
    const pool = new ThreadPool(0, 2);
    pool.callInThread((x: number) => x, 1);
    pool.callInThreadWithCallback(null, () => 2);
    expect(pool.statistics()).toEqual({
      idleWorkerCount: 0,
      busyWorkerCount: 0,
      backloggedWorkCount: 2,
    });
    pool.stop();
    expect(pool.statistics().backloggedWorkCount).toBe(0);
    expect(String(pool)).toBe("<ThreadPool  0..2>");
  });

  it("makes the reactor's pool on first use, 0 to 10 workers, and suggestThreadPoolSize(0) without one does nothing", () => {
    const reactor = new Reactor();
    const fresh = new Reactor();
    fresh.suggestThreadPoolSize(0);
    const pool = reactor.getThreadPool();
    expect(reactor.getThreadPool()).toBe(pool);
    expect([pool.min, pool.max, pool.name, pool.started]).toEqual([
      0,
      10,
      "twisted.internet.reactor",
      false,
    ]);
    reactor.suggestThreadPoolSize(3);
    expect(pool.max).toBe(3);
  });
});

describe("blockingCallFromThread on the reactor's thread", () => {
  it("throws instead of waiting for itself", () => {
    expect(() => blockingCallFromThread(new Reactor(), () => 1)).toThrow(
      "blockingCallFromThread must be called from a thread-pool worker, not from the reactor's thread",
    );
    expect(() => new Reactor().blockingCallFromThread(() => 1)).toThrow(
      /must be called from a thread-pool worker/,
    );
  });
});
