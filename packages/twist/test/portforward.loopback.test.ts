import { connect, type Socket } from "node:net";
import { type IListeningPort, Protocol, type Reactor, ServerFactory } from "@twisted-ts/core";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import {
  ProxyClient,
  ProxyClientFactory,
  ProxyFactory,
  ProxyServer,
} from "../src/portforward/proxy.js";
import { ask, echoServer, logLine, startTwist } from "./cli.js";

const runningReactor = testReactor;

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport?.write(data);
  }
}

/** A ProxyFactory whose client sides count how often their transport was paused. */
function countingProxy(host: string, port: number, reactor: Reactor) {
  const pauses = { destination: 0 };
  class CountingClient extends ProxyClient {
    override connectionMade(): void {
      const transport = this.transport as unknown as { pauseProducing(): void };
      const pause = transport.pauseProducing.bind(transport);
      transport.pauseProducing = () => {
        pauses.destination++;
        pause();
      };
      super.connectionMade();
    }
  }
  class CountingClientFactory extends ProxyClientFactory {
    override protocol = CountingClient;
  }
  class CountingServer extends ProxyServer {
    override clientProtocolFactory = () => new CountingClientFactory();
  }
  class CountingProxyFactory extends ProxyFactory {
    override protocol = CountingServer;
  }
  return { factory: new CountingProxyFactory(host, port, reactor), pauses };
}

function portOf(port: IListeningPort): number {
  return (port.getHost() as { port: number }).port;
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("portforward over real sockets", () => {
  it("forwards a large transfer both ways, pausing the destination while the client does not read", async () => {
    const reactor = runningReactor();
    const echo = reactor.listenTCP(0, ServerFactory.forProtocol(Echo), { interface: "127.0.0.1" });
    const { factory, pauses } = countingProxy("127.0.0.1", portOf(echo), reactor);
    const proxy = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await proxy.stopListening();
      await echo.stopListening();
    });

    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 13)) & 0xff;
    const client = await connectTo(portOf(proxy));
    client.pause();
    client.write(payload);
    // Give the echo time to fill every buffer on the way back to a client that is not reading.
    const deadline = Date.now() + 5000;
    while (pauses.destination === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(pauses.destination).toBeGreaterThan(0);

    const received: Buffer[] = [];
    let total = 0;
    const done = new Promise<void>((resolve) => {
      client.on("data", (chunk: Buffer) => {
        received.push(chunk);
        total += chunk.length;
        if (total >= payload.length) resolve();
      });
    });
    client.resume();
    await done;
    client.destroy();
    expect(Buffer.concat(received).equals(payload)).toBe(true);
  });

  it("closes the client's connection when the destination refuses", async () => {
    const reactor = runningReactor();
    const closed = reactor.listenTCP(0, ServerFactory.forProtocol(Echo), {
      interface: "127.0.0.1",
    });
    const deadPort = portOf(closed);
    await closed.stopListening();
    const proxy = reactor.listenTCP(0, new ProxyFactory("127.0.0.1", deadPort, reactor), {
      interface: "127.0.0.1",
    });
    onCleanup(async () => {
      await proxy.stopListening();
    });
    expect(await ask(portOf(proxy), "anyone there?")).toBe("");
  });
});

describe("twist portforward", () => {
  it("forwards to an echo server", async () => {
    const destination = await echoServer();
    const twist = startTwist([
      "portforward",
      "--port",
      "tcp:0:interface=127.0.0.1",
      "--dest_host",
      "127.0.0.1",
      "--dest_port",
      String(destination),
    ]);
    const [, port] = await twist.waitFor(/ProxyFactory starting on (\d+)/);
    expect(await ask(Number(port), "hello, world!\n")).toBe("hello, world!\n");
    const big = "x".repeat(1_000_000);
    expect(await ask(Number(port), big)).toBe(big);
    twist.child.kill("SIGTERM");
    expect((await twist.exited).code).toBe(0);
    expect(twist.stdout()).toMatch(
      logLine("twisted-ts.internet.tcp", "info", `(TCP Port ${port} Closed)`),
    );
  });
});
