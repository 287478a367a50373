/**
 * The reactor's interfaces: Twisted's `IReactorCore`, `IReactorTCP`, `IReactorSSL`,
 * `IReactorUNIX`, `IReactorUDP`, `IReactorProcess`, `IReactorThreads`. Library code takes the
 * narrowest of these as a parameter, so tests can pass `MemoryReactor` or a `Clock`.
 * @packageDocumentation
 */
import type { SecureContextOptions, TLSSocketOptions } from "node:tls";
import type { IReactorProcess } from "./process.js";
import type { IClientFactory, IConnector, IListeningPort, IProtocolFactory } from "./protocol.js";
import type { IReactorThreads } from "./threads.js";
import type { IReactorTime } from "./time.js";
import type { IReactorMulticast, IReactorUDP } from "./udp.js";

/** The phases of a system event, in the order they run. */
export type SystemEventPhase = "before" | "during" | "after";

/** The reactor's system events. */
export type SystemEventType = "startup" | "shutdown";

/** An opaque handle for `removeSystemEventTrigger`. */
export interface SystemEventTriggerID {
  /** The phase the trigger was added to. */
  readonly phase: SystemEventPhase;
  /** The event it was added to. */
  readonly eventType: SystemEventType;
}

/**
 * Starting, stopping, and hooking into both: Twisted's `IReactorCore`.
 */
export interface IReactorCore {
  /** Whether the reactor is running (between startup and shutdown). */
  readonly running: boolean;
  /**
   * Run until `stop()`: fire the startup triggers, keep the process alive, and settle after the
   * shutdown triggers have run.
   * @throws ReactorAlreadyRunning when running; ReactorNotRestartable when it has run before.
   */
  run(): Promise<void>;
  /**
   * Shut down: the "before" shutdown triggers (which may return Deferreds that delay it), then
   * every port and connection is closed ("during"), then the "after" triggers.
   * @throws ReactorNotRunning when it is not running.
   */
  stop(): void;
  /**
   * Call `fn(...args)` once the reactor runs (at once if it is running).
   * @param fn - the function.
   * @param args - its arguments.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void;
  /**
   * Call `fn(...args)` when `eventType` reaches `phase`. A "before" trigger may return a
   * Deferred; the "during" phase waits for it.
   * @returns an ID for `removeSystemEventTrigger`.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerID;
  /** Remove a trigger added with `addSystemEventTrigger`. */
  removeSystemEventTrigger(id: SystemEventTriggerID): void;
  /** Fire all the phases of `eventType` now. */
  fireSystemEvent(eventType: SystemEventType): void;
}

/** Options of `listenTCP`. */
export interface ListenTCPOptions {
  /** The listen queue length; 50 by default. */
  backlog?: number;
  /** The local address to bind; "" (all IPv4 interfaces) by default. "::" for all IPv6. */
  interface?: string;
}

/** Options of `connectTCP`. */
export interface ConnectTCPOptions {
  /** Seconds to wait for the connection before failing with `TimeoutError`; 30 by default. */
  timeout?: number;
  /** A local `[host, port]` to bind before connecting. */
  bindAddress?: readonly [string, number];
}

/** TCP: Twisted's `IReactorTCP`. */
export interface IReactorTCP {
  /**
   * Listen on a TCP port.
   * @param port - the port; 0 picks a free one (see `getHost()`).
   * @param factory - builds a protocol per connection.
   * @throws CannotListenError when the address is in use or unavailable.
   */
  listenTCP(port: number, factory: IProtocolFactory, options?: ListenTCPOptions): IListeningPort;
  /**
   * Connect to a TCP server.
   * @param host - a host name or address.
   * @param port - the port.
   * @param factory - told about the attempt and builds the protocol.
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/** TLS settings: Node's own options, as `tls.createServer` and `tls.connect` take them. */
export type TLSOptions = SecureContextOptions &
  Omit<TLSSocketOptions, "isServer"> & {
    /** For clients: the server name to verify and to send as SNI. */
    servername?: string;
    /** For clients: verify the server's certificate (true by default). */
    rejectUnauthorized?: boolean;
  };

/** TLS: Twisted's `IReactorSSL`. */
export interface IReactorSSL {
  /** Listen for TLS connections; as `listenTCP`, with the server's key and certificate. */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tlsOptions: TLSOptions,
    options?: ListenTCPOptions,
  ): IListeningPort;
  /** Connect over TLS; as `connectTCP`, with the client's TLS options. */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tlsOptions: TLSOptions,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/** Options of `listenUNIX`. */
export interface ListenUNIXOptions {
  /** The listen queue length; 50 by default. */
  backlog?: number;
  /** The socket file's permissions; 0o666 by default. */
  mode?: number;
  /** Use a lock file `<path>.lock` holding our PID, and remove a stale socket. */
  wantPID?: boolean;
}

/** Options of `connectUNIX`. */
export interface ConnectUNIXOptions {
  /** Seconds before failing with `TimeoutError`; 30 by default. */
  timeout?: number;
  /** Check the `<path>.lock` file's PID before connecting. */
  checkPID?: boolean;
}

/** Unix domain stream sockets: Twisted's `IReactorUNIX`. */
export interface IReactorUNIX {
  /** Listen on a Unix socket path. */
  listenUNIX(path: string, factory: IProtocolFactory, options?: ListenUNIXOptions): IListeningPort;
  /** Connect to a Unix socket path. */
  connectUNIX(path: string, factory: IClientFactory, options?: ConnectUNIXOptions): IConnector;
}

/** Everything a full reactor offers. */
export interface IReactor
  extends IReactorCore,
    IReactorTime,
    IReactorTCP,
    IReactorSSL,
    IReactorUNIX,
    IReactorUDP,
    IReactorMulticast,
    IReactorProcess,
    IReactorThreads {}
