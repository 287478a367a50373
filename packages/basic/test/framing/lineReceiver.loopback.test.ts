import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ClientCreator,
  Deferred,
  Factory,
  type Failure,
  type IListeningPort,
  type IPv4Address,
  Protocol,
  type Reactor,
} from "@twisted-ts/core";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { FileSender, LineReceiver } from "../../src/framing/index.js";

const runningReactor = testReactor;

function listen(reactor: Reactor, factory: Factory): number {
  const port: IListeningPort = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  onCleanup(async () => {
    await port.stopListening();
  });
  return (port.getHost() as IPv4Address).port;
}

/** Answers each line in upper case; "quit" closes the connection. */
class Shout extends LineReceiver {
  override lineReceived(line: Buffer): void {
    if (line.toString() === "quit") {
      this.transport?.loseConnection();
      return;
    }
    this.sendLine(line.toString("utf8").toUpperCase());
  }
}

/** Collects lines until `expected` have arrived, and notices the end of the connection. */
class Collector extends LineReceiver {
  lines: string[] = [];
  expected = Number.POSITIVE_INFINITY;
  readonly got = new Deferred<string[]>();
  readonly lost = new Deferred<void>();
  override lineReceived(line: Buffer): void {
    this.lines.push(line.toString("utf8"));
    if (this.lines.length === this.expected) this.got.callback(this.lines);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost.callback(undefined);
  }
}

describe("LineReceiver over TCP on 127.0.0.1", () => {
  it("echoes lines sent in one write and one at a time, then closes on quit", async () => {
    const reactor = runningReactor();
    const port = listen(reactor, Factory.forProtocol(Shout));
    const client = await new ClientCreator(reactor, Collector).connectTCP("127.0.0.1", port);
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"ä".repeat(i % 100)}`);
    client.expected = lines.length + 1;
    client.transport!.write(`${lines.join("\r\n")}\r\n`);
    client.sendLine("and one more");
    const got = await client.got;
    expect(got).toEqual([...lines.map((l) => l.toUpperCase()), "AND ONE MORE"]);
    client.sendLine("quit");
    await client.lost;
    expect(client.connected).toBe(false);
  });

  it("pauses the socket from lineReceived and drains the buffered lines on resume", async () => {
    const reactor = runningReactor();
    const seen: string[] = [];
    let pauses = 0;
    const done = new Deferred<void>();
    class Slow extends LineReceiver {
      override lineReceived(line: Buffer): void {
        seen.push(line.toString());
        if (seen.length % 100 === 0) {
          pauses++;
          this.pauseProducing();
          reactor.callLater(0, () => this.resumeProducing());
        }
        if (line.toString() === "end") done.callback(undefined);
      }
    }
    const port = listen(reactor, Factory.forProtocol(Slow));
    const client = await new ClientCreator(reactor, Protocol).connectTCP("127.0.0.1", port);
    const lines = Array.from({ length: 5000 }, (_, i) => `${i}`);
    client.transport!.write(`${[...lines, "end"].join("\r\n")}\r\n`);
    await done;
    expect(seen).toEqual([...lines, "end"]);
    expect(pauses).toBe(50);
    client.transport!.loseConnection();
  });

  it("sends a file with FileSender as a pull producer", async () => {
    const reactor = runningReactor();
    const dir = await mkdtemp(join(tmpdir(), "filesender-tcp-"));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const path = join(dir, "file.bin");
    await writeFile(path, content);
    class Serve extends Protocol {
      override connectionMade(): void {
        new FileSender()
          .beginFileTransfer(path, this.transport!)
          .addCallback(() => this.transport?.loseConnection());
      }
    }
    class Receive extends Protocol {
      chunks: Buffer[] = [];
      readonly lost = new Deferred<void>();
      override dataReceived(data: Buffer): void {
        this.chunks.push(data);
      }
      override connectionLost(reason: Failure): void {
        super.connectionLost(reason);
        this.lost.callback(undefined);
      }
    }
    const port = listen(reactor, Factory.forProtocol(Serve));
    const client = await new ClientCreator(reactor, Receive).connectTCP("127.0.0.1", port);
    await client.lost;
    const received = Buffer.concat(client.chunks);
    expect(received.length).toBe(content.length);
    expect(received.equals(content)).toBe(true);
  });
});
