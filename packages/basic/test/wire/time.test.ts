import { Clock, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  Daytime,
  DaytimeUDP,
  daytimeString,
  RFC868_EPOCH_OFFSET,
  rfc868Bytes,
  rfc868Seconds,
  Time,
  TimeUDP,
} from "../../src/wire/index.js";
import { attachDatagram, PEER } from "./helpers.js";

/** 2024-02-29T12:34:56Z, in seconds since the Unix epoch. */
const LEAP_DAY = 1_709_210_096;

/** A Clock that reads `unixSeconds`. */
function clockAt(unixSeconds: number): Clock {
  const clock = new Clock();
  clock.advance(unixSeconds);
  return clock;
}

describe("rfc868Seconds", () => {
  it("counts from 1900: the Unix epoch is 2 208 988 800", () => {
    expect(RFC868_EPOCH_OFFSET).toBe(2_208_988_800);
    expect(rfc868Seconds(0)).toBe(2_208_988_800);
  });

  it("matches RFC 868's own examples", () => {
    expect(rfc868Seconds(Date.UTC(1976, 0, 1) / 1000)).toBe(2_398_291_200);
    expect(rfc868Seconds(Date.UTC(1980, 0, 1) / 1000)).toBe(2_524_521_600);
    expect(rfc868Seconds(Date.UTC(1983, 4, 1) / 1000)).toBe(2_629_584_000);
  });

  it("is unsigned: times after 2004-01-10 exceed 2^31 and stay positive", () => {
    expect(rfc868Seconds(LEAP_DAY)).toBe(3_918_198_896);
    expect(rfc868Seconds(LEAP_DAY)).toBeGreaterThan(2 ** 31);
  });

  it("wraps to 0 at 2036-02-07T06:28:16Z, when RFC 868's era 0 ends", () => {
    const wrap = Date.UTC(2036, 1, 7, 6, 28, 16) / 1000;
    expect(rfc868Seconds(wrap - 1)).toBe(2 ** 32 - 1);
    expect(rfc868Seconds(wrap)).toBe(0);
    expect(rfc868Seconds(wrap + 5)).toBe(5);
  });

  it("drops fractions of a second and handles times before 1970", () => {
    expect(rfc868Seconds(0.999)).toBe(2_208_988_800);
    expect(rfc868Seconds(-1)).toBe(2_208_988_799);
  });

  it("refuses a time that is not a finite number", () => {
    expect(() => rfc868Seconds(Number.NaN)).toThrow(RangeError);
    expect(() => rfc868Seconds(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("rfc868Bytes", () => {
  it("packs the count in four big-endian bytes", () => {
    expect(rfc868Bytes(LEAP_DAY)).toEqual(Buffer.from([0xe9, 0x8a, 0xf8, 0x70]));
    expect(rfc868Bytes(LEAP_DAY).readUInt32BE(0)).toBe(3_918_198_896);
  });
});

describe("daytimeString", () => {
  it("formats UTC in asctime's layout, the day padded with a space", () => {
    expect(daytimeString(0)).toBe("Thu Jan  1 00:00:00 1970");
    expect(daytimeString(1_000_000_000)).toBe("Sun Sep  9 01:46:40 2001");
    expect(daytimeString(LEAP_DAY)).toBe("Thu Feb 29 12:34:56 2024");
  });

  it("drops fractions of a second", () => {
    expect(daytimeString(LEAP_DAY + 0.9)).toBe("Thu Feb 29 12:34:56 2024");
  });

  it("refuses a time that is not a finite number", () => {
    expect(() => daytimeString(Number.NaN)).toThrow(RangeError);
  });
});

describe("Time", () => {
  it("writes RFC 868's four bytes for the clock's time and closes", () => {
    const t = new StringTransport();
    new Time(clockAt(LEAP_DAY)).makeConnection(t);
    expect(t.value()).toEqual(Buffer.from([0xe9, 0x8a, 0xf8, 0x70]));
    expect(t.value().readUInt32BE(0)).toBe(LEAP_DAY + 2_208_988_800);
    expect(t.disconnecting).toBe(true);
  });

  it("does not send the Unix time, as Twisted's does", () => {
    const t = new StringTransport();
    new Time(clockAt(LEAP_DAY)).makeConnection(t);
    expect(t.value().readInt32BE(0)).not.toBe(LEAP_DAY);
  });

  it("reads the system clock by default", () => {
    const before = Math.floor(Date.now() / 1000);
    const t = new StringTransport();
    new Time().makeConnection(t);
    const after = Math.floor(Date.now() / 1000);
    const sent = t.value().readUInt32BE(0) - RFC868_EPOCH_OFFSET;
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(sent).toBeLessThanOrEqual(after);
  });
});

describe("Daytime", () => {
  it("writes the clock's UTC date and time with CRLF and closes", () => {
    const t = new StringTransport();
    new Daytime(clockAt(LEAP_DAY)).makeConnection(t);
    expect(t.value().toString()).toBe("Thu Feb 29 12:34:56 2024\r\n");
    expect(t.disconnecting).toBe(true);
  });

  it("sends what an overridden getDaytime returns", () => {
    class Iso extends Daytime {
      override getDaytime(): string {
        return `${new Date(this.clock.seconds() * 1000).toISOString()}\r\n`;
      }
    }
    const t = new StringTransport();
    new Iso(clockAt(LEAP_DAY)).makeConnection(t);
    expect(t.value().toString()).toBe("2024-02-29T12:34:56.000Z\r\n");
  });

  it("reads the system clock by default, in the asctime layout", () => {
    const t = new StringTransport();
    new Daytime().makeConnection(t);
    expect(t.value().toString()).toMatch(
      /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/,
    );
  });
});

describe("the UDP variants", () => {
  it("TimeUDP answers each datagram, even an empty one, with the four bytes", () => {
    const clock = clockAt(LEAP_DAY);
    const p = new TimeUDP(clock);
    const t = attachDatagram(p);
    p.datagramReceived(Buffer.alloc(0), PEER);
    clock.advance(1);
    p.datagramReceived(Buffer.from("x"), PEER);
    expect(t.written).toEqual([
      [rfc868Bytes(LEAP_DAY), PEER],
      [rfc868Bytes(LEAP_DAY + 1), PEER],
    ]);
  });

  it("DaytimeUDP answers each datagram with the date and time", () => {
    const p = new DaytimeUDP(clockAt(0));
    const t = attachDatagram(p);
    p.datagramReceived(Buffer.from("what time is it?"), PEER);
    expect(t.written).toEqual([[Buffer.from("Thu Jan  1 00:00:00 1970\r\n"), PEER]]);
  });
});
