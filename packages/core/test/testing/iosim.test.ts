import { describe, expect, it } from "vitest";
import { IPv4Address } from "../../src/address.js";
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../../src/errors.js";
import type { Failure } from "../../src/failure.js";
import type { IHalfCloseableProtocol } from "../../src/interfaces/protocol.js";
import type { IPushProducer, ITCPTransport } from "../../src/interfaces/transport.js";
import { Factory } from "../../src/protocol/factory.js";
import { Protocol, transportOf } from "../../src/protocol/protocol.js";
import { Clock } from "../../src/task/clock.js";
import { FakeTransport, makeFakeClient, makeFakeServer } from "../../src/testing/fakeTransport.js";
import { connect, connectedServerAndClient, IOPump } from "../../src/testing/iosim.js";
import { MemoryReactorClock } from "../../src/testing/memoryReactorClock.js";
import { NonStreamingProducer } from "../../src/testing/producers.js";
import { AccumulatingProtocol } from "../../src/testing/protocols.js";

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    transportOf(this).write(data);
  }
}

class Greeter extends AccumulatingProtocol {
  override connectionMade(): void {
    super.connectionMade();
    transportOf(this).write("hello\r\n");
  }
}

/** A push producer that refuses any call its state does not allow (Twisted's test double). */
class StrictPushProducer implements IPushProducer {
  state: "running" | "paused" | "stopped" = "running";
  stopProducing(): void {
    if (this.state === "stopped") throw new Error("Cannot stop already-stopped IPushProducer");
    this.state = "stopped";
  }
  pauseProducing(): void {
    if (this.state !== "running") throw new Error(`Cannot pause ${this.state} IPushProducer`);
    this.state = "paused";
  }
  resumeProducing(): void {
    if (this.state !== "paused") throw new Error(`Cannot resume ${this.state} IPushProducer`);
    this.state = "running";
  }
}

describe("FakeTransport", () => {
  it("gives each transport a different serial number", () => {
    const a = new FakeTransport(new Protocol(), true);
    const b = new FakeTransport(new Protocol(), false);
    expect(Number.isInteger(a.serial)).toBe(true);
    expect(a.serial).not.toBe(b.serial);
  });

  it("queues writes and sequences until taken", () => {
    const transport: ITCPTransport & FakeTransport = makeFakeClient(new Protocol());
    transport.write("a");
    transport.writeSequence([Buffer.from("b"), "c", "d"]);
    expect(transport.getOutBuffer()?.toString()).toBe("abcd");
    expect(transport.getOutBuffer()).toBeUndefined();
  });

  it("drops writes after loseConnection", () => {
    const transport = makeFakeClient(new Protocol());
    transport.write("before");
    transport.loseConnection();
    transport.write("after");
    expect(transport.getOutBuffer()?.toString()).toBe("before");
  });

  it("throws a TypeError for a write that is not bytes or a string", () => {
    expect(() => makeFakeServer(new Protocol()).write(3 as unknown as string)).toThrow(TypeError);
  });

  it("has paired default addresses on the two sides", () => {
    const server = makeFakeServer(new Protocol());
    const client = makeFakeClient(new Protocol());
    expect(server.getHost()).toEqual(client.getPeer());
    expect(client.getHost()).toEqual(server.getPeer());
    expect(server.getHost()).toEqual(new IPv4Address("TCP", "10.0.0.1", 12345));
    expect(String(server)).toMatch(/^FakeTransport<S,\d+,Protocol>$/);
  });

  it("refuses a second producer", () => {
    const transport = makeFakeServer(new Protocol());
    transport.registerProducer(new StrictPushProducer(), true);
    expect(() => transport.registerProducer(new StrictPushProducer(), true)).toThrow(Error);
  });
});

