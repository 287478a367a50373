/**
 * `MemoryReactor`: a reactor that records listen and connect calls instead of opening sockets.
 * @packageDocumentation
 */
import { isIPv6 } from "node:net";
import { type IAddress, IPv4Address, IPv6Address, UNIXAddress } from "../address.js";
import { ReactorAlreadyRunning, ReactorNotRestartable, ReactorNotRunning } from "../errors.js";
import type { IClientFactory, IProtocolFactory } from "../interfaces/protocol.js";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IReactorCore,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  ListenTCPOptions,
  ListenUNIXOptions,
  SystemEventPhase,
  SystemEventTriggerID,
  SystemEventType,
  TLSOptions,
} from "../interfaces/reactor.js";
import { FakeConnector, FakePort } from "./fakes.js";
import { type RecordedTriggers, SystemEvents } from "./systemEvents.js";

/** A `listenTCP` call: `[port, factory, backlog, interface]`, defaults filled in. */
export type TCPServerRecord = [
  port: number,
  factory: IProtocolFactory,
  backlog: number,
  iface: string,
];

/** A `connectTCP` call: `[host, port, factory, timeout, bindAddress]`, defaults filled in. */
export type TCPClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  timeout: number,
  bindAddress: readonly [string, number] | undefined,
];

/** A `listenSSL` call: `[port, factory, tlsOptions, backlog, interface]`. */
export type SSLServerRecord = [
  port: number,
  factory: IProtocolFactory,
  tlsOptions: TLSOptions,
  backlog: number,
  iface: string,
];

/** A `connectSSL` call: `[host, port, factory, tlsOptions, timeout, bindAddress]`. */
export type SSLClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  tlsOptions: TLSOptions,
  timeout: number,
  bindAddress: readonly [string, number] | undefined,
];

/** A `listenUNIX` call: `[path, factory, backlog, mode, wantPID]`. */
export type UNIXServerRecord = [
  path: string,
  factory: IProtocolFactory,
  backlog: number,
  mode: number,
  wantPID: boolean,
];

/** A `connectUNIX` call: `[path, factory, timeout, checkPID]`. */
export type UNIXClientRecord = [
  path: string,
  factory: IClientFactory,
  timeout: number,
  checkPID: boolean,
];

/** A function given to `callWhenRunning`, with its arguments. */
export type WhenRunningHook = readonly [fn: (...args: unknown[]) => unknown, args: unknown[]];

function ipAddressFor(host: string, port: number): IAddress {
  return isIPv6(host) ? new IPv6Address("TCP", host, port) : new IPv4Address("TCP", host, port);
}

function listenAddressFor(iface: string, port: number): IAddress {
  if (isIPv6(iface)) return new IPv6Address("TCP", iface, port);
  return new IPv4Address("TCP", iface === "" ? "0.0.0.0" : iface, port);
}

/**
 * A fake reactor for unit tests: Twisted's `twisted.internet.testing.MemoryReactor`. Every
 * listen and connect call is recorded (`tcpServers`, `tcpClients`, `sslServers`, `sslClients`,
 * `unixServers`, `unixClients`) with its defaults filled in, and nothing touches the network:
 * listen methods return a `FakePort` whose `getHost()` reports the port, connect methods tell the
 * factory `startedConnecting` and return a `FakeConnector` (also kept in `connectors`). The test
 * then plays the network itself, for example by calling the recorded factory's `buildProtocol`
 * and connecting the protocol to a `StringTransport`.
 *
 * Running and stopping only move flags and fire triggers, synchronously:
 * - `run()` fires the startup triggers ("before", then `running` becomes true, "during",
 *   "after"), calls the `callWhenRunning` functions in order, then shuts down (whether or not one
 *   of them called `stop()`), and returns a Promise that settles once shutdown has finished;
 * - the shutdown fires the shutdown triggers ("before", waiting for the Deferreds they return,
 *   then `running` becomes false, "during", "after"); a `stop()` called during startup (from a
 *   trigger or a `callWhenRunning` function) takes effect once startup has finished;
 * - `callWhenRunning` calls at once when running, else keeps the function in `whenRunningHooks`;
 * - triggers stay in `triggers` after they have run (each runs at most once).
 *
 * Library code takes an `IReactorTCP` (or narrower) parameter so that tests can pass one of
 * these. For `callLater` as well, use `MemoryReactorClock`.
 *
 * Differences from Twisted: `hasRun`, `hasStopped` and `hasCrashed` start false (Twisted's start
 * true); `run()` fires the system event triggers and `stop()` the shutdown ones, whereas
 * Twisted's fake only records them; `run()` twice is `ReactorAlreadyRunning` or
 * `ReactorNotRestartable` and `stop()` when not running is `ReactorNotRunning`, as on the real
 * reactor; `removeSystemEventTrigger` and `fireSystemEvent` work (Twisted's raise
 * `NotImplementedError`); `callWhenRunning` on a running reactor calls at once (Twisted's fake
 * only records); the triggers run synchronously, with no turn of the loop between
 * startup and shutdown; a trigger or hook that throws propagates to the caller instead of being
 * logged. A listening port's address reports the interface when one is given (Twisted's reports
 * 0.0.0.0 for every IPv4 interface). There are no `adopt*`, `resolve`, `iterate` or file
 * descriptor methods.
 */
