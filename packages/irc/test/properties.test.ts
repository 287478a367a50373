import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assembleFormattedText,
  type FormattedSpan,
  type IRCColour,
  IRCLineTooLongError,
  type IRCMessage,
  IRCParseError,
  IRCSerializeError,
  parseFormatting,
  parseMessage,
  serializeMessage,
  stripFormatting,
  type TextAttributes,
} from "../src/index.js";

const noLimits = { maxMessageBytes: Number.POSITIVE_INFINITY, maxTagBytes: Infinity };
const anyText = fc.string({ unit: "binary" });
const clean = anyText.filter((s) => !/[\0\r\n]/.test(s));
const middle = clean.filter((s) => s !== "" && !s.includes(" ") && !s.startsWith(":"));
const command = fc.oneof(fc.stringMatching(/^[A-Za-z]{1,12}$/), fc.stringMatching(/^[0-9]{3}$/));
const tagKey = fc.stringMatching(/^\+?(?:[A-Za-z0-9.-]{1,8}\/)?[A-Za-z0-9-]{1,8}$/);
const tagValue = fc.oneof(
  fc.constant(true as const),
  anyText.filter((s) => s !== "" && !s.includes("\0")),
);

const message: fc.Arbitrary<IRCMessage> = fc
  .record({
    tags: fc.option(fc.dictionary(tagKey, tagValue, { minKeys: 1 }), { nil: undefined }),
    source: fc.option(middle, { nil: undefined }),
    command,
    middles: fc.array(middle, { maxLength: 14 }),
    last: fc.option(clean, { nil: undefined }),
  })
  .map(({ tags, source, command, middles, last }) => {
    const msg: IRCMessage = { command, params: last === undefined ? middles : [...middles, last] };
    if (tags !== undefined) msg.tags = tags;
    if (source !== undefined) msg.source = source;
    return msg;
  });

describe("message properties", () => {
  it("parses back any valid message it serialises", () => {
    fc.assert(
      fc.property(message, (msg) => {
        const parsed = parseMessage(serializeMessage(msg), noLimits);
        expect(parsed.command).toBe(msg.command);
        expect(parsed.source).toBe(msg.source);
        expect(parsed.params).toEqual(msg.params);
        expect(parsed.tags === undefined ? undefined : { ...parsed.tags }).toEqual(msg.tags);
      }),
      { numRuns: 500 },
    );
  });

  it("throws nothing but IRCParseError or IRCLineTooLongError on random lines", () => {
    const ircish = fc.string({
      unit: fc.constantFrom(" ", ":", "@", ";", "=", "\\", "\r", "\n", "\0", "a", "B", "1", "é"),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.oneof(anyText, ircish), (line) => {
        try {
          const msg = parseMessage(line);
          expect(msg.command).not.toBe("");
        } catch (e) {
          expect(e instanceof IRCParseError || e instanceof IRCLineTooLongError).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("never writes a CR, LF or NUL, whatever the parameters hold", () => {
    fc.assert(
      fc.property(command, fc.array(anyText, { maxLength: 4 }), (cmd, params) => {
        let line: string;
        try {
          line = serializeMessage({ command: cmd, params });
        } catch (e) {
          expect(e).toBeInstanceOf(IRCSerializeError);
          return;
        }
        expect(line).not.toMatch(/[\0\r\n]/);
        expect(parseMessage(line, noLimits).params).toEqual(params);
      }),
      { numRuns: 1000 },
    );
  });
});

const FLAGS = ["bold", "italic", "underline", "strikethrough", "monospace", "reverse"] as const;
const plain = fc.string({
  unit: fc.constantFrom("a", "Z", "0", "1", "9", ",", " ", "é", "F"),
  maxLength: 6,
});
const colours: fc.Arbitrary<{ fg?: IRCColour; bg?: IRCColour }> = fc.oneof(
  fc.constant({}),
  fc.record({ fg: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ fg: fc.integer({ min: 0, max: 99 }), bg: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ fg: fc.stringMatching(/^[0-9A-F]{6}$/) }),
  fc.record({
    fg: fc.stringMatching(/^[0-9A-F]{6}$/),
    bg: fc.stringMatching(/^[0-9A-F]{6}$/),
  }),
);
const span: fc.Arbitrary<FormattedSpan> = fc
  .tuple(plain, fc.subarray([...FLAGS]), colours)
  .map(([text, flags, colour]) => {
    const s: FormattedSpan = { text, ...colour };
    for (const f of flags) s[f] = true;
    return s;
  });

function same(a: TextAttributes, b: TextAttributes): boolean {
  return FLAGS.every((f) => (a[f] === true) === (b[f] === true)) && a.fg === b.fg && a.bg === b.bg;
}

function normalise(spans: FormattedSpan[]): FormattedSpan[] {
  const out: FormattedSpan[] = [];
  for (const s of spans) {
    if (s.text === "") continue;
    const last = out[out.length - 1];
    if (last !== undefined && same(last, s)) last.text += s.text;
    else out.push({ ...s });
  }
  return out;
}

describe("formatting properties", () => {
  it("parses back any spans it assembles", () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 8 }), (spans) => {
        const text = assembleFormattedText(spans);
        expect(parseFormatting(text)).toEqual(normalise(spans));
        expect(stripFormatting(text)).toBe(spans.map((s) => s.text).join(""));
      }),
      { numRuns: 1000 },
    );
  });

  it("leaves no formatting character in stripped text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const codes = new Set([
          "\x02",
          "\x03",
          "\x04",
          "\x0f",
          "\x11",
          "\x16",
          "\x1d",
          "\x1e",
          "\x1f",
        ]);
        expect([...stripFormatting(text)].filter((c) => codes.has(c))).toEqual([]);
      }),
    );
  });
});
