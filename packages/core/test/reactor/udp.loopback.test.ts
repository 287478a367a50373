import { describe, expect, it } from "vitest";
import { IPv4Address, IPv6Address } from "../../src/address.js";
import {
  CannotListenError,
  InvalidAddressError,
  MessageLengthError,
  MulticastJoinError,
} from "../../src/errors.js";
import type { UDPAddressTuple } from "../../src/interfaces/udp.js";
import { globalLogPublisher } from "../../src/logger/index.js";
import type { LogEvent } from "../../src/logger/observer.js";
import { DatagramProtocol } from "../../src/protocol/datagram.js";
import { onCleanup, runningReactor, testReactor, waitFor } from "./helpers.js";

const setup = testReactor;

/** Records what a UDP port tells it. */
class Recorder extends DatagramProtocol {
  override noisy = false;
  readonly packets: [string, UDPAddressTuple][] = [];
  readonly events: string[] = [];
  refused = 0;
  override startProtocol(): void {
    this.events.push("start");
  }
  override stopProtocol(): void {
    this.events.push("stop");
  }
  override datagramReceived(data: Buffer, addr: UDPAddressTuple): void {
    this.packets.push([data.toString("latin1"), addr]);
  }
  override connectionRefused(): void {
    this.refused++;
  }
}

class EchoUDP extends DatagramProtocol {
  override noisy = false;
  override datagramReceived(data: Buffer, addr: UDPAddressTuple): void {
    this.transport?.write(data, addr);
  }
}

/** Log events, through an observer of the global publisher. */
function captureLogs(): { events: LogEvent[] } {
  const events: LogEvent[] = [];
  const observer = (event: LogEvent): void => {
    events.push(event);
  };
  globalLogPublisher.addObserver(observer);
  onCleanup(() => {
    globalLogPublisher.removeObserver(observer);
  });
  return { events };
}

