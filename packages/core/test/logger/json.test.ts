import { Readable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Failure } from "../../src/failure.js";
import {
  capturedLogs,
  eventAsJSON,
  eventFromJSON,
  eventsFromJSONLogFile,
  extractField,
  formatEvent,
  jsonFileLogObserver,
  type LogEvent,
  Logger,
  LogPublisher,
} from "../../src/logger/index.js";
import { collector, FakeStream } from "./helpers.js";

function saved(event: LogEvent): string {
  const json = eventAsJSON(event);
  expect(json).not.toContain("\n");
  return json;
}

const roundTrip = (event: LogEvent): LogEvent => eventFromJSON(saved(event));

describe("eventAsJSON and eventFromJSON", () => {
  it("round-trip an empty event", () => {
    expect(roundTrip({})).toEqual({});
  });

  it("round-trip simple values, and never write a newline", () => {
    const event = { a: 1, b: "two\nlines", c: [true, null], d: { e: 1.5 } };
    expect(roundTrip(event)).toEqual(event);
  });

  it("write values JSON cannot hold as their text", () => {
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const loaded = roundTrip({
      fn: function named() {},
      big: 12n,
      sym: Symbol("s"),
      circular,
      map: new Map([["k", 1]]),
      nan: Number.NaN,
      gone: undefined,
    });
    expect(loaded).toEqual({
      fn: "[Function: named]",
      big: "12n",
      sym: "Symbol(s)",
      circular: { name: "loop", self: "[Circular]" },
      map: "Map(1) { 'k' => 1 }",
      nan: "NaN",
    });
  });

  it("never throws, even for values whose serialisation throws", () => {
    const hostile = {
      toJSON(): never {
        throw new Error("no JSON for you");
      },
      [inspect.custom]: () => "<hostile>",
    };
    expect(roundTrip({ hostile })).toEqual({ hostile: "<hostile>" });
  });

  it("keep non-ASCII keys and values", () => {
    expect(roundTrip({ "\u1234": "\u4321", "\u20ac": "\ud83d\ude00" })).toEqual({
      "\u1234": "\u4321",
      "\u20ac": "\ud83d\ude00",
    });
  });

  it("save bytes as Latin-1 text", () => {
    const bytes = Uint8Array.from({ length: 255 }, (_, i) => i);
    expect(roundTrip({ hello: bytes })).toEqual({ hello: Buffer.from(bytes).toString("latin1") });
  });

  it("keep the formatted message when values do not survive the trip", () => {
    class Reprable {
      constructor(readonly value: number) {}
      [inspect.custom](): string {
        return "reprable";
      }
      toJSON(): string {
        return "lossy";
      }
    }
    const event: LogEvent = { log_format: "{object} {object.value:03d}", object: new Reprable(7) };
    expect(formatEvent(roundTrip(event))).toBe("reprable 007");
  });

  it("do not change the event they serialise", () => {
    const event: LogEvent = { log_format: "{x}", x: 1 };
    eventAsJSON(event);
    expect(event).toEqual({ log_format: "{x}", x: 1 });
  });

  it("let extractField read structured values back after loading", () => {
    const input: LogEvent = { log_format: "{object.value}", object: { value: 345 } };
    const loaded = roundTrip(input);
    expect(extractField("object.value", loaded)).toBe(345);
    expect(() => extractField("object", loaded)).toThrow();
    expect(() => extractField("object", { ...input })).toThrow();
    expect(extractField("object.value!s", { ...input })).toBe("345");
    expect(() => extractField("object.value!r", { ...input })).toThrow();
  });

  it("preserve a failure's class, message and traceback", () => {
    const { events, observer } = collector();
    const error = new TypeError("division by zero");
    new Logger({ observer }).failure("a message about failure", error);
    const loaded = roundTrip(events[0] as LogEvent).log_failure;
    expect(Failure.isFailure(loaded)).toBe(true);
    expect(loaded?.check(TypeError)).toBe(TypeError);
    expect(loaded?.getErrorMessage()).toBe("division by zero");
    expect(loaded?.getTraceback()).toBe(error.stack);
  });

  it("give a failure of an application class an Error class of the same name", () => {
    class ProtocolViolation extends Error {
      override name = "ProtocolViolation";
    }
    const first = roundTrip({ log_failure: new Failure(new ProtocolViolation("bad")) }).log_failure;
    const second = roundTrip({
      log_failure: new Failure(new ProtocolViolation("worse")),
    }).log_failure;
    expect(first?.type.name).toBe("ProtocolViolation");
    expect(first?.value).toBeInstanceOf(Error);
    expect(second?.type).toBe(first?.type);
    expect(first?.getTraceback()).toMatch(/^ProtocolViolation: bad\n/);
  });

  it("write log_level in Twisted's form and read it back as a level", () => {
    const json = saved({ log_level: "warn" });
    expect(JSON.parse(json)).toEqual({
      log_level: { name: "warn", __class_uuid__: "02E59486-F24D-46AD-8224-3ACDF2A5732A" },
    });
    expect(eventFromJSON(json)).toEqual({ log_level: "warn" });
  });

  it("read a level this version does not know as null", () => {
    const text =
      '{"log_level": {"name": "other", "__class_uuid__": "02E59486-F24D-46AD-8224-3ACDF2A5732A"}}';
    expect(eventFromJSON(text)).toEqual({ log_level: null });
  });

  it("refuse JSON that is not an object", () => {
    expect(() => eventFromJSON("[1, 2]")).toThrow(TypeError);
    expect(() => eventFromJSON("{nope")).toThrow(SyntaxError);
  });
});

