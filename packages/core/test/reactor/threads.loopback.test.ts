import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { Deferred } from "../../src/defer/deferred.js";
import { globalLogPublisher } from "../../src/logger/index.js";
import type { LogEvent } from "../../src/logger/observer.js";
import { Reactor } from "../../src/reactor/reactor.js";
import {
  type blockingCallFromThread,
  deferToThreadPool,
} from "../../src/reactor/threads/deferToThread.js";
import { ThreadPool } from "../../src/reactor/threads/pool.js";
import { LoopingCall } from "../../src/task/loopingCall.js";
import { onCleanup, runningReactor, testReactor, waitFor } from "./helpers.js";

const setup = testReactor;

/** The globals a pool worker offers to the functions it runs. */
interface WorkerGlobals {
  blockingCallFromThread: typeof blockingCallFromThread;
}

/** What a Deferred fails with (the thrown value itself). */
function rejection(d: Deferred<unknown>): Promise<unknown> {
  return d.asPromise().then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

/** A module the workers import by URL, with state of its own in each thread that imports it. */
function fixtureModule(): string {
  const file = join(mkdtempSync(join(tmpdir(), "twisted-ts-threads-")), "work.mjs");
  writeFileSync(
    file,
    [
      "let count = 0;",
      "export function square(x) { return x * x; }",
      "export function bump(by) { count += by; return count; }",
      "export function count_() { return count; }",
      "export async function viaReactor(by) {",
      "  return globalThis.blockingCallFromThread(globalThis.reactor, { module: import.meta.url, export: 'bump' }, by);",
      "}",
    ].join("\n"),
  );
  return file;
}

describe("deferToThread", () => {
  it("delivers a worker's result on the reactor's thread", async () => {
    const reactor = setup();
    expect(await reactor.deferToThread((a: number, b: number) => a + b, 2, 3)).toBe(5);
  });

  it("awaits an async function in the worker", async () => {
    const reactor = setup();
    const slowDouble = async (x: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return x * 2;
    };
    expect(await reactor.deferToThread(slowDouble, 21)).toBe(42);
  });

  it("fails with what the function threw, keeping its type and message", async () => {
    const reactor = setup();
    const error = await rejection(
      reactor.deferToThread(() => {
        throw new RangeError("out of range in a worker");
      }),
    );
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe("out of range in a worker");
  });

  it("refuses a closure with a ReferenceError that names the variable", async () => {
    const reactor = setup();
    const secret = 42;
    const error = await rejection(reactor.deferToThread(() => secret + 1));
    expect(error).toBeInstanceOf(ReferenceError);
    expect((error as Error).message).toBe(
      "deferToThread: the function uses `secret`, which is not defined in the worker; functions must be self-contained (use arguments), or pass { module, export }",
    );
  });

  it("runs { module, export } functions, by URL or absolute path", async () => {
    const reactor = setup();
    const file = fixtureModule();
    expect(await reactor.deferToThread({ module: pathToFileURL(file), export: "square" }, 7)).toBe(
      49,
    );
    expect(await reactor.deferToThread({ module: file, export: "square" }, 8)).toBe(64);
    const missing = await rejection(reactor.deferToThread({ module: file, export: "nothing" }));
    expect((missing as Error).message).toMatch(/has no exported function "nothing"/);
    expect(() => reactor.deferToThread({ module: "./work.mjs", export: "square" })).toThrow(
      TypeError,
    );
  });

  it("refuses native functions and values that cannot be cloned", async () => {
    const reactor = setup();
    expect(() => reactor.deferToThread(Math.max, 1, 2)).toThrow(/native or bound function/);
    const badArgs = await rejection(
      reactor.deferToThread(
        (f: unknown) => typeof f,
        () => 1,
      ),
    );
    expect(badArgs).toBeInstanceOf(TypeError);
    expect((badArgs as Error).message).toMatch(/arguments must be structured-cloneable/);
    const badResult = await rejection(reactor.deferToThread(() => () => 1));
    expect((badResult as Error).message).toMatch(/result cannot be sent back/);
  });

  it("waits for run() before running work queued earlier", async () => {
    const reactor = new Reactor();
    const d = reactor.deferToThread(() => "ran");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(d.called).toBe(false);
    expect(reactor.getThreadPool().statistics().backloggedWorkCount).toBe(1);
    const finished = reactor.run({ installSignalHandlers: false });
    onCleanup(async () => {
      reactor.stop();
      await finished;
    });
    expect(await d).toBe("ran");
  });

  it("does not delay a 10 ms LoopingCall while a worker computes for a second", async () => {
    const reactor = setup();
    const ticks: number[] = [];
    const loop = new LoopingCall(() => {
      ticks.push(performance.now());
    });
    loop.clock = reactor;
    loop.start(0.01);
    const started = performance.now();
    const busy = (ms: number): number => {
      const end = Date.now() + ms;
      let spins = 0;
      while (Date.now() < end) spins++;
      return spins;
    };
    const spins = await reactor.deferToThread(busy, 1000);
    const elapsed = performance.now() - started;
    loop.stop();
    expect(spins).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    const during = ticks.filter((t) => t >= started);
    const gaps = during.slice(1).map((t, i) => t - (during[i] as number));
    expect(during.length).toBeGreaterThan(20);
    expect(Math.max(...gaps)).toBeLessThan(200);
  });
});

describe("blockingCallFromThread", () => {
  it("runs a function on the reactor's thread from a worker and returns its result", async () => {
    const reactor = setup();
    (globalThis as { twistedTsThreadMarker?: string }).twistedTsThreadMarker = "reactor thread";
    onCleanup(() => {
      delete (globalThis as { twistedTsThreadMarker?: string }).twistedTsThreadMarker;
    });
    // In the worker, the globals `blockingCallFromThread` and `reactor` stand in for the imports
    // (the test runner rewrites references to imports, so the global is named explicitly here).
    const inWorker = (x: number): [string | undefined, string, number] => [
      (globalThis as { twistedTsThreadMarker?: string }).twistedTsThreadMarker,
      (globalThis as unknown as WorkerGlobals).blockingCallFromThread(
        reactor,
        () => (globalThis as { twistedTsThreadMarker?: string }).twistedTsThreadMarker ?? "nowhere",
      ),
      (globalThis as unknown as WorkerGlobals).blockingCallFromThread(
        reactor,
        (y: number) => y + 1,
        x,
      ),
    ];
    expect(await reactor.deferToThread(inWorker, 41)).toEqual([undefined, "reactor thread", 42]);
  });

  it("waits for a Promise from the reactor's side, and rethrows its failure in the worker", async () => {
    const reactor = setup();
    const later = (): unknown =>
      (globalThis as unknown as WorkerGlobals).blockingCallFromThread(
        reactor,
        () => new Promise((resolve) => setTimeout(() => resolve("later"), 20)),
      );
    expect(await reactor.deferToThread(later)).toBe("later");
    const failing = (): unknown =>
      (globalThis as unknown as WorkerGlobals).blockingCallFromThread(reactor, () => {
        throw new TypeError("refused on the reactor");
      });
    const error = await rejection(reactor.deferToThread(failing));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("refused on the reactor");
  });

  it("calls a module function in the reactor thread's copy of the module", async () => {
    const reactor = setup();
    const file = fixtureModule();
    const url = pathToFileURL(file).href;
    const mainCopy = (await import(url)) as { count_: () => number };
    expect(await reactor.deferToThread({ module: url, export: "viaReactor" }, 5)).toBe(5);
    expect(await reactor.deferToThread({ module: url, export: "viaReactor" }, 2)).toBe(7);
    expect(mainCopy.count_()).toBe(7);
  });
});

describe("the reactor's thread pool", () => {
  it("logs a failure in callInThread", async () => {
    const events: LogEvent[] = [];
    const observer = (e: LogEvent): void => {
      events.push(e);
    };
    globalLogPublisher.addObserver(observer);
    onCleanup(() => {
      globalLogPublisher.removeObserver(observer);
    });
    const reactor = setup();
    reactor.callInThread(() => {
      throw new Error("boom in a worker");
    });
    const logged = await waitFor(() => events.find((e) => e.log_failure !== undefined));
    expect(logged.log_failure?.getErrorMessage()).toBe("boom in a worker");
    expect(logged["api"]).toBe("callInThread");
  });

  it("runs at most suggestThreadPoolSize workers at once, queueing the rest", async () => {
    const reactor = setup();
    reactor.suggestThreadPoolSize(2);
    const pool = reactor.getThreadPool();
    expect(pool.max).toBe(2);
    const nap = (id: number): number => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
      return id;
    };
    const results = [1, 2, 3, 4].map((id) => reactor.deferToThread(nap, id));
    expect(pool.statistics()).toEqual({
      idleWorkerCount: 0,
      busyWorkerCount: 2,
      backloggedWorkCount: 2,
    });
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
    expect(pool.workers).toBeLessThanOrEqual(2);
    expect(() => reactor.suggestThreadPoolSize(-1)).toThrow(RangeError);
  });

  it("terminates its workers at reactor shutdown", async () => {
    const { reactor, done } = runningReactor();
    const pool = reactor.getThreadPool();
    await reactor.deferToThread(() => 1);
    expect(pool.workers).toBe(1);
    await done();
    expect(pool.joined).toBe(true);
    expect(pool.workers).toBe(0);
  });
});

