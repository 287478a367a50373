import { afterEach, describe, expect, it } from "vitest";
import { clientFromString } from "../../src/endpoints/clientFromString.js";
import { connectProtocol } from "../../src/endpoints/connectProtocol.js";
import { HostnameEndpoint } from "../../src/endpoints/hostname.js";
import { serverFromString } from "../../src/endpoints/serverFromString.js";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "../../src/endpoints/tcp.js";
import {
  CannotListenError,
  ConnectingCancelledError,
  ConnectionDone,
  ConnectionRefusedError,
} from "../../src/errors.js";
import type { IListeningPort } from "../../src/interfaces/protocol.js";
import type { ITCPTransport } from "../../src/interfaces/transport.js";
import type { Reactor } from "../../src/reactor/reactor.js";
import { Collector, Echo, portNumber, quietFactory, runningReactor } from "./loopbackHelpers.js";

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function setup(): Reactor {
  const { reactor, stop } = runningReactor();
  cleanups.push(stop);
  return reactor;
}

async function echoServer(reactor: Reactor, description: string): Promise<IListeningPort> {
  const port = await serverFromString(reactor, description).listen(quietFactory(() => new Echo()));
  cleanups.push(() => port.stopListening().asPromise());
  return port;
}

describe("TCP endpoints over loopback", () => {
  it("exchanges data between endpoints made from strings", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const endpoint = clientFromString(reactor, `tcp:127.0.0.1:${portNumber(port)}`);
    const client = await endpoint.connect(quietFactory(() => new Collector()));
    expect(client).toBeInstanceOf(Collector);
    client.transport?.write("hello, world!");
    expect(await client.waitForText(13)).toBe("hello, world!");
    client.transport?.loseConnection();
    expect((await client.lost).check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("exchanges data between endpoint objects, with connectProtocol", async () => {
    const reactor = setup();
    const port = await new TCP4ServerEndpoint(reactor, 0, 50, "127.0.0.1").listen(
      quietFactory(() => new Echo()),
    );
    cleanups.push(() => port.stopListening().asPromise());
    const collector = new Collector();
    const client = await connectProtocol(
      new TCP4ClientEndpoint(reactor, "127.0.0.1", portNumber(port)),
      collector,
    );
    expect(client).toBe(collector);
    expect(collector.connected).toBe(true);
    client.transport?.write("ping");
    expect(await collector.waitForText(4)).toBe("ping");
    client.transport?.loseConnection();
    await collector.lost;
  });

  it("listens and connects over IPv6 on ::1", async () => {
    const reactor = setup();
    const port = await new TCP6ServerEndpoint(reactor, 0, 50, "::1").listen(
      quietFactory(() => new Echo()),
    );
    cleanups.push(() => port.stopListening().asPromise());
    const client = await new TCP6ClientEndpoint(reactor, "::1", portNumber(port)).connect(
      quietFactory(() => new Collector()),
    );
    client.transport?.write("six");
    expect(await client.waitForText(3)).toBe("six");
    client.transport?.loseConnection();
    await client.lost;
  });

  it("tells a half-closeable client protocol that the server closed its write side", async () => {
    const reactor = setup();
    const serverGot = new Collector();
    class ByeServer extends Collector {
      override connectionMade(): void {
        this.transport?.write("bye");
        (this.transport as unknown as ITCPTransport).loseWriteConnection();
      }
      override dataReceived(data: Buffer): void {
        serverGot.dataReceived(data);
      }
    }
    const port = await new TCP4ServerEndpoint(reactor, 0, 50, "127.0.0.1").listen(
      quietFactory(() => new ByeServer()),
    );
    cleanups.push(() => port.stopListening().asPromise());
    const events: string[] = [];
    class HalfClosing extends Collector {
      readConnectionLost(): void {
        events.push(`readConnectionLost after ${JSON.stringify(this.text)}`);
        this.transport?.write("ack");
        this.transport?.loseConnection();
      }
    }
    const client = await new TCP4ClientEndpoint(reactor, "127.0.0.1", portNumber(port)).connect(
      quietFactory(() => new HalfClosing()),
    );
    expect(client).toBeInstanceOf(HalfClosing);
    await client.lost;
    expect(events).toEqual(['readConnectionLost after "bye"']);
    expect(await serverGot.waitForText(3)).toBe("ack");
  });

  it("fails with ConnectionRefusedError when nothing listens", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const number = portNumber(port);
    await port.stopListening().asPromise();
    const attempt = new TCP4ClientEndpoint(reactor, "127.0.0.1", number).connect(
      quietFactory(() => new Collector()),
    );
    await expect(attempt.asPromise()).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it("fails the listen Deferred with CannotListenError when the port is taken", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const again = serverFromString(reactor, `tcp:${portNumber(port)}:interface=127.0.0.1`);
    await expect(again.listen(quietFactory(() => new Echo())).asPromise()).rejects.toBeInstanceOf(
      CannotListenError,
    );
  });

  it("cancels an attempt that has not connected yet", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const attempt = new TCP4ClientEndpoint(reactor, "127.0.0.1", portNumber(port)).connect(
      quietFactory(() => new Collector()),
    );
    attempt.cancel();
    await expect(attempt.asPromise()).rejects.toBeInstanceOf(ConnectingCancelledError);
  });
});

describe("HostnameEndpoint over loopback", () => {
  it("connects to localhost", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const endpoint = new HostnameEndpoint(reactor, "localhost", portNumber(port));
    const client = await endpoint.connect(quietFactory(() => new Collector()));
    client.transport?.write("name");
    expect(await client.waitForText(4)).toBe("name");
    client.transport?.loseConnection();
    await client.lost;
  });

  it("falls back at once from an address that refuses to the next one", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const endpoint = new HostnameEndpoint(
      reactor,
      "localhost",
      portNumber(port),
      30,
      undefined,
      10,
    );
    endpoint.nameResolver = () => [
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
    ];
    const started = Date.now();
    const client = await endpoint.connect(quietFactory(() => new Collector()));
    // With a 10 s attempt delay, only the immediate fallback after ::1 refused explains this.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(client.transport?.getPeer()).toMatchObject({ host: "127.0.0.1" });
    client.transport?.loseConnection();
    await client.lost;
  });

  it("fails with the last refusal when no address answers", async () => {
    const reactor = setup();
    const port = await echoServer(reactor, "tcp:0:interface=127.0.0.1");
    const number = portNumber(port);
    await port.stopListening().asPromise();
    const endpoint = new HostnameEndpoint(reactor, "localhost", number);
    endpoint.nameResolver = () => [
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
    ];
    const failed = endpoint.connect(quietFactory(() => new Collector())).asPromise();
    await expect(failed).rejects.toBeInstanceOf(ConnectionRefusedError);
    await expect(failed).rejects.toThrow(/127\.0\.0\.1/);
  });
});
