import { ConnectionDone, Factory } from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  Chargen,
  chargenLine,
  Daytime,
  Discard,
  Echo,
  QOTD,
  RFC868_EPOCH_OFFSET,
  Time,
  Who,
} from "../../src/wire/index.js";
import { connectCollector, testReactor, waitFor } from "./loopback.js";

/** 2024-02-29T12:34:56Z, in seconds since the Unix epoch. */
const LEAP_DAY = 1_709_210_096;

function fixedClock(): Clock {
  const clock = new Clock();
  clock.advance(LEAP_DAY);
  return clock;
}

class FixedDaytime extends Daytime {
  constructor() {
    super(fixedClock());
  }
}

class FixedTime extends Time {
  constructor() {
    super(fixedClock());
  }
}

describe("the TCP wire protocols over loopback", () => {
  it("Echo sends back what a client writes, over a real socket", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(Echo));
    client.transport?.write("hello, ");
    client.transport?.write(Buffer.from([0, 1, 2, 255]));
    const got = await client.waitForBytes(11);
    expect(got).toEqual(Buffer.concat([Buffer.from("hello, "), Buffer.from([0, 1, 2, 255])]));
    client.transport?.loseConnection();
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("Discard answers nothing and keeps the connection open", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(Discard));
    client.transport?.write("into the void");
    await new Promise((r) => setTimeout(r, 50));
    expect(client.bytes.length).toBe(0);
    expect(client.reason).toBeUndefined();
    client.transport?.loseConnection();
    await client.lost;
  });

  it("QOTD sends the quote and closes the connection", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(QOTD));
    const reason = await client.lost;
    expect(client.bytes.toString()).toBe("An apple a day keeps the doctor away.\r\n");
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("Who sends the user list and closes the connection", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(Who));
    await client.lost;
    expect(client.bytes.toString()).toBe("root\r\n");
  });

  it("Daytime sends the date and time and closes the connection", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(FixedDaytime));
    await client.lost;
    expect(client.bytes.toString()).toBe("Thu Feb 29 12:34:56 2024\r\n");
  });

  it("Time sends four bytes of RFC 868 time and closes the connection", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(FixedTime));
    await client.lost;
    expect(client.bytes.length).toBe(4);
    expect(client.bytes.readUInt32BE(0)).toBe(LEAP_DAY + RFC868_EPOCH_OFFSET);
  });

  it("Time with the reactor as its clock sends the current time", async () => {
    const reactor = testReactor();
    const factory = new Factory<Time>();
    factory.buildProtocol = () => new Time(reactor);
    const before = Math.floor(Date.now() / 1000);
    const client = await connectCollector(reactor, factory);
    await client.lost;
    const sent = client.bytes.readUInt32BE(0) - RFC868_EPOCH_OFFSET;
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(sent).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("Chargen sends the pattern's first line at once, and stops when the client aborts", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(Chargen));
    const got = await client.waitForBytes(74);
    expect(got.subarray(0, 74)).toEqual(chargenLine(0));
    client.abort();
    await client.lost;
  });

  it("Chargen streams the pattern, paced by the socket, for as long as the client reads", async () => {
    const reactor = testReactor();
    const client = await connectCollector(reactor, Factory.forProtocol(Chargen));
    const want = 95 * 74 * 3;
    const period = Buffer.concat(Array.from({ length: 95 }, (_, n) => chargenLine(n)));
    try {
      await waitFor(() => (client.bytes.length >= want ? true : undefined), 1000);
      expect(client.bytes.subarray(0, want)).toEqual(Buffer.concat([period, period, period]));
    } finally {
      client.abort();
      await client.lost;
    }
  });
});
