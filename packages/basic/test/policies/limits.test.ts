import {
  ConnectionDone,
  Factory,
  Failure,
  HostnameAddress,
  type IAddress,
  type IProtocolFactory,
  IPv4Address,
  IPv6Address,
  Protocol,
  UNIXAddress,
} from "@twisted-ts/core";
import {
  AccumulatingProtocol,
  connectedServerAndClient,
  StringTransport,
  StringTransportWithDisconnection,
} from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  LimitConnectionsByPeer,
  LimitTotalConnectionsFactory,
  type ProtocolWrapper,
} from "../../src/policies/index.js";
import { ADDR, SimpleProtocol } from "./helpers.js";

const done = new Failure(new ConnectionDone());

describe("LimitTotalConnectionsFactory", () => {
  it("counts connections up as they are built and down as they are lost", () => {
    const factory = new LimitTotalConnectionsFactory();
    factory.protocol = Protocol;
    expect(factory.connectionCount).toBe(0);
    const p1 = factory.buildProtocol(ADDR);
    expect(factory.connectionCount).toBe(1);
    const p2 = factory.buildProtocol(ADDR);
    expect(factory.connectionCount).toBe(2);
    p1?.connectionLost(done);
    expect(factory.connectionCount).toBe(1);
    p2?.connectionLost(done);
    expect(factory.connectionCount).toBe(0);
  });

  it("refuses beyond the limit, then hands overflow connections to overflowProtocol", () => {
    const factory = new LimitTotalConnectionsFactory();
    factory.protocol = Protocol;
    factory.connectionLimit = 1;
    const p = factory.buildProtocol(ADDR);
    expect(p).not.toBeNull();
    expect(factory.connectionCount).toBe(1);
    expect(factory.buildProtocol(ADDR)).toBeNull();
    expect(factory.connectionCount).toBe(1);

    let overflowed = false;
    class OverflowProtocol extends Protocol {
      override connectionMade(): void {
        overflowed = true;
      }
    }
    factory.overflowProtocol = OverflowProtocol;
    const op = factory.buildProtocol(ADDR);
    expect(op?.wrappedProtocol).toBeInstanceOf(OverflowProtocol);
    op?.makeConnection(new StringTransport());
    expect(overflowed).toBe(true);
    // Overflow connections count too.
    expect(factory.connectionCount).toBe(2);
    p?.connectionLost(done);
    expect(factory.connectionCount).toBe(1);
    op?.connectionLost(done);
    expect(factory.connectionCount).toBe(0);
  });

  it("takes the limit and the overflow protocol as constructor arguments", () => {
    class Busy extends Protocol {
      override connectionMade(): void {
        this.transport?.write("busy, come back later\r\n");
        this.transport?.loseConnection();
      }
    }
    const factory = new LimitTotalConnectionsFactory(1, Busy);
    factory.protocol = SimpleProtocol;
    const [, first] = connectedServerAndClient(factory, () => new AccumulatingProtocol());
    expect((first.wrappedProtocol as SimpleProtocol).made).toBe(true);
    const [client, , pump] = connectedServerAndClient(factory, () => new AccumulatingProtocol());
    pump.flush();
    expect(client.data.toString()).toBe("busy, come back later\r\n");
    expect(client.closed).toBe(true);
    expect(factory.connectionCount).toBe(1);
  });

  it("sets the built protocol's factory to itself", () => {
    const factory = new LimitTotalConnectionsFactory(2);
    factory.protocol = SimpleProtocol;
    const p = factory.buildProtocol(ADDR) as ProtocolWrapper;
    expect((p.wrappedProtocol as SimpleProtocol).factory).toBe(factory);
    expect(p.factory).toBe(factory);
  });

  it("throws a clear error when protocol is not set", () => {
    expect(() => new LimitTotalConnectionsFactory().buildProtocol(ADDR)).toThrow(
      /protocol is not set/,
    );
  });
});

const peer = (host: string, port = 40000) => new IPv4Address("TCP", host, port);

/** Build and connect a wrapper for a peer, on a transport that reports its loss. */
function connectFrom(factory: LimitConnectionsByPeer, addr: IAddress): ProtocolWrapper | null {
  const p = factory.buildProtocol(addr);
  if (p === null) return null;
  const transport = new StringTransportWithDisconnection({ peerAddress: addr });
  transport.protocol = p;
  p.makeConnection(transport);
  return p;
}

function byPeer(): LimitConnectionsByPeer {
  const factory = new LimitConnectionsByPeer(Factory.forProtocol(SimpleProtocol));
  factory.noisy = false;
  return factory;
}

