import { describe, expect, it } from "vitest";
import { Failure } from "../../src/failure.js";
import {
  FileLogObserver,
  type LogEvent,
  Logger,
  LoggingFile,
  textFileLogObserver,
} from "../../src/logger/index.js";
import { collector, FakeStream, NOV_23_10AM } from "./helpers.js";

describe("FileLogObserver", () => {
  it("writes what its formatter returns, and flushes", () => {
    const stream = new FakeStream();
    const observer = new FileLogObserver(stream, (e) => JSON.stringify(e));
    observer({ x: 1 });
    expect(stream.text).toBe('{"x":1}');
    expect(stream.flushes).toBe(1);
  });

  it("writes nothing when its formatter returns null or empty text", () => {
    for (const result of [null, ""]) {
      const stream = new FakeStream();
      new FileLogObserver(stream, () => result)({ x: 1 });
      expect(stream.writes).toBe(0);
    }
  });

  it("works with a stream that has no flush", () => {
    const chunks: string[] = [];
    new FileLogObserver({ write: (s: string) => chunks.push(s) }, () => "line\n")({});
    expect(chunks).toEqual(["line\n"]);
  });
});

describe("textFileLogObserver", () => {
  it("writes the classic line format", () => {
    const stream = new FakeStream();
    const log = new Logger({ namespace: "ns", observer: textFileLogObserver(stream) });
    log.info("msg");
    expect(stream.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 \[ns#info\] msg\n$/);
  });

  it("writes 2026-11-23T10:00:00+0000 [ns#info] msg for an event at that time", () => {
    const stream = new FakeStream();
    const event: LogEvent = {
      log_format: "msg",
      log_time: NOV_23_10AM,
      log_namespace: "ns",
      log_level: "info",
    };
    textFileLogObserver(stream)(event);
    expect(stream.text).toBe("2026-11-23T10:00:00+0000 [ns#info] msg\n");
  });

  it("writes times in the requested format and offset", () => {
    const stream = new FakeStream();
    textFileLogObserver(stream, { timeFormat: "%f" })({ log_format: "XYZZY", log_time: 112345.6 });
    textFileLogObserver(stream, { utcOffset: 3600 })({ log_format: "B", log_time: NOV_23_10AM });
    textFileLogObserver(stream, { timeFormat: null })({ log_format: "C", log_time: NOV_23_10AM });
    textFileLogObserver(stream, { formatTime: (t) => `<${t}>` })({ log_format: "D", log_time: 5 });
    expect(stream.text).toBe(
      "600000 [-#-] XYZZY\n2026-11-23T11:00:00+0100 [-#-] B\n- [-#-] C\n<5> [-#-] D\n",
    );
  });

  it("appends a failure's traceback, every line indented by a tab", () => {
    const stream = new FakeStream();
    const failure = new Failure(new RangeError("division by zero"));
    textFileLogObserver(stream)({ log_failure: failure, log_time: NOV_23_10AM });
    const lines = stream.text.split("\n");
    expect(lines[0]).toBe("2026-11-23T10:00:00+0000 [-#-] ");
    expect(lines[1]).toBe("\tRangeError: division by zero");
    expect(lines[2]?.startsWith("\t    at ")).toBe(true);
    expect(lines.at(-1)).toBe("");
  });

  it("notes a failure whose traceback cannot be had instead of throwing", () => {
    const stream = new FakeStream();
    textFileLogObserver(stream)({ log_failure: {} } as unknown as LogEvent);
    expect(stream.text).toContain("(UNABLE TO OBTAIN TRACEBACK FROM EVENT)");
  });

  it("writes a Logger.failure as the message followed by the indented traceback", () => {
    const stream = new FakeStream();
    const log = new Logger({ namespace: "app.Service", observer: textFileLogObserver(stream) });
    const error = new Error("boom");
    log.failure("While handling {request}", error, { request: 7 });
    const expectedTail = `] While handling 7\n\t${error.stack?.replaceAll("\n", "\n\t")}\n`;
    expect(stream.text).toContain("[app.Service#critical]");
    expect(stream.text.endsWith(expectedTail)).toBe(true);
  });
});

describe("LoggingFile", () => {
  it("logs each complete line and holds a partial one", () => {
    const { events, observer } = collector();
    const file = new LoggingFile(new Logger({ namespace: "io", observer }), "warn");
    file.write("Hello");
    file.write(", world.\nAnd ");
    file.writelines(["more\n", "x\ny\n"]);
    expect(events.map((e) => [e.log_io, e.log_level, e.log_format])).toEqual([
      ["Hello, world.", "warn", "{log_io}"],
      ["And more", "warn", "{log_io}"],
      ["x", "warn", "{log_io}"],
      ["y", "warn", "{log_io}"],
    ]);
  });

  it("describes itself and behaves like a write-only file", () => {
    const file = new LoggingFile(new Logger({ namespace: "stdout" }));
    expect(file.name).toBe("<LoggingFile stdout#info>");
    expect(file.encoding).toBe("utf-8");
    expect(file.isatty()).toBe(false);
    expect(file.fileno()).toBe(-1);
    expect(file.closed).toBe(false);
    file.close();
    expect(file.closed).toBe(true);
    expect(() => file.write("late\n")).toThrow("closed file");
  });

  it("decodes bytes in its encoding", () => {
    const { events, observer } = collector();
    const file = new LoggingFile(new Logger({ observer }), "info", "latin1");
    file.write(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    expect(events[0]?.log_io).toBe("caf\u00e9");
  });
});
