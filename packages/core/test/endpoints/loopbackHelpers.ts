/** Helpers for the endpoint loopback tests: a running reactor, an echo server, a collector. */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IAddress } from "../../src/address.js";
import type { Failure } from "../../src/failure.js";
import type { IListeningPort } from "../../src/interfaces/protocol.js";
import { Factory } from "../../src/protocol/factory.js";
import { Protocol } from "../../src/protocol/protocol.js";
import type { Reactor } from "../../src/reactor/reactor.js";
import { runningReactor as runReactor } from "../reactor/helpers.js";

/** A fresh running reactor and a function that stops it and waits for the shutdown. */
export function runningReactor(): { reactor: Reactor; stop: () => Promise<void> } {
  const { reactor, done } = runReactor();
  return { reactor, stop: done };
}

/** Writes back whatever it receives. */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport?.write(data);
  }
}

/** A quiet factory (no "Starting factory" log lines) for `make`. */
export function quietFactory<P extends Protocol>(make: () => P): Factory<P> {
  const factory = new (class extends Factory<P> {
    override buildProtocol(): P {
      return make();
    }
  })();
  factory.noisy = false;
  return factory;
}

/** Collects the bytes it receives; `lost` resolves with the reason the connection ended. */
export class Collector extends Protocol {
  readonly chunks: Buffer[] = [];
  private resolveLost!: (reason: Failure) => void;
  readonly lost = new Promise<Failure>((resolve) => {
    this.resolveLost = resolve;
  });
  override dataReceived(data: Buffer): void {
    this.chunks.push(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.resolveLost(reason);
  }
  /** Everything received so far, as UTF-8. */
  get text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
  /** Resolves once `text` is at least `n` characters long. */
  async waitForText(n: number, timeoutMs = 5000): Promise<string> {
    const start = Date.now();
    while (this.text.length < n) {
      if (Date.now() - start > timeoutMs) throw new Error(`only got ${JSON.stringify(this.text)}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.text;
  }
}

/** The port number a listening port got. */
export function portNumber(port: IListeningPort): number {
  const host: IAddress = port.getHost();
  if (!("port" in host)) throw new Error(`not an IP port: ${String(host)}`);
  return host.port;
}

/** A temporary directory, and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "twisted-ts-endpoints-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A self-signed certificate for "localhost" and 127.0.0.1, made with `openssl` in `dir`
 * (`key.pem`, `cert.pem`, and `cas/cert.pem` as a trust-root directory). Without `openssl` it
 * returns undefined, unless CI=true, where a missing `openssl` is an error.
 */
export function selfSignedCertificate(
  dir: string,
): { keyPath: string; certPath: string; casDir: string; cert: string } | undefined {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  const casDir = join(dir, "cas");
  const made = spawnSync(
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
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { encoding: "utf8" },
  );
  if (made.error !== undefined) {
    if (process.env.CI === "true")
      throw new Error(`openssl is needed under CI: ${made.error.message}`);
    return undefined;
  }
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  mkdirSync(casDir);
  copyFileSync(certPath, join(casDir, "cert.pem"));
  return { keyPath, certPath, casDir, cert: readFileSync(certPath, "latin1") };
}
