import { describe, expect, it } from "vitest";
import { IPv4Address } from "../../src/address.js";
import type { Deferred } from "../../src/defer/deferred.js";
import {
  CancelledError,
  ConnectingCancelledError,
  ConnectionRefusedError,
} from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IClientFactory, IProtocol } from "../../src/interfaces/protocol.js";
import { ClientCreator } from "../../src/protocol/clientCreator.js";
import { Protocol, transportOf } from "../../src/protocol/protocol.js";
import { Clock } from "../../src/task/clock.js";
import { FakeConnector } from "../../src/testing/fakes.js";
import { makeFakeClient, makeFakeServer } from "../../src/testing/fakeTransport.js";
import { connect } from "../../src/testing/iosim.js";
import { MemoryReactorClock } from "../../src/testing/memoryReactorClock.js";
import { AccumulatingProtocol } from "../../src/testing/protocols.js";
import { RaisingMemoryReactor } from "../../src/testing/raisingMemoryReactor.js";
import { StringTransport } from "../../src/testing/stringTransport.js";
import { failureResultOf, successResultOf } from "../testing/helpers.js";

const ADDR = new IPv4Address("TCP", "192.168.1.1", 54321);

class SomeProtocol extends Protocol {
  constructor(
    readonly greeting = "none",
    readonly count = 0,
  ) {
    super();
  }
}

type Connect = (
  reactor: MemoryReactorClock,
  cc: ClientCreator<SomeProtocol, []>,
) => Deferred<SomeProtocol>;

/** The three connect methods, and how to find the factory each handed to the reactor. */
const methods: Array<[string, Connect, (reactor: MemoryReactorClock) => IClientFactory]> = [
  ["connectTCP", (_r, cc) => cc.connectTCP("example.com", 1234), (r) => r.tcpClients[0]![2]],
  ["connectSSL", (_r, cc) => cc.connectSSL("example.com", 1234, {}), (r) => r.sslClients[0]![2]],
  ["connectUNIX", (_r, cc) => cc.connectUNIX("/foo/bar"), (r) => r.unixClients[0]![1]],
];

describe("ClientCreator: what it asks the reactor", () => {
  it("passes host, port, timeout and bind address to connectTCP", () => {
    const reactor = new MemoryReactorClock();
    new ClientCreator(reactor, SomeProtocol).connectTCP("example.com", 1234, {
      timeout: 4321,
      bindAddress: ["1.2.3.4", 9876],
    });
    const [host, port, factory, timeout, bindAddress] = reactor.tcpClients.pop()!;
    expect([host, port, timeout, bindAddress]).toEqual([
      "example.com",
      1234,
      4321,
      ["1.2.3.4", 9876],
    ]);
    expect(factory.buildProtocol(ADDR)).toBeInstanceOf(SomeProtocol);
  });

  it("uses connectTCP's defaults when no options are given", () => {
    const reactor = new MemoryReactorClock();
    new ClientCreator(reactor, SomeProtocol).connectTCP("example.com", 1234);
    const [, , , timeout, bindAddress] = reactor.tcpClients.pop()!;
    expect([timeout, bindAddress]).toEqual([30, undefined]);
  });

  it("passes host, port, TLS options, timeout and bind address to connectSSL", () => {
    const reactor = new MemoryReactorClock();
    const tls = { servername: "example.com" };
    new ClientCreator(reactor, SomeProtocol).connectSSL("example.com", 1234, tls, {
      timeout: 4321,
      bindAddress: ["4.3.2.1", 5678],
    });
    const [host, port, factory, tlsOptions, timeout, bindAddress] = reactor.sslClients.pop()!;
    expect([host, port, timeout, bindAddress]).toEqual([
      "example.com",
      1234,
      4321,
      ["4.3.2.1", 5678],
    ]);
    expect(tlsOptions).toBe(tls);
    expect(factory.buildProtocol(ADDR)).toBeInstanceOf(SomeProtocol);
  });

  it("passes the path, timeout and checkPID to connectUNIX", () => {
    const reactor = new MemoryReactorClock();
    new ClientCreator(reactor, SomeProtocol).connectUNIX("/foo/bar", {
      timeout: 123,
      checkPID: true,
    });
    const [path, factory, timeout, checkPID] = reactor.unixClients.pop()!;
    expect([path, timeout, checkPID]).toEqual(["/foo/bar", 123, true]);
    expect(factory.buildProtocol(ADDR)).toBeInstanceOf(SomeProtocol);
  });

  it("makes the protocol with the constructor arguments it was given", () => {
    const reactor = new MemoryReactorClock();
    const d = new ClientCreator(reactor, SomeProtocol, "hi", 3).connectTCP("h", 1);
    reactor.tcpClients[0]![2].buildProtocol(ADDR);
    reactor.advance(0);
    const protocol = successResultOf(d);
    expect([protocol.greeting, protocol.count]).toEqual(["hi", 3]);
  });

  it("throws a TypeError when the reactor lacks the transport asked for", () => {
    const cc = new ClientCreator(new Clock(), SomeProtocol);
    expect(() => cc.connectUNIX("/p")).toThrow(TypeError);
  });

  it("lets an error from the reactor's connect method propagate", () => {
    const raising = new RaisingMemoryReactor(undefined, new Error("no"));
    const reactor = Object.assign(new Clock(), { connectTCP: raising.connectTCP.bind(raising) });
    expect(() => new ClientCreator(reactor, SomeProtocol).connectTCP("h", 1)).toThrow("no");
  });
});

