import { StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  CHARGEN_LINE_LENGTH,
  CHARGEN_PATTERN_LINES,
  Chargen,
  ChargenUDP,
  chargenBytes,
  chargenLine,
} from "../../src/wire/index.js";
import { attachDatagram, PEER } from "./helpers.js";

/** The 95 printing ASCII characters, in order: RFC 864's ring. */
const RING = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join("");

describe("chargenLine", () => {
  it("puts the ring's characters 0 to 71 on line 0, then CRLF", () => {
    expect(chargenLine(0).toString("latin1")).toBe(`${RING.slice(0, 72)}\r\n`);
    expect(chargenLine(0).toString("latin1")).toBe(
      ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_\`abcdefg\r\n`,
    );
  });

  it("starts each line one character further round the ring, wrapping after ~", () => {
    expect(chargenLine(1).toString("latin1")).toBe(`${RING.slice(1, 73)}\r\n`);
    expect(chargenLine(30).toString("latin1")).toBe(`${RING.slice(30)}${RING.slice(0, 7)}\r\n`);
    expect(chargenLine(94).toString("latin1")).toBe(`~${RING.slice(0, 71)}\r\n`);
  });

  it("repeats every 95 lines", () => {
    expect(CHARGEN_PATTERN_LINES).toBe(95);
    expect(chargenLine(95)).toEqual(chargenLine(0));
    expect(chargenLine(95 * 3 + 7)).toEqual(chargenLine(7));
  });

  it("makes every line 72 printing characters and CRLF", () => {
    for (let n = 0; n < 95; n++) {
      const line = chargenLine(n);
      expect(line.length).toBe(CHARGEN_LINE_LENGTH + 2);
      expect(line.subarray(0, 72).every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
      expect(line.subarray(72).toString()).toBe("\r\n");
    }
  });

  it("returns a copy that the caller may change", () => {
    chargenLine(0).fill(0);
    expect(chargenLine(0)[0]).toBe(0x20);
  });

  it("refuses a negative or fractional line number", () => {
    expect(() => chargenLine(-1)).toThrow(RangeError);
    expect(() => chargenLine(1.5)).toThrow(RangeError);
  });
});

describe("chargenBytes", () => {
  it("takes the start of the pattern, CRLFs included", () => {
    expect(chargenBytes(0)).toEqual(Buffer.alloc(0));
    expect(chargenBytes(80).toString("latin1")).toBe(`${RING.slice(0, 72)}\r\n${RING.slice(1, 7)}`);
    expect(chargenBytes(95 * 74)).toEqual(
      Buffer.concat(Array.from({ length: 95 }, (_, n) => chargenLine(n))),
    );
  });

  it("refuses lengths beyond one period", () => {
    expect(() => chargenBytes(95 * 74 + 1)).toThrow(RangeError);
    expect(() => chargenBytes(-1)).toThrow(RangeError);
  });
});

describe("Chargen", () => {
  it("registers itself as a pull producer when connected, and writes nothing until asked", () => {
    const t = new StringTransport();
    const p = new Chargen();
    p.makeConnection(t);
    expect(t.producer).toBe(p);
    expect(t.streaming).toBe(false);
    expect(t.value().length).toBe(0);
  });

  it("writes the next line of the pattern on each resumeProducing", () => {
    const t = new StringTransport();
    const p = new Chargen();
    p.makeConnection(t);
    p.resumeProducing();
    expect(t.value()).toEqual(chargenLine(0));
    p.resumeProducing();
    p.resumeProducing();
    expect(t.value()).toEqual(Buffer.concat([chargenLine(0), chargenLine(1), chargenLine(2)]));
  });

  it("comes back to line 0 after 95 lines", () => {
    const t = new StringTransport();
    const p = new Chargen();
    p.makeConnection(t);
    for (let i = 0; i < 95; i++) p.resumeProducing();
    t.clear();
    p.resumeProducing();
    expect(t.value()).toEqual(chargenLine(0));
  });

  it("throws away what it receives and ignores pauseProducing", () => {
    const t = new StringTransport();
    const p = new Chargen();
    p.makeConnection(t);
    p.dataReceived(Buffer.from("stop please"));
    p.pauseProducing();
    expect(t.value().length).toBe(0);
    p.resumeProducing();
    expect(t.value()).toEqual(chargenLine(0));
  });

  it("writes nothing more after stopProducing", () => {
    const t = new StringTransport();
    const p = new Chargen();
    p.makeConnection(t);
    p.resumeProducing();
    p.stopProducing();
    p.resumeProducing();
    expect(t.value()).toEqual(chargenLine(0));
  });
});

describe("ChargenUDP", () => {
  it("answers each datagram with floor(random * 513) bytes of the pattern", () => {
    const draws = [0, 0.5, 0.999_999];
    const p = new ChargenUDP(() => draws.shift() ?? 0);
    const t = attachDatagram(p);
    for (let i = 0; i < 3; i++) p.datagramReceived(Buffer.from("ignored"), PEER);
    expect(t.written.map(([data]) => data.length)).toEqual([0, 256, 512]);
    expect(t.written[1]?.[0]).toEqual(chargenBytes(256));
    expect(t.written.every(([, addr]) => addr === PEER)).toBe(true);
  });

  it("keeps answers within 0 to 512 bytes even when random misbehaves", () => {
    const draws = [1, 7, -3];
    const p = new ChargenUDP(() => draws.shift() ?? 0);
    const t = attachDatagram(p);
    for (let i = 0; i < 3; i++) p.datagramReceived(Buffer.alloc(0), PEER);
    expect(t.written.map(([data]) => data.length)).toEqual([512, 512, 0]);
  });

  it("uses Math.random by default and stays within the RFC's bound", () => {
    const p = new ChargenUDP();
    const t = attachDatagram(p);
    for (let i = 0; i < 50; i++) p.datagramReceived(Buffer.alloc(0), PEER);
    for (const [data] of t.written) expect(data.length).toBeLessThanOrEqual(ChargenUDP.MAX_LENGTH);
  });
});
