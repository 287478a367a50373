import { Clock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  ChargenUDP,
  chargenBytes,
  DaytimeUDP,
  DiscardUDP,
  EchoUDP,
  QOTDUDP,
  RFC868_EPOCH_OFFSET,
  TimeUDP,
  WhoUDP,
} from "../../src/wire/index.js";
import { testReactor, udpPair, waitFor } from "./loopback.js";

/** 2024-02-29T12:34:56Z, in seconds since the Unix epoch. */
const LEAP_DAY = 1_709_210_096;

function fixedClock(): Clock {
  const clock = new Clock();
  clock.advance(LEAP_DAY);
  return clock;
}

describe("the UDP wire protocols over loopback", () => {
  it("EchoUDP sends each datagram back to the port it came from", async () => {
    const { send, client, serverPort } = udpPair(testReactor(), new EchoUDP());
    send("one");
    send(Buffer.from([0, 255]));
    await waitFor(() => client.packets[1]);
    expect(client.packets.map(([data]) => data).sort(Buffer.compare)).toEqual(
      [Buffer.from("one"), Buffer.from([0, 255])].sort(Buffer.compare),
    );
    for (const [, addr] of client.packets) {
      expect(addr).toEqual(["127.0.0.1", serverPort.getHost().port]);
    }
  });

  it("DiscardUDP answers nothing", async () => {
    const reactor = testReactor();
    const discard = udpPair(reactor, new DiscardUDP());
    const echo = udpPair(reactor, new EchoUDP());
    discard.send("ignored");
    // An echo sent after it comes back first only if the discard server stayed silent.
    echo.send("marker");
    await waitFor(() => echo.client.packets[0]);
    await new Promise((r) => setTimeout(r, 30));
    expect(discard.client.packets).toEqual([]);
  });

  it("QOTDUDP answers with the quote", async () => {
    const { send, client } = udpPair(testReactor(), new QOTDUDP());
    send("");
    const [data] = await waitFor(() => client.packets[0]);
    expect(data.toString()).toBe("An apple a day keeps the doctor away.\r\n");
  });

  it("WhoUDP answers with the user list", async () => {
    const { send, client } = udpPair(testReactor(), new WhoUDP());
    send("?");
    const [data] = await waitFor(() => client.packets[0]);
    expect(data.toString()).toBe("root\r\n");
  });

  it("DaytimeUDP answers with the date and time", async () => {
    const { send, client } = udpPair(testReactor(), new DaytimeUDP(fixedClock()));
    send("");
    const [data] = await waitFor(() => client.packets[0]);
    expect(data.toString()).toBe("Thu Feb 29 12:34:56 2024\r\n");
  });

  it("TimeUDP answers an empty datagram with four bytes of RFC 868 time", async () => {
    const { send, client } = udpPair(testReactor(), new TimeUDP(fixedClock()));
    send(Buffer.alloc(0));
    const [data] = await waitFor(() => client.packets[0]);
    expect(data.length).toBe(4);
    expect(data.readUInt32BE(0)).toBe(LEAP_DAY + RFC868_EPOCH_OFFSET);
  });

  it("ChargenUDP answers with up to 512 bytes of the pattern", async () => {
    const { send, client } = udpPair(testReactor(), new ChargenUDP(() => 0.75));
    send("x");
    const [data] = await waitFor(() => client.packets[0]);
    expect(data).toEqual(chargenBytes(384));
  });
});