describe("jsonFileLogObserver", () => {
  it("writes JSON Lines by default", () => {
    const stream = new FakeStream();
    jsonFileLogObserver(stream)({ x: 1 });
    expect(stream.text).toBe('{"x":1}\n');
  });

  it("writes a record separator before each record when given one", () => {
    const stream = new FakeStream();
    jsonFileLogObserver(stream, "\x1e")({ x: 1 });
    expect(stream.text).toBe('\x1e{"x":1}\n');
  });

  it("writes failures that read back as failures", () => {
    const stream = new FakeStream();
    const { events, observer } = collector();
    const publisher = new LogPublisher(observer, jsonFileLogObserver(stream));
    new Logger({ namespace: "json", observer: publisher }).failure(
      "failed as expected",
      new RangeError("no"),
    );
    const [loaded] = [...eventsFromJSONLogFile(stream.text)];
    expect(Failure.isFailure(loaded?.log_failure)).toBe(true);
    expect(loaded?.log_failure?.getTraceback()).toBe(events[0]?.log_failure?.getTraceback());
    expect(formatEvent(loaded as LogEvent)).toBe("failed as expected");
    expect(loaded?.log_level).toBe("critical");
    expect(loaded?.log_logger).toBe("<Logger 'json'>");
  });
});

describe("eventsFromJSONLogFile", () => {
  function read(input: string | Uint8Array | Iterable<Uint8Array>, separator?: string) {
    let events: LogEvent[] = [];
    const errors = capturedLogs(() => {
      events = [...eventsFromJSONLogFile(input, separator)];
    }).filter((e) => e.log_namespace === "twisted.logger._json");
    return { events, errors };
  }

  it("detects the RS record separator", () => {
    expect(read('\x1e{"x": 1}\n\x1e{"y": 2}\n')).toEqual({
      events: [{ x: 1 }, { y: 2 }],
      errors: [],
    });
  });

  it("detects plain JSON Lines", () => {
    expect(read('{"x": 1}\n{"y": 2}\n')).toEqual({ events: [{ x: 1 }, { y: 2 }], errors: [] });
    expect(read('{"x": 1}\r\n\n{"y": 2}')).toEqual({ events: [{ x: 1 }, { y: 2 }], errors: [] });
  });

  it("uses a record separator it is given", () => {
    expect(read('\x08{"x": 1}\n\x08{"y": 2}\n', "\x08").events).toEqual([{ x: 1 }, { y: 2 }]);
  });

  it("reassembles records split across chunks, at every split", () => {
    const text = '\x1e{"x": 1}\n\x1e{"y": "\u20ac"}\n';
    const bytes = Buffer.from(text, "utf8");
    for (let size = 1; size <= bytes.length; size++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(read(chunks).events).toEqual([{ x: 1 }, { y: "\u20ac" }]);
    }
  });

  it("skips a truncated record and reports it", () => {
    const { events, errors } = read('\x1e{"x": 1\x1e{"y": 2}\n');
    expect(events).toEqual([{ y: 2 }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.log_format).toBe("Unable to read truncated JSON record: {record!r}");
    expect(errors[0]?.record).toBe('{"x": 1');
  });

  it("skips a record that is not UTF-8 and reports it", () => {
    const bytes = Buffer.concat([
      Buffer.from('\x1e{"x": "'),
      Buffer.from([0xe2, 0xac]),
      Buffer.from('"}\n\x1e{"y": 2}\n'),
    ]);
    const { events, errors } = read(bytes);
    expect(events).toEqual([{ y: 2 }]);
    expect(errors.map((e) => e.log_format)).toEqual([
      "Unable to decode UTF-8 for JSON record: {record!r}",
    ]);
  });

  it("skips a record that is not JSON and reports it", () => {
    const { events, errors } = read('{"x": 1}\nnot json\n{"y": 2}\n');
    expect(events).toEqual([{ x: 1 }, { y: 2 }]);
    expect(errors.map((e) => [e.log_level, e.record])).toEqual([["error", "not json"]]);
  });

  it("reads UTF-8 bytes and text alike", () => {
    expect(read(Buffer.from('\x1e{"currency": "\u20ac"}\n', "utf8")).events).toEqual([
      { currency: "\u20ac" },
    ]);
    expect(read('\x1e{"currency": "\u20ac"}\n').events).toEqual([{ currency: "\u20ac" }]);
  });

  it("reads a Node stream as an async iterable", async () => {
    const stream = Readable.from([Buffer.from('{"x": 1}\n{"y"'), Buffer.from(": 2}\n")]);
    const events: LogEvent[] = [];
    for await (const event of eventsFromJSONLogFile(stream)) events.push(event);
    expect(events).toEqual([{ x: 1 }, { y: 2 }]);
  });
});
