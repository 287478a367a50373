import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Failure } from "../../src/failure.js";
import {
  capturedLogs,
  formatEvent,
  type LegacyEventDict,
  LegacyFileLogObserver,
  LegacyLogObserverWrapper,
  LegacyLogPublisher,
  LogBeginner,
  type LogEvent,
  Logger,
  LoggingFile,
  LogPublisher,
  log,
  publishToNewObserver,
  textFromEventDict,
} from "../../src/logger/index.js";
import { collector, FakeStream } from "./helpers.js";

class EvilStr {
  toString(): string {
    throw new Error("no str");
  }
}
const evilStr = new EvilStr();

/** A legacy publisher over its own publisher and beginner, with fake standard streams. */
function setUp() {
  const publisher = new LogPublisher();
  const stdio = { stdout: new FakeStream(), stderr: new FakeStream() };
  const errors = new FakeStream();
  const beginner = new LogBeginner(publisher, errors, stdio);
  const legacy = new LegacyLogPublisher({
    observerPublisher: publisher,
    publishPublisher: publisher,
    logBeginner: beginner,
  });
  const legacyEvents: LegacyEventDict[] = [];
  legacy.addObserver((e) => legacyEvents.push(e));
  const modern = collector();
  publisher.addObserver(modern.observer);
  return { publisher, stdio, beginner, legacy, legacyEvents, modernEvents: modern.events };
}

/** A legacy publisher whose events are written by a legacy file observer. */
function withFile() {
  const out = new FakeStream();
  const legacy = new LegacyLogPublisher();
  legacy.addObserver(new LegacyFileLogObserver(out).emit);
  return { out, legacy };
}

describe("textFromEventDict", () => {
  it("joins the messages with spaces", () => {
    expect(textFromEventDict({ message: ["a", "b", "c"] })).toBe("a b c");
    expect(textFromEventDict({ message: ["n =", 3, { x: 1 }] })).toBe("n = 3 { x: 1 }");
  });

  it("renders a %-format with the event's keys", () => {
    const event = { message: [], isError: 0, format: "Hello, %(foo)s!", foo: "dude" };
    expect(textFromEventDict(event)).toBe("Hello, dude!");
    const numbers = {
      message: [],
      format: "%(n)05d %(f).2f %(s)-4s| %(r)r %%",
      n: 42,
      f: 2.5,
      s: "ab",
      r: "q",
    };
    expect(textFromEventDict(numbers)).toBe("00042 2.50 ab  | 'q' %");
  });

  it("returns null when there is neither a message nor a format", () => {
    expect(textFromEventDict({ message: [], isError: 0 })).toBeNull();
  });

  it("starts an error's text with why, or Unhandled Error, then the traceback", () => {
    const failure = new Failure(new Error("bang"));
    const why = textFromEventDict({ message: [], isError: 1, failure, why: "foo" });
    expect(why).toBe(`foo\n${failure.getTraceback()}`);
    const plain = textFromEventDict({ message: [], isError: 1, failure });
    expect(plain?.startsWith("Unhandled Error\nError: bang")).toBe(true);
  });

  it("notes a failure whose traceback cannot be had", () => {
    const text = textFromEventDict({ message: [], isError: 1, failure: {} });
    expect(text).toContain("\n(unable to obtain traceback)");
  });
});

describe("LegacyLogPublisher.msg", () => {
  it("gives legacy observers the messages, extra keys, time and system", () => {
    const { legacy, legacyEvents } = setUp();
    const before = Date.now() / 1000;
    legacy.msg("test", { testShouldCatch: true });
    const event = legacyEvents.pop() as LegacyEventDict;
    expect(event.message).toEqual(["test"]);
    expect(event.testShouldCatch).toBe(true);
    expect(event.time).toBeGreaterThanOrEqual(before - 0.001);
    expect(event).toMatchObject({ system: "-", isError: 0 });
    expect(legacyEvents).toEqual([]);
  });

  it("publishes a modern event whose text is the messages joined", () => {
    const { legacy, modernEvents } = setUp();
    legacy.msg("a", "b", { system: "Echo,0,127.0.0.1" });
    const event = modernEvents[0] as LogEvent;
    expect(formatEvent(event)).toBe("a b");
    expect(event).toMatchObject({
      log_level: "info",
      log_namespace: "log_legacy",
      log_system: "Echo,0,127.0.0.1",
      log_format: "{log_text}",
    });
  });

  it("maps logLevel and isError to modern levels", () => {
    const { legacy, modernEvents } = setUp();
    legacy.msg("as error", { logLevel: 40 });
    legacy.msg("as warning", { logLevel: "WARNING" });
    legacy.msg("as error flag", { isError: true });
    expect(modernEvents.map((e) => e.log_level)).toEqual(["error", "warn", "critical"]);
  });

  it("writes nothing for an event with no text", () => {
    const { out, legacy } = withFile();
    legacy.msg({ message: "", isError: false });
    expect(out.text).toBe("");
  });

  it("never loses a message to an object that cannot be made text", () => {
    const { out, legacy } = withFile();
    legacy.msg(evilStr);
    expect(out.text).toContain("[-] <EvilStr instance with str error Error: no str>\n");
  });

  it("reports a broken format instead of the message", () => {
    const { out, legacy } = withFile();
    legacy.msg({ format: "hooj %s %s", blat: 1 });
    legacy.msg({ format: 42, blat: 1 });
    legacy.msg({ format: "%(blat)s", blat: evilStr });
    const lines = out.text.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toContain("Invalid format string or unformattable object in log message");
    }
  });

  it("reports a format that cannot even be shown", () => {
    const { out, legacy } = withFile();
    const evilFormat = { toString: evilStr.toString, [inspect.custom]: evilStr.toString };
    legacy.msg({ format: evilFormat, blat: 1 });
    expect(out.text).toContain("PATHOLOGICAL ERROR IN BOTH FORMAT STRING AND MESSAGE DETAILS");
  });

  it("keeps delivering when a legacy observer throws", () => {
    const { legacy, legacyEvents } = setUp();
    legacy.addObserver(() => {
      throw new Error("broken observer");
    });
    legacy.msg("still delivered");
    expect(legacyEvents.map((e) => e.message)).toContainEqual(["still delivered"]);
  });
});

