import { spawn } from "node:child_process";
import { connect as netConnect, createServer as netCreateServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { IPv4Address } from "../../src/address.js";
import { Deferred } from "../../src/defer/deferred.js";
import {
  CannotListenError,
  ConnectingCancelledError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  TimeoutError,
} from "../../src/errors.js";
import type { IPushProducer } from "../../src/interfaces/transport.js";
import { Protocol } from "../../src/protocol/protocol.js";
import type { Connection } from "../../src/reactor/connection.js";
import {
  Collector,
  Echo,
  onCleanup,
  portOf,
  RecordingClientFactory,
  runningReactor,
  serverFactory,
  testReactor,
  waitFor,
} from "./helpers.js";

const setup = testReactor;

describe("TCP over loopback", () => {
  it("echoes data between a server and a client, with addresses on both ends", async () => {
    const reactor = setup();
    const server = serverFactory(() => new Echo());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    const host = port.getHost() as IPv4Address;
    expect(host).toBeInstanceOf(IPv4Address);
    expect(host.port).toBeGreaterThan(0);
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", host.port, client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    proto.transport?.write("hello, ");
    proto.transport?.write(Buffer.from("world"));
    await proto.waitForBytes(12);
    expect(proto.text).toBe("hello, world");
    const peer = proto.transport?.getPeer() as IPv4Address;
    expect(peer.host).toBe("127.0.0.1");
    expect(peer.port).toBe(host.port);
    expect(client.events).toEqual(["startFactory", "startedConnecting"]);
    proto.transport?.loseConnection();
    const reason = await client.lostConnection;
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
    expect(client.events).toEqual([
      "startFactory",
      "startedConnecting",
      "clientConnectionLost",
      "stopFactory",
    ]);
  });

  it("refuses to write anything but bytes or a string", async () => {
    const reactor = setup();
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new Echo()),
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    expect(() => proto.transport?.write(42 as unknown as string)).toThrow(TypeError);
    proto.transport?.loseConnection();
  });

  it("reports the real port for port 0 and fails with CannotListenError on a port in use", () => {
    const reactor = setup();
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new Echo()),
      { interface: "127.0.0.1" },
    );
    expect(() =>
      reactor.listenTCP(
        portOf(port),
        serverFactory(() => new Echo()),
        { interface: "127.0.0.1" },
      ),
    ).toThrow(CannotListenError);
  });

  it("fires stopListening's Deferred once closed and stops the factory after the last port", async () => {
    const reactor = setup();
    const events: string[] = [];
    const factory = serverFactory(() => new Echo());
    factory.startFactory = () => events.push("start");
    factory.stopFactory = () => events.push("stop");
    const a = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    const b = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    await a.stopListening();
    expect(events).toEqual(["start"]);
    await b.stopListening();
    expect(events).toEqual(["start", "stop"]);
    const refused = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(a), refused);
    expect((await refused.failed).check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });

  it("tells the client factory about a refused connection", async () => {
    const reactor = setup();
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new Echo()),
      { interface: "127.0.0.1" },
    );
    const number = portOf(port);
    await port.stopListening();
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", number, client);
    const reason = await client.failed;
    expect(reason.check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
    expect(client.events).toEqual([
      "startFactory",
      "startedConnecting",
      "clientConnectionFailed",
      "stopFactory",
    ]);
  });

  it("fails a connection attempt that outlasts its timeout with TimeoutError", async () => {
    const reactor = setup();
    // A listener that never accepts, with its queue filled: further SYNs go unanswered.
    const py = spawn("/usr/bin/python3", [
      "-c",
      "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)",
    ]);
    onCleanup(async () => {
      py.kill();
    });
    const port = Number(
      await new Promise<string>((resolve) => py.stdout.once("data", (d) => resolve(String(d)))),
    );
    const fillers: Socket[] = [];
    for (let i = 0; i < 4; i++)
      fillers.push(netConnect({ host: "127.0.0.1", port }).on("error", () => {}));
    onCleanup(async () => {
      for (const s of fillers) s.destroy();
    });
    await new Promise((r) => setTimeout(r, 100));
    const client = new RecordingClientFactory(() => new Collector());
    const started = Date.now();
    reactor.connectTCP("127.0.0.1", port, client, { timeout: 0.3 });
    const reason = await client.failed;
    expect(reason.check(TimeoutError)).toBe(TimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("closes a connection whose buildProtocol returns null", async () => {
    const reactor = setup();
    const factory = serverFactory(() => new Echo());
    factory.buildProtocol = () => null;
    const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    const closed = new Deferred<boolean>();
    const raw = netConnect({ host: "127.0.0.1", port: portOf(port) });
    raw.on("close", () => closed.callback(true));
    raw.on("error", () => {});
    expect(await closed).toBe(true);
  });

  it("reports ConnectionLost when the peer resets the connection mid-write", async () => {
    const reactor = setup();
    const raw = netCreateServer((socket) => {
      socket.once("data", () => socket.resetAndDestroy());
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    onCleanup(() => new Promise((r) => raw.close(() => r())));
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", (raw.address() as { port: number }).port, client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    const chunk = Buffer.alloc(64 * 1024, 1);
    const writer = setInterval(() => proto.transport?.write(chunk), 1);
    const reason = await proto.lost;
    clearInterval(writer);
    expect(reason.check(ConnectionLost)).toBe(ConnectionLost);
    expect(reason.check(ConnectionDone)).toBeNull();
  });

  it("aborts at once, dropping pending data, with ConnectionAborted", async () => {
    const reactor = setup();
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new Collector()),
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    proto.transport?.write(Buffer.alloc(1024 * 1024));
    (proto.transport as Connection).abortConnection();
    const reason = await proto.lost;
    expect(reason.check(ConnectionAborted)).toBe(ConnectionAborted);
  });

  it("supports half-close for IHalfCloseableProtocol", async () => {
    const reactor = setup();
    class HalfClose extends Collector {
      readLost = false;
      readConnectionLost(): void {
        this.readLost = true;
        this.transport?.write("bye after your FIN");
        this.transport?.loseConnection();
      }
      writeConnectionLost(): void {}
    }
    const server = serverFactory(() => new HalfClose());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    class ClientHalf extends Collector {
      writeLost = new Deferred<boolean>();
      readConnectionLost(): void {
        this.transport?.loseConnection();
      }
      writeConnectionLost(): void {
        this.writeLost.callback(true);
      }
    }
    const client = new RecordingClientFactory(() => new ClientHalf());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    proto.transport?.write("request");
    (proto.transport as Connection).loseWriteConnection();
    expect(await proto.writeLost).toBe(true);
    await proto.lost;
    expect(proto.text).toBe("bye after your FIN");
    expect(server.built[0]?.readLost).toBe(true);
    expect(server.built[0]?.text).toBe("request");
  });

  it("pauses a streaming producer for a slow reader, keeping memory bounded, and delivers everything", async () => {
    const reactor = setup();
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let pauses = 0;
    let maxAhead = 0;
    class Sender extends Protocol implements IPushProducer {
      sent = 0;
      paused = false;
      override connectionMade(): void {
        (this.transport as Connection).registerProducer(this, true);
        this.produce();
      }
      produce(): void {
        while (!this.paused && this.sent < total) {
          this.transport?.write(chunk);
          this.sent += chunk.length;
        }
        if (this.sent >= total) {
          this.transport?.unregisterProducer();
          this.transport?.loseConnection();
        }
      }
      pauseProducing(): void {
        pauses++;
        this.paused = true;
      }
      resumeProducing(): void {
        this.paused = false;
        setImmediate(() => this.produce());
      }
      stopProducing(): void {
        this.paused = true;
      }
    }
    const senders: Sender[] = [];
    const port = reactor.listenTCP(
      0,
      serverFactory(() => {
        const s = new Sender();
        senders.push(s);
        return s;
      }),
      { interface: "127.0.0.1" },
    );
    class SlowReader extends Protocol {
      received = 0;
      readonly lost = new Deferred<void>();
      override connectionMade(): void {
        const t = this.transport as Connection;
        // Read in bursts: paused most of the time.
        const tick = setInterval(() => {
          t.resumeProducing();
          setTimeout(() => t.pauseProducing(), 1);
        }, 5);
        this.lost.addCallback(() => clearInterval(tick));
        t.pauseProducing();
      }
      override dataReceived(data: Buffer): void {
        this.received += data.length;
        const ahead = (senders[0]?.sent ?? 0) - this.received;
        if (ahead > maxAhead) maxAhead = ahead;
      }
      override connectionLost(): void {
        this.lost.callback(undefined);
      }
    }
    const client = new RecordingClientFactory(() => new SlowReader());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const reader = await waitFor(() => client.built[0]);
    await reader.lost;
    expect(reader.received).toBe(total);
    expect(pauses).toBeGreaterThan(0);
    // Kernel buffers plus one high-water mark of user-space buffer: far below the 64 MiB sent.
    expect(maxAhead).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);

  it("serves 1,000 concurrent connections", async () => {
    const reactor = setup();
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new Echo()),
      { interface: "127.0.0.1", backlog: 1024 },
    );
    const n = 1000;
    const client = new RecordingClientFactory(() => new Collector());
    for (let i = 0; i < n; i++) reactor.connectTCP("127.0.0.1", portOf(port), client);
    await waitFor(() => (client.built.length === n ? client.built : undefined), 20_000);
    await Promise.all(client.built.map((p) => p.made));
    client.built.forEach((p, i) => {
      p.transport?.write(`#${i};`);
    });
    await Promise.all(client.built.map((p, i) => p.waitForBytes(`#${i};`.length, 20_000)));
    expect(client.built.every((p, i) => p.text === `#${i};`)).toBe(true);
    for (const p of client.built) p.transport?.loseConnection();
    await Promise.all(client.built.map((p) => p.lost));
  }, 60_000);

  it("closes open connections at shutdown, telling protocols ConnectionLost, and settles run()", async () => {
    const { reactor, done } = runningReactor();
    const server = serverFactory(() => new Collector());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    await waitFor(() => server.built[0]);
    await done();
    expect(proto.reason?.check(ConnectionLost)).toBe(ConnectionLost);
    expect(server.built[0]?.reason?.check(ConnectionLost)).toBe(ConnectionLost);
    expect(reactor.running).toBe(false);
  });

  it("fails a connection attempt started after shutdown, without opening a socket", async () => {
    const { reactor, done } = runningReactor();
    const server = serverFactory(() => new Collector());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    const target = portOf(port);
    await done();
    // A reconnecting factory may call connect() from clientConnectionLost during shutdown.
    const late = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", target, late);
    const reason = await late.failed.promise;
    expect(reason.check(ConnectingCancelledError)).toBe(ConnectingCancelledError);
    expect(late.built).toEqual([]);
    expect(late.events).toEqual([
      "startFactory",
      "startedConnecting",
      "clientConnectionFailed",
      "stopFactory",
    ]);
  });

  it("logs a protocol that throws in dataReceived, drops only that connection, and keeps serving", async () => {
    const reactor = setup();
    class Thrower extends Collector {
      override dataReceived(data: Buffer): void {
        if (data.includes("boom")) throw new Error("protocol bug");
        this.transport?.write(data);
      }
    }
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new Thrower()),
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const [bad, good] = await waitFor(() => (client.built.length === 2 ? client.built : undefined));
    await bad?.made;
    await good?.made;
    bad?.transport?.write("boom");
    await bad?.lost;
    good?.transport?.write("still here");
    await good?.waitForBytes(10);
    expect(good?.text).toBe("still here");
    expect(good?.connected).toBe(true);
  });
});

