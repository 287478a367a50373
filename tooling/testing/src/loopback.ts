/**
 * Loopback-test fixtures: a running reactor per test, after-test cleanups, and a line-reading
 * client made with plain `node:net` (an independent peer, not our own transport).
 * Import from `@twisted-ts/testing-helpers/loopback`.
 */
import { connect as netConnect, type Socket } from "node:net";
import { Reactor } from "@twisted-ts/core";
import { afterEach } from "vitest";

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
  const reactor = new Reactor();
  const finished = reactor.run({ installSignalHandlers: false });
  onCleanup(async () => {
    if (reactor.running) reactor.stop();
    await finished;
  });
  return reactor;
}

/** Poll `ready` on real time until it is true. */
export async function until(
  ready: () => boolean,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A plain Node socket reading lines, as an independent client would. */
export class LineClient {
  /** The lines received so far, without their endings. */
  readonly lines: string[] = [];
  private partial = "";
  private ended = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      const parts = (this.partial + text).split(/\r?\n/);
      this.partial = parts.pop() ?? "";
      this.lines.push(...parts);
    });
    socket.on("close", () => {
      this.ended = true;
    });
  }

  /** Connect to 127.0.0.1:`port`; the socket is destroyed after the test. */
  static async connect(port: number): Promise<LineClient> {
    const socket = netConnect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new LineClient(socket);
    onCleanup(() => {
      socket.destroy();
    });
    return client;
  }

  /** Send `text` as it is. */
  send(text: string): void {
    this.socket.write(text);
  }

  /** Resolve once `n` lines have arrived. */
  async waitForLines(n: number, timeoutMs = 5000): Promise<string[]> {
    await until(
      () => this.lines.length >= n,
      timeoutMs,
      () => `${this.lines.length}/${n} lines`,
    );
    return this.lines.slice(0, n);
  }

  /** Resolve once the server has closed the connection. */
  async waitForEnd(timeoutMs = 5000): Promise<void> {
    await until(
      () => this.ended,
      timeoutMs,
      () => "the connection to end",
    );
  }
}

/** A TCP connection to 127.0.0.1:`port`, once it is established. */
export async function connectLoopback(port: number): Promise<Socket> {
  const socket = netConnect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/**
 * An IRC user written on a raw socket, answering PING: an independent client for tests to talk
 * to bots and servers with.
 */
export class RawIRCUser {
  /** Every line received, without its line ending. */
  readonly lines: string[] = [];
  private partial = "";

  /** @param socket - a connected socket (see {@link connectLoopback}). */
  constructor(protected readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      const parts = (this.partial + text).split("\r\n");
      this.partial = parts.pop() ?? "";
      for (const line of parts) {
        this.lines.push(line);
        if (line.startsWith("PING ")) this.send(`PONG ${line.slice(5)}`);
      }
    });
    socket.on("error", () => {});
  }

  /** Connect to 127.0.0.1:`port` and register as `nick`; resolves after 001. */
  static async signOn(port: number, nick: string): Promise<RawIRCUser> {
    return new RawIRCUser(await connectLoopback(port)).register(nick);
  }

  /** Send NICK and USER, and wait for 001. */
  async register(nick: string): Promise<this> {
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick}`);
    await this.waitFor(/^:\S+ 001 /);
    return this;
  }

  /** Send one line (CRLF added). */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Wait for a received line matching `pattern`; returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    let found: string | undefined;
    await until(
      () => {
        found = this.lines.find((line) => pattern.test(line));
        return found !== undefined;
      },
      timeoutMs,
      () => `a line matching ${pattern}; got:\n${this.lines.join("\n")}`,
    );
    return found as string;
  }

  /** Send QUIT and close the socket. */
  close(): void {
    if (!this.socket.destroyed) this.socket.end("QUIT :bye\r\n");
    this.socket.destroySoon();
  }
}
