import { describe, expect, it } from "vitest";
import { IPv4Address, IPv6Address, UNIXAddress } from "../../src/address.js";
import { Deferred } from "../../src/defer/deferred.js";
import {
  CannotListenError,
  ConnectionRefusedError,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
} from "../../src/errors.js";
import type { IConnector } from "../../src/interfaces/protocol.js";
import type {
  IReactorCore,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
} from "../../src/interfaces/reactor.js";
import type { IReactorTime } from "../../src/interfaces/time.js";
import { ClientFactory, Factory } from "../../src/protocol/factory.js";
import { FakeConnector, FakePort } from "../../src/testing/fakes.js";
import { MemoryReactor } from "../../src/testing/memoryReactor.js";
import { MemoryReactorClock } from "../../src/testing/memoryReactorClock.js";
import { RaisingMemoryReactor } from "../../src/testing/raisingMemoryReactor.js";
import { successResultOf } from "./helpers.js";

class RecordingClientFactory extends ClientFactory {
  readonly started: IConnector[] = [];
  override startedConnecting(connector: IConnector): void {
    this.started.push(connector);
  }
}

describe("MemoryReactor: listening", () => {
  it("records listenTCP calls with the default backlog and interface", () => {
    const reactor = new MemoryReactor();
    const factory = new Factory();
    reactor.listenTCP(8080, factory);
    reactor.listenTCP(8081, factory, { backlog: 5, interface: "127.0.0.1" });
    expect(reactor.tcpServers).toEqual([
      [8080, factory, 50, ""],
      [8081, factory, 5, "127.0.0.1"],
    ]);
  });

  it("returns a port whose host is 0.0.0.0 (or the interface) and the port", () => {
    const reactor = new MemoryReactor();
    const tcp = reactor.listenTCP(8242, new Factory());
    const ssl = reactor.listenSSL(8242, new Factory(), {});
    const onInterface = reactor.listenTCP(1, new Factory(), { interface: "127.0.0.1" });
    const onV6 = reactor.listenTCP(2, new Factory(), { interface: "::1" });
    expect(tcp).toBeInstanceOf(FakePort);
    expect(tcp.getHost()).toEqual(new IPv4Address("TCP", "0.0.0.0", 8242));
    expect(ssl.getHost()).toEqual(new IPv4Address("TCP", "0.0.0.0", 8242));
    expect(onInterface.getHost()).toEqual(new IPv4Address("TCP", "127.0.0.1", 1));
    expect(onV6.getHost()).toEqual(new IPv6Address("TCP", "::1", 2));
  });

  it("records listenSSL and listenUNIX calls with their defaults", () => {
    const reactor = new MemoryReactor();
    const factory = new Factory();
    const tls = { cert: "c", key: "k" };
    reactor.listenSSL(443, factory, tls);
    const port = reactor.listenUNIX("/tmp/sock", factory);
    reactor.listenUNIX("/tmp/other", factory, { backlog: 1, mode: 0o600, wantPID: true });
    expect(reactor.sslServers).toEqual([[443, factory, tls, 50, ""]]);
    expect(reactor.unixServers).toEqual([
      ["/tmp/sock", factory, 50, 0o666, false],
      ["/tmp/other", factory, 1, 0o600, true],
    ]);
    expect(port.getHost()).toEqual(new UNIXAddress("/tmp/sock"));
  });

  it("returns ports that stop listening with a fired Deferred", () => {
    const port = new MemoryReactor().listenTCP(80, new Factory());
    expect(port.listening).toBe(true);
    expect(successResultOf(port.stopListening())).toBeUndefined();
    expect(port.listening).toBe(false);
  });
});

