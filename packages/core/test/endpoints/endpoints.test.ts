import { describe, expect, it } from "vitest";
import { HostnameAddress, IPv4Address, ipAddress, UNIXAddress } from "../../src/address.js";
import { Deferred } from "../../src/defer/deferred.js";
import { connectProtocol } from "../../src/endpoints/connectProtocol.js";
import { NoProtocol } from "../../src/endpoints/errors.js";
import type { IStreamClientEndpoint } from "../../src/endpoints/interfaces.js";
import { SSL4ClientEndpoint, SSL4ServerEndpoint } from "../../src/endpoints/ssl.js";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "../../src/endpoints/tcp.js";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "../../src/endpoints/unix.js";
import {
  CannotListenError,
  ConnectingCancelledError,
  ConnectionRefusedError,
  DNSLookupError,
  TimeoutError,
} from "../../src/errors.js";
import { Factory } from "../../src/protocol/factory.js";
import { FakeReactor, factoryOf, RecordingProtocol, resultOf } from "./fakeReactor.js";

const serverFactory = factoryOf(() => new RecordingProtocol());

/** The `address` a ConnectingCancelledError carries. */
function addressOf(error: unknown): unknown {
  return (error as { address?: unknown } | undefined)?.address;
}

describe("server endpoints", () => {
  it("TCP4ServerEndpoint calls listenTCP with its arguments and fires with the port", () => {
    const reactor = new FakeReactor();
    const d = new TCP4ServerEndpoint(reactor, 8080, 12, "127.0.0.1").listen(serverFactory);
    expect(reactor.tcpServers).toEqual([
      { where: 8080, factory: serverFactory, options: { backlog: 12, interface: "127.0.0.1" } },
    ]);
    expect(resultOf(d).value?.getHost()).toEqual(new IPv4Address("TCP", "127.0.0.1", 8080));
  });

  it("TCP4ServerEndpoint defaults to backlog 50 on every interface", () => {
    const reactor = new FakeReactor();
    new TCP4ServerEndpoint(reactor, 80).listen(serverFactory);
    expect(reactor.tcpServers[0]?.options).toEqual({ backlog: 50, interface: "" });
  });

  it("TCP6ServerEndpoint defaults to '::'", () => {
    const reactor = new FakeReactor();
    new TCP6ServerEndpoint(reactor, 80).listen(serverFactory);
    expect(reactor.tcpServers[0]?.options).toEqual({ backlog: 50, interface: "::" });
  });

  it("fails the Deferred with CannotListenError instead of throwing", () => {
    const reactor = new FakeReactor();
    const error = new CannotListenError("", 80, new Error("in use"));
    reactor.listenError = error;
    const endpoints = [
      new TCP4ServerEndpoint(reactor, 80),
      new TCP6ServerEndpoint(reactor, 80),
      new SSL4ServerEndpoint(reactor, 80, {}),
      new UNIXServerEndpoint(reactor, "/tmp/s"),
    ];
    for (const ep of endpoints)
      expect(resultOf(ep.listen(serverFactory)).failure?.value).toBe(error);
  });

  it("SSL4ServerEndpoint calls listenSSL with its TLS options", () => {
    const reactor = new FakeReactor();
    const tls = { key: "K", cert: "C" };
    resultOf(new SSL4ServerEndpoint(reactor, 443, tls, 5, "10.0.0.1").listen(serverFactory));
    expect(reactor.sslServers).toEqual([
      {
        where: 443,
        factory: serverFactory,
        tlsOptions: tls,
        options: { backlog: 5, interface: "10.0.0.1" },
      },
    ]);
  });

  it("UNIXServerEndpoint calls listenUNIX with backlog, mode and wantPID", () => {
    const reactor = new FakeReactor();
    const port = resultOf(new UNIXServerEndpoint(reactor, "/tmp/s").listen(serverFactory)).value;
    new UNIXServerEndpoint(reactor, "/tmp/t", 7, 0o600, true).listen(serverFactory);
    expect(reactor.unixServers.map((s) => [s.where, s.options])).toEqual([
      ["/tmp/s", { backlog: 50, mode: 0o666, wantPID: false }],
      ["/tmp/t", { backlog: 7, mode: 0o600, wantPID: true }],
    ]);
    expect(port?.getHost()).toEqual(new UNIXAddress("/tmp/s"));
  });
});

