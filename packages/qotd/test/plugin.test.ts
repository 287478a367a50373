import { fileURLToPath } from "node:url";
import {
  type IDatagramProtocol,
  IPv4Address,
  type IReactorUDP,
  type IUDPPort,
  type ListenUDPOptions,
  succeed,
} from "@twisted-ts/core";
import { MemoryReactorClock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { QOTDDatagramProtocol } from "../src/datagram.js";
import { QOTDUsageError, QuoteFileError } from "../src/errors.js";
import { FortuneQuoter } from "../src/fortune.js";
import defaultPlugin, { makeService, qotdPlugin } from "../src/plugin.js";
import { StaticQuoter } from "../src/quoters.js";
import { QOTDFactory } from "../src/server.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A memory reactor that also records listenUDP calls. */
class MemoryReactorWithUDP extends MemoryReactorClock implements IReactorUDP {
  readonly udpPorts: [number, IDatagramProtocol, ListenUDPOptions][] = [];
  readonly stoppedUDP: number[] = [];
  listenUDP(port: number, protocol: IDatagramProtocol, options: ListenUDPOptions = {}): IUDPPort {
    this.udpPorts.push([port, protocol, options]);
    const stopped = this.stoppedUDP;
    return {
      getHost: () => new IPv4Address("UDP", options.interface || "0.0.0.0", port),
      stopListening: () => {
        stopped.push(port);
        return succeed(undefined);
      },
    } as unknown as IUDPPort;
  }
}

describe("the twist qotd plugin", () => {
  it("declares its name and options", () => {
    expect(defaultPlugin).toBe(qotdPlugin);
    expect(qotdPlugin.name).toBe("qotd");
    expect(qotdPlugin.description).toMatch(/Quote of the Day/);
    expect(qotdPlugin.options.map((o) => [o.name, o.multiple, o.default])).toEqual([
      ["listen", true, "tcp:8017"],
      ["quote", false, undefined],
      ["fortune", true, undefined],
    ]);
  });

  it("serves the default quote on tcp:8017 when given nothing", async () => {
    const reactor = new MemoryReactorWithUDP();
    const service = qotdPlugin.makeService({}, reactor);
    expect(service.listen).toEqual(["tcp:8017"]);
    expect(service.quoter).toBeInstanceOf(StaticQuoter);
    expect((service.quoter as StaticQuoter).quote).toBe("An apple a day keeps the doctor away.");
    expect(reactor.tcpServers).toEqual([]); // nothing until started
    await service.startService();
    expect(service.running).toBe(true);
    expect(reactor.tcpServers).toHaveLength(1);
    const [port, factory, , iface] = reactor.tcpServers[0] ?? [];
    expect([port, iface]).toEqual([8017, ""]);
    expect(factory).toBeInstanceOf(QOTDFactory);
    expect(factory).toBe(service.factory);
    expect(service.factory.clock).toBe(reactor);
  });

  it("listens on every --listen, TCP and UDP, and stops them all", async () => {
    const reactor = new MemoryReactorWithUDP();
    const service = makeService(
      {
        listen: ["tcp:1717:interface=127.0.0.1", "udp:1718:interface=127.0.0.1", "udp:1719"],
        quote: "Hi.",
      },
      reactor,
    );
    await service.startService();
    expect(reactor.tcpServers.map(([p, , , i]) => [p, i])).toEqual([[1717, "127.0.0.1"]]);
    expect(reactor.udpPorts.map(([p, , o]) => [p, o.interface])).toEqual([
      [1718, "127.0.0.1"],
      [1719, ""],
    ]);
    const udp = reactor.udpPorts[0]?.[1];
    expect(udp).toBeInstanceOf(QOTDDatagramProtocol);
    expect((udp as QOTDDatagramProtocol).clock).toBe(reactor);
    expect(service.ports).toHaveLength(3);
    await service.stopService();
    expect(service.running).toBe(false);
    expect(service.ports).toEqual([]);
    expect(reactor.stoppedUDP).toEqual([1718, 1719]);
  });

  it("accepts single strings for the repeatable options", () => {
    const service = makeService(
      { listen: "tcp:9", fortune: fixture("single.txt") },
      new MemoryReactorWithUDP(),
    );
    expect(service.listen).toEqual(["tcp:9"]);
    expect(service.quoter).toBeInstanceOf(FortuneQuoter);
    expect((service.quoter as FortuneQuoter).files).toEqual([fixture("single.txt")]);
  });

  it("refuses --quote together with --fortune", () => {
    expect(() => makeService({ quote: "a", fortune: ["b"] }, new MemoryReactorWithUDP())).toThrow(
      QOTDUsageError,
    );
  });

  it("refuses a bad --listen when the service is made, with a typed error", () => {
    const reactor = new MemoryReactorWithUDP();
    for (const listen of ["bogus:1", "tcp:notaport", "udp:", "udp:70000"]) {
      let error: unknown;
      try {
        makeService({ listen }, reactor);
      } catch (e) {
        error = e;
      }
      expect(error, listen).toBeInstanceOf(QOTDUsageError);
      expect((error as QOTDUsageError).code).toBe("ERR_QOTD_USAGE");
    }
  });

  it("checks fortune files before listening, and fails to start on a missing one", async () => {
    const reactor = new MemoryReactorWithUDP();
    const service = makeService(
      { fortune: [fixture("single.txt"), fixture("missing.txt")] },
      reactor,
    );
    await expect(service.startService()).rejects.toBeInstanceOf(QuoteFileError);
    expect(service.running).toBe(false);
    expect(reactor.tcpServers).toEqual([]);
  });

  it("starts with good fortune files", async () => {
    const reactor = new MemoryReactorWithUDP();
    const service = makeService({ fortune: [fixture("fortunes.txt")], listen: ["tcp:0"] }, reactor);
    await service.startService();
    expect(reactor.tcpServers).toHaveLength(1);
  });
});
