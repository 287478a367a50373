/**
 * `Reactor`: the full reactor (time, TCP, TLS, Unix sockets) and the global `reactor`.
 * @packageDocumentation
 */
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import {
  isIP,
  connect as netConnect,
  createServer as netCreateServer,
  type Server,
  Socket,
} from "node:net";
import { connect as tlsConnect, createServer as tlsCreateServer } from "node:tls";
import { ipAddress, UNIXAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import { CannotListenError } from "../errors.js";
import type {
  IProcessProtocol,
  IProcessTransport,
  SpawnProcessOptions,
} from "../interfaces/process.js";
import type {
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
} from "../interfaces/protocol.js";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IReactor,
  ListenTCPOptions,
  ListenUNIXOptions,
  TLSOptions,
} from "../interfaces/reactor.js";
import type { ThreadFunction } from "../interfaces/threads.js";
import type {
  IDatagramProtocol,
  IUDPPort,
  ListenMulticastOptions,
  ListenUDPOptions,
} from "../interfaces/udp.js";
import { setDefaultClock } from "../task/defaultClock.js";
import { ReactorBase } from "./base.js";
import { Connector, type Dialer } from "./connector.js";
import { Port } from "./port.js";
import { Process } from "./process.js";
import {
  blockingCallFromThread,
  deferToThreadPool,
  reactorThreadPool,
  suggestReactorThreadPoolSize,
} from "./threads/deferToThread.js";
import type { ThreadPool } from "./threads/pool.js";
import { UDPPort } from "./udp.js";

/**
 * The reactor: Twisted's reactor contract on Node's event loop, with TCP, TLS and Unix stream
 * sockets. Use the global `reactor` in programs; take an `IReactorTCP` (or narrower) parameter in
 * library code so tests can pass `MemoryReactor`.
 */