describe("client endpoints", () => {
  it("TCP4ClientEndpoint calls connectTCP with timeout 30 and no bind address by default", () => {
    const reactor = new FakeReactor();
    new TCP4ClientEndpoint(reactor, "example.com", 80).connect(serverFactory);
    expect(reactor.tcpClients.map((c) => [c.host, c.port, c.options])).toEqual([
      ["example.com", 80, { timeout: 30 }],
    ]);
  });

  it("passes a timeout and a bind address (a bare host binds port 0)", () => {
    const reactor = new FakeReactor();
    new TCP4ClientEndpoint(reactor, "h", 1, 10, ["localhost", 49595]).connect(serverFactory);
    new TCP4ClientEndpoint(reactor, "h", 1, 10, "10.0.0.2").connect(serverFactory);
    expect(reactor.tcpClients.map((c) => c.options)).toEqual([
      { timeout: 10, bindAddress: ["localhost", 49595] },
      { timeout: 10, bindAddress: ["10.0.0.2", 0] },
    ]);
  });

  it("fires with the user's protocol once its connectionMade has run", () => {
    const reactor = new FakeReactor();
    const user = new RecordingProtocol();
    const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(factoryOf(() => user));
    const seen: string[][] = [];
    d.addCallback((p) => {
      seen.push([...p.events]);
      return p;
    });
    expect(seen).toEqual([]);
    reactor.tcpClients[0]?.connector.succeed();
    expect(seen).toEqual([["connectionMade"]]);
    expect(resultOf(d).value).toBe(user);
  });

  it("fails with the connection failure", () => {
    const reactor = new FakeReactor();
    const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(serverFactory);
    const refused = new ConnectionRefusedError("refused");
    reactor.tcpClients[0]?.connector.fail(refused);
    expect(resultOf(d).failure?.value).toBe(refused);
    const d2 = new TCP4ClientEndpoint(reactor, "h", 1).connect(serverFactory);
    reactor.tcpClients[1]?.connector.fail(new TimeoutError());
    expect(resultOf(d2).failure?.value).toBeInstanceOf(TimeoutError);
  });

  it("fails, without throwing, when connectTCP throws", () => {
    const reactor = new FakeReactor();
    const error = new Error("no sockets left");
    reactor.connectError = error;
    expect(
      resultOf(new TCP4ClientEndpoint(reactor, "h", 1).connect(serverFactory)).failure?.value,
    ).toBe(error);
  });

  it("stops connecting and fails with ConnectingCancelledError when cancelled", () => {
    const reactor = new FakeReactor();
    const d = new TCP4ClientEndpoint(reactor, "example.com", 80).connect(serverFactory);
    d.cancel();
    const failure = resultOf(d).failure;
    expect(failure?.value).toBeInstanceOf(ConnectingCancelledError);
    expect(addressOf(failure?.value)).toEqual(ipAddress("TCP", "example.com", 80));
    expect(reactor.tcpClients[0]?.connector.stoppedConnecting).toBe(true);
  });

  it("does nothing when cancelled after it fired", () => {
    const reactor = new FakeReactor();
    const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(serverFactory);
    reactor.tcpClients[0]?.connector.succeed();
    d.cancel();
    expect(resultOf(d).value).toBeInstanceOf(RecordingProtocol);
    expect(reactor.tcpClients[0]?.connector.disconnected).toBe(false);
  });

  it("fails with NoProtocol when the factory builds no protocol", () => {
    const reactor = new FakeReactor();
    const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(factoryOf(() => null));
    expect(reactor.tcpClients[0]?.connector.succeed()).toBeNull();
    expect(resultOf(d).failure?.value).toBeInstanceOf(NoProtocol);
  });

  it("SSL4ClientEndpoint calls connectSSL with its TLS options", () => {
    const reactor = new FakeReactor();
    const tls = { servername: "example.com" };
    const d = new SSL4ClientEndpoint(reactor, "example.com", 443, tls, 3, "10.0.0.3").connect(
      serverFactory,
    );
    const call = reactor.sslClients[0];
    expect([call?.host, call?.port, call?.tlsOptions, call?.options]).toEqual([
      "example.com",
      443,
      tls,
      { timeout: 3, bindAddress: ["10.0.0.3", 0] },
    ]);
    d.cancel();
    expect(resultOf(d).failure?.value).toBeInstanceOf(ConnectingCancelledError);
  });

  it("UNIXClientEndpoint calls connectUNIX with timeout and checkPID", () => {
    const reactor = new FakeReactor();
    const d = new UNIXClientEndpoint(reactor, "/tmp/s").connect(serverFactory);
    new UNIXClientEndpoint(reactor, "/tmp/t", 9, true).connect(serverFactory);
    expect(reactor.unixClients.map((c) => [c.host, c.options])).toEqual([
      ["/tmp/s", { timeout: 30, checkPID: false }],
      ["/tmp/t", { timeout: 9, checkPID: true }],
    ]);
    d.cancel();
    expect(addressOf(resultOf(d).failure?.value)).toEqual(new UNIXAddress("/tmp/s"));
  });
});