describe("producers over loopback", () => {
  it("asks a pull producer for the next chunk each time the last one has been flushed", async () => {
    const reactor = setup();
    const chunks = 200;
    class PullSender extends Protocol {
      sent = 0;
      override connectionMade(): void {
        (this.transport as Connection).registerProducer(this, false);
      }
      resumeProducing(): void {
        if (this.sent === chunks) {
          this.transport?.unregisterProducer();
          this.transport?.loseConnection();
          return;
        }
        this.sent++;
        this.transport?.write(Buffer.alloc(100, this.sent % 256));
      }
      stopProducing(): void {}
    }
    const port = reactor.listenTCP(
      0,
      serverFactory(() => new PullSender()),
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.lost;
    expect(Buffer.concat(proto.chunks).length).toBe(chunks * 100);
  });

  it("stops a registered producer and closes when a peer that cannot half-close sends FIN", async () => {
    const reactor = setup();
    let stopped = false;
    class Streamer extends Collector {
      override connectionMade(): void {
        super.connectionMade();
        (this.transport as Connection).registerProducer(
          {
            pauseProducing: () => {},
            resumeProducing: () => {},
            stopProducing: () => {
              stopped = true;
            },
          },
          true,
        );
      }
    }
    const server = serverFactory(() => new Streamer());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    const raw = netConnect({ host: "127.0.0.1", port: portOf(port) });
    raw.on("error", () => {});
    await new Promise<void>((resolve) => raw.once("connect", () => resolve()));
    raw.end();
    const reason = await (await waitFor(() => server.built[0])).lost;
    expect(stopped).toBe(true);
    expect(reason.check(ConnectionDone)).toBe(ConnectionDone);
  });
});

describe("stopListening with open connections", () => {
  it("fires once the listening socket is closed, leaving open connections be", async () => {
    const reactor = setup();
    const server = serverFactory(() => new Echo());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    await port.stopListening();
    proto.transport?.write("still echoing");
    await proto.waitForBytes(13);
    expect(proto.text).toBe("still echoing");
    const refused = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", portOf(port), refused);
    expect((await refused.failed).check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });
});
