import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Failure } from "../../src/failure.js";
import {
  eventAsText,
  formatEvent,
  formatEventAsClassicLogText,
  formatUnformattableEvent,
  type LogEvent,
} from "../../src/logger/index.js";
import { NOV_23_10AM } from "./helpers.js";

function format(logFormat: unknown, fields: Record<string, unknown> = {}): string {
  return formatEvent({ ...fields, log_format: logFormat } as LogEvent);
}

const evilRepr = {
  [inspect.custom](): string {
    throw new Error("no repr for you");
  },
};

describe("formatEvent", () => {
  it("passes text without fields through unchanged", () => {
    expect(format("just text")).toBe("just text");
  });

  it("renders an empty format and a missing format as empty text", () => {
    expect(format("")).toBe("");
    expect(formatEvent({ foo: 1, bar: 2 })).toBe("");
    expect(formatEvent({ log_format: null })).toBe("");
  });

  it("fills named fields from the event", () => {
    expect(format("{x}", { x: "abc" })).toBe("abc");
    expect(format("{a} and {b}", { a: 1, b: true })).toBe("1 and true");
  });

  it("calls a field whose name ends in ()", () => {
    expect(format("{not_called}, {called()}.", { not_called: "no", called: () => "yes" })).toBe(
      "no, yes.",
    );
  });

  it("calls a method named with () with its object as this", () => {
    class World {
      place = "world";
      where(): string {
        return this.place;
      }
    }
    expect(format("hello {what.where()}", { what: new World() })).toBe("hello world");
  });

  it("reads attributes, subscripts of attributes, array items and Map keys", () => {
    const example = { config: { foo: "bar", baz: "qux" } };
    expect(format("{example.config[foo]} {example.config[baz]}", { example })).toBe("bar qux");
    expect(format("{items[1]} {items.length}", { items: ["a", "b"] })).toBe("b 2");
    expect(
      format("{m[k]} {m[2]}", {
        m: new Map<unknown, string>([
          ["k", "v"],
          [2, "two"],
        ]),
      }),
    ).toBe("v two");
  });

  it("turns doubled braces into literal braces", () => {
    expect(format("{{literal}} {x} }}{{", { x: 1 })).toBe("{literal} 1 }{");
  });

  it("applies !r, !s and !a conversions", () => {
    expect(format("Hello, {repr()!r}.", { repr: () => "repr" })).toBe("Hello, 'repr'.");
    expect(format("{v!s}|{v!r}", { v: "text" })).toBe("text|'text'");
    expect(format("{v!a}", { v: "S\u00e1nchez \u20ac" })).toBe("'S\\xe1nchez \\u20ac'");
  });

  it("renders objects readably: plain objects inspected, Errors and dates as text", () => {
    expect(format("{o}", { o: { a: 1, b: [2] } })).toBe("{ a: 1, b: [ 2 ] }");
    expect(format("{e}", { e: new RangeError("too far") })).toBe("RangeError: too far");
    expect(format("{d}", { d: new Date(NOV_23_10AM * 1000) })).toBe("2026-11-23T10:00:00.000Z");
    expect(format("{n} {u}", { n: null, u: undefined })).toBe("null undefined");
    class Named {
      toString(): string {
        return "<Named>";
      }
    }
    expect(format("{x}", { x: new Named() })).toBe("<Named>");
  });

  it("applies format specifications to numbers and strings", () => {
    expect(format("[{n:>5}] [{s:<4}] [{s:^7}]", { n: 42, s: "ab" })).toBe(
      "[   42] [ab  ] [  ab   ]",
    );
    expect(format("{n:,} {n:_}", { n: 1234567 })).toBe("1,234,567 1_234_567");
    expect(format("{f:.2f} {p:.1%} {e:.2e}", { f: 1.23456, p: 0.256, e: 12345 })).toBe(
      "1.23 25.6% 1.23e+04",
    );
    expect(format("{x:#x} {x:X} {x:o} {x:b}", { x: 255 })).toBe("0xff FF 377 11111111");
    expect(format("{n:08.3f} {n:+.1f}", { n: -2.34567 })).toBe("-002.346 -2.3");
    expect(format("{g:g} {h:g}", { g: 0.0001, h: 1e20 })).toBe("0.0001 1e+20");
    expect(format("{big:,}", { big: 12345678901234567890n })).toBe("12,345,678,901,234,567,890");
    expect(format("{s:.3}", { s: "truncated" })).toBe("tru");
  });

  it("fills nested fields inside a format specification", () => {
    expect(format("[{name:>{width}}]", { name: "ab", width: 5 })).toBe("[   ab]");
  });

  it("renders a missing field as an 'Unable to format event' text naming the key", () => {
    const text = format("hello {missing}", { present: 1 });
    expect(text).toMatch(/^Unable to format event \{.*log_format: 'hello \{missing\}'.*\}: /);
    expect(text).toContain("present: 1");
    expect(text.endsWith("KeyError: 'missing'")).toBe(true);
  });

  it("renders a missing attribute or item as an 'Unable to format event' text", () => {
    expect(format("{a.b}", { a: {} })).toContain("Unable to format event");
    expect(format("{a[3]}", { a: [1] })).toContain("Unable to format event");
  });

  it("reports a broken format string instead of throwing", () => {
    expect(format("a } b")).toContain("Single '}' encountered");
    expect(format("a {b")).toContain("expected '}' before end of string");
    expect(format("{x!z}", { x: 1 })).toContain("Unable to format event");
    expect(format("{x:d}", { x: "text" })).toContain("Unknown format code 'd'");
  });

  it("refuses positional fields", () => {
    expect(format("{} {0}", { x: 1 })).toContain("Unable to format event");
  });

  it("reports a format that is not a string", () => {
    const text = format({ weird: true }, { foo: 1 });
    expect(text).toContain("Log format must be a string");
    expect(text).toContain("foo: 1");
  });

  it("reports a field function that throws, showing the event", () => {
    const text = format("{evil()}", {
      evil: () => {
        throw new Error("division by zero");
      },
    });
    expect(text).toContain("Unable to format event");
    expect(text).toContain("division by zero");
    expect(text).toContain("log_format: '{evil()}'");
  });

  it("recovers what it can when even the event cannot be shown", () => {
    const text = format("{evil()}", {
      evil: () => {
        throw new Error("boom");
      },
      gurk: evilRepr,
      fine: "okay",
    });
    expect(text).toContain("MESSAGE LOST: unformattable object logged:");
    expect(text).toContain("Recoverable data:");
    expect(text).toContain("'fine' = 'okay'");
    expect(text).toContain("Exception during formatting:");
  });
});

