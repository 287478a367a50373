import { Deferred, type IUDPTransport, type UDPAddressTuple } from "@twisted-ts/core";
import { Clock, EventLoggingObserver, FakeDatagramTransport } from "@twisted-ts/core/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  DEFAULT_IGNORED_SOURCE_PORTS,
  type QOTDDatagramOptions,
  QOTDDatagramProtocol,
  type RefusalReason,
} from "../src/datagram.js";
import type { IQuoter } from "../src/quoters.js";
import { StaticQuoter } from "../src/quoters.js";

const ping = Buffer.from("?");

/** A UDP QOTD protocol on a fake port, recording what it sends and what it refuses. */
function serve(quoter: IQuoter, options: Omit<QOTDDatagramOptions, "clock"> = {}) {
  const clock = new Clock();
  const fake = new FakeDatagramTransport();
  const refused: [UDPAddressTuple, RefusalReason][] = [];
  const protocol = new (class extends QOTDDatagramProtocol {
    override noisy = false;
    override datagramRefused(addr: UDPAddressTuple, reason: RefusalReason): void {
      refused.push([addr, reason]);
    }
  })(quoter, { clock, ...options });
  protocol.makeConnection(fake as unknown as IUDPTransport);
  const sent = () =>
    fake.written.map(([packet, addr]): [string, UDPAddressTuple] => [
      packet.toString("utf8"),
      addr as UDPAddressTuple,
    ]);
  return { clock, fake, protocol, refused, sent };
}

