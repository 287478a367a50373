import { describe, expect, it } from "vitest";
import { ReadResult, SMTPReader } from "../../src/server/reader.js";

function drain(reader: SMTPReader): [number, string][] {
  const out: [number, string][] = [];
  for (;;) {
    const r = reader.read();
    if (r === ReadResult.needMore) return out;
    out.push([r, reader.line.toString("latin1")]);
    if (r === ReadResult.dataEnd || r === ReadResult.chunkEnd) return out;
  }
}

describe("SMTPReader", () => {
  it("reads command lines ending in CRLF or LF", () => {
    const r = new SMTPReader();
    r.feed(Buffer.from("HELO a\r\nNOOP\nQU"));
    expect(drain(r)).toEqual([
      [ReadResult.line, "HELO a"],
      [ReadResult.line, "NOOP"],
    ]);
    r.feed(Buffer.from("IT\r\n"));
    expect(drain(r)).toEqual([[ReadResult.line, "QUIT"]]);
  });

  it("reads DATA lines, unstuffs dots and stops at CRLF.CRLF", () => {
    const r = new SMTPReader();
    r.startData();
    r.feed(Buffer.from("a\r\n..b\r\n.\r\nNOOP\r\n"));
    expect(drain(r)).toEqual([
      [ReadResult.dataLine, "a"],
      [ReadResult.dataLine, ".b"],
      [ReadResult.dataEnd, ".b"],
    ]);
    expect(r.mode).toBe("command");
    expect(drain(r)).toEqual([[ReadResult.line, "NOOP"]]);
  });

  it("joins a line split across many chunks, CR and LF apart", () => {
    const r = new SMTPReader();
    r.startData();
    for (const part of ["ab", "c\r", "\nd", "\r", "\n", ".", "\r", "\n"]) r.feed(Buffer.from(part));
    expect(drain(r)).toEqual([
      [ReadResult.dataLine, "abc"],
      [ReadResult.dataLine, "d"],
      [ReadResult.dataEnd, "d"],
    ]);
  });

  it("reads exactly the BDAT chunk's bytes", () => {
    const r = new SMTPReader();
    r.feed(Buffer.from("0123"));
    r.feed(Buffer.from("456789NOOP\r\n"));
    r.startChunk(8);
    expect(drain(r)).toEqual([
      [ReadResult.chunk, "0123"],
      [ReadResult.chunk, "4567"],
      [ReadResult.chunkEnd, "4567"],
    ]);
    expect(drain(r)).toEqual([[ReadResult.line, "89NOOP"]]);
  });

  it("reports a long line once and drops it as it comes", () => {
    const r = new SMTPReader();
    r.maxLineLength = 10;
    r.feed(Buffer.from("x".repeat(50)));
    expect(drain(r).map(([c]) => c)).toEqual([ReadResult.tooLong]);
    r.feed(Buffer.from("y".repeat(50)));
    expect(drain(r)).toEqual([]);
    expect(r.buffered).toBe(0);
    r.feed(Buffer.from("zz\r\nOK\r\n"));
    expect(drain(r)).toEqual([[ReadResult.line, "OK"]]);
  });

  it("drops a long DATA line up to its CRLF, not its bare LF", () => {
    const r = new SMTPReader();
    r.maxDataLineLength = 10;
    r.startData();
    r.feed(Buffer.from(`${"x".repeat(20)}\n.\nstill\r\nok\r\n.\r\n`));
    expect(drain(r)).toEqual([
      [ReadResult.dataTooLong, ""],
      [ReadResult.dataLine, "ok"],
      [ReadResult.dataEnd, "ok"],
    ]);
  });

  it("forgets everything on reset", () => {
    const r = new SMTPReader();
    r.feed(Buffer.from("A\r\nB\r\n"));
    r.feed(Buffer.from("C\r\n"));
    r.read();
    r.reset();
    expect(r.buffered).toBe(0);
    expect(r.read()).toBe(ReadResult.needMore);
  });
});