describe("ThreadPool of one's own", () => {
  it("keeps min workers once started and runs work with deferToThreadPool", async () => {
    const reactor = setup();
    const pool = new ThreadPool(1, 3, "mine", reactor);
    onCleanup(() => pool.stop());
    expect(pool.workers).toBe(0);
    pool.start();
    expect(pool.workers).toBe(1);
    expect(await deferToThreadPool(reactor, pool, (s: string) => s.toUpperCase(), "shout")).toBe(
      "SHOUT",
    );
    pool.adjustPoolsize(0, 1);
    expect(pool.max).toBe(1);
    pool.stop();
    expect(pool.workers).toBe(0);
    pool.callInThread(() => 1);
    expect(pool.statistics().backloggedWorkCount).toBe(0);
  });

  it("reports success and failure to callInThreadWithCallback", async () => {
    const reactor = setup();
    const pool = new ThreadPool(0, 2, "callbacks", reactor);
    onCleanup(() => pool.stop());
    pool.start();
    const outcome = (fn: () => unknown): Promise<[boolean, unknown]> =>
      new Promise((resolve) =>
        pool.callInThreadWithCallback((ok, result) => resolve([ok, result]), fn),
      );
    expect(await outcome(() => "fine")).toEqual([true, "fine"]);
    const [ok, failure] = await outcome(() => {
      throw new Error("not fine");
    });
    expect(ok).toBe(false);
    expect((failure as { getErrorMessage(): string }).getErrorMessage()).toBe("not fine");
  });
});
