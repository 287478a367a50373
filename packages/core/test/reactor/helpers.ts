import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { Failure } from "../../src/failure.js";
import type { IConnector } from "../../src/interfaces/protocol.js";
import { ClientFactory, Factory } from "../../src/protocol/factory.js";
import { Protocol } from "../../src/protocol/protocol.js";
import { Reactor } from "../../src/reactor/reactor.js";

const cleanups: (() => Promise<void> | void)[] = [];

/** Run `fn` after the current test (cleanups run newest first). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A running reactor of the test's own, stopped (and waited for) after the test. */
export function testReactor(): Reactor {
  const { reactor, done } = runningReactor();
  onCleanup(done);
  return reactor;
}

/** A reactor of its own for one test, running, with a `done()` that stops it. */
export function runningReactor(): { reactor: Reactor; done: () => Promise<void> } {
  const reactor = new Reactor();
  const finished = reactor.run({ installSignalHandlers: false });
  return {
    reactor,
    done: async () => {
      if (reactor.running) reactor.stop();
      await finished;
    },
  };
}

/** Echoes everything back. */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport?.write(data);
  }
}

/** A Promise with its resolver, for values (like Failures) a Deferred would treat specially. */
export class Later<T> {
  resolve!: (value: T) => void;
  readonly promise = new Promise<T>((resolve) => {
    this.resolve = resolve;
  });
  // biome-ignore lint/suspicious/noThenProperty: awaitable on purpose.
  then<R>(onfulfilled: (value: T) => R | PromiseLike<R>): Promise<R> {
    return this.promise.then(onfulfilled);
  }
}

/** Collects what arrives and how the connection ended. */
export class Collector extends Protocol {
  readonly chunks: Buffer[] = [];
  reason: Failure | undefined;
  readonly made = new Later<Collector>();
  readonly lost = new Later<Failure>();

  override connectionMade(): void {
    this.made.resolve(this);
  }
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.reason = reason;
    this.lost.resolve(reason);
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
  /** Resolves once at least `n` bytes have arrived. */
  async waitForBytes(n: number, timeoutMs = 5000): Promise<void> {
    const start = Date.now();
    while (Buffer.concat(this.chunks).length < n) {
      if (Date.now() - start > timeoutMs)
        throw new Error(`only ${Buffer.concat(this.chunks).length} of ${n} bytes arrived`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** A client factory that records what the connector tells it. */
export class RecordingClientFactory<P extends Protocol> extends ClientFactory<P> {
  readonly events: string[] = [];
  readonly failed = new Later<Failure>();
  readonly lostConnection = new Later<Failure>();
  readonly built: P[] = [];
  override noisy = false;

  constructor(make: () => P) {
    super();
    this.buildProtocol = () => {
      const p = make();
      (p as { factory: unknown }).factory = this;
      this.built.push(p);
      return p;
    };
  }
  override startFactory(): void {
    this.events.push("startFactory");
  }
  override stopFactory(): void {
    this.events.push("stopFactory");
  }
  override startedConnecting(_c: IConnector): void {
    this.events.push("startedConnecting");
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.events.push("clientConnectionFailed");
    this.failed.resolve(reason);
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.events.push("clientConnectionLost");
    this.lostConnection.resolve(reason);
  }
}

/** A server factory building `make()` per connection, quietly. */
export function serverFactory<P extends Protocol>(make: () => P): Factory<P> & { built: P[] } {
  const built: P[] = [];
  const f = new Factory<P>() as Factory<P> & { built: P[] };
  f.noisy = false;
  f.built = built;
  f.buildProtocol = () => {
    const p = make();
    (p as { factory: unknown }).factory = f;
    built.push(p);
    return p;
  };
  return f;
}

/** A self-signed certificate for localhost, made with openssl in a temp dir. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "twisted-ts-tls-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

/** The port a listening port got. */
export function portOf(listening: { getHost(): unknown }): number {
  return (listening.getHost() as { port: number }).port;
}

/** Poll until `get()` returns something, on real time. */
export async function waitFor<T>(get: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 2));
  }
}