describe("LegacyLogPublisher.err", () => {
  it("logs a Failure at critical with why", () => {
    const { legacy, legacyEvents, modernEvents } = setUp();
    const failure = new Failure(new RangeError("bad"));
    legacy.err(failure, "The reason.");
    expect(legacyEvents[0]).toMatchObject({ failure, why: "The reason.", isError: 1 });
    expect(modernEvents[0]?.log_level).toBe("critical");
    expect(formatEvent(modernEvents[0] as LogEvent)).toBe(`The reason.\n${failure.getTraceback()}`);
  });

  it("wraps an Error in a Failure and logs other values by their repr", () => {
    const { legacy, legacyEvents } = setUp();
    const error = new TypeError("wrapped");
    legacy.err(error);
    legacy.err("not an error", "why not");
    expect((legacyEvents[0]?.failure as Failure | undefined)?.value).toBe(error);
    expect(legacyEvents[0]?.why).toBeNull();
    expect(legacyEvents[1]).toMatchObject({
      message: ["'not an error'"],
      why: "why not",
      isError: 1,
    });
  });

  it("makes a Failure when given nothing", () => {
    const { legacy, legacyEvents } = setUp();
    legacy.err();
    expect(Failure.isFailure(legacyEvents[0]?.failure)).toBe(true);
  });

  it("lets observers be removed", () => {
    const { legacy, legacyEvents } = setUp();
    const [observer] = legacy.observers;
    legacy.removeObserver(observer as (e: LegacyEventDict) => void);
    legacy.msg("unseen");
    expect(legacyEvents).toEqual([]);
    expect(legacy.observers).toEqual([]);
  });
});

