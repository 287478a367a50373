import { describe, expect, it } from "vitest";
import { type ILogObserver, type LogEvent, Logger, LogPublisher } from "../../src/logger/index.js";
import { collector } from "./helpers.js";

const noop = (): ILogObserver => () => {};

describe("LogPublisher", () => {
  it("is itself an observer: a function that publishes", () => {
    const { events, observer } = collector();
    const publisher = new LogPublisher(observer);
    expect(typeof publisher).toBe("function");
    expect(publisher).toBeInstanceOf(LogPublisher);
    publisher({ x: 1 });
    publisher.observe({ x: 2 });
    publisher.call(undefined, { x: 3 });
    expect(events).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expect(String(publisher)).toBe("<LogPublisher>");
  });

  it("starts with the observers it is given", () => {
    const [o1, o2] = [noop(), noop()];
    expect(new LogPublisher(o1, o2).getObservers()).toEqual([o1, o2]);
  });

  it("adds an observer once, however often it is added", () => {
    const [o1, o2, o3] = [noop(), noop(), noop()];
    const publisher = new LogPublisher(o1, o2);
    publisher.addObserver(o3);
    publisher.addObserver(o3);
    expect(publisher.getObservers()).toEqual([o1, o2, o3]);
  });

  it("refuses an observer that is not callable", () => {
    const publisher = new LogPublisher();
    expect(() => publisher.addObserver({} as ILogObserver)).toThrow(TypeError);
  });

  it("removes an observer, and ignores one it does not have", () => {
    const [o1, o2, o3] = [noop(), noop(), noop()];
    const publisher = new LogPublisher(o1, o2, o3);
    publisher.removeObserver(o2);
    expect(publisher.getObservers()).toEqual([o1, o3]);
    publisher.removeObserver(o2);
    expect(publisher.getObservers()).toEqual([o1, o3]);
  });

  it("delivers each event to every observer, in order", () => {
    const order: string[] = [];
    const publisher = new LogPublisher(
      () => order.push("first"),
      () => order.push("second"),
      () => order.push("third"),
    );
    const event: LogEvent = { foo: 1 };
    publisher(event);
    expect(order).toEqual(["first", "second", "third"]);
  });

  it("keeps delivering when an observer throws, and reports the error to the others", () => {
    const exception = new Error("ARGH! EVIL DEATH!");
    const seenByBroken: LogEvent[] = [];
    const broken: ILogObserver = (event) => {
      seenByBroken.push(event);
      if (seenByBroken.length === 1) throw exception;
    };
    const { events, observer } = collector();
    const publisher = new LogPublisher(broken, observer);
    const event: LogEvent = { foo: 1, bar: 2 };
    expect(() => publisher(event)).not.toThrow();
    expect(events[0]).toBe(event);
    const errors = events.filter((e) => "log_failure" in e);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.log_failure?.value).toBe(exception);
    expect(errors[0]).toMatchObject({ log_level: "critical", observer: broken });
    // The broken observer does not hear about its own error, and stays registered.
    expect(seenByBroken).toEqual([event]);
    expect(publisher.getObservers()).toContain(broken);
    publisher({ again: true });
    expect(seenByBroken).toHaveLength(2);
  });

  it("never lets an error escape, even when every observer throws", () => {
    const publisher = new LogPublisher(
      () => {
        throw new Error("one");
      },
      () => {
        throw new Error("two");
      },
    );
    expect(() => publisher({ x: 1 })).not.toThrow();
  });

  it("delivers to the observers registered when publishing began", () => {
    const { events, observer } = collector();
    const publisher = new LogPublisher();
    publisher.addObserver(() => publisher.addObserver(observer));
    publisher({ n: 1 });
    expect(events).toEqual([]);
    publisher({ n: 2 });
    expect(events).toEqual([{ n: 2 }]);
  });

  it("records each hop in log_trace", () => {
    const traces: Record<string, unknown[]> = {};
    const o1: ILogObserver = (e) => {
      traces.o1 ??= [...(e.log_trace ?? [])];
    };
    const o2: ILogObserver = (e) => {
      traces.o2 ??= [...(e.log_trace ?? [])];
    };
    const publisher = new LogPublisher(o1, o2);
    publisher({ foo: 1, log_trace: [] });
    expect(traces.o1).toEqual([[publisher, o1]]);
    expect(traces.o2).toEqual([
      [publisher, o1],
      [publisher, o2],
    ]);
  });

  it("counts the deliveries in progress", () => {
    const depths: number[] = [];
    const publisher: LogPublisher = new LogPublisher(() => depths.push(publisher.dispatchDepth));
    publisher({});
    expect(depths).toEqual([1]);
    expect(publisher.dispatchDepth).toBe(0);
  });

  it("serves as a Logger's observer", () => {
    const { events, observer } = collector();
    const publisher = new LogPublisher(observer);
    new Logger({ namespace: "pub", observer: publisher }).info("hi");
    expect(events[0]).toMatchObject({ log_namespace: "pub", log_format: "hi" });
  });
});
