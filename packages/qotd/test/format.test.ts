import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeQuote, formatQuote, MAX_DATAGRAM_SIZE, MAX_QUOTE_LENGTH } from "../src/format.js";

const codePoints = (s: string) => Array.from(s).length;

describe("formatQuote", () => {
  it("ends the quote with CRLF", () => {
    expect(formatQuote("Fortune favours the bold.")).toBe("Fortune favours the bold.\r\n");
  });

  it("sends line breaks inside the quote as CRLF, and drops trailing ones", () => {
    expect(formatQuote("one\ntwo\r\nthree\rfour\n\n")).toBe("one\r\ntwo\r\nthree\r\nfour\r\n");
    expect(formatQuote("already\r\n")).toBe("already\r\n");
  });

  it("leaves a quote of exactly 510 characters whole (512 with the CRLF)", () => {
    const quote = "x".repeat(MAX_QUOTE_LENGTH - 2);
    expect(formatQuote(quote)).toBe(`${quote}\r\n`);
  });

  it("cuts a longer quote so the message is 512 characters, CRLF included", () => {
    const message = formatQuote("y".repeat(2000));
    expect(message).toHaveLength(512);
    expect(message).toBe(`${"y".repeat(510)}\r\n`);
  });

  it("counts characters, not UTF-16 units, and never splits a surrogate pair", () => {
    const message = formatQuote("😀".repeat(600));
    expect(codePoints(message)).toBe(512);
    expect(message).toBe(`${"😀".repeat(510)}\r\n`);
  });

  it("does not leave half a CRLF where the cut falls between CR and LF", () => {
    const quote = `${"a".repeat(509)}\nrest`;
    expect(formatQuote(quote)).toBe(`${"a".repeat(509)}\r\n`);
  });

  it("takes another cap, and refuses one below 2", () => {
    expect(formatQuote("abcdef", 5)).toBe("abc\r\n");
    expect(() => formatQuote("a", 1)).toThrow(RangeError);
    expect(() => formatQuote("a", 2.5)).toThrow(RangeError);
  });

  it("always ends with one CRLF, within the cap, with no bare CR or LF", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 700 }),
        fc.integer({ min: 2, max: 600 }),
        (quote, max) => {
          const message = formatQuote(quote, max);
          expect(message.endsWith("\r\n")).toBe(true);
          expect(message.endsWith("\r\n\r\n")).toBe(false);
          expect(codePoints(message)).toBeLessThanOrEqual(max);
          expect(message.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);
        },
      ),
    );
  });
});

describe("encodeQuote", () => {
  it("gives the UTF-8 bytes of the formatted quote", () => {
    expect(encodeQuote("Café")).toEqual(Buffer.from("Café\r\n", "utf8"));
  });

  it("cuts multi-byte text to 512 bytes at a character boundary", () => {
    const bytes = encodeQuote("é".repeat(400)); // 800 bytes of text
    expect(bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM_SIZE);
    expect(bytes.toString("utf8")).toBe(`${"é".repeat(255)}\r\n`);
    const emoji = encodeQuote("😀".repeat(200));
    expect(emoji.toString("utf8")).toBe(`${"😀".repeat(127)}\r\n`);
    expect(emoji.length).toBe(127 * 4 + 2);
  });

  it("never goes over either cap and always decodes cleanly", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 600 }),
        fc.integer({ min: 2, max: 600 }),
        fc.integer({ min: 2, max: 600 }),
        (quote, maxLength, maxBytes) => {
          const bytes = encodeQuote(quote, maxLength, maxBytes);
          expect(bytes.length).toBeLessThanOrEqual(maxBytes);
          const text = bytes.toString("utf8");
          expect(Buffer.from(text, "utf8")).toEqual(bytes);
          expect(text.endsWith("\r\n")).toBe(true);
          expect(codePoints(text)).toBeLessThanOrEqual(maxLength);
        },
      ),
    );
  });
});