describe("formatUnformattableEvent", () => {
  it("survives an error that cannot be turned into text", () => {
    const badError = {
      toString(): string {
        throw new Error("no text");
      },
    };
    const text = formatUnformattableEvent({ log_format: "{x}", recoverable: "okay" }, badError);
    expect(text).toContain("MESSAGE LOST: unformattable object logged:");
    expect(text).toContain("'recoverable' = 'okay'");
  });
});

describe("formatEventAsClassicLogText", () => {
  it("writes the time, namespace#level and message on one line", () => {
    const event: LogEvent = {
      log_format: "msg",
      log_time: NOV_23_10AM,
      log_namespace: "ns",
      log_level: "info",
    };
    expect(formatEventAsClassicLogText(event)).toBe("2026-11-23T10:00:00+0000 [ns#info] msg\n");
  });

  it("writes - for a missing time, namespace or level", () => {
    expect(formatEventAsClassicLogText({ log_format: "XYZZY" })).toBe("- [-#-] XYZZY\n");
    expect(
      formatEventAsClassicLogText({ log_format: "XYZZY", log_namespace: "my.namespace" }),
    ).toBe("- [my.namespace#-] XYZZY\n");
    expect(formatEventAsClassicLogText({ log_format: "XYZZY", log_level: "warn" })).toBe(
      "- [-#warn] XYZZY\n",
    );
  });

  it("uses log_system instead of namespace and level", () => {
    const event: LogEvent = {
      log_format: "XYZZY",
      log_namespace: "my.namespace",
      log_level: "warn",
      log_system: "S.Y.S.T.E.M.",
    };
    expect(formatEventAsClassicLogText(event)).toBe("- [S.Y.S.T.E.M.] XYZZY\n");
  });

  it("writes UNFORMATTABLE for a system that cannot be made text", () => {
    const system = {
      toString(): string {
        throw new Error("nope");
      },
    };
    expect(formatEventAsClassicLogText({ log_format: "XYZZY", log_system: system })).toBe(
      "- [UNFORMATTABLE] XYZZY\n",
    );
  });

  it("uses a custom time formatter", () => {
    const event: LogEvent = { log_format: "XYZZY", log_time: 12345 };
    expect(formatEventAsClassicLogText(event, (t) => `__${t}__`)).toBe("__12345__ [-#-] XYZZY\n");
  });

  it("returns null for an event with no format or an empty one", () => {
    expect(formatEventAsClassicLogText({ id: "123" })).toBeNull();
    expect(formatEventAsClassicLogText({ log_format: "", id: "123" })).toBeNull();
  });

  it("indents continuation lines with a tab", () => {
    const event: LogEvent = { log_format: 'XYZZY\nA hollow voice says:\n"Plugh"' };
    expect(formatEventAsClassicLogText(event)).toBe(
      '- [-#-] XYZZY\n\tA hollow voice says:\n\t"Plugh"\n',
    );
  });

  it("appends a failure's traceback with every line tab-indented", () => {
    const failure = new Failure(new Error("This is a fake error"));
    const event: LogEvent = { log_format: "oops", log_time: NOV_23_10AM, log_failure: failure };
    const text = formatEventAsClassicLogText(event) ?? "";
    const lines = text.split("\n");
    expect(lines[0]).toBe("2026-11-23T10:00:00+0000 [-#-] oops");
    expect(lines[1]).toBe("\tError: This is a fake error");
    expect(lines[2]).toMatch(/^\t {4}at /);
    expect(lines.slice(1, -1).every((line) => line.startsWith("\t"))).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
    expect(text).toContain(failure.getTraceback().replaceAll("\n", "\n\t"));
  });

  it("shows the traceback of a failure even when the format is empty", () => {
    const failure = new Failure(new Error("only the traceback"));
    const text = formatEventAsClassicLogText({ log_format: "", log_failure: failure }) ?? "";
    expect(text.startsWith("- [-#-] \n\tError: only the traceback")).toBe(true);
  });

  it("notes a failure whose traceback cannot be had", () => {
    const event = { log_format: "", log_failure: {} } as unknown as LogEvent;
    expect(formatEventAsClassicLogText(event)).toContain("(UNABLE TO OBTAIN TRACEBACK FROM EVENT)");
  });
});

