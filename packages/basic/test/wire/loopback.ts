import {
  ClientFactory,
  DatagramProtocol,
  type Failure,
  type IProtocolFactory,
  type ITCPTransport,
  type IUDPPort,
  Protocol,
  Reactor,
  type UDPAddressTuple,
} from "@twisted-ts/core";
import { afterEach } from "vitest";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Run `fn` after the current test (newest first). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** A real reactor of the test's own, running, stopped (and waited for) after the test. */
export function testReactor(): Reactor {
  const reactor = new Reactor();
  const finished = reactor.run({ installSignalHandlers: false });
  onCleanup(async () => {
    if (reactor.running) reactor.stop();
    await finished;
  });
  return reactor;
}

/** Poll until `fn` returns something other than undefined (or time runs out). */
export async function waitFor<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A client that keeps what arrives and resolves `lost` when the connection ends. */
export class Collector extends Protocol {
  readonly chunks: Buffer[] = [];
  reason: Failure | undefined = undefined;
  made = false;
  readonly lost: Promise<Failure>;
  private resolveLost!: (reason: Failure) => void;

  constructor() {
    super();
    this.lost = new Promise((resolve) => {
      this.resolveLost = resolve;
    });
  }

  override connectionMade(): void {
    this.made = true;
  }

  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.reason = reason;
    this.resolveLost(reason);
  }

  /** Drop the connection at once (a TCP reset), as an impatient chargen client does. */
  abort(): void {
    (this.transport as ITCPTransport | undefined)?.abortConnection();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves once at least `n` bytes have arrived. */
  async waitForBytes(n: number): Promise<Buffer> {
    await waitFor(() => (this.bytes.length >= n ? true : undefined));
    return this.bytes;
  }
}

/** Listen with `server` on 127.0.0.1, port 0 (the reactor closes it when it stops). */
export function listenOn(reactor: Reactor, server: IProtocolFactory): number {
  const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
  return (port.getHost() as { port: number }).port;
}

/** Connect a `Collector` to 127.0.0.1:`port`, once its connection is made. */
export async function connectTo(reactor: Reactor, port: number): Promise<Collector> {
  const client = new Collector();
  const factory = new ClientFactory();
  factory.noisy = false;
  factory.buildProtocol = () => client;
  reactor.connectTCP("127.0.0.1", port, factory);
  await waitFor(() => (client.made ? true : undefined));
  return client;
}

/** Listen on 127.0.0.1, port 0, and connect a `Collector` to it. */
export function connectCollector(reactor: Reactor, server: IProtocolFactory): Promise<Collector> {
  return connectTo(reactor, listenOn(reactor, server));
}

/** A UDP port that records the datagrams it gets. */
export class DatagramRecorder extends DatagramProtocol {
  override noisy = false;
  readonly packets: [Buffer, UDPAddressTuple][] = [];

  override datagramReceived(data: Buffer, addr: UDPAddressTuple): void {
    this.packets.push([data, addr]);
  }
}

/**
 * Listen with `server` on 127.0.0.1, port 0, and open a recording client port beside it.
 * @returns a function that sends one datagram to the server, and the client's recorder.
 */
export function udpPair(
  reactor: Reactor,
  server: DatagramProtocol,
): { send: (data: string | Buffer) => void; client: DatagramRecorder; serverPort: IUDPPort } {
  server.noisy = false;
  const serverPort = reactor.listenUDP(0, server, { interface: "127.0.0.1" });
  const client = new DatagramRecorder();
  const clientPort = reactor.listenUDP(0, client, { interface: "127.0.0.1" });
  const target: UDPAddressTuple = ["127.0.0.1", serverPort.getHost().port];
  return { send: (data) => clientPort.write(data, target), client, serverPort };
}