describe("MemoryReactor: connecting", () => {
  it("records connectTCP calls with the default timeout and bind address", () => {
    const reactor = new MemoryReactor();
    const factory = new RecordingClientFactory();
    reactor.connectTCP("example.com", 1234, factory);
    reactor.connectTCP("example.com", 1235, factory, {
      timeout: 4321,
      bindAddress: ["1.2.3.4", 9876],
    });
    expect(reactor.tcpClients).toEqual([
      ["example.com", 1234, factory, 30, undefined],
      ["example.com", 1235, factory, 4321, ["1.2.3.4", 9876]],
    ]);
  });

  it("tells the factory startedConnecting with the connector it returns", () => {
    const reactor = new MemoryReactor();
    const factory = new RecordingClientFactory();
    const tcp = reactor.connectTCP("h", 1, factory);
    const ssl = reactor.connectSSL("h", 2, factory, {});
    const unix = reactor.connectUNIX("/p", factory);
    expect(factory.started).toEqual([tcp, ssl, unix]);
    expect(reactor.connectors).toEqual([tcp, ssl, unix]);
    expect(tcp).toBeInstanceOf(FakeConnector);
  });

  it("returns connectors whose destination reflects what was asked", () => {
    const reactor = new MemoryReactor();
    const factory = new ClientFactory();
    expect(reactor.connectTCP("test.example.com", 8321, factory).getDestination()).toEqual(
      new IPv4Address("TCP", "test.example.com", 8321),
    );
    expect(reactor.connectSSL("test.example.com", 8321, factory, {}).getDestination()).toEqual(
      new IPv4Address("TCP", "test.example.com", 8321),
    );
    expect(reactor.connectTCP("::1", 80, factory).getDestination()).toEqual(
      new IPv6Address("TCP", "::1", 80),
    );
    expect(reactor.connectUNIX("/fake/path", factory).getDestination()).toEqual(
      new UNIXAddress("/fake/path"),
    );
  });

  it("records connectSSL and connectUNIX calls with their defaults", () => {
    const reactor = new MemoryReactor();
    const factory = new ClientFactory();
    const tls = { servername: "example.com" };
    reactor.connectSSL("example.com", 443, factory, tls, { bindAddress: ["4.3.2.1", 5678] });
    reactor.connectUNIX("/a", factory);
    reactor.connectUNIX("/b", factory, { timeout: 123, checkPID: true });
    expect(reactor.sslClients).toEqual([["example.com", 443, factory, tls, 30, ["4.3.2.1", 5678]]]);
    expect(reactor.unixClients).toEqual([
      ["/a", factory, 30, false],
      ["/b", factory, 123, true],
    ]);
  });

  it("hands out connectors that record stopConnecting, disconnect and connect", () => {
    const connector = new MemoryReactor().connectTCP("h", 1, new ClientFactory());
    expect(connector.state).toBe("connecting");
    connector.stopConnecting();
    expect(connector.stoppedConnecting).toBe(true);
    expect(connector.state).toBe("disconnected");
    connector.connect();
    connector.connect();
    expect(connector.connectCalls).toBe(2);
    expect(connector.state).toBe("connecting");
    connector.disconnect();
    expect(connector.disconnected).toBe(true);
    expect(connector.state).toBe("disconnected");
    expect(String(connector)).toContain("FakeConnector");
  });

  it("implements the TCP, TLS and Unix reactor interfaces", () => {
    const reactor: IReactorTCP & IReactorSSL & IReactorUNIX & IReactorCore = new MemoryReactor();
    expect(reactor.running).toBe(false);
  });
});