describe("connectedServerAndClient and IOPump", () => {
  it("returns the client, the server and the pump, and greets", () => {
    const [client, server, pump] = connectedServerAndClient(
      () => new Greeter(),
      () => new AccumulatingProtocol(),
    );
    expect(server).toBeInstanceOf(Greeter);
    expect(client).toBeInstanceOf(AccumulatingProtocol);
    expect(pump).toBeInstanceOf(IOPump);
    expect(client.made && server.made).toBe(true);
    expect(client.data.toString()).toBe("hello\r\n");
  });

  it("makes protocols from a factory or a class too", () => {
    const factory = Factory.forProtocol(Echo);
    const [client, server] = connectedServerAndClient(factory, AccumulatingProtocol);
    expect(server).toBeInstanceOf(Echo);
    expect(server.factory).toBe(factory);
    expect(client).toBeInstanceOf(AccumulatingProtocol);
    expect(transportOf(server).getPeer()).toEqual(transportOf(client).getHost());
  });

  it("moves bytes both ways", () => {
    const [client, server, pump] = connectedServerAndClient(Echo, AccumulatingProtocol);
    transportOf(client).write("ping");
    expect(client.data.length).toBe(0);
    expect(pump.pump()).toBe(true);
    expect(client.data.length).toBe(0);
    expect(pump.pump()).toBe(true);
    expect(client.data.toString()).toBe("ping");
    expect(pump.pump()).toBe(false);
    expect(server.connected).toBe(true);
  });

  it("flushes until nothing moves, and says whether anything did", () => {
    const [client, , pump] = connectedServerAndClient(Echo, AccumulatingProtocol);
    expect(pump.flush()).toBe(false);
    transportOf(client).write("a");
    transportOf(client).write("b");
    expect(pump.flush()).toBe(true);
    expect(client.data.toString()).toBe("ab");
  });

  it("does not greet when greet is false", () => {
    const [client, server] = connectedServerAndClient(Greeter, AccumulatingProtocol, {
      greet: false,
    });
    expect(server.made).toBe(true);
    expect(client.data.length).toBe(0);
  });

  it("uses the addresses it is given", () => {
    const serverAddress = new IPv4Address("TCP", "127.0.0.1", 25);
    const clientAddress = new IPv4Address("TCP", "127.0.0.2", 4000);
    const [client, server] = connectedServerAndClient(Echo, Echo, {
      serverAddress,
      clientAddress,
    });
    expect(transportOf(server).getHost()).toBe(serverAddress);
    expect(transportOf(server).getPeer()).toBe(clientAddress);
    expect(transportOf(client).getHost()).toBe(clientAddress);
    expect(transportOf(client).getPeer()).toBe(serverAddress);
  });

  it("delivers connectionLost with ConnectionDone to both sides after loseConnection", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    transportOf(server).write("last words");
    transportOf(server).loseConnection();
    expect(client.closed || server.closed).toBe(false);
    pump.flush();
    expect(client.data.toString()).toBe("last words");
    expect(client.closedReason?.check(ConnectionDone)).toBe(ConnectionDone);
    expect(server.closedReason?.check(ConnectionDone)).toBe(ConnectionDone);
    expect(pump.flush()).toBe(false);
  });

  it("tells the peer first, one side per pump", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    transportOf(client).loseConnection();
    expect(pump.pump()).toBe(true);
    expect([server.closed, client.closed]).toEqual([true, false]);
    expect(pump.pump()).toBe(true);
    expect(client.closed).toBe(true);
  });

  it("drops queued bytes on abortConnection and reports ConnectionAborted and ConnectionLost", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    transportOf(client).write("never sent");
    (transportOf(client) as FakeTransport).abortConnection();
    pump.flush();
    expect(server.data.length).toBe(0);
    expect(client.closedReason?.value).toBeInstanceOf(ConnectionAborted);
    expect(server.closedReason?.value).toBeInstanceOf(ConnectionLost);
    expect(server.closedReason?.value).not.toBeInstanceOf(ConnectionAborted);
  });

  it("reports disconnectReason on a clean close when a test sets it", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    const clientIO = transportOf(client) as FakeTransport;
    clientIO.disconnectReason = new ConnectionLost("simulated");
    transportOf(server).loseConnection();
    pump.flush();
    expect(client.closedReason?.getErrorMessage()).toBe("simulated");
  });

  it("runs calls that are due on the clock at each pump", () => {
    const clock = new Clock();
    const [, , pump] = connectedServerAndClient(Protocol, Protocol, { clock });
    const passed: boolean[] = [];
    clock.callLater(0, () => passed.push(true));
    expect(passed).toEqual([]);
    pump.pump();
    expect(passed).toEqual([true]);
  });

  it("leaves the clock alone when advanceClock is false", () => {
    const clock = new MemoryReactorClock();
    const [, , pump] = connectedServerAndClient(Protocol, Protocol, { clock });
    const passed: boolean[] = [];
    clock.callLater(0, () => passed.push(true));
    pump.pump(false);
    pump.flush(false);
    expect(passed).toEqual([]);
    expect(pump.clock).toBe(clock);
  });

  it("throws when the two sides never go quiet", () => {
    class PingPong extends Protocol {
      override connectionMade(): void {
        transportOf(this).write("x");
      }
      override dataReceived(data: Buffer): void {
        transportOf(this).write(data);
      }
    }
    expect(() => connectedServerAndClient(PingPong, PingPong)).toThrow("Too long");
  });

  it("throws when a factory refuses the connection", () => {
    const refusing = { buildProtocol: () => null };
    expect(() => connectedServerAndClient(refusing, Protocol)).toThrow("buildProtocol");
  });
});