describe("eventAsText", () => {
  const failure = new Failure(new Error("This is a fake error"));
  const base: LogEvent = { log_format: "ABCD", log_time: 1380022847, log_failure: failure };

  it("includes only the system when asked", () => {
    const options = { includeTimestamp: false, includeTraceback: false, includeSystem: true };
    expect(eventAsText({ ...base, log_system: "fake_system" }, options)).toBe("[fake_system] ABCD");
    expect(eventAsText(base, options)).toBe("[-#-] ABCD");
    expect(eventAsText({ ...base, log_level: "info", log_namespace: "test" }, options)).toBe(
      "[test#info] ABCD",
    );
  });

  it("includes only the time stamp when asked", () => {
    const options = { includeTimestamp: true, includeTraceback: false, includeSystem: false };
    expect(eventAsText({ ...base, log_system: "fake_system" }, options)).toBe(
      "2013-09-24T11:40:47+0000 ABCD",
    );
  });

  it("includes the traceback and the message by default", () => {
    const text = eventAsText(base, { includeSystem: false });
    expect(text).toContain("ABCD");
    expect(text).toContain(failure.getTraceback());
  });

  it("still appends the traceback when the message cannot be formatted", () => {
    const event: LogEvent = {
      log_format: "{evil()}",
      evil: () => {
        throw new Error("no");
      },
      unshowable: evilRepr,
      log_failure: failure,
    };
    const text = eventAsText(event);
    expect(text).toContain("MESSAGE LOST");
    expect(text).toContain("This is a fake error");
  });
});