describe("listenUDP over loopback", () => {
  it("reports the real port from getHost as soon as listenUDP returns", () => {
    const reactor = setup();
    const port = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    const host = port.getHost();
    expect(host).toBeInstanceOf(IPv4Address);
    expect(host.type).toBe("UDP");
    expect(host.host).toBe("127.0.0.1");
    expect(host.port).toBeGreaterThan(0);
    expect(String(port)).toContain(String(host.port));
  });

  it("echoes a datagram between two ports", async () => {
    const reactor = setup();
    const server = reactor.listenUDP(0, new EchoUDP(), { interface: "127.0.0.1" });
    const client = new Recorder();
    const clientPort = reactor.listenUDP(0, client, { interface: "127.0.0.1" });
    client.transport?.write("hello", ["127.0.0.1", server.getHost().port]);
    await waitFor(() => client.packets[0]);
    expect(client.packets).toEqual([["hello", ["127.0.0.1", server.getHost().port]]]);
    expect(clientPort.getHost().port).not.toBe(server.getHost().port);
  });

  it("listens on an IPv6 interface and exchanges datagrams with [host, port] tuples", async () => {
    const reactor = setup();
    const server = reactor.listenUDP(0, new EchoUDP(), { interface: "::1" });
    expect(server.getHost()).toBeInstanceOf(IPv6Address);
    expect(server.getHost().host).toBe("::1");
    const client = new Recorder();
    const clientPort = reactor.listenUDP(0, client, { interface: "::1" });
    expect(() => clientPort.write("x", ["127.0.0.1", 1])).toThrow(InvalidAddressError);
    clientPort.write("six", ["::1", server.getHost().port]);
    await waitFor(() => client.packets[0]);
    expect(client.packets).toEqual([["six", ["::1", server.getHost().port]]]);
  });

  it("joins writeSequence chunks into one datagram", async () => {
    const reactor = setup();
    const server = new Recorder();
    const serverPort = reactor.listenUDP(0, server, { interface: "127.0.0.1" });
    const client = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    client.writeSequence(
      ["some", Buffer.from("bytes"), "to", "write"],
      ["127.0.0.1", serverPort.getHost().port],
    );
    await waitFor(() => server.packets[0]);
    expect(server.packets.map(([data]) => data)).toEqual(["somebytestowrite"]);
  });

  it("sends connected datagrams without an address and hears them at the peer", async () => {
    const reactor = setup();
    const server = new Recorder();
    const serverPort = reactor.listenUDP(0, server, { interface: "127.0.0.1" });
    const client = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    client.connect("127.0.0.1", serverPort.getHost().port);
    client.write("spam");
    client.write("eggs", ["127.0.0.1", serverPort.getHost().port]);
    await waitFor(() => server.packets[1]);
    expect(server.packets).toEqual([
      ["spam", ["127.0.0.1", client.getHost().port]],
      ["eggs", ["127.0.0.1", client.getHost().port]],
    ]);
    expect(() => client.write("x", ["127.0.0.1", 1])).toThrow(TypeError);
    expect(() => client.connect("127.0.0.1", 1)).toThrow(/already connected/);
  });

  it("calls connectionRefused when a connected peer answers with port unreachable", async () => {
    const reactor = setup();
    const dead = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    const deadPort = dead.getHost().port;
    await dead.stopListening();
    const client = new Recorder();
    const port = reactor.listenUDP(0, client, { interface: "127.0.0.1" });
    port.connect("127.0.0.1", deadPort);
    port.write("anyone?");
    await waitFor(() => (client.refused > 0 ? true : undefined));
    expect(client.refused).toBeGreaterThanOrEqual(1);
    expect(port.connected).toBe(true);
  });

  it("cuts datagrams longer than maxPacketSize", async () => {
    const reactor = setup();
    const server = new Recorder();
    const serverPort = reactor.listenUDP(0, server, { interface: "127.0.0.1", maxPacketSize: 10 });
    expect(serverPort.maxPacketSize).toBe(10);
    const client = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    client.write("x".repeat(100), ["127.0.0.1", serverPort.getHost().port]);
    client.write("short", ["127.0.0.1", serverPort.getHost().port]);
    await waitFor(() => server.packets[1]);
    expect(server.packets.map(([data]) => data)).toEqual(["x".repeat(10), "short"]);
  });

  it("refuses a datagram too large for UDP with MessageLengthError", () => {
    const reactor = setup();
    const port = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    expect(() => port.write(Buffer.alloc(70_000), ["127.0.0.1", 9])).toThrow(MessageLengthError);
  });

  it("logs an error in datagramReceived and goes on receiving", async () => {
    const logs = captureLogs();
    const reactor = setup();
    const received: string[] = [];
    class Fragile extends DatagramProtocol {
      override noisy = false;
      override datagramReceived(data: Buffer): void {
        if (data.toString() === "bad") throw new Error("cannot digest");
        received.push(data.toString());
      }
    }
    const serverPort = reactor.listenUDP(0, new Fragile(), { interface: "127.0.0.1" });
    const client = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    client.write("bad", ["127.0.0.1", serverPort.getHost().port]);
    client.write("good", ["127.0.0.1", serverPort.getHost().port]);
    await waitFor(() => received[0]);
    expect(received).toEqual(["good"]);
    const failure = logs.events.find((e) => e.log_failure !== undefined)?.log_failure;
    expect(failure?.getErrorMessage()).toBe("cannot digest");
  });

  it("raises CannotListenError for a port in use", () => {
    const reactor = setup();
    const first = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    expect(() =>
      reactor.listenUDP(first.getHost().port, new Recorder(), { interface: "127.0.0.1" }),
    ).toThrow(CannotListenError);
  });

  it("refuses host names and addresses of the other family", () => {
    const reactor = setup();
    const port = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    expect(() => port.write("spam", ["example.invalid", 1])).toThrow(InvalidAddressError);
    expect(() => port.write("spam", ["::1", 1])).toThrow(InvalidAddressError);
    expect(() => port.connect("example.invalid", 1)).toThrow(InvalidAddressError);
    expect(() => port.write("spam")).toThrow(TypeError);
    expect(() => reactor.listenUDP(0, new Recorder(), { interface: "example.com" })).toThrow(
      InvalidAddressError,
    );
  });

  it("sets and reports broadcast permission", () => {
    const reactor = setup();
    const port = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    expect(port.getBroadcastAllowed()).toBe(false);
    port.setBroadcastAllowed(true);
    expect(port.getBroadcastAllowed()).toBe(true);
  });

  it("calls startProtocol once per protocol and stopProtocol after the last port, on a later turn", async () => {
    const reactor = setup();
    const protocol = new Recorder();
    const a = reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
    expect(protocol.events).toEqual(["start"]);
    expect(protocol.transport).toBe(a);
    protocol.transport = undefined;
    const b = reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
    expect(protocol.numPorts).toBe(2);
    const stoppedA = a.stopListening();
    expect(protocol.events).toEqual(["start"]);
    await stoppedA;
    expect(protocol.events).toEqual(["start"]);
    await b.stopListening();
    expect(protocol.events).toEqual(["start", "stop"]);
    expect(a.connected).toBe(false);
    expect(a.stopListening()).toBe(stoppedA);
    expect(String(a)).toContain("not connected");
  });

  it("drops writes after stopListening", async () => {
    const reactor = setup();
    const port = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    await port.stopListening();
    expect(() => port.write("late", ["127.0.0.1", 9])).not.toThrow();
  });

  it("closes its ports at reactor shutdown", async () => {
    const { reactor, done } = runningReactor();
    const protocol = new Recorder();
    const port = reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
    await done();
    await waitFor(() => (protocol.events.includes("stop") ? true : undefined));
    expect(port.connected).toBe(false);
    expect(protocol.events).toEqual(["start", "stop"]);
  });

  it("joins a multicast group on the loopback interface and receives from it", async () => {
    // Linux accepts IP_ADD_MEMBERSHIP on 127.0.0.1, and IP_MULTICAST_IF=127.0.0.1 routes the
    // group's traffic over lo, so this runs without a real network.
    const reactor = setup();
    const group = "225.0.0.250";
    const server = new Recorder();
    const serverPort = reactor.listenMulticast(0, server, { listenMultiple: true });
    await serverPort.joinGroup(group, "127.0.0.1");
    const client = reactor.listenUDP(0, new Recorder(), { interface: "127.0.0.1" });
    expect(client.getOutgoingInterface()).toBe("0.0.0.0");
    expect(await client.setOutgoingInterface("127.0.0.1")).toBe(1);
    expect(client.getOutgoingInterface()).toBe("127.0.0.1");
    client.setTTL(2);
    expect(client.getTTL()).toBe(2);
    client.setLoopbackMode(0);
    expect(client.getLoopbackMode()).toBe(false);
    client.setLoopbackMode(1);
    expect(client.getLoopbackMode()).toBe(true);
    client.write("to the group", [group, serverPort.getHost().port]);
    await waitFor(() => server.packets[0]);
    expect(server.packets[0]).toEqual(["to the group", ["127.0.0.1", client.getHost().port]]);
    await serverPort.leaveGroup(group, "127.0.0.1");
    await expect(serverPort.leaveGroup(group, "127.0.0.1").asPromise()).rejects.toBeInstanceOf(
      MulticastJoinError,
    );
  });

  it("fails joinGroup with MulticastJoinError for an address that is not a group", async () => {
    const reactor = setup();
    const port = reactor.listenUDP(0, new Recorder());
    const joined = port.joinGroup("127.0.0.1", "127.0.0.1");
    await expect(joined.asPromise()).rejects.toBeInstanceOf(MulticastJoinError);
  });
});