describe("ClientCreator: firing", () => {
  for (const [name, connectWith, factoryOf] of methods) {
    it(`${name} fires with the protocol on the turn after buildProtocol`, () => {
      const reactor = new MemoryReactorClock();
      const d = connectWith(reactor, new ClientCreator(reactor, SomeProtocol));
      const protocol = factoryOf(reactor).buildProtocol(ADDR);
      expect(d.called).toBe(false);
      expect(reactor.getDelayedCalls()).toHaveLength(1);
      reactor.advance(0);
      expect(successResultOf(d)).toBe(protocol);
    });

    it(`${name} fails with the reason on the turn after the attempt fails`, () => {
      const reactor = new MemoryReactorClock();
      const d = connectWith(reactor, new ClientCreator(reactor, SomeProtocol));
      const reason = new Failure(new ConnectionRefusedError());
      factoryOf(reactor).clientConnectionFailed(reactor.connectors[0]!, reason);
      expect(d.called).toBe(false);
      reactor.advance(0);
      expect(failureResultOf(d, ConnectionRefusedError)).toBe(reason);
    });
  }

  it("fires after connectionMade has run, when connected through a pump", () => {
    const reactor = new MemoryReactorClock();
    const d = new ClientCreator(reactor, AccumulatingProtocol).connectTCP("h", 1);
    const client = reactor.tcpClients[0]![2].buildProtocol(ADDR) as AccumulatingProtocol;
    const server = new AccumulatingProtocol();
    const pump = connect(server, makeFakeServer(server), client, makeFakeClient(client), {
      clock: reactor,
      greet: false,
    });
    expect(client.made).toBe(true);
    expect(d.called).toBe(false);
    pump.pump();
    const protocol = successResultOf(d);
    transportOf(protocol).write("hi");
    pump.flush();
    expect(server.data.toString()).toBe("hi");
  });

  it("ignores a failure reported after the connection was made", () => {
    const reactor = new MemoryReactorClock();
    const d = new ClientCreator(reactor, SomeProtocol).connectTCP("h", 1);
    const factory = reactor.tcpClients[0]![2];
    const protocol = factory.buildProtocol(ADDR);
    factory.clientConnectionFailed(reactor.connectors[0]!, new Failure(new Error("late")));
    reactor.advance(0);
    expect(successResultOf(d)).toBe(protocol);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("refuses a second buildProtocol", () => {
    const reactor = new MemoryReactorClock();
    new ClientCreator(reactor, SomeProtocol).connectTCP("h", 1);
    const factory = reactor.tcpClients[0]![2];
    expect(factory.buildProtocol(ADDR)).toBeInstanceOf(SomeProtocol);
    expect(factory.buildProtocol(ADDR)).toBeNull();
  });

  it("names the protocol in its factory's string form", () => {
    const reactor = new MemoryReactorClock();
    new ClientCreator(reactor, SomeProtocol).connectTCP("h", 1);
    expect(String(reactor.tcpClients[0]![2])).toBe("<ClientCreator factory: SomeProtocol>");
  });
});

describe("ClientCreator: cancelling", () => {
  for (const [name, connectWith, factoryOf] of methods) {
    it(`${name} disconnects the connector and fails with CancelledError`, () => {
      const reactor = new MemoryReactorClock();
      const d = connectWith(reactor, new ClientCreator(reactor, SomeProtocol));
      const connector = reactor.connectors.pop()!;
      expect(connector.disconnected).toBe(false);
      d.cancel();
      expect(connector.disconnected).toBe(true);
      failureResultOf(d, CancelledError);
      expect(factoryOf(reactor).buildProtocol(ADDR)).toBeNull();
      expect(reactor.getDelayedCalls()).toEqual([]);
    });

    it(`${name} cancels the pending call after buildProtocol`, () => {
      const reactor = new MemoryReactorClock();
      const d = connectWith(reactor, new ClientCreator(reactor, SomeProtocol));
      const protocol: IProtocol | null = factoryOf(reactor).buildProtocol(ADDR);
      protocol?.makeConnection(new StringTransport());
      expect(reactor.getDelayedCalls()).toHaveLength(1);
      d.cancel();
      expect(reactor.getDelayedCalls()).toEqual([]);
      expect(reactor.connectors[0]!.disconnected).toBe(true);
      failureResultOf(d, CancelledError);
    });

    it(`${name} cancels the pending call after the attempt failed`, () => {
      const reactor = new MemoryReactorClock();
      const d = connectWith(reactor, new ClientCreator(reactor, SomeProtocol));
      const reason = new Failure(new Error("Simulated failure"));
      factoryOf(reactor).clientConnectionFailed(reactor.connectors[0]!, reason);
      expect(reactor.getDelayedCalls()).toHaveLength(1);
      d.cancel();
      expect(reactor.getDelayedCalls()).toEqual([]);
      failureResultOf(d, CancelledError);
    });
  }

  it("fails only once, with CancelledError, when the connector reports the stop", () => {
    const reactor = new MemoryReactorClock();
    const d = new ClientCreator(reactor, SomeProtocol).connectTCP("h", 1);
    const factory = reactor.tcpClients[0]![2];
    // A real connector reports a stopped attempt to the factory from disconnect().
    const connector = reactor.connectors[0]! as FakeConnector;
    connector.disconnect = () => {
      FakeConnector.prototype.disconnect.call(connector);
      factory.clientConnectionFailed(connector, new Failure(new ConnectingCancelledError()));
    };
    const errors: Failure[] = [];
    d.addErrback((f: Failure) => {
      errors.push(f);
    });
    d.cancel();
    reactor.advance(0);
    reactor.advance(1);
    expect(errors.map((f) => f.check(CancelledError))).toEqual([CancelledError]);
    expect(errors[0]?.check(ConnectingCancelledError)).toBeNull();
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("does nothing once the Deferred has fired", () => {
    const reactor = new MemoryReactorClock();
    const d = new ClientCreator(reactor, SomeProtocol).connectTCP("h", 1);
    const protocol = reactor.tcpClients[0]![2].buildProtocol(ADDR);
    reactor.advance(0);
    d.cancel();
    expect(reactor.connectors[0]!.disconnected).toBe(false);
    expect(successResultOf(d)).toBe(protocol);
  });
});