export class Reactor extends ReactorBase implements IReactor {
  /**
   * Listen on a TCP port. Binding happens now, so a port in use fails here.
   * @param port - the port; 0 picks a free one (`getHost().port` tells which).
   * @param factory - builds a protocol per connection.
   * @param options - `backlog` (50) and `interface` ("" for all IPv4 interfaces).
   * @throws CannotListenError when the address is in use or unavailable.
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions = {},
  ): IListeningPort {
    return this.listenOn(netCreateServer({ allowHalfOpen: true }), port, factory, options);
  }

  /**
   * Connect to a TCP server; the factory hears how it goes.
   * @param host - a host name or address.
   * @param port - the port.
   * @param factory - the client factory.
   * @param options - `timeout` (30 seconds) and `bindAddress`.
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions = {},
  ): IConnector {
    return this.connectTo(host, port, factory, options, () => ({
      socket: netConnect({ host, port, allowHalfOpen: true, ...bindOptions(options) }),
      ready: "connect",
    }));
  }

  /**
   * Listen for TLS connections on a TCP port.
   * @param port - the port.
   * @param factory - builds a protocol per connection (once the handshake is done).
   * @param tlsOptions - the server's `key` and `cert`, and Node's other TLS options.
   * @param options - `backlog` and `interface`.
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tlsOptions: TLSOptions,
    options: ListenTCPOptions = {},
  ): IListeningPort {
    return this.listenOn(tlsCreateServer({ ...tlsOptions }), port, factory, options);
  }

  /**
   * Connect over TLS. The protocol is connected once the handshake is done; a certificate that
   * does not verify fails the attempt.
   * @param host - the host.
   * @param port - the port.
   * @param factory - the client factory.
   * @param tlsOptions - Node's TLS client options (`ca`, `servername`, `rejectUnauthorized`, …).
   * @param options - `timeout` and `bindAddress`.
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tlsOptions: TLSOptions,
    options: ConnectTCPOptions = {},
  ): IConnector {
    return this.connectTo(host, port, factory, options, () => ({
      socket: tlsConnect({
        // SNI carries host names only: an IP address is not sent.
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...tlsOptions,
        host,
        port,
        ...bindOptions(options),
      }),
      ready: "secureConnect",
    }));
  }

  /**
   * Listen on a Unix socket.
   * @param path - the socket's path.
   * @param factory - builds protocols.
   * @param options - `backlog` (50), `mode` (0o666), `wantPID` (a `<path>.lock` file holding our
   *   PID; a stale socket whose lock names a dead process is removed first).
   * @throws CannotListenError when the path is in use.
   */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options: ListenUNIXOptions = {},
  ): IListeningPort {
    if (options.wantPID) takeLock(path);
    const server = netCreateServer({ allowHalfOpen: true });
    const p = new Port(
      server,
      { kind: "unix", path, backlog: options.backlog ?? 50 },
      factory,
      this.resources,
    );
    p.startListening();
    chmodSync(path, options.mode ?? 0o666);
    if (options.wantPID) {
      const lock = `${path}.lock`;
      const stop = p.stopListening.bind(p);
      p.stopListening = () =>
        stop().addBoth((result) => {
          rmSync(lock, { force: true });
          return result;
        });
    }
    return p;
  }

  /**
   * Connect to a Unix socket.
   * @param path - the socket's path.
   * @param factory - the client factory.
   * @param options - `timeout` (30) and `checkPID` (refuse when `<path>.lock` names a dead PID).
   */
  connectUNIX(path: string, factory: IClientFactory, options: ConnectUNIXOptions = {}): IConnector {
    const dialer: Dialer = {
      destination: new UNIXAddress(path),
      dial: () => {
        if (options.checkPID && !lockIsLive(path)) {
          const socket = new Socket();
          const refused = Object.assign(new Error(`no live process holds ${path}.lock`), {
            code: "ECONNREFUSED",
          });
          process.nextTick(() => socket.destroy(refused));
          return { socket, ready: "connect" };
        }
        return { socket: netConnect({ path, allowHalfOpen: true }), ready: "connect" };
      },
    };
    return this.startConnector(dialer, factory, options.timeout ?? 30);
  }

  /**
   * Listen for datagrams on a UDP port (`IReactorUDP`). The socket is bound before this
   * returns, so `getHost()` reports the real port at once; see `UDPPort`.
   * @param port - the port; 0 picks a free one.
   * @param protocol - gets the datagrams (`startProtocol` runs now).
   * @param options - `interface` ("", numeric only) and `maxPacketSize` (8192 bytes).
   * @throws CannotListenError when the port is in use; InvalidAddressError for a host name.
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options: ListenUDPOptions = {}): IUDPPort {
    const p = new UDPPort(this, port, protocol, options);
    p.startListening();
    return p;
  }

  /**
   * Listen for multicast datagrams (`IReactorMulticast`): `listenUDP` with `listenMultiple`
   * (several sockets may share the port).
   * @param port - the port.
   * @param protocol - gets the datagrams.
   * @param options - as `listenUDP`, plus `listenMultiple` (false).
   * @throws CannotListenError when the port is in use.
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    options: ListenMulticastOptions = {},
  ): IUDPPort {
    const p = new UDPPort(this, port, protocol, options);
    p.startListening();
    return p;
  }

  /**
   * Start a program (`IReactorProcess`); see `Process` and `ProcessProtocol`.
   * @param processProtocol - told about output, closed pipes and the exit.
   * @param executable - the program: a path, or a name looked up in `PATH`.
   * @param args - the whole argument vector, program name FIRST, as in Twisted.
   * @param options - `env` (left out: empty; null: inherit), `path` (working directory), `uid`,
   *   `gid`, `childFDs`.
   * @throws Error with the system `code` when the program cannot be started.
   */
  spawnProcess(
    processProtocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ): IProcessTransport {
    return new Process(this, processProtocol, executable, args, options);
  }

  /** The reactor's thread pool (0 to 10 workers), made on first use, started by `run()`. */
  getThreadPool(): ThreadPool {
    return reactorThreadPool(this);
  }

  /**
   * Run a function in the reactor's thread pool; a failure is logged.
   * @param fn - a self-contained function or `{ module, export }` (see `ThreadFunction`).
   * @param args - its arguments (structured-cloneable).
   * @throws TypeError when `fn` cannot cross threads.
   */
  callInThread<A extends unknown[]>(fn: ThreadFunction<A>, ...args: A): void {
    this.getThreadPool().submit("callInThread", fn as ThreadFunction<never[]>, args, null);
  }

  /**
   * Run a function in the reactor's thread pool and get its result here; see
   * `deferToThreadPool`. Work given before `run()` waits for it.
   * @param fn - a self-contained function or `{ module, export }`.
   * @param args - its arguments (structured-cloneable).
   * @returns a Deferred of the result.
   * @throws TypeError when `fn` cannot cross threads.
   */
  deferToThread<A extends unknown[], R>(
    fn: ThreadFunction<A, R>,
    ...args: A
  ): Deferred<Awaited<R>> {
    return deferToThreadPool(this, this.getThreadPool(), fn, ...args);
  }

  /**
   * From a pool worker: run `fn` on this reactor's thread and wait for its result; see the
   * `blockingCallFromThread` function.
   * @param fn - the function.
   * @param args - its arguments.
   * @throws Error when called on the reactor's thread.
   */
  blockingCallFromThread<A extends unknown[], R>(fn: ThreadFunction<A, R>, ...args: A): Awaited<R> {
    return blockingCallFromThread(this, fn, ...args);
  }

  /**
   * Set the most workers the reactor's pool may have.
   * @param size - the maximum.
   * @throws RangeError for a negative size.
   */
  suggestThreadPoolSize(size: number): void {
    suggestReactorThreadPoolSize(this, size);
  }

  /** Listen on a TCP port with `server` (plain or TLS). */
  private listenOn(
    server: Server,
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions,
  ): IListeningPort {
    const target = {
      kind: "tcp",
      port,
      host: options.interface ?? "",
      backlog: options.backlog ?? 50,
    } as const;
    const p = new Port(server, target, factory, this.resources);
    p.startListening();
    return p;
  }

  /** Connect to a TCP host and port, opening sockets with `dial` (plain or TLS). */
  private connectTo(
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions,
    dial: Dialer["dial"],
  ): IConnector {
    return this.startConnector(
      { destination: ipAddress("TCP", host, port), dial },
      factory,
      options.timeout ?? 30,
    );
  }

  private startConnector(dialer: Dialer, factory: IClientFactory, timeout: number): IConnector {
    const connector = new Connector(this, dialer, factory, timeout);
    connector.connect();
    return connector;
  }
}

