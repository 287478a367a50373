import { ConnectionDone, Factory, type Failure, Protocol } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import {
  LimitConnectionsByPeer,
  ThrottlingFactory,
  TimeoutFactory,
  TimeoutMixin,
} from "../../src/policies/index.js";
import { Echo } from "../../src/wire/index.js";
import { connectTo, listenOn, testReactor, waitFor } from "../wire/loopback.js";

describe("the policies over loopback", () => {
  it("ThrottlingFactory serves two connections at most and takes a third once one closes", async () => {
    const reactor = testReactor();
    const factory = new ThrottlingFactory(Factory.forProtocol(Echo), { maxConnectionCount: 2 });
    factory.noisy = false;
    const port = listenOn(reactor, factory);
    const c1 = await connectTo(reactor, port);
    const c2 = await connectTo(reactor, port);
    const c3 = await connectTo(reactor, port);
    await c3.lost;
    expect([c1.connected, c2.connected]).toEqual([true, true]);
    expect(factory.protocols.size).toBe(2);

    c1.transport?.loseConnection();
    await c1.lost;
    await waitFor(() => (factory.connectionCount === 1 ? true : undefined));
    const c4 = await connectTo(reactor, port);
    c4.transport?.write("still served");
    expect((await c4.waitForBytes(12)).toString()).toBe("still served");
    expect(factory.connectionCount).toBe(2);
  });

  it("LimitConnectionsByPeer counts every connection from 127.0.0.1 together", async () => {
    const reactor = testReactor();
    const factory = new LimitConnectionsByPeer(Factory.forProtocol(Echo));
    factory.noisy = false;
    factory.maxConnectionsPerPeer = 2;
    const port = listenOn(reactor, factory);
    const a = await connectTo(reactor, port);
    const b = await connectTo(reactor, port);
    const refused = await connectTo(reactor, port);
    const reason = await refused.lost;
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
    expect(factory.peerConnections.get("127.0.0.1")).toBe(2);

    a.transport?.loseConnection();
    await waitFor(() => (factory.peerConnections.get("127.0.0.1") === 1 ? true : undefined));
    const c = await connectTo(reactor, port);
    c.transport?.write("ok");
    expect((await c.waitForBytes(2)).toString()).toBe("ok");
    expect(b.connected).toBe(true);
  });

  it("TimeoutFactory, on the reactor's clock, drops an idle connection", async () => {
    const reactor = testReactor();
    const factory = new TimeoutFactory(Factory.forProtocol(Echo), {
      clock: reactor,
      timeoutPeriod: 0.2,
    });
    factory.noisy = false;
    const client = await connectTo(reactor, listenOn(reactor, factory));
    const started = Date.now();
    client.transport?.write("x");
    await client.waitForBytes(1);
    await client.lost;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("TimeoutMixin, on the reactor's clock, closes a quiet connection", async () => {
    const reactor = testReactor();
    class Idle extends TimeoutMixin(Protocol) {
      override timeOut: number | null = 0.1;
      override connectionMade(): void {
        this.clock = reactor;
        this.setTimeout(this.timeOut);
      }
      override connectionLost(reason: Failure): void {
        this.setTimeout(null);
        super.connectionLost(reason);
      }
    }
    const factory = Factory.forProtocol(Idle);
    factory.noisy = false;
    const client = await connectTo(reactor, listenOn(reactor, factory));
    const reason = await client.lost;
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
  });
});