export class MemoryReactor implements IReactorCore, IReactorTCP, IReactorSSL, IReactorUNIX {
  /** Whether the reactor is running: from "during startup" to "during shutdown". */
  running = false;
  /** Whether `run()` has been called. */
  hasRun = false;
  /** Whether `stop()` has been called. */
  hasStopped = false;
  /** Whether `crash()` has been called. */
  hasCrashed = false;
  /** The functions given to `callWhenRunning` before the reactor ran, in order. */
  readonly whenRunningHooks: WhenRunningHook[] = [];
  /** The `listenTCP` calls. */
  readonly tcpServers: TCPServerRecord[] = [];
  /** The `connectTCP` calls. */
  readonly tcpClients: TCPClientRecord[] = [];
  /** The `listenSSL` calls. */
  readonly sslServers: SSLServerRecord[] = [];
  /** The `connectSSL` calls. */
  readonly sslClients: SSLClientRecord[] = [];
  /** The `listenUNIX` calls. */
  readonly unixServers: UNIXServerRecord[] = [];
  /** The `connectUNIX` calls. */
  readonly unixClients: UNIXClientRecord[] = [];
  /** The connectors returned by the connect methods, in order. */
  readonly connectors: FakeConnector[] = [];
  private readonly events = new SystemEvents();
  private stopping = false;
  private starting = false;
  private finishRun: (() => void) | undefined;

  /**
   * The system event triggers added so far, by phase then event type:
   * `reactor.triggers.before?.shutdown` is the list of `[fn, args]` pairs for "before shutdown".
   */
  get triggers(): RecordedTriggers {
    return this.events.triggers;
  }

  /**
   * Fire the startup triggers, call the `callWhenRunning` functions, then shut down (unless
   * crashed).
   * @returns a Promise that settles once the shutdown triggers have run.
   * @throws ReactorAlreadyRunning when running; ReactorNotRestartable when it has run before;
   *   whatever a trigger or hook throws.
   */
  run(): Promise<void> {
    if (this.running) throw new ReactorAlreadyRunning("reactor is already running");
    if (this.hasRun) throw new ReactorNotRestartable("the reactor cannot be restarted");
    this.hasRun = true;
    this.starting = true;
    const finished = new Promise<void>((resolve) => {
      this.finishRun = resolve;
    });
    this.events.fire(
      "startup",
      () => {
        this.running = true;
      },
      () => {
        for (const [fn, args] of this.whenRunningHooks) fn(...args);
        this.starting = false;
        if (!this.running) return; // crashed
        this.stopping = true;
        this.hasStopped = true;
        this.shutdown();
      },
    );
    return finished;
  }

  /**
   * Stop: fire the shutdown triggers; `running` becomes false when the "during" phase begins.
   * Called while `run()` is starting up (from a trigger or a `callWhenRunning` function), the
   * shutdown waits until the remaining startup triggers and functions have run.
   * @throws ReactorNotRunning when not running, or already stopping; whatever a trigger throws.
   */
  stop(): void {
    if (!this.running || this.stopping) throw new ReactorNotRunning();
    this.stopping = true;
    this.hasStopped = true;
    if (!this.starting) this.shutdown();
  }

  private shutdown(): void {
    this.events.fire(
      "shutdown",
      () => {
        this.running = false;
      },
      () => this.finish(),
    );
  }

  /** Stop at once, without the shutdown triggers: `running` becomes false, `hasCrashed` true. */
  crash(): void {
    this.running = false;
    this.hasCrashed = true;
    this.finish();
  }