function bindOptions(options: ConnectTCPOptions): { localAddress?: string; localPort?: number } {
  if (options.bindAddress === undefined) return {};
  const [localAddress, localPort] = options.bindAddress;
  return localPort ? { localAddress, localPort } : { localAddress };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockIsLive(path: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(`${path}.lock`, "utf8"), 10);
    return Number.isInteger(pid) && pidAlive(pid);
  } catch {
    return false;
  }
}

function takeLock(path: string): void {
  if (lockIsLive(path)) {
    throw new CannotListenError("", path, new Error("the socket is in use by a live process"));
  }
  if (existsSync(path) && statSync(path).isSocket()) rmSync(path, { force: true });
  writeFileSync(`${path}.lock`, String(process.pid));
}

const REACTOR_KEY = Symbol.for("twisted-ts.reactor");
const holder = globalThis as { [REACTOR_KEY]?: Reactor };

/**
 * The global reactor. It is kept on `globalThis` under a `Symbol.for` key, so an ESM and a CJS
 * copy of the package share one. It is also the default clock of `LoopingCall` and the other
 * `task` helpers. Only a program's edge (its main, an app runner) should use it; library code
 * takes a reactor parameter.
 */
export const reactor: Reactor = holder[REACTOR_KEY] ?? new Reactor();
holder[REACTOR_KEY] = reactor;
setDefaultClock(reactor);