describe("IOPump: producers and flow control", () => {
  for (const side of ["server", "client"] as const) {
    it(`neither pauses nor resumes a push producer on the ${side} transport`, () => {
      const serverProto = new Protocol();
      const clientProto = new Protocol();
      const serverIO = makeFakeServer(serverProto);
      const clientIO = makeFakeClient(clientProto);
      const pump = connect(serverProto, serverIO, clientProto, clientIO, { greet: false });
      const producer = new StrictPushProducer();
      (side === "server" ? serverIO : clientIO).registerProducer(producer, true);
      pump.pump();
      expect(producer.state).toBe("running");
    });
  }

  it("pulls a pull producer once per pump until it unregisters", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    const producer = new NonStreamingProducer(transportOf(server));
    transportOf(server).registerProducer(producer, false);
    pump.flush();
    expect(client.data.toString()).toBe("0123456789");
    expect(producer.result.called).toBe(true);
  });

  it("stops the producer when the connection is lost", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    const producer = new StrictPushProducer();
    transportOf(server).registerProducer(producer, true);
    transportOf(client).loseConnection();
    pump.flush();
    expect(producer.state).toBe("stopped");
    expect(server.closed).toBe(true);
  });

  it("holds bytes for a paused side until it resumes", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    const clientIO = transportOf(client) as FakeTransport;
    clientIO.pauseProducing();
    transportOf(server).write("held");
    pump.flush();
    expect(client.data.length).toBe(0);
    clientIO.resumeProducing();
    pump.flush();
    expect(client.data.toString()).toBe("held");
  });

  it("closes on stopProducing, as loseConnection does", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    (transportOf(client) as FakeTransport).stopProducing();
    pump.flush();
    expect(client.closed && server.closed).toBe(true);
  });
});

describe("IOPump: half-close", () => {
  class HalfCloseable extends AccumulatingProtocol implements IHalfCloseableProtocol {
    readonly events: string[] = [];
    readConnectionLost(): void {
      this.events.push("readConnectionLost");
    }
    writeConnectionLost(): void {
      this.events.push("writeConnectionLost");
    }
  }

  it("tells a half-closeable peer readConnectionLost after the queued bytes", () => {
    const [client, server, pump] = connectedServerAndClient(HalfCloseable, HalfCloseable);
    const clientIO = transportOf(client) as FakeTransport;
    clientIO.write("request");
    clientIO.loseWriteConnection();
    clientIO.write("dropped");
    pump.flush();
    expect(server.data.toString()).toBe("request");
    expect(server.events).toEqual(["readConnectionLost"]);
    expect(client.events).toEqual(["writeConnectionLost"]);
    transportOf(server).write("response");
    pump.flush();
    expect(client.data.toString()).toBe("response");
    expect(client.closed || server.closed).toBe(false);
  });

  it("closes the connection when the peer is not half-closeable", () => {
    const [client, server, pump] = connectedServerAndClient(
      AccumulatingProtocol,
      AccumulatingProtocol,
    );
    (transportOf(client) as FakeTransport).loseWriteConnection();
    pump.flush();
    const reasons: Array<Failure | undefined> = [client.closedReason, server.closedReason];
    expect(reasons.map((r) => r?.check(ConnectionDone))).toEqual([ConnectionDone, ConnectionDone]);
  });
});