describe("QOTD over UDP", () => {
  it("answers a datagram with one datagram holding the quote and CRLF, to the sender", () => {
    const { protocol, sent } = serve(new StaticQuoter("Birds of a feather flock together."));
    protocol.datagramReceived(ping, ["192.0.2.1", 5000]);
    expect(sent()).toEqual([["Birds of a feather flock together.\r\n", ["192.0.2.1", 5000]]]);
  });

  it("answers whatever the datagram holds, even nothing", () => {
    const { protocol, sent } = serve(new StaticQuoter("q"), { perSourceLimit: 10 });
    protocol.datagramReceived(Buffer.alloc(0), ["192.0.2.1", 5000]);
    protocol.datagramReceived(Buffer.alloc(1000, 1), ["192.0.2.1", 5000]);
    expect(sent()).toHaveLength(2);
  });

  it("answers a source once a second by default, then drops the rest", () => {
    const { protocol, clock, sent, refused } = serve(new StaticQuoter("q"));
    for (let i = 0; i < 5; i++) protocol.datagramReceived(ping, ["192.0.2.1", 5000 + i]);
    expect(sent()).toHaveLength(1);
    expect(refused).toHaveLength(4);
    expect(refused[0]).toEqual([["192.0.2.1", 5001], "source-limit"]);
    clock.advance(0.5);
    protocol.datagramReceived(ping, ["192.0.2.1", 5000]);
    expect(sent()).toHaveLength(1);
    clock.advance(0.5);
    protocol.datagramReceived(ping, ["192.0.2.1", 5000]);
    expect(sent()).toHaveLength(2);
  });

  it("allows perSourceBurst at once and perSourceLimit a second after that", () => {
    const { protocol, clock, sent } = serve(new StaticQuoter("q"), {
      perSourceLimit: 2,
      perSourceBurst: 4,
    });
    const addr: UDPAddressTuple = ["198.51.100.7", 1234];
    for (let i = 0; i < 10; i++) protocol.datagramReceived(ping, addr);
    expect(sent()).toHaveLength(4);
    // Ten seconds of a steady flood, 10 datagrams a second: 2 answers a second get through.
    for (let t = 0; t < 100; t++) {
      clock.advance(0.1);
      protocol.datagramReceived(ping, addr);
    }
    expect(sent()).toHaveLength(4 + 20);
  });

  it("never refills past the burst, however long the source stays quiet", () => {
    const { protocol, clock, sent } = serve(new StaticQuoter("q"), {
      perSourceLimit: 1,
      perSourceBurst: 2,
    });
    clock.advance(3600);
    for (let i = 0; i < 5; i++) protocol.datagramReceived(ping, ["192.0.2.9", 9]);
    expect(sent()).toHaveLength(2);
  });

  it("limits each source host on its own", () => {
    const { protocol, sent } = serve(new StaticQuoter("q"));
    for (const host of ["192.0.2.1", "192.0.2.2", "192.0.2.1", "2001:db8::1", "192.0.2.2"]) {
      protocol.datagramReceived(ping, [host, 4000]);
    }
    expect(sent().map(([, addr]) => addr)).toEqual([
      ["192.0.2.1", 4000],
      ["192.0.2.2", 4000],
      ["2001:db8::1", 4000],
    ]);
  });

  it("caps the answers to all sources together at totalLimit a second", () => {
    const { protocol, clock, sent, refused } = serve(new StaticQuoter("q"), { totalLimit: 3 });
    for (let i = 0; i < 10; i++) protocol.datagramReceived(ping, [`203.0.113.${i}`, 4000]);
    expect(sent()).toHaveLength(3);
    expect(refused.map(([, why]) => why)).toEqual(Array(7).fill("total-limit"));
    clock.advance(1);
    for (let i = 10; i < 20; i++) protocol.datagramReceived(ping, [`203.0.113.${i}`, 4000]);
    expect(sent()).toHaveLength(6);
  });

  it("does not spend a source's token when the total limit refuses", () => {
    const { protocol, clock, sent } = serve(new StaticQuoter("q"), { totalLimit: 1 });
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    protocol.datagramReceived(ping, ["192.0.2.2", 4000]); // refused by the total
    clock.advance(1);
    protocol.datagramReceived(ping, ["192.0.2.2", 4000]);
    expect(sent().map(([, addr]) => addr[0])).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("never answers port 0 or the echo-like services' ports", () => {
    const { protocol, sent, refused } = serve(new StaticQuoter("q"), { perSourceLimit: 100 });
    for (const port of DEFAULT_IGNORED_SOURCE_PORTS)
      protocol.datagramReceived(ping, ["192.0.2.1", port]);
    expect(sent()).toEqual([]);
    expect(refused.map(([, why]) => why)).toEqual(
      Array(DEFAULT_IGNORED_SOURCE_PORTS.length).fill("ignored-port"),
    );
    expect(DEFAULT_IGNORED_SOURCE_PORTS).toEqual([0, 7, 13, 17, 19, 37]);
  });

  it("takes another list of ignored ports", () => {
    const { protocol, sent } = serve(new StaticQuoter("q"), { ignoredSourcePorts: [53] });
    protocol.datagramReceived(ping, ["192.0.2.1", 53]);
    protocol.datagramReceived(ping, ["192.0.2.1", 7]);
    expect(sent().map(([, addr]) => addr[1])).toEqual([7]);
  });

  it("remembers at most maxTrackedSources hosts, forgetting the least recently seen", () => {
    const { protocol, sent } = serve(new StaticQuoter("q"), {
      maxTrackedSources: 2,
      totalLimit: 1000,
    });
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    protocol.datagramReceived(ping, ["192.0.2.2", 4000]);
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]); // refused; .1 is now the most recent
    protocol.datagramReceived(ping, ["192.0.2.3", 4000]); // forgets .2
    expect(protocol.trackedSources).toBe(2);
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]); // still remembered: refused
    protocol.datagramReceived(ping, ["192.0.2.2", 4000]); // forgotten: a fresh bucket
    expect(sent().map(([, addr]) => addr[0])).toEqual([
      "192.0.2.1",
      "192.0.2.2",
      "192.0.2.3",
      "192.0.2.2",
    ]);
  });

  it("keeps every answer within 512 bytes and 512 characters", () => {
    const { protocol, sent, fake } = serve(new StaticQuoter("ü".repeat(1000)));
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    expect(fake.written[0]?.[0].length).toBeLessThanOrEqual(512);
    expect(sent()[0]?.[0]).toBe(`${"ü".repeat(255)}\r\n`);
  });

  it("takes other size caps, and refuses impossible limits", () => {
    const { protocol, sent } = serve(new StaticQuoter("abcdefgh"), { maxDatagramSize: 6 });
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    expect(sent()[0]?.[0]).toBe("abcd\r\n");
    const clock = new Clock();
    const quoter = new StaticQuoter("q");
    expect(() => new QOTDDatagramProtocol(quoter, { clock, perSourceLimit: 0 })).toThrow(
      RangeError,
    );
    expect(() => new QOTDDatagramProtocol(quoter, { clock, totalLimit: -1 })).toThrow(RangeError);
    expect(() => new QOTDDatagramProtocol(quoter, { clock, maxTrackedSources: 0 })).toThrow(
      RangeError,
    );
    expect(() => new QOTDDatagramProtocol(quoter, { clock, maxDatagramSize: 1 })).toThrow(
      RangeError,
    );
  });

  it("answers when an asynchronous quote arrives, and not once the port has stopped", () => {
    const asked: Deferred<string>[] = [];
    const quoter: IQuoter = {
      getQuote: () => {
        const d = new Deferred<string>();
        asked.push(d);
        return d;
      },
    };
    const { protocol, sent } = serve(quoter, { perSourceLimit: 10 });
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    protocol.datagramReceived(ping, ["192.0.2.1", 4001]);
    expect(sent()).toEqual([]);
    asked[0]?.callback("later");
    expect(sent()).toEqual([["later\r\n", ["192.0.2.1", 4000]]]);
    protocol.doStop();
    asked[1]?.callback("too late");
    expect(sent()).toHaveLength(1);
  });

  it("logs a failing quoter and answers with the fallback quote, or nothing", () => {
    const events = EventLoggingObserver.createWithCleanup(onTestFinished);
    const quoter: IQuoter = {
      getQuote: () => {
        throw new Error("broken");
      },
    };
    const first = serve(quoter);
    first.protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    expect(first.sent()).toEqual([
      ["An apple a day keeps the doctor away.\r\n", ["192.0.2.1", 4000]],
    ]);
    const second = serve(quoter, { fallbackQuote: null });
    second.protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    expect(second.sent()).toEqual([]);
    expect(events.events.filter((e) => e.log_failure)).toHaveLength(2);
  });

  it("times out a slow quoter on the clock", () => {
    EventLoggingObserver.createWithCleanup(onTestFinished);
    const quoter: IQuoter = { getQuote: () => new Deferred<string>() };
    const { protocol, clock, sent } = serve(quoter, { quoteTimeout: 1, fallbackQuote: "slow" });
    protocol.datagramReceived(ping, ["192.0.2.1", 4000]);
    clock.advance(1);
    expect(sent()).toEqual([["slow\r\n", ["192.0.2.1", 4000]]]);
  });

  it("logs refusals at debug level by default", () => {
    const events = EventLoggingObserver.createWithCleanup(onTestFinished);
    const clock = new Clock();
    const protocol = new QOTDDatagramProtocol(new StaticQuoter("q"), { clock });
    protocol.noisy = false;
    protocol.makeConnection(new FakeDatagramTransport() as unknown as IUDPTransport);
    protocol.datagramReceived(ping, ["192.0.2.1", 0]);
    expect(events.events.map((e) => [e.log_level, e.reason])).toEqual([["debug", "ignored-port"]]);
  });
});
