import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Application, collectState, IPv4Address, restoreState } from "@twisted-ts/core";
import {
  MemoryReactorClock,
  StringTransport,
  StringTransportWithDisconnection,
} from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_LISTEN,
  type Fibonacci,
  FibonacciFactory,
  FibonacciService,
  makeService,
} from "../src/fibonacci.js";
import { FibonacciSequence } from "../src/sequence.js";
import { loadState, saveState } from "../src/stateFile.js";

const peer = new IPv4Address("TCP", "127.0.0.1", 40000);

/** A protocol from `factory`, connected to a StringTransport. */
function connect(factory: FibonacciFactory): { proto: Fibonacci; transport: StringTransport } {
  const proto = factory.buildProtocol(peer);
  if (proto === null) throw new Error("refused");
  const transport = new StringTransport();
  proto.makeConnection(transport);
  return { proto, transport };
}

/** The numbers written so far, one per line. */
function numbers(transport: StringTransport): string[] {
  const text = transport.value().toString("utf8");
  expect(text === "" || text.endsWith("\r\n")).toBe(true);
  return text.split("\r\n").slice(0, -1);
}

describe("FibonacciSequence", () => {
  it("hands out 2, 3, 5, 8, 13 from the seed's [1, 1], each number once", () => {
    const sequence = new FibonacciSequence();
    const got = Array.from({ length: 5 }, () => sequence.next());
    expect(got).toEqual([2n, 3n, 5n, 8n, 13n]);
  });

  it("stays exact beyond 2^53: the 98th number is F(100)", () => {
    const sequence = new FibonacciSequence();
    let last = 0n;
    for (let i = 0; i < 98; i++) last = sequence.next();
    expect(last).toBe(354224848179261915075n);
    expect(last > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(sequence.getState()).toEqual(["218922995834555169026", "354224848179261915075"]);
  });

  it("round-trips its state through JSON and goes on where it was", () => {
    const before = new FibonacciSequence();
    for (let i = 0; i < 80; i++) before.next();
    const json = JSON.stringify(before.getState());
    const after = new FibonacciSequence();
    after.setState(JSON.parse(json));
    expect(after.next()).toBe(before.next());
    expect(after.next()).toBe(before.next());
  });

  it("refuses a damaged state instead of starting over", () => {
    const sequence = new FibonacciSequence();
    expect(() => sequence.setState(null)).toThrow(TypeError);
    expect(() => sequence.setState(["1"])).toThrow(TypeError);
    expect(() => sequence.setState([1, 2])).toThrow(TypeError);
    expect(() => sequence.setState(["1", "2x"])).toThrow(TypeError);
    expect(() => sequence.setState(["-1", "2"])).toThrow(TypeError);
    expect(() => sequence.setState(["3", "2"])).toThrow(RangeError);
    expect(() => sequence.setState(["0", "0"])).toThrow(RangeError);
    expect(sequence.getState()).toEqual(["1", "1"]);
  });
});

describe("Fibonacci protocol", () => {
  it("answers each line with the next number, whatever the line says", () => {
    const { proto, transport } = connect(new FibonacciFactory());
    proto.dataReceived(Buffer.from("next please\r\n"));
    proto.dataReceived(Buffer.from("\n"));
    proto.dataReceived(Buffer.from("x\n"));
    expect(numbers(transport)).toEqual(["2", "3", "5"]);
  });

  it("answers several lines in one chunk, one number each", () => {
    const { proto, transport } = connect(new FibonacciFactory());
    proto.dataReceived(Buffer.from("a\nb\r\n\nc\n"));
    expect(numbers(transport)).toEqual(["2", "3", "5", "8"]);
  });

  it("answers the same requests the same way at every chunk size", () => {
    const input = Buffer.from("first\r\nsecond\n\r\nfourth\n");
    for (let size = 1; size <= input.length; size++) {
      const { proto, transport } = connect(new FibonacciFactory());
      for (let i = 0; i < input.length; i += size) proto.dataReceived(input.subarray(i, i + size));
      expect(numbers(transport), `chunks of ${size}`).toEqual(["2", "3", "5", "8"]);
    }
  });

  it("waits for the newline before answering a partial line", () => {
    const { proto, transport } = connect(new FibonacciFactory());
    proto.dataReceived(Buffer.from("no newline yet"));
    expect(transport.value().length).toBe(0);
    proto.dataReceived(Buffer.from("\n"));
    expect(numbers(transport)).toEqual(["2"]);
  });

  it("shares one sequence between two clients, so neither gets a number the other got", () => {
    const factory = new FibonacciFactory();
    const one = connect(factory);
    const two = connect(factory);
    one.proto.dataReceived(Buffer.from("\n"));
    two.proto.dataReceived(Buffer.from("\n\n"));
    one.proto.dataReceived(Buffer.from("\n"));
    two.proto.dataReceived(Buffer.from("\n"));
    expect(numbers(one.transport)).toEqual(["2", "8"]);
    expect(numbers(two.transport)).toEqual(["3", "5", "13"]);
  });

  it("writes numbers beyond 2^53 exactly, in decimal", () => {
    const factory = new FibonacciFactory(
      new FibonacciSequence(218922995834555169026n, 354224848179261915075n),
    );
    const { proto, transport } = connect(factory);
    proto.dataReceived(Buffer.from("\n"));
    expect(numbers(transport)).toEqual(["573147844013817084101"]);
  });

  it("drops a client whose line passes MAX_LENGTH, without spending a number", () => {
    const factory = new FibonacciFactory();
    const { proto, transport } = connect(factory);
    proto.MAX_LENGTH = 8;
    proto.dataReceived(Buffer.from("ok\n123456789"));
    expect(numbers(transport)).toEqual(["2"]);
    expect(transport.disconnecting).toBe(true);
    proto.dataReceived(Buffer.from("\n\n"));
    expect(numbers(transport)).toEqual(["2"]);
    expect(factory.sequence.getState()).toEqual(["1", "2"]);
  });

  it("drops a client whose complete line is too long", () => {
    const { proto, transport } = connect(new FibonacciFactory());
    proto.MAX_LENGTH = 4;
    proto.dataReceived(Buffer.from("12345\n\n"));
    expect(transport.value().length).toBe(0);
    expect(transport.disconnecting).toBe(true);
  });

  it("tracks its connected clients in the factory", () => {
    const factory = new FibonacciFactory();
    const { proto } = connect(factory);
    expect(factory.clients.has(proto)).toBe(true);
    proto.connectionLost();
    expect(factory.clients.size).toBe(0);
  });
});

describe("FibonacciService", () => {
  it("listens on its endpoint while running", () => {
    const reactor = new MemoryReactorClock();
    const service = makeService({ listen: "tcp:8031:interface=127.0.0.1", reactor });
    expect(service.name).toBe("fibonacci");
    expect(DEFAULT_LISTEN).toBe("tcp:8031:interface=127.0.0.1");
    service.privilegedStartService();
    service.startService();
    expect(reactor.tcpServers.map(([port, factory, , iface]) => [port, factory, iface])).toEqual([
      [8031, service.factory, "127.0.0.1"],
    ]);
    expect(service.listener.listeningPort).toBeDefined();
  });

  it("keeps its state under its name, so an application's saved state restores it", () => {
    const reactor = new MemoryReactorClock();
    const application = new Application("fibonacci");
    const service = makeService({ listen: "tcp:0", reactor });
    service.setServiceParent(application);
    for (let i = 0; i < 3; i++) service.factory.sequence.next();
    const saved = JSON.parse(JSON.stringify(collectState(application)));
    expect(saved).toEqual({ fibonacci: ["3", "5"] });

    const restarted = new Application("fibonacci");
    const again = makeService({ listen: "tcp:0", reactor });
    again.setServiceParent(restarted);
    restoreState(restarted, saved);
    expect(again.factory.sequence.next()).toBe(8n);
  });

  it("closes its clients' connections when stopped, then stops listening", async () => {
    const reactor = new MemoryReactorClock();
    const service = new FibonacciService({ listen: "tcp:0", reactor });
    service.startService();
    const proto = service.factory.buildProtocol(peer);
    if (proto === null) throw new Error("refused");
    const transport = new StringTransportWithDisconnection();
    transport.protocol = proto;
    proto.makeConnection(transport);
    let stopped = false;
    service.stopService().addCallback(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(transport.connected).toBe(false);
    expect(stopped).toBe(true);
    expect(service.running).toBe(false);
    expect(service.listener.listeningPort).toBeUndefined();
  });

  it("aborts a client that has not gone after closeTimeout seconds", () => {
    const reactor = new MemoryReactorClock();
    const service = new FibonacciService({ listen: "tcp:0", reactor, closeTimeout: 2 });
    service.startService();
    const { proto, transport } = connect(service.factory);
    let stopped = false;
    service.stopService().addCallback(() => {
      stopped = true;
    });
    expect(transport.disconnecting).toBe(true);
    reactor.advance(1.9);
    expect(transport.disconnected).toBe(false);
    reactor.advance(0.1);
    expect(transport.disconnected).toBe(true);
    expect(stopped).toBe(false);
    proto.connectionLost();
    expect(stopped).toBe(true);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });
});

describe("state files", () => {
  it("saves and loads the state in the shape collectState makes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fibonacci-state-"));
    const path = join(dir, "fib.json");
    expect(loadState(path)).toBeUndefined();
    await saveState(path, { fibonacci: ["5", "8"] });
    expect(loadState(path)).toEqual({ fibonacci: ["5", "8"] });
    expect(readdirSync(dir)).toEqual(["fib.json"]);
  });

  it("refuses a state file that is not a JSON object", () => {
    const dir = mkdtempSync(join(tmpdir(), "fibonacci-state-"));
    const path = join(dir, "fib.json");
    writeFileSync(path, "[1, 2]");
    expect(() => loadState(path)).toThrow(TypeError);
    writeFileSync(path, "{not json");
    expect(() => loadState(path)).toThrow(SyntaxError);
  });
});
