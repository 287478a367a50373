import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capAnswer, TRUNCATED_MARKER, toAnswerLines } from "../src/answer.js";

describe("toAnswerLines", () => {
  it("ends every line with CRLF", () => {
    expect(toAnswerLines("a\nb\r\nc\rd")).toBe("a\r\nb\r\nc\r\nd\r\n");
    expect(toAnswerLines("a\n")).toBe("a\r\n");
    expect(toAnswerLines("")).toBe("");
  });

  it("replaces control characters but tab with ?", () => {
    expect(toAnswerLines("a\x1b[2Jb\tc\x7f\x9b")).toBe("a?[2Jb\tc??\r\n");
    expect(toAnswerLines("a\x1bb", false)).toBe("a\x1bb\r\n");
  });
});

describe("capAnswer", () => {
  it("leaves a short answer alone", () => {
    expect(capAnswer("hello\r\n", 100)).toEqual({
      bytes: Buffer.from("hello\r\n"),
      truncated: false,
    });
  });

  it("cuts a long answer at a line end and marks it", () => {
    const answer = "line one\r\nline two\r\nline three\r\n".repeat(10);
    const { bytes, truncated } = capAnswer(answer, 64);
    expect(truncated).toBe(true);
    expect(bytes.length).toBeLessThanOrEqual(64);
    expect(bytes.toString()).toBe(
      `line one\r\nline two\r\nline three\r\nline one\r\n${TRUNCATED_MARKER}`,
    );
    expect(capAnswer("x".repeat(100), 64).bytes.toString()).toBe(
      `${"x".repeat(42)}\r\n${TRUNCATED_MARKER}`,
    );
  });

  it("never exceeds the cap nor splits a UTF-8 character", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.integer({ min: 24, max: 300 }),
        (text, max) => {
          const { bytes } = capAnswer(text, max);
          expect(bytes.length).toBeLessThanOrEqual(max);
          expect(Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes)).toBe(true);
        },
      ),
    );
  });
});