describe("LegacyLogObserverWrapper", () => {
  it("gives a legacy observer a modern event with the legacy keys filled in", () => {
    const seen: LegacyEventDict[] = [];
    const wrapper = new LegacyLogObserverWrapper((e) => seen.push(e));
    const event: LogEvent = {
      log_format: "Hello, {who}",
      who: "you",
      log_level: "error",
      log_time: 5,
      log_logger: new Logger("ns"),
      message: "a field called message",
    };
    wrapper(event);
    expect(seen[0]).toMatchObject({ message: [], time: 5, system: "-", isError: 1 });
    expect(textFromEventDict(seen[0] as LegacyEventDict)).toBe("Hello, you");
    expect(event).not.toHaveProperty("isError");
    expect(String(wrapper)).toMatch(/^LegacyLogObserverWrapper\(/);
  });

  it("turns a modern failure into a legacy error whose why is the message", () => {
    const seen: LegacyEventDict[] = [];
    const failure = new Failure(new Error("frob"));
    new Logger({ observer: new LegacyLogObserverWrapper((e) => seen.push(e)) }).failure(
      "While frobbing {knob}",
      failure,
      { knob: 3 },
    );
    expect(seen[0]).toMatchObject({ failure, isError: 1, why: "While frobbing 3" });
  });
});

describe("publishToNewObserver", () => {
  it("fills in the modern keys a legacy event lacks", () => {
    const { events, observer } = collector();
    publishToNewObserver(observer, { message: ["hi"], time: 7, system: "sys", isError: 0 });
    expect(events[0]).toMatchObject({
      log_time: 7,
      log_text: "hi",
      log_format: "{log_text}",
      log_level: "info",
      log_namespace: "log_legacy",
      log_system: "sys",
    });
  });
});

describe("LegacyFileLogObserver", () => {
  const when = Date.UTC(2001, 1, 3, 4, 5, 6) / 1000;

  it("formats times as date, time and offset, UTC by default", () => {
    expect(new LegacyFileLogObserver(new FakeStream()).formatTime(when)).toBe(
      "2001-02-03 04:05:06+0000",
    );
  });

  it("formats times at other offsets", () => {
    const cases: Array<[number, string]> = [
      [-18000, "2001-02-02 23:05:06-0500"],
      [3600, "2001-02-03 05:05:06+0100"],
      [39600, "2001-02-03 15:05:06+1100"],
      [-5400, "2001-02-03 02:35:06-0130"],
      [5400, "2001-02-03 05:35:06+0130"],
      [-1800, "2001-02-03 03:35:06-0030"],
      [1800, "2001-02-03 04:35:06+0030"],
    ];
    for (const [utcOffset, expected] of cases) {
      const observer = new LegacyFileLogObserver(new FakeStream(), { utcOffset });
      expect(observer.formatTime(when)).toBe(expected);
      expect(observer.getTimezoneOffset(when)).toBe(-utcOffset);
    }
  });

  it("uses a strftime format when given one", () => {
    const observer = new LegacyFileLogObserver(new FakeStream(), { timeFormat: "%Y %m" });
    expect(observer.formatTime(when)).toBe("2001 02");
    observer.timeFormat = "%f";
    expect(observer.formatTime(112345.6)).toBe("600000");
  });

  it("writes the time and system before the text and a newline after", () => {
    const out = new FakeStream();
    const observer = new LegacyFileLogObserver(out);
    const legacy = new LegacyLogPublisher();
    legacy.addObserver(observer.emit);
    legacy.msg("Hello!\nSecond line");
    expect(out.text).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000 \[-\] Hello!\n\tSecond line\n$/,
    );
  });
});

describe("LegacyLogPublisher.startLogging", () => {
  it("writes Log opened. and later messages as legacy lines, dropping earlier events", () => {
    const { legacy, publisher } = setUp();
    legacy.msg("before logging began");
    const out = new FakeStream();
    const observer = legacy.startLogging(out, { setStdout: false });
    legacy.msg("Connection from", "10.0.0.7");
    new Logger({ namespace: "modern", observer: publisher }).warn("{n} modern", { n: 1 });
    expect(observer).toBeInstanceOf(LegacyFileLogObserver);
    const lines = out.text.split("\n").map((line) => line.replace(/^\S+ \S+ /, ""));
    expect(lines).toEqual(["[-] Log opened.", "[-] Connection from 10.0.0.7", "[-] 1 modern", ""]);
  });

  it("sends printed lines into the log, standard error as errors", () => {
    const { legacy, stdio, legacyEvents } = setUp();
    const realStdout = stdio.stdout;
    const out = new FakeStream();
    legacy.startLogging(out);
    stdio.stdout.write("Hello, world.\n");
    stdio.stderr.write("Oops.\n");
    expect(out.text).toMatch(/\[-\] Hello, world\.\n.*\[-\] Oops\.\n$/);
    expect(realStdout.text).toBe("");
    const printed = legacyEvents.filter(
      (e) => e.log_namespace === "stdout" || e.log_namespace === "stderr",
    );
    expect(printed.map((e) => [e.log_namespace, e.isError])).toEqual([
      ["stdout", 0],
      ["stderr", 1],
    ]);
  });

  it("refuses to log into a LoggingFile", () => {
    const { legacy } = setUp();
    expect(legacy.startLogging(new LoggingFile(new Logger()))).toBeUndefined();
  });
});

describe("log", () => {
  it("offers Twisted's module functions over one global legacy publisher", () => {
    expect(log.theLogPublisher).toBeInstanceOf(LegacyLogPublisher);
    expect(log.theLogPublisher).toBe(log.theLogPublisher);
    expect(log.FileLogObserver).toBe(LegacyFileLogObserver);
    expect(log.LogPublisher).toBe(LegacyLogPublisher);
    expect(log.textFromEventDict({ message: ["x"] })).toBe("x");
  });

  it("sends log.msg to legacy observers and to the global publisher", () => {
    const seen: LegacyEventDict[] = [];
    const observer = (e: LegacyEventDict) => seen.push(e);
    log.addObserver(observer);
    const modern = capturedLogs(() => log.msg("a", "b"));
    log.removeObserver(observer);
    log.msg("after removal");
    expect(seen.map((e) => e.message)).toEqual([["a", "b"]]);
    expect(modern.map(formatEvent)).toEqual(["a b"]);
    expect(modern[0]?.log_namespace).toBe("log_legacy");
  });
});