  /**
   * Call `fn(...args)` now when running; otherwise keep it in `whenRunningHooks` for `run()`.
   * @param fn - the function.
   * @param args - its arguments.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.running) fn(...args);
    else this.whenRunningHooks.push([fn as (...args: unknown[]) => unknown, args]);
  }

  /**
   * Record a trigger in `triggers`; `run()`, `stop()` and `fireSystemEvent` run it.
   * @returns an ID for `removeSystemEventTrigger`.
   * @throws RangeError for an unknown phase or event type.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: SystemEventPhase,
    eventType: SystemEventType,
    fn: (...args: A) => unknown,
    ...args: A
  ): SystemEventTriggerID {
    return this.events.add(phase, eventType, fn, args);
  }

  /**
   * Remove a trigger from `triggers`.
   * @throws RangeError when it is not there.
   */
  removeSystemEventTrigger(id: SystemEventTriggerID): void {
    this.events.remove(id);
  }

  /**
   * Run the triggers of `eventType` that have not run yet, phase by phase, without changing
   * `running`.
   */
  fireSystemEvent(eventType: SystemEventType): void {
    this.events.fire(
      eventType,
      () => {},
      () => {},
    );
  }

  /**
   * Record a `listenTCP` call in `tcpServers`.
   * @returns a `FakePort` on the interface (0.0.0.0 when none) and port.
   */
  listenTCP(port: number, factory: IProtocolFactory, options: ListenTCPOptions = {}): FakePort {
    const iface = options.interface ?? "";
    this.tcpServers.push([port, factory, options.backlog ?? 50, iface]);
    return new FakePort(listenAddressFor(iface, port));
  }

  /**
   * Record a `connectTCP` call in `tcpClients`, and tell the factory `startedConnecting`.
   * @returns a `FakeConnector` to the host and port.
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions = {},
  ): FakeConnector {
    this.tcpClients.push([host, port, factory, options.timeout ?? 30, options.bindAddress]);
    return this.startConnecting(new FakeConnector(ipAddressFor(host, port)), factory);
  }

  /**
   * Record a `listenSSL` call in `sslServers`.
   * @returns a `FakePort` on the interface (0.0.0.0 when none) and port.
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tlsOptions: TLSOptions,
    options: ListenTCPOptions = {},
  ): FakePort {
    const iface = options.interface ?? "";
    this.sslServers.push([port, factory, tlsOptions, options.backlog ?? 50, iface]);
    return new FakePort(listenAddressFor(iface, port));
  }

  /**
   * Record a `connectSSL` call in `sslClients`, and tell the factory `startedConnecting`.
   * @returns a `FakeConnector` to the host and port.
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tlsOptions: TLSOptions,
    options: ConnectTCPOptions = {},
  ): FakeConnector {
    this.sslClients.push([
      host,
      port,
      factory,
      tlsOptions,
      options.timeout ?? 30,
      options.bindAddress,
    ]);
    return this.startConnecting(new FakeConnector(ipAddressFor(host, port)), factory);
  }

  /**
   * Record a `listenUNIX` call in `unixServers`.
   * @returns a `FakePort` whose host is `UNIXAddress(path)`.
   */
  listenUNIX(path: string, factory: IProtocolFactory, options: ListenUNIXOptions = {}): FakePort {
    this.unixServers.push([
      path,
      factory,
      options.backlog ?? 50,
      options.mode ?? 0o666,
      options.wantPID ?? false,
    ]);
    return new FakePort(new UNIXAddress(path));
  }

  /**
   * Record a `connectUNIX` call in `unixClients`, and tell the factory `startedConnecting`.
   * @returns a `FakeConnector` whose destination is `UNIXAddress(path)`.
   */
  connectUNIX(
    path: string,
    factory: IClientFactory,
    options: ConnectUNIXOptions = {},
  ): FakeConnector {
    this.unixClients.push([path, factory, options.timeout ?? 30, options.checkPID ?? false]);
    return this.startConnecting(new FakeConnector(new UNIXAddress(path)), factory);
  }

  private startConnecting(connector: FakeConnector, factory: IClientFactory): FakeConnector {
    factory.startedConnecting(connector);
    this.connectors.push(connector);
    return connector;
  }

  private finish(): void {
    const resolve = this.finishRun;
    this.finishRun = undefined;
    resolve?.();
  }
}