describe("TCP6ClientEndpoint", () => {
  it("connects to an IPv6 address directly", () => {
    const reactor = new FakeReactor();
    new TCP6ClientEndpoint(reactor, "::1", 80).connect(serverFactory);
    expect(reactor.tcpClients[0]?.host).toBe("::1");
  });

  it("resolves a name to its first IPv6 address first", () => {
    const reactor = new FakeReactor();
    const ep = new TCP6ClientEndpoint(reactor, "example.com", 80, 5);
    const asked: unknown[] = [];
    ep.nameResolver = (host, family) => {
      asked.push(host, family);
      return [
        { address: "1:2::3:4", family: 6 },
        { address: "5:6::7:8", family: 6 },
      ];
    };
    ep.connect(serverFactory);
    expect(asked).toEqual(["example.com", 6]);
    expect(reactor.tcpClients.map((c) => [c.host, c.port, c.options])).toEqual([
      ["1:2::3:4", 80, { timeout: 5 }],
    ]);
  });

  it("fails with DNSLookupError when the name does not resolve, or has no IPv6 address", () => {
    const reactor = new FakeReactor();
    const ep = new TCP6ClientEndpoint(reactor, "example.com", 80);
    ep.nameResolver = () => {
      throw new Error("ENOTFOUND");
    };
    expect(resultOf(ep.connect(serverFactory)).failure?.value).toBeInstanceOf(DNSLookupError);
    ep.nameResolver = () => [];
    expect(resultOf(ep.connect(serverFactory)).failure?.value).toBeInstanceOf(DNSLookupError);
  });

  it("fails with ConnectingCancelledError, connecting nowhere, when cancelled while resolving", () => {
    const reactor = new FakeReactor();
    const ep = new TCP6ClientEndpoint(reactor, "example.com", 80);
    const lookup = new Deferred<{ address: string; family: number }[]>();
    ep.nameResolver = () => lookup;
    const d = ep.connect(serverFactory);
    d.cancel();
    lookup.callback([{ address: "::1", family: 6 }]);
    const failure = resultOf(d).failure;
    expect(failure?.value).toBeInstanceOf(ConnectingCancelledError);
    expect(addressOf(failure?.value)).toEqual(new HostnameAddress("example.com", 80));
    expect(reactor.tcpClients).toEqual([]);
  });
});

describe("connectProtocol", () => {
  it("connects with a Factory whose buildProtocol returns the given protocol", () => {
    const reactor = new FakeReactor();
    const user = new RecordingProtocol();
    const d = connectProtocol(new TCP4ClientEndpoint(reactor, "127.0.0.1", 0), user);
    const wrapper = reactor.tcpClients[0]?.factory as unknown as { wrappedFactory: Factory };
    expect(wrapper.wrappedFactory).toBeInstanceOf(Factory);
    expect(wrapper.wrappedFactory.buildProtocol(ipAddress("TCP", "h", 1))).toBe(user);
    reactor.tcpClients[0]?.connector.succeed();
    expect(resultOf(d).value).toBe(user);
  });

  it("returns what the endpoint's connect returns", () => {
    const result = new Deferred<never>();
    const endpoint: IStreamClientEndpoint = { connect: () => result };
    expect(connectProtocol(endpoint, new RecordingProtocol())).toBe(result);
  });
});
