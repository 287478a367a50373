import { describe, expect, it } from "vitest";
import {
  Application,
  collectState,
  Deferred,
  MultiService,
  restoreState,
  Service,
  type StateValue,
} from "../../src/index.js";

class Recording extends Service {
  constructor(
    name: string | undefined,
    readonly log: string[],
    readonly stopResult?: Deferred<unknown>,
  ) {
    super();
    this.name = name;
  }
  override privilegedStartService(): void {
    this.log.push(`privileged ${this.name}`);
  }
  override startService(): void {
    super.startService();
    this.log.push(`start ${this.name}`);
  }
  override stopService(): Deferred<unknown> | undefined {
    super.stopService();
    this.log.push(`stop ${this.name}`);
    return this.stopResult;
  }
}

describe("Service and MultiService", () => {
  it("refuses a new name once in a parent, and a duplicate name among siblings", () => {
    const parent = new MultiService();
    const a = new Service();
    a.setName("a");
    a.setServiceParent(parent);
    expect(() => a.setName("b")).toThrow("cannot change name when parent exists");
    const twin = new Service();
    twin.setName("a");
    expect(() => twin.setServiceParent(parent)).toThrow(
      "cannot have two services with same name 'a'",
    );
    expect(parent.getServiceNamed("a")).toBe(a);
    expect(() => parent.getServiceNamed("nope")).toThrow(RangeError);
  });

  it("runs privileged starts, then starts, in order, and stops in reverse order, all at once", () => {
    const log: string[] = [];
    const app = new Application("demo");
    const slow = new Deferred<unknown>();
    new Recording("first", log, slow).setServiceParent(app);
    new Recording("second", log).setServiceParent(app);
    app.privilegedStartService();
    app.startService();
    expect(log).toEqual(["privileged first", "privileged second", "start first", "start second"]);
    const stopped = app.stopService();
    // Both children were asked to stop at once, newest first; the stop waits for the slow one.
    expect(log.slice(4)).toEqual(["stop second", "stop first"]);
    expect(stopped.called).toBe(false);
    slow.callback(undefined);
    expect(stopped.called).toBe(true);
    expect(app.running).toBe(false);
  });

  it("starts a child added to a running parent at once, and stops one removed from it", () => {
    const log: string[] = [];
    const parent = new MultiService();
    parent.startService();
    const late = new Recording("late", log);
    late.setServiceParent(parent);
    expect(log).toEqual(["privileged late", "start late"]);
    late.disownServiceParent();
    expect(log).toEqual(["privileged late", "start late", "stop late"]);
    expect(late.parent).toBeUndefined();
    expect([...parent]).toEqual([]);
  });

  it("moves a service to a new parent, leaving the old one", () => {
    const a = new MultiService();
    const b = new MultiService();
    const s = new Service();
    s.setName("s");
    s.setServiceParent(a);
    s.setServiceParent(b);
    expect([...a]).toEqual([]);
    expect(b.getServiceNamed("s")).toBe(s);
  });

  it("fires a parent's stop even when a child's stop fails", () => {
    const parent = new MultiService();
    const failing = new Deferred<unknown>();
    new Recording("bad", [], failing).setServiceParent(parent);
    parent.startService();
    const stopped = parent.stopService();
    failing.errback(new Error("could not stop"));
    const [[ok, result]] = stopped.result as [[boolean, { getErrorMessage(): string }]];
    expect(ok).toBe(false);
    expect(result.getErrorMessage()).toBe("could not stop");
    stopped.addErrback(() => undefined);
  });
});

describe("state across restarts", () => {
  class Counter extends Service {
    count = 0;
    constructor(name: string) {
      super();
      this.name = name;
    }
    getState(): StateValue {
      return { count: this.count };
    }
    setState(state: StateValue): void {
      this.count = (state as { count: number }).count;
    }
  }

  it("collects named services' state by path and gives it back after a JSON round trip", () => {
    const app = new Application("app");
    const group = new MultiService();
    group.setName("group");
    group.setServiceParent(app);
    const counter = new Counter("counter");
    counter.setServiceParent(group);
    counter.count = 41;
    const saved = JSON.parse(JSON.stringify(collectState(app)));
    expect(saved).toEqual({ "group/counter": { count: 41 } });

    const again = new Application("app");
    const group2 = new MultiService();
    group2.setName("group");
    group2.setServiceParent(again);
    const counter2 = new Counter("counter");
    counter2.setServiceParent(group2);
    restoreState(again, { ...saved, "gone/away": 1 });
    expect(counter2.count).toBe(41);
  });
});
