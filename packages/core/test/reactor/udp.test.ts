import { describe, expect, it } from "vitest";
import { InvalidAddressError } from "../../src/errors.js";
import type { IReactorProcess } from "../../src/interfaces/process.js";
import type { IReactorThreads } from "../../src/interfaces/threads.js";
import type { IReactorMulticast, IReactorUDP, IUDPTransport } from "../../src/interfaces/udp.js";
import { capturedLogs } from "../../src/logger/index.js";
import { DatagramProtocol } from "../../src/protocol/datagram.js";
import { Reactor } from "../../src/reactor/reactor.js";
import { UDPPort } from "../../src/reactor/udp.js";

const fakeTransport = {} as IUDPTransport;

class Counting extends DatagramProtocol {
  readonly events: string[] = [];
  override startProtocol(): void {
    this.events.push("start");
  }
  override stopProtocol(): void {
    this.events.push("stop");
  }
}

describe("DatagramProtocol", () => {
  it("sets transport and starts once in makeConnection", () => {
    const p = new Counting();
    p.noisy = false;
    p.makeConnection(fakeTransport);
    expect(p.transport).toBe(fakeTransport);
    expect(p.numPorts).toBe(1);
    expect(p.events).toEqual(["start"]);
    expect(() => p.makeConnection(fakeTransport)).toThrow(/already attached/);
  });

  it("counts ports: startProtocol on the first doStart, stopProtocol after the last doStop", () => {
    const p = new Counting();
    p.noisy = false;
    p.doStart();
    p.doStart();
    p.doStop();
    expect(p.events).toEqual(["start"]);
    p.doStop();
    expect(p.events).toEqual(["start", "stop"]);
    p.doStop();
    expect(p.events).toEqual(["start", "stop"]);
    expect(p.numPorts).toBe(0);
    expect(p.transport).toBeUndefined();
  });

  it("logs starting and stopping when noisy", () => {
    const p = new Counting();
    const events = capturedLogs(() => {
      p.doStart();
      p.doStop();
    });
    expect(events.map((e) => [e.log_format, e["protocol"]])).toEqual([
      ["Starting protocol {protocol}", "Counting"],
      ["Stopping protocol {protocol}", "Counting"],
    ]);
  });

  it("does nothing by default on datagrams and refusals, and names itself by class", () => {
    const p = new Counting();
    expect(() => p.datagramReceived(Buffer.from("x"), ["127.0.0.1", 1])).not.toThrow();
    expect(() => p.connectionRefused()).not.toThrow();
    expect(p.logPrefix()).toBe("Counting");
  });
});

describe("UDPPort before binding", () => {
  it("refuses an interface that is not a numeric address", () => {
    expect(() => new UDPPort(new Reactor(), 0, new Counting(), { interface: "localhost" })).toThrow(
      InvalidAddressError,
    );
  });

  it("uses an IPv6 socket for an IPv6 interface and defaults maxPacketSize to 8192", () => {
    const port = new UDPPort(new Reactor(), 0, new Counting(), { interface: "::1" });
    expect(port.maxPacketSize).toBe(8192);
    expect(port.getOutgoingInterface()).toBe("::");
    expect(port.logPrefix()).toBe("Counting (UDP)");
    expect(String(port)).toBe("<Counting not connected>");
  });
});

describe("Reactor", () => {
  it("provides IReactorUDP, IReactorMulticast, IReactorProcess and IReactorThreads", () => {
    const reactor: IReactorUDP & IReactorMulticast & IReactorProcess & IReactorThreads =
      new Reactor();
    const methods = [
      reactor.listenUDP,
      reactor.listenMulticast,
      reactor.spawnProcess,
      reactor.callInThread,
      reactor.callFromThread,
      reactor.getThreadPool,
      reactor.suggestThreadPoolSize,
    ];
    expect(methods.every((m) => typeof m === "function")).toBe(true);
  });
});
