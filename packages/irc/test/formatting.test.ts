import { describe, expect, it } from "vitest";
import {
  assembleFormattedText,
  type FormattedSpan,
  parseFormatting,
  stripFormatting,
} from "../src/index.js";

describe("stripFormatting", () => {
  it("removes every code, colour numbers included", () => {
    const text =
      "\x02bold\x02 \x0304,12red on blue\x03 \x1ditalic\x1d \x1funder\x1f\x1e\x11\x16 mixed\x0f" +
      " \x04FF0000,00ff00hex\x04 \x035fg \x0399,99x\x03 plain";
    expect(stripFormatting(text)).toBe("bold red on blue italic under mixed hex fg x plain");
  });

  it("keeps a comma that is not followed by a digit, and a third digit", () => {
    expect(stripFormatting("\x034,text")).toBe(",text");
    expect(stripFormatting("\x03123")).toBe("3");
    expect(stripFormatting("\x031,234")).toBe("4");
  });

  it("leaves a hex code without six hex digits as a reset", () => {
    expect(stripFormatting("\x04FF00 x")).toBe("FF00 x");
  });

  it("leaves text without codes alone", () => {
    expect(stripFormatting("just text, 12 é")).toBe("just text, 12 é");
  });
});

describe("parseFormatting", () => {
  it("splits text into spans with their attributes", () => {
    expect(parseFormatting("a\x02b\x1dc\x0fd")).toEqual([
      { text: "a" },
      { bold: true, text: "b" },
      { bold: true, italic: true, text: "c" },
      { text: "d" },
    ]);
  });

  it("keeps the background when only a foreground follows", () => {
    expect(parseFormatting("\x034,2a\x035b\x03c")).toEqual([
      { fg: 4, bg: 2, text: "a" },
      { fg: 5, bg: 2, text: "b" },
      { text: "c" },
    ]);
  });

  it("reads hex colours as strings", () => {
    expect(parseFormatting("\x04ff8800,000000x")).toEqual([
      { fg: "ff8800", bg: "000000", text: "x" },
    ]);
  });

  it("merges runs whose attributes do not change", () => {
    expect(parseFormatting("a\x02\x02b\x16\x16c")).toEqual([{ text: "abc" }]);
  });
});

describe("assembleFormattedText", () => {
  it("writes codes only where attributes change", () => {
    const spans: FormattedSpan[] = [
      { text: "a" },
      { bold: true, text: "b" },
      { bold: true, underline: true, fg: 4, text: "c" },
      { text: "d" },
    ];
    const text = assembleFormattedText(spans);
    expect(text).toBe("a\x02b\x1f\x0304c\x0fd");
    expect(parseFormatting(text)).toEqual(spans);
  });

  it("guards a comma and digit after a foreground-only code", () => {
    const spans: FormattedSpan[] = [{ fg: 3, text: ",12 apples" }];
    const text = assembleFormattedText(spans);
    expect(parseFormatting(text)).toEqual(spans);
  });

  it("writes a background alone with the default foreground 99", () => {
    expect(parseFormatting(assembleFormattedText([{ bg: 1, text: "x" }]))).toEqual([
      { fg: 99, bg: 1, text: "x" },
    ]);
  });

  it("refuses colours outside the format", () => {
    expect(() => assembleFormattedText([{ fg: 100, text: "x" }])).toThrow(RangeError);
    expect(() => assembleFormattedText([{ fg: "red", text: "x" }])).toThrow(RangeError);
  });
});