describe("MemoryReactor: running and stopping", () => {
  it("starts neither run, stopped nor crashed", () => {
    const reactor = new MemoryReactor();
    expect([reactor.running, reactor.hasRun, reactor.hasStopped, reactor.hasCrashed]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("runs the callWhenRunning functions in order, then stops", async () => {
    const reactor = new MemoryReactor();
    const calls: string[] = [];
    reactor.callWhenRunning((a: string) => calls.push(`${a}:${reactor.running}`), "first");
    reactor.callWhenRunning(() => calls.push("second"));
    expect(reactor.whenRunningHooks).toHaveLength(2);
    await reactor.run();
    expect(calls).toEqual(["first:true", "second"]);
    expect([reactor.running, reactor.hasRun, reactor.hasStopped]).toEqual([false, true, true]);
  });

  it("calls a callWhenRunning function at once when running", async () => {
    const reactor = new MemoryReactor();
    const calls: string[] = [];
    reactor.callWhenRunning(() => {
      reactor.callWhenRunning(() => calls.push("nested"));
      calls.push("outer");
    });
    await reactor.run();
    expect(calls).toEqual(["nested", "outer"]);
  });

  it("does not stop twice when a hook stops it", async () => {
    const reactor = new MemoryReactor();
    reactor.callWhenRunning(() => reactor.stop());
    await reactor.run();
    expect(reactor.hasStopped).toBe(true);
    expect(reactor.running).toBe(false);
  });

  it("shuts down only after the remaining hooks when a hook stops it", async () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    reactor.addSystemEventTrigger("during", "shutdown", () => seen.push("shutdown"));
    reactor.callWhenRunning(() => {
      reactor.stop();
      seen.push(`stopped, running=${reactor.running}`);
    });
    reactor.callWhenRunning(() => seen.push("second hook"));
    await reactor.run();
    expect(seen).toEqual(["stopped, running=true", "second hook", "shutdown"]);
    expect(reactor.hasStopped).toBe(true);
  });

  it("fires the startup and shutdown triggers phase by phase", async () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    for (const eventType of ["startup", "shutdown"] as const) {
      for (const phase of ["after", "during", "before"] as const) {
        reactor.addSystemEventTrigger(phase, eventType, () =>
          seen.push(`${phase} ${eventType} running=${reactor.running}`),
        );
      }
    }
    reactor.callWhenRunning(() => seen.push("hook"));
    await reactor.run();
    expect(seen).toEqual([
      "before startup running=false",
      "during startup running=true",
      "after startup running=true",
      "hook",
      "before shutdown running=true",
      "during shutdown running=false",
      "after shutdown running=false",
    ]);
  });

  it("waits for the Deferreds of before-shutdown triggers", async () => {
    const reactor = new MemoryReactor();
    const pending = new Deferred<void>();
    const seen: string[] = [];
    reactor.addSystemEventTrigger("before", "shutdown", () => pending);
    reactor.addSystemEventTrigger("during", "shutdown", () => seen.push("during"));
    let settled = false;
    const finished = reactor.run().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(seen).toEqual([]);
    expect(reactor.running).toBe(true);
    expect(settled).toBe(false);
    pending.callback(undefined);
    await finished;
    expect(seen).toEqual(["during"]);
    expect(reactor.running).toBe(false);
  });

  it("records triggers by phase and event type, and keeps them after they run", async () => {
    const reactor = new MemoryReactor();
    const f = (_n: number) => undefined;
    reactor.addSystemEventTrigger("before", "shutdown", f, 1);
    await reactor.run();
    expect(reactor.triggers).toEqual({ before: { shutdown: [[f, [1]]] } });
  });

  it("removes a trigger, so it does not run", async () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    const id = reactor.addSystemEventTrigger("during", "shutdown", () => seen.push("removed"));
    reactor.addSystemEventTrigger("during", "shutdown", () => seen.push("kept"));
    reactor.removeSystemEventTrigger(id);
    expect(() => reactor.removeSystemEventTrigger(id)).toThrow(RangeError);
    await reactor.run();
    expect(seen).toEqual(["kept"]);
  });

  it("rejects an unknown phase or event type", () => {
    const reactor = new MemoryReactor();
    expect(() =>
      reactor.addSystemEventTrigger("sometime" as "before", "shutdown", () => undefined),
    ).toThrow(RangeError);
    expect(() =>
      reactor.addSystemEventTrigger("before", "persist" as "shutdown", () => undefined),
    ).toThrow(RangeError);
  });

  it("fires an event's triggers once on fireSystemEvent, without changing running", () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    reactor.addSystemEventTrigger("after", "shutdown", () => seen.push("after"));
    reactor.addSystemEventTrigger("before", "shutdown", () => seen.push("before"));
    reactor.fireSystemEvent("shutdown");
    reactor.fireSystemEvent("shutdown");
    expect(seen).toEqual(["before", "after"]);
    expect(reactor.running).toBe(false);
  });

  it("runs a trigger added to a phase while that phase fires", () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    reactor.addSystemEventTrigger("during", "startup", () => {
      seen.push("first");
      reactor.addSystemEventTrigger("during", "startup", () => seen.push("added"));
    });
    reactor.fireSystemEvent("startup");
    expect(seen).toEqual(["first", "added"]);
  });

  it("propagates what a hook throws out of run()", () => {
    const reactor = new MemoryReactor();
    reactor.callWhenRunning(() => {
      throw new Error("boom");
    });
    expect(() => reactor.run()).toThrow("boom");
  });

  it("refuses to run twice, and to stop when not running", async () => {
    const reactor = new MemoryReactor();
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
    let inner: unknown;
    reactor.callWhenRunning(() => {
      try {
        reactor.run();
      } catch (error) {
        inner = error;
      }
    });
    await reactor.run();
    expect(inner).toBeInstanceOf(ReactorAlreadyRunning);
    expect(() => reactor.run()).toThrow(ReactorNotRestartable);
    expect(() => reactor.stop()).toThrow(ReactorNotRunning);
  });

  it("crashes without the shutdown triggers and settles run()", async () => {
    const reactor = new MemoryReactor();
    const seen: string[] = [];
    reactor.addSystemEventTrigger("before", "shutdown", () => seen.push("shutdown"));
    reactor.callWhenRunning(() => reactor.crash());
    await reactor.run();
    expect(reactor.hasCrashed).toBe(true);
    expect(reactor.running).toBe(false);
    expect(seen).toEqual([]);
  });
});

