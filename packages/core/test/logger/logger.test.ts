import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Failure } from "../../src/failure.js";
import {
  capturedLogs,
  formatEvent,
  globalLogPublisher,
  InvalidLogLevelError,
  type LogEvent,
  Logger,
  LogLevel,
} from "../../src/logger/index.js";
import { collector } from "./helpers.js";

describe("Logger", () => {
  it("describes itself by its namespace", () => {
    const log = new Logger({ namespace: "bleargh" });
    expect(String(log)).toBe("<Logger 'bleargh'>");
    expect(inspect(log)).toBe("<Logger 'bleargh'>");
  });

  it("takes a string as its namespace", () => {
    expect(new Logger("my.module").namespace).toBe("my.module");
  });

  it("defaults to the namespace <unknown>, no source and the global publisher", () => {
    const log = new Logger();
    expect(log.namespace).toBe("<unknown>");
    expect(log.source).toBeNull();
    expect(log.observer).toBe(globalLogPublisher);
  });

  it("sends events to the global publisher when given no observer", () => {
    const log = new Logger({ namespace: "test.global" });
    const events = capturedLogs(() => log.info("to the world"));
    expect(events).toHaveLength(1);
    expect(events[0]?.log_namespace).toBe("test.global");
  });

  it("emits an event with every log_ key at each level", () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: "test.levels", observer });
    for (const level of LogLevel.iterconstants()) {
      const before = Date.now() / 1000;
      log[level]("This is a {level_name} message", { junk: level, level_name: level });
      const event = events.pop() as LogEvent;
      expect(event.log_level).toBe(level);
      expect(event.log_format).toBe("This is a {level_name} message");
      expect(event.log_namespace).toBe("test.levels");
      expect(event.log_source).toBeNull();
      expect(event.log_logger).toBe(log);
      expect(event.junk).toBe(level);
      expect(event.log_time).toBeGreaterThanOrEqual(before - 0.001);
      expect(event.log_time).toBeLessThanOrEqual(Date.now() / 1000 + 0.001);
      expect(formatEvent(event)).toBe(`This is a ${level} message`);
    }
  });

  it("sets log_format to null when there is no format", () => {
    const { events, observer } = collector();
    new Logger({ observer }).info();
    expect(events[0]?.log_format).toBeNull();
  });

  it("does not let fields override the log_ keys", () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: "real", observer });
    log.warn("*", {
      log_format: "#",
      log_level: LogLevel.error,
      log_namespace: "*namespace*",
      log_source: "*source*",
    });
    expect(events[0]).toMatchObject({
      log_format: "*",
      log_level: "warn",
      log_namespace: "real",
      log_source: null,
    });
  });

  it("builds a new event without changing the fields object or formatting anything", () => {
    const { events, observer } = collector();
    const fields = {
      unprintable: {
        toString(): string {
          throw new Error("formatted too early");
        },
      },
    };
    new Logger({ observer }).info("{unprintable}", fields);
    expect(events[0]).not.toBe(fields);
    expect(Object.keys(fields)).toEqual(["unprintable"]);
    expect(events[0]?.unprintable).toBe(fields.unprintable);
  });

  it("makes its source available to format strings", () => {
    const { events, observer } = collector();
    const source = { toString: () => "<LogComposedObject hello>" };
    new Logger({ observer, source }).error("Hello, {log_source}.");
    expect(events[0]?.log_source).toBe(source);
    expect(formatEvent(events[0] as LogEvent)).toBe("Hello, <LogComposedObject hello>.");
  });

  it("names a logger for an instance or a class after the class, with it as source", () => {
    class Thingo {}
    const thingo = new Thingo();
    const { events, observer } = collector();
    const forInstance = Logger.forSource(thingo, { observer });
    expect(forInstance.namespace).toBe("Thingo");
    expect(forInstance.source).toBe(thingo);
    const forClass = Logger.forSource(Thingo, { observer });
    expect(forClass.source).toBe(Thingo);
    forClass.info("hello");
    expect(events[0]?.log_source).toBe(Thingo);
    expect(Logger.forSource(thingo, { namespace: "app.Thingo" }).namespace).toBe("app.Thingo");
  });

  it("keeps namespace and observer when given another source", () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: "ns", observer }).withSource("me");
    log.info("x");
    expect(events[0]).toMatchObject({ log_namespace: "ns", log_source: "me" });
  });

  it("logs a failure at critical with the Failure in log_failure", () => {
    const { events, observer } = collector();
    const failure = new Failure(new RangeError("baloney!"));
    new Logger({ observer }).failure("Whoops {n}", failure, { n: 3 });
    expect(events[0]).toMatchObject({ log_level: "critical", log_format: "Whoops {n}", n: 3 });
    expect(events[0]?.log_failure).toBe(failure);
  });

  it("wraps a thrown value that is not a Failure", () => {
    const { events, observer } = collector();
    const log = new Logger({ observer });
    const error = new TypeError("bad");
    log.failure("with an Error", error);
    log.failure("with a string", "oops", undefined, LogLevel.error);
    expect(events[0]?.log_failure?.value).toBe(error);
    expect(events[1]?.log_failure?.value).toBe("oops");
    expect(events[1]?.log_level).toBe("error");
  });

  it("makes a Failure pointing at the call when none is given", () => {
    const { events, observer } = collector();
    new Logger({ observer }).failure("no failure at hand");
    const failure = events[0]?.log_failure;
    expect(Failure.isFailure(failure)).toBe(true);
    expect(failure?.getTraceback()).toContain("logger.test.ts");
  });

  it("reports an invalid level as a critical failure instead of emitting", () => {
    const { events, observer } = collector();
    const log = new Logger({ namespace: "x", observer });
    log.emit("*bogus*" as LogLevel, "never shown");
    expect(events).toHaveLength(1);
    const event = events[0] as LogEvent;
    expect(event.log_level).toBe("critical");
    expect(event.log_failure?.value).toBeInstanceOf(InvalidLogLevelError);
    expect(formatEvent(event)).toBe("Got invalid log level '*bogus*' in <Logger 'x'>.emit().");
  });

  it("records itself in log_trace when the event carries one", () => {
    const trace: Array<[unknown, unknown]> = [];
    const { events, observer } = collector();
    const log = new Logger({ observer });
    log.info("Hello.", { log_trace: trace });
    expect(events[0]?.log_trace).toEqual([[log, observer]]);
  });
});

