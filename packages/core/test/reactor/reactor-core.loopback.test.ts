import { describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import {
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
} from "../../src/errors.js";
import { Reactor } from "../../src/reactor/reactor.js";

describe("the reactor on Node's loop (real time)", () => {
  it("runs startup triggers in phase order, callWhenRunning after, and settles run() after stop()", async () => {
    const reactor = new Reactor();
    const order: string[] = [];
    reactor.addSystemEventTrigger("after", "startup", () => order.push("after startup"));
    reactor.addSystemEventTrigger("before", "startup", () =>
      order.push(`before startup running=${reactor.running}`),
    );
    reactor.addSystemEventTrigger("during", "startup", () =>
      order.push(`during startup running=${reactor.running}`),
    );
    reactor.callWhenRunning(() => order.push("callWhenRunning 1"));
    reactor.callWhenRunning(() => order.push("callWhenRunning 2"));
    reactor.addSystemEventTrigger("before", "shutdown", () => order.push("before shutdown"));
    reactor.addSystemEventTrigger("after", "shutdown", () => order.push("after shutdown"));
    const finished = reactor.run({ installSignalHandlers: false });
    expect(reactor.running).toBe(true);
    reactor.callWhenRunning(() => order.push("callWhenRunning while running"));
    reactor.stop();
    await finished;
    expect(order).toEqual([
      "before startup running=false",
      "during startup running=true",
      "after startup",
      "callWhenRunning 1",
      "callWhenRunning 2",
      "callWhenRunning while running",
      "before shutdown",
      "after shutdown",
    ]);
    expect(reactor.running).toBe(false);
  });

  it("refuses stop() when not running, a second run() while running, and a restart", async () => {
    const reactor = new Reactor();
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
    const finished = reactor.run({ installSignalHandlers: false });
    expect(() => reactor.run()).toThrow(ReactorAlreadyRunning);
    reactor.stop();
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
    await finished;
    expect(() => reactor.run()).toThrow(ReactorNotRestartable);
  });

  it("waits for a Deferred returned by a before-shutdown trigger", async () => {
    const reactor = new Reactor();
    const gate = new Deferred<void>();
    const order: string[] = [];
    reactor.addSystemEventTrigger("before", "shutdown", () => {
      order.push("before");
      return gate;
    });
    reactor.addSystemEventTrigger("during", "shutdown", () => order.push("during"));
    const finished = reactor.run({ installSignalHandlers: false });
    let settled = false;
    void finished.then(() => {
      settled = true;
    });
    reactor.stop();
    await new Promise((r) => setTimeout(r, 30));
    expect(order).toEqual(["before"]);
    expect(settled).toBe(false);
    gate.callback(undefined);
    await finished;
    expect(order).toEqual(["before", "during"]);
  });

  it("removes a trigger", async () => {
    const reactor = new Reactor();
    const seen: string[] = [];
    const id = reactor.addSystemEventTrigger("before", "shutdown", () => seen.push("removed"));
    reactor.removeSystemEventTrigger(id);
    expect(() => reactor.removeSystemEventTrigger(id)).toThrow(RangeError);
    const finished = reactor.run({ installSignalHandlers: false });
    reactor.stop();
    await finished;
    expect(seen).toEqual([]);
  });

  it("runs delayed calls in time order, and keeps going after one throws (I fall down, but I get up again)", async () => {
    const reactor = new Reactor();
    const seen: string[] = [];
    const finished = reactor.run({ installSignalHandlers: false });
    reactor.callLater(0.03, () => seen.push("third"));
    reactor.callLater(0.01, () => {
      seen.push("first");
      throw new Error("I fall down");
    });
    reactor.callLater(
      0.02,
      (a: string, b: string) => seen.push(`${a} ${b}`),
      "but I",
      "get up again",
    );
    const cancelled = reactor.callLater(0.015, () => seen.push("cancelled"));
    cancelled.cancel();
    const moved = reactor.callLater(0.001, () => seen.push("moved"));
    moved.reset(0.04);
    expect(reactor.getDelayedCalls()).toHaveLength(4);
    reactor.callLater(0.06, () => reactor.stop());
    await finished;
    expect(seen).toEqual(["first", "but I get up again", "third", "moved"]);
    expect(() => reactor.callLater(-1, () => undefined)).toThrow(RangeError);
  });

  it("measures time in seconds", async () => {
    const reactor = new Reactor();
    const start = reactor.seconds();
    const d = new Deferred<number>();
    reactor.callLater(0.05, () => d.callback(reactor.seconds()));
    const at = await d;
    expect(at - start).toBeGreaterThanOrEqual(0.045);
    expect(at - start).toBeLessThan(1);
    expect(Math.abs(start - Date.now() / 1000)).toBeLessThan(1);
  });

  it("stops on SIGTERM when signal handlers are installed", async () => {
    const reactor = new Reactor();
    const finished = reactor.run({ installSignalHandlers: true });
    const before = process.listenerCount("SIGTERM");
    process.emit("SIGTERM", "SIGTERM");
    await finished;
    expect(reactor.running).toBe(false);
    expect(process.listenerCount("SIGTERM")).toBe(before - 1);
  });
});
