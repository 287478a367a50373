import { describe, expect, it } from "vitest";
import {
  ClientFactory,
  Deferred,
  Factory,
  globalLogPublisher,
  type LogEvent,
  Protocol,
  TCPClient,
  TCPServer,
  TimerService,
} from "../../src/index.js";
import { Clock, type FakeConnector, type FakePort, MemoryReactor } from "../../src/testing.js";

describe("TCPServer and TCPClient", () => {
  it("binds in privilegedStartService, once, and closes the port on stop", () => {
    const reactor = new MemoryReactor();
    const factory = Factory.forProtocol(Protocol);
    const server = new TCPServer(8080, factory, { interface: "127.0.0.1" }, reactor);
    server.privilegedStartService();
    expect(reactor.tcpServers.map(([port, f, , iface]) => [port, f, iface])).toEqual([
      [8080, factory, "127.0.0.1"],
    ]);
    server.startService();
    expect(reactor.tcpServers).toHaveLength(1);
    const port = server.port as FakePort;
    const stopped = server.stopService();
    expect(port.listening).toBe(false);
    expect(stopped?.called).toBe(true);
    expect(server.running).toBe(false);
  });

  it("connects on start and disconnects on stop", () => {
    const reactor = new MemoryReactor();
    const client = new TCPClient("example.org", 6667, new ClientFactory(), { timeout: 5 }, reactor);
    client.startService();
    expect(reactor.tcpClients.map(([h, p, , t]) => [h, p, t])).toEqual([["example.org", 6667, 5]]);
    const connector = client.connector as FakeConnector;
    client.stopService();
    expect(connector.disconnected).toBe(true);
  });
});

describe("TimerService", () => {
  it("calls at once and then every step seconds while running", () => {
    const clock = new Clock();
    const calls: number[] = [];
    const timer = new TimerService(2, (_tag: string) => calls.push(clock.seconds()), "tick");
    timer.clock = clock;
    timer.startService();
    clock.advance(2);
    clock.advance(2);
    timer.stopService();
    clock.advance(10);
    expect(calls).toEqual([0, 2, 4]);
  });

  it("waits for a call in progress before it has stopped", () => {
    const clock = new Clock();
    const pending = new Deferred<void>();
    const timer = new TimerService(1, () => pending);
    timer.clock = clock;
    timer.startService();
    const stopped = timer.stopService();
    expect(stopped?.called).toBe(false);
    expect(timer.running).toBe(true);
    pending.callback(undefined);
    expect(stopped?.called).toBe(true);
    expect(timer.running).toBe(false);
  });

  it("logs a failing call and stops calling", () => {
    const clock = new Clock();
    const events: LogEvent[] = [];
    const observer = (e: LogEvent) => {
      events.push(e);
    };
    globalLogPublisher.addObserver(observer);
    try {
      let calls = 0;
      const timer = new TimerService(1, () => {
        calls++;
        throw new Error("timer broke");
      });
      timer.clock = clock;
      timer.startService();
      clock.advance(5);
      expect(calls).toBe(1);
      expect(events.some((e) => e.log_failure?.getErrorMessage() === "timer broke")).toBe(true);
      expect(timer.stopService()?.called).toBe(true);
    } finally {
      globalLogPublisher.removeObserver(observer);
    }
  });
});