describe("Logger.failuresHandled", () => {
  it("logs what the code throws and reports the operation as failed", () => {
    const { events, observer } = collector();
    const log = new Logger({ observer });
    let renders = 0;
    const value = { [inspect.custom]: () => `<repr ${++renders}>` };
    const op = log.failuresHandled(
      "while testing {value!r}",
      () => {
        throw new RangeError("no");
      },
      { value },
    );
    expect(op).toMatchObject({ succeeded: false, failed: true, result: undefined });
    expect(op.failure?.value).toBeInstanceOf(RangeError);
    expect(events).toHaveLength(1);
    expect(renders).toBe(0);
    expect(formatEvent(events[0] as LogEvent)).toBe("while testing <repr 1>");
    expect(events[0]?.log_failure).toBe(op.failure);
  });

  it("returns the result and logs nothing when the code succeeds", () => {
    const { events, observer } = collector();
    const op = new Logger({ observer }).failuresHandled("never", () => 42);
    expect(op).toEqual({ succeeded: true, failed: false, failure: undefined, result: 42 });
    expect(events).toEqual([]);
  });
});

describe("Logger.failureHandler", () => {
  it("can be reused, logging each failure with its fixed message", () => {
    const { events, observer } = collector();
    const guard = new Logger({ observer }).failureHandler("hello", LogLevel.error);
    expect(guard(() => "fine")).toBe("fine");
    expect(events).toEqual([]);
    expect(
      guard(() => {
        throw new Error("first");
      }),
    ).toBeUndefined();
    guard(() => {
      throw new Error("second");
    });
    expect(
      events.map((e) => [e.log_format, e.log_level, e.log_failure?.getErrorMessage()]),
    ).toEqual([
      ["hello", "error", "first"],
      ["hello", "error", "second"],
    ]);
  });
});
