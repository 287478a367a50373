import { describe, expect, it } from "vitest";
import { Failure } from "../../src/failure.js";
import {
  globalLogBeginner,
  globalLogPublisher,
  LogBeginner,
  type LogEvent,
  Logger,
  LogPublisher,
  textFileLogObserver,
} from "../../src/logger/index.js";
import { collector, FakeStream, pick } from "./helpers.js";

class FakeStdio {
  readonly stdout = new FakeStream();
  readonly stderr = new FakeStream();
}

function setUp(initialBufferSize?: number) {
  const publisher = new LogPublisher();
  const errorStream = new FakeStream();
  const stdio = new FakeStdio();
  const beginner =
    initialBufferSize === undefined
      ? new LogBeginner(publisher, errorStream, stdio)
      : new LogBeginner(publisher, errorStream, stdio, initialBufferSize);
  return { publisher, errorStream, stdio, beginner };
}

describe("LogBeginner", () => {
  it("adds the observers it begins logging to", () => {
    const { publisher, beginner } = setUp();
    const one = collector();
    const two = collector();
    beginner.beginLoggingTo([one.observer, two.observer], { redirectStandardIO: false });
    const event = { foo: 1, bar: 2 };
    publisher(event);
    expect(one.events).toEqual([event]);
    expect(two.events).toEqual([event]);
    expect(beginner.begun).toBe(true);
  });

  it("buffers events until logging begins, then replays them in order", () => {
    const { publisher, beginner } = setUp();
    publisher({ n: 1 });
    publisher({ n: 2 });
    const one = collector();
    const two = collector();
    beginner.beginLoggingTo([one.observer, two.observer], { redirectStandardIO: false });
    publisher({ n: 3 });
    expect(one.events).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(two.events).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("replays at most the last 64 Ki events by default", () => {
    const { publisher, beginner } = setUp();
    expect(LogBeginner.DEFAULT_BUFFER_SIZE).toBe(65536);
    for (let count = 0; count <= 65536; count++) publisher({ count });
    const { events, observer } = collector();
    beginner.beginLoggingTo([observer], { redirectStandardIO: false });
    expect(events).toHaveLength(65536);
    expect(events[0]?.count).toBe(1);
    expect(events.every((event, i) => event.count === i + 1)).toBe(true);
  });

  it("takes a smaller buffer size", () => {
    const { publisher, beginner } = setUp(3);
    for (let count = 0; count <= 3; count++) publisher({ count });
    const { events, observer } = collector();
    beginner.beginLoggingTo([observer], { redirectStandardIO: false });
    expect(events.map((e) => e.count)).toEqual([1, 2, 3]);
  });

  it("drops the buffered events when told to discard them", () => {
    const { publisher, beginner } = setUp();
    publisher({ early: true });
    const { events, observer } = collector();
    beginner.beginLoggingTo([observer], { discardBuffer: true, redirectStandardIO: false });
    publisher({ late: true });
    expect(events).toEqual([{ late: true }]);
  });

  it("writes critical events to the error stream before logging begins", () => {
    const { publisher, errorStream } = setUp();
    const log = new Logger({ namespace: "test", observer: publisher });
    log.info("ignore this");
    log.error("and this");
    log.critical("a critical {message}", { message: "message" });
    expect(errorStream.text).toBe("a critical message\n");
  });

  it("writes the traceback of a critical failure to the error stream", () => {
    const { publisher, errorStream } = setUp();
    const failure = new Failure(new Error("this is not the behavior you are looking for"));
    new Logger({ namespace: "test", observer: publisher }).failure("a failure", failure);
    expect(errorStream.text).toBe(`a failure\n${failure.getTraceback()}\n`);
  });

  it("stops writing critical events to the error stream once logging begins", () => {
    const { publisher, errorStream, beginner } = setUp();
    const log = new Logger({ namespace: "test", observer: publisher });
    beginner.beginLoggingTo([], { redirectStandardIO: false });
    log.critical("another critical message");
    expect(errorStream.text).toBe("");
  });

  it("warns, naming both call sites, when logging begins twice", () => {
    const { publisher, beginner } = setUp();
    const first = collector();
    const second = collector();
    const output = new FakeStream();
    const text = textFileLogObserver(output);
    publisher({ event: "prebuffer" });
    beginner.beginLoggingTo([first.observer, text], { redirectStandardIO: false });
    publisher({ event: "postbuffer" });
    beginner.beginLoggingTo([second.observer, text], { redirectStandardIO: false });
    publisher({ event: "postwarn" });
    const keys = ["event", "log_level", "fileNow", "lineNow", "fileThen", "lineThen"];
    const seen = pick(first.events, keys);
    expect(seen.map((e) => e.event ?? e.log_level)).toEqual([
      "prebuffer",
      "postbuffer",
      "warn",
      "postwarn",
    ]);
    const warning = seen[2] as Record<string, unknown>;
    expect(String(warning.fileNow)).toContain("global.test.ts");
    expect(String(warning.fileThen)).toContain("global.test.ts");
    expect(warning.lineNow).toBeGreaterThan(warning.lineThen as number);
    expect(pick(second.events, keys)).toEqual([warning, { event: "postwarn" }]);
    expect(output.text).toContain(`<${warning.fileThen}:${warning.lineThen}>`);
    expect(output.text).toContain(`<${warning.fileNow}:${warning.lineNow}>`);
  });

  it("redirects standard output and standard error into the log, a line per event", () => {
    const { stdio, beginner } = setUp();
    const stdout = stdio.stdout;
    const { events, observer } = collector();
    beginner.beginLoggingTo([observer]);
    stdio.stdout.write("Hello, ");
    expect(events).toEqual([]);
    stdio.stdout.write("world.\nsecond line\n");
    stdio.stderr.write("Error, world.\n");
    expect(pick(events, ["log_namespace", "log_level", "log_io"])).toEqual([
      { log_namespace: "stdout", log_level: "info", log_io: "Hello, world." },
      { log_namespace: "stdout", log_level: "info", log_io: "second line" },
      { log_namespace: "stderr", log_level: "error", log_io: "Error, world." },
    ]);
    expect(stdout.text).toBe("");
    beginner.restoreStandardIO();
    stdio.stdout.write("direct\n");
    expect(stdout.text).toBe("direct\n");
    expect(events).toHaveLength(3);
  });

  it("decodes bytes written to a redirected stream", () => {
    const { stdio, beginner } = setUp();
    const { events, observer } = collector();
    beginner.beginLoggingTo([observer]);
    const bytes = Buffer.from("caf\u00e9 \u20ac\n", "utf8");
    const write = stdio.stdout.write as (chunk: string | Uint8Array) => boolean;
    write.call(stdio.stdout, bytes.subarray(0, 4));
    write.call(stdio.stdout, bytes.subarray(4));
    expect(events.map((e) => e.log_io)).toEqual(["caf\u00e9 \u20ac"]);
  });

  it("lets an observer write to the real stream while it delivers an event", () => {
    const { stdio, beginner, publisher } = setUp();
    const realStdout = stdio.stdout;
    const { events, observer } = collector();
    const echo = (event: LogEvent) => {
      stdio.stdout.write(`echo: ${String(event.log_io ?? event.log_format)}\n`);
    };
    beginner.beginLoggingTo([observer, echo]);
    new Logger({ namespace: "app", observer: publisher }).info("from a logger");
    stdio.stdout.write("printed\n");
    expect(realStdout.text).toBe("echo: from a logger\necho: printed\n");
    expect(events.map((e) => e.log_namespace)).toEqual(["app", "stdout"]);
  });

  it("leaves standard I/O alone when told not to redirect it", () => {
    const { stdio, beginner } = setUp();
    const { events, observer } = collector();
    beginner.beginLoggingTo([observer], { redirectStandardIO: false });
    stdio.stdout.write("untouched\n");
    expect(stdio.stdout.text).toBe("untouched\n");
    expect(Object.hasOwn(stdio.stdout, "write")).toBe(false);
    expect(events).toEqual([]);
  });
});

describe("the global publisher and beginner", () => {
  it("live on globalThis under a Symbol.for key, shared by every copy of the package", () => {
    const state = (globalThis as Record<symbol, unknown>)[Symbol.for("twisted-ts.logger.global")];
    expect(state).toMatchObject({ publisher: globalLogPublisher, beginner: globalLogBeginner });
  });

  it("are reused by a second copy of the module", async () => {
    // The query string makes the loader evaluate global.ts again, as a second copy would.
    // @ts-expect-error: TypeScript cannot resolve a specifier with a query string.
    const copy = (await import("../../src/logger/global.js?second-copy")) as {
      globalLogPublisher: unknown;
      globalLogBeginner: unknown;
      LogBeginner: unknown;
    };
    expect(copy.LogBeginner).not.toBe(LogBeginner);
    expect(copy.globalLogPublisher).toBe(globalLogPublisher);
    expect(copy.globalLogBeginner).toBe(globalLogBeginner);
  });

  it("are a LogBeginner handing over to the global publisher", () => {
    // The test setup (tooling/testing/src/setup.ts) has begun logging; a program begins itself.
    expect(globalLogBeginner).toBeInstanceOf(LogBeginner);
    expect(globalLogBeginner.begun).toBe(true);
    expect(globalLogPublisher.getObservers().length).toBeGreaterThan(0);
  });
});
