/**
 * The servers the socket benchmarks run: ours (a `Reactor` and a `Protocol`), raw `node:net`,
 * and Twisted's echo in a Python child process. The Node servers run in the bench process; the
 * load comes from a client process, the same one for every server.
 * @packageDocumentation
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import {
  Factory,
  type IListeningPort,
  type IProtocol,
  type IPv4Address,
  Protocol,
  Reactor,
} from "@twisted-ts/core";
import { Unavailable } from "./custom.js";
import { benchFile, ownCpuSeconds, type Peer, startPeer } from "./processes.js";

/** A server under test, started once per benchmark and measured several times. */
export interface BenchServer {
  /** What it is, for the table. */
  name: string;
  /** Start listening on 127.0.0.1, a free port. @returns the port. */
  start(): Promise<number>;
  /** CPU time (user + system) its process has used so far, in seconds. */
  cpuSeconds(): number;
  /** Stop listening and wait until it has stopped. */
  stop(): Promise<void>;
}

/** Twisted's `wire.Echo`: every byte received is written back. */
export class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport!.write(data);
  }
}

/**
 * Our server: a `Reactor` of its own, running, with a factory of `protocol` listening on
 * 127.0.0.1. `backlog` is Node's default (511) unless given, so the listen queue is the raw
 * server's.
 */
export function oursServer(
  name: string,
  protocol: new () => IProtocol,
  backlog = 511,
): BenchServer {
  let reactor: Reactor | undefined;
  let running: Promise<void> | undefined;
  let port: IListeningPort | undefined;
  return {
    name,
    start: async () => {
      reactor = new Reactor();
      running = reactor.run({ installSignalHandlers: false });
      const factory = new Factory();
      factory.protocol = protocol;
      factory.noisy = false;
      port = reactor.listenTCP(0, factory, { interface: "127.0.0.1", backlog });
      return (port.getHost() as IPv4Address).port;
    },
    cpuSeconds: ownCpuSeconds,
    stop: async () => {
      await port?.stopListening();
      reactor?.stop();
      await running;
    },
  };
}

/** Swallows socket errors (a peer's reset): a raw server needs this as much as ours has it. */
const ignore = (): void => {};

/**
 * The raw echo: `socket.on("data", d => socket.write(d))`, plus an "error" listener. It does what
 * `Echo` does over our transport (write each chunk back, no flow control of its own) and was as
 * fast as `socket.pipe(socket)` in our runs, which adds pausing and resuming on top; see the
 * README.
 */
export function rawEchoConnection(socket: Socket): void {
  socket.on("error", ignore);
  socket.on("data", (data: Buffer) => socket.write(data));
}

/** A raw `node:net` server calling `onConnection` for each socket, on 127.0.0.1, backlog 511. */
export function rawServer(
  name: string,
  onConnection: (socket: Socket) => void,
): BenchServer & {
  readonly server: () => Server | undefined;
} {
  let server: Server | undefined;
  return {
    name,
    server: () => server,
    start: () =>
      new Promise<number>((resolve, reject) => {
        const s = createServer(onConnection);
        server = s;
        s.once("error", reject);
        s.listen({ port: 0, host: "127.0.0.1", backlog: 511 }, () => {
          const address = s.address();
          if (address === null || typeof address === "string") reject(new Error("no port"));
          else resolve(address.port);
        });
      }),
    cpuSeconds: ownCpuSeconds,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server === undefined) resolve();
        else server.close(() => resolve());
      }),
  };
}

/**
 * The Python that runs Twisted: Debian's (`/usr/bin/python3`, which has python3-twisted), not
 * whatever `python3` is first on PATH; `BENCH_TWISTED_PYTHON` names another.
 */
export const TWISTED_PYTHON = process.env["BENCH_TWISTED_PYTHON"] || "/usr/bin/python3";

/**
 * Twisted's echo (`twisted.protocols.wire.Echo`, `bench/servers/twisted_echo.py`) under Debian's
 * python3-twisted, in a child process.
 * @throws Unavailable from `start` when `TWISTED_PYTHON` cannot import twisted.
 */
export function twistedEchoServer(): BenchServer {
  let peer: Peer | undefined;
  const server: BenchServer = {
    name: "Twisted wire.Echo",
    start: async () => {
      let version: string;
      try {
        version = execFileSync(
          TWISTED_PYTHON,
          ["-c", "import twisted; print(twisted.__version__)"],
          { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
        ).trim();
      } catch {
        throw new Unavailable(
          `${TWISTED_PYTHON} cannot import twisted (on Debian: apt-get install python3-twisted)`,
        );
      }
      server.name = `Twisted ${version} wire.Echo`;
      peer = await startPeer(TWISTED_PYTHON, [benchFile("servers/twisted_echo.py")]);
      const port = Number(peer.firstLine);
      if (!Number.isInteger(port)) throw new Error(`twisted_echo.py printed "${peer.firstLine}"`);
      return port;
    },
    cpuSeconds: () => peer?.cpuSeconds() ?? Number.NaN,
    stop: async () => {
      await peer?.stop();
    },
  };
  return server;
}
