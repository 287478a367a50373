import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineBuffer } from "../src/lines.js";

/** Feed `input` in chunks of `size`, collecting the lines and the overlong count. */
function feedInChunks(buffer: LineBuffer, input: Buffer, size: number) {
  const lines: string[] = [];
  let overlong = 0;
  for (let i = 0; i < input.length; i += size) {
    const fed = buffer.feed(input.subarray(i, i + size));
    lines.push(...fed.lines.map((l) => l.toString("utf8")));
    overlong += fed.overlong;
  }
  return { lines, overlong };
}

describe("LineBuffer", () => {
  it("cuts lines at \\n and drops a \\r before it", () => {
    const { lines } = new LineBuffer().feed(Buffer.from("one\r\ntwo\n\nthree\n"));
    expect(lines.map(String)).toEqual(["one", "two", "", "three"]);
  });

  it("keeps a partial last line until its newline", () => {
    const buffer = new LineBuffer();
    expect(buffer.feed(Buffer.from("first\nsec")).lines.map(String)).toEqual(["first"]);
    expect(buffer.partialLength).toBe(3);
    expect(buffer.feed(Buffer.from("ond")).lines).toEqual([]);
    expect(buffer.feed(Buffer.from("\n")).lines.map(String)).toEqual(["second"]);
    expect(buffer.partialLength).toBe(0);
  });

  it("finds the same lines at every chunk size, multi-byte characters included", () => {
    const input = Buffer.from("héllo wörld\r\n\n€ sign\nlast\r\npartial");
    for (let size = 1; size <= input.length; size++) {
      expect(feedInChunks(new LineBuffer(), input, size).lines, `size ${size}`).toEqual([
        "héllo wörld",
        "",
        "€ sign",
        "last",
      ]);
    }
  });

  it("drops and counts lines longer than maxLength, at every chunk size", () => {
    const input = Buffer.from("short\n0123456789ABC\nok\r\n0123456789\r\n0123456789X\n");
    for (let size = 1; size <= input.length; size++) {
      const { lines, overlong } = feedInChunks(new LineBuffer(10), input, size);
      expect(lines, `size ${size}`).toEqual(["short", "ok", "0123456789"]);
      expect(overlong, `size ${size}`).toBe(2);
    }
  });

  it("does not hold a line without a newline past maxLength", () => {
    const buffer = new LineBuffer(10);
    let overlong = 0;
    for (let i = 0; i < 100; i++) overlong += buffer.feed(Buffer.from("xxxxxxxx")).overlong;
    expect(overlong).toBe(1);
    expect(buffer.partialLength).toBe(0);
    expect(buffer.feed(Buffer.from("tail\nnext\n")).lines.map(String)).toEqual(["next"]);
  });

  it("forgets a partial line on reset", () => {
    const buffer = new LineBuffer();
    buffer.feed(Buffer.from("half a li"));
    buffer.reset();
    expect(buffer.feed(Buffer.from("ne\nwhole\n")).lines.map(String)).toEqual(["ne", "whole"]);
  });

  it("finds the same lines however the stream is split (property)", () => {
    const text = fc.array(fc.string({ unit: "grapheme", maxLength: 20 }), { maxLength: 20 });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const input = Buffer.from(lines.map((l) => `${l.replace(/[\r\n]/g, "")}\n`).join(""));
        const whole = new LineBuffer(1_000).feed(input).lines.map(String);
        const at = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const split = new LineBuffer(1_000);
        const got: string[] = [];
        let from = 0;
        for (const to of [...at, input.length]) {
          got.push(...split.feed(input.subarray(from, to)).lines.map(String));
          from = to;
        }
        expect(got).toEqual(whole);
        expect(whole).toHaveLength(lines.length);
      }),
    );
  });
});