describe("MemoryReactorClock", () => {
  it("is a MemoryReactor and an IReactorTime driven by advance", () => {
    const reactor = new MemoryReactorClock();
    const time: IReactorTime = reactor;
    const seen: number[] = [];
    time.callLater(2, (n: number) => seen.push(n), 7);
    expect(reactor).toBeInstanceOf(MemoryReactor);
    expect(reactor.getDelayedCalls()).toHaveLength(1);
    expect(reactor.calls).toHaveLength(1);
    reactor.advance(1);
    expect(seen).toEqual([]);
    reactor.pump([0.5, 0.5]);
    expect(seen).toEqual([7]);
    expect(reactor.seconds()).toBe(2);
    expect(reactor.rightNow).toBe(2);
    expect(reactor.clock.seconds()).toBe(2);
  });

  it("records connections as a MemoryReactor does", () => {
    const reactor = new MemoryReactorClock();
    const factory = new ClientFactory();
    reactor.connectTCP("h", 1, factory);
    expect(reactor.tcpClients).toEqual([["h", 1, factory, 30, undefined]]);
  });
});

describe("RaisingMemoryReactor", () => {
  it("throws the listen error from every listen method", () => {
    const error = new CannotListenError("", 80, new Error("in use"));
    const reactor = new RaisingMemoryReactor(error);
    expect(() => reactor.listenTCP(80, new Factory())).toThrow(error);
    expect(() => reactor.listenSSL(80, new Factory(), {})).toThrow(error);
    expect(() => reactor.listenUNIX("/p", new Factory())).toThrow(error);
  });

  it("throws the connect error from every connect method", () => {
    const error = new ConnectionRefusedError();
    const reactor = new RaisingMemoryReactor(undefined, error);
    expect(() => reactor.connectTCP("h", 1, new ClientFactory())).toThrow(error);
    expect(() => reactor.connectSSL("h", 1, new ClientFactory(), {})).toThrow(error);
    expect(() => reactor.connectUNIX("/p", new ClientFactory())).toThrow(error);
  });

  it("says so when it was given no error for a kind of call", () => {
    const reactor = new RaisingMemoryReactor();
    expect(() => reactor.listenTCP(1, new Factory())).toThrow("no listenException");
    expect(() => reactor.connectTCP("h", 1, new ClientFactory())).toThrow("no connectException");
  });
});