describe("LimitConnectionsByPeer", () => {
  it("allows five connections from one host, whatever their ports, and refuses the sixth", () => {
    const factory = byPeer();
    expect(factory.maxConnectionsPerPeer).toBe(5);
    for (let i = 0; i < 5; i++)
      expect(connectFrom(factory, peer("10.0.0.1", 1000 + i))).not.toBeNull();
    expect(connectFrom(factory, peer("10.0.0.1", 2000))).toBeNull();
    expect(factory.peerConnections.get("10.0.0.1")).toBe(5);
  });

  it("counts each host on its own", () => {
    const factory = byPeer();
    factory.maxConnectionsPerPeer = 2;
    expect(connectFrom(factory, peer("10.0.0.1"))).not.toBeNull();
    expect(connectFrom(factory, peer("10.0.0.1"))).not.toBeNull();
    expect(connectFrom(factory, peer("10.0.0.1"))).toBeNull();
    expect(connectFrom(factory, peer("10.0.0.2"))).not.toBeNull();
    expect(Object.fromEntries(factory.peerConnections)).toEqual({ "10.0.0.1": 2, "10.0.0.2": 1 });
  });

  it("lets a host connect again once one of its connections is lost", () => {
    const factory = byPeer();
    factory.maxConnectionsPerPeer = 1;
    const first = connectFrom(factory, peer("10.0.0.1", 1));
    expect(connectFrom(factory, peer("10.0.0.1", 2))).toBeNull();
    first?.loseConnection();
    expect(factory.peerConnections.has("10.0.0.1")).toBe(false);
    expect(factory.protocols.size).toBe(0);
    expect(connectFrom(factory, peer("10.0.0.1", 3))).not.toBeNull();
  });

  it("keeps protocols in step with the open connections", () => {
    const factory = byPeer();
    const a = connectFrom(factory, peer("10.0.0.1"));
    const b = connectFrom(factory, peer("10.0.0.2"));
    expect(factory.protocols.size).toBe(2);
    a?.loseConnection();
    expect([...factory.protocols]).toEqual([b]);
  });

  it("counts an IPv4-mapped IPv6 peer as the IPv4 host, and IPv6 hosts in any case", () => {
    const factory = byPeer();
    factory.maxConnectionsPerPeer = 1;
    expect(connectFrom(factory, peer("192.0.2.1"))).not.toBeNull();
    expect(connectFrom(factory, new IPv6Address("TCP", "::ffff:192.0.2.1", 5))).toBeNull();
    expect(connectFrom(factory, new IPv6Address("TCP", "2001:DB8::1", 5))).not.toBeNull();
    expect(connectFrom(factory, new IPv6Address("TCP", "2001:db8::1", 6))).toBeNull();
  });

  it("groups Unix peers by socket path and host-name peers by name", () => {
    const factory = byPeer();
    expect(factory.peerKey(new UNIXAddress(null))).toBe("unix:");
    expect(factory.peerKey(new UNIXAddress("/run/a.sock"))).toBe("unix:/run/a.sock");
    expect(factory.peerKey(new HostnameAddress("example.com", 80))).toBe("example.com");
  });

  it("groups as an overridden peerKey says", () => {
    class BySubnet extends LimitConnectionsByPeer {
      override peerKey(addr: IAddress): string {
        return super.peerKey(addr).split(".").slice(0, 3).join(".");
      }
    }
    const factory = new BySubnet(Factory.forProtocol(SimpleProtocol));
    factory.maxConnectionsPerPeer = 1;
    expect(connectFrom(factory, peer("10.1.2.3"))).not.toBeNull();
    expect(connectFrom(factory, peer("10.1.2.200"))).toBeNull();
    expect(connectFrom(factory, peer("10.1.3.1"))).not.toBeNull();
  });

  it("does not count a connection the wrapped factory refuses", () => {
    const inner: IProtocolFactory = { buildProtocol: () => null, doStart() {}, doStop() {} };
    const factory = new LimitConnectionsByPeer(inner);
    expect(factory.buildProtocol(peer("10.0.0.1"))).toBeNull();
    expect(factory.peerConnections.size).toBe(0);
  });

  it("counts a connection lost before it was made", () => {
    const factory = byPeer();
    factory.maxConnectionsPerPeer = 1;
    const p = factory.buildProtocol(peer("10.0.0.1"));
    expect(factory.buildProtocol(peer("10.0.0.1"))).toBeNull();
    p?.connectionLost(done);
    expect(factory.peerConnections.size).toBe(0);
    // A second loss, or the loss of a stranger, changes nothing.
    p?.connectionLost(done);
    factory.unregisterProtocol(p as ProtocolWrapper);
    expect(factory.peerConnections.size).toBe(0);
  });

  it("passes bytes through to the wrapped protocol in memory", () => {
    const factory = byPeer();
    const [client, server, pump] = connectedServerAndClient(
      factory,
      () => new AccumulatingProtocol(),
    );
    client.transport?.write("counted");
    pump.flush();
    expect(((server as ProtocolWrapper).wrappedProtocol as SimpleProtocol).buffer.toString()).toBe(
      "counted",
    );
    expect(factory.peerConnections.get("192.168.1.1")).toBe(1);
    client.transport?.loseConnection();
    pump.flush();
    expect(factory.peerConnections.size).toBe(0);
  });
});
