/**
 * `ClientCreator`: connect one protocol instance without writing a factory.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import { Deferred } from "../defer/deferred.js";
import type { Failure } from "../failure.js";
import type { IConnector, IProtocol } from "../interfaces/protocol.js";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  TLSOptions,
} from "../interfaces/reactor.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { ClientFactory } from "./factory.js";
import type { ProtocolClass } from "./protocol.js";

/**
 * The factory behind one `ClientCreator` connection attempt: Twisted's `_InstanceFactory`. It
 * hands out the one protocol instance, and fires the attempt's Deferred on the next turn.
 * @internal
 */
class InstanceFactory<P extends IProtocol> extends ClientFactory<P> {
  /** The delayed call that will fire the Deferred, between the outcome and the next turn. */
  pending: IDelayedCall | undefined = undefined;
  private deferred: Deferred<P> | undefined;

  constructor(
    private readonly reactor: IReactorTime,
    private readonly instance: P,
    deferred: Deferred<P>,
  ) {
    super();
    this.noisy = false;
    this.deferred = deferred;
  }

  /**
   * Hand out the instance and fire the Deferred with it on the next turn. A second call, or a
   * call after the attempt was cancelled or failed, refuses the connection (returns null).
   */
  override buildProtocol(_addr: IAddress): P | null {
    const d = this.deferred;
    if (d === undefined) return null;
    this.deferred = undefined;
    this.pending = this.reactor.callLater(0, () => this.fire(() => d.callback(this.instance)));
    return this.instance;
  }

  /** Errback the Deferred with `reason` on the next turn (once; later calls are ignored). */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    const d = this.deferred;
    if (d === undefined) return;
    this.deferred = undefined;
    this.pending = this.reactor.callLater(0, () => this.fire(() => d.errback(reason)));
  }

  /** Forget the Deferred: the attempt was cancelled. */
  abandon(): void {
    this.deferred = undefined;
    if (this.pending?.active()) this.pending.cancel();
    this.pending = undefined;
  }

  private fire(f: () => void): void {
    this.pending = undefined;
    f();
  }

  /** `<ClientCreator factory: Echo>`. */
  override toString(): string {
    return `<ClientCreator factory: ${this.instance.constructor.name}>`;
  }
}

/**
 * Connects a single protocol instance, when a factory would be overkill (no state shared between
 * connections, no reconnecting): Twisted's `twisted.internet.protocol.ClientCreator`. Give it a
 * reactor, a protocol class and the arguments for its constructor; each `connect*` call makes one
 * instance, connects it, and returns a Deferred that fires with it.
 *
 * ```ts
 * const creator = new ClientCreator(reactor, Echo);
 * const echo = await creator.connectTCP("localhost", 8000);
 * ```
 *
 * The Deferred fires on the turn after the connection is made (from a `callLater(0)` scheduled
 * by `buildProtocol`), so `connectionMade` has run by then; it errbacks (also on the next turn)
 * with the reason the attempt failed. Cancelling it before it fires stops the attempt
 * (`connector.disconnect()`, which also drops a connection made in the meantime), cancels the
 * pending call, and errbacks with `CancelledError`, once.
 *
 * @typeParam P - the protocol type.
 * @typeParam A - the arguments of its constructor.
 *
 * Differences from Twisted: the connect methods take their options as an object (`timeout`,
 * `bindAddress`, `checkPID`) and `connectSSL` takes Node's TLS options where Twisted takes a
 * context factory. A reactor that lacks the transport asked for is a `TypeError`. After a
 * cancellation, a late `buildProtocol` returns null, which closes that connection at once.
 */
export class ClientCreator<P extends IProtocol, A extends unknown[] = []> {
  /** The protocol constructor's arguments. */
  readonly args: A;

  /**
   * @param reactor - schedules the Deferred's firing, and connects (it must offer the
   *   `connect*` method used: `IReactorTCP`, `IReactorSSL` or `IReactorUNIX`).
   * @param protocolClass - the protocol to instantiate for each connection.
   * @param args - the arguments for its constructor.
   */
  constructor(
    readonly reactor: IReactorTime & Partial<IReactorTCP & IReactorSSL & IReactorUNIX>,
    readonly protocolClass: ProtocolClass<P, A>,
    ...args: A
  ) {
    this.args = args;
  }

  /**
   * Connect to a TCP server: `reactor.connectTCP(host, port, factory, options)`.
   * @param host - the host name or address.
   * @param port - the port.
   * @param options - `timeout` (30 seconds by default) and `bindAddress`.
   * @returns a Deferred that fires with the connected protocol, or fails with the reason.
   * @throws TypeError when the reactor has no `connectTCP`.
   */
  connectTCP(host: string, port: number, options: ConnectTCPOptions = {}): Deferred<P> {
    const connectTCP = this.method("connectTCP");
    return this.connectWith((factory) => connectTCP(host, port, factory, options));
  }

  /**
   * Connect to a TLS server: `reactor.connectSSL(host, port, factory, tlsOptions, options)`.
   * @param host - the host name or address.
   * @param port - the port.
   * @param tlsOptions - Node's TLS client options.
   * @param options - `timeout` (30 seconds by default) and `bindAddress`.
   * @returns a Deferred that fires with the connected protocol, or fails with the reason.
   * @throws TypeError when the reactor has no `connectSSL`.
   */
  connectSSL(
    host: string,
    port: number,
    tlsOptions: TLSOptions,
    options: ConnectTCPOptions = {},
  ): Deferred<P> {
    const connectSSL = this.method("connectSSL");
    return this.connectWith((factory) => connectSSL(host, port, factory, tlsOptions, options));
  }

  /**
   * Connect to a Unix socket: `reactor.connectUNIX(path, factory, options)`.
   * @param path - the socket's path.
   * @param options - `timeout` (30 seconds by default) and `checkPID`.
   * @returns a Deferred that fires with the connected protocol, or fails with the reason.
   * @throws TypeError when the reactor has no `connectUNIX`.
   */
  connectUNIX(path: string, options: ConnectUNIXOptions = {}): Deferred<P> {
    const connectUNIX = this.method("connectUNIX");
    return this.connectWith((factory) => connectUNIX(path, factory, options));
  }

  private method<K extends "connectTCP" | "connectSSL" | "connectUNIX">(
    name: K,
  ): NonNullable<ClientCreator<P, A>["reactor"][K]> {
    const method = this.reactor[name];
    if (typeof method !== "function") {
      throw new TypeError(`ClientCreator: the reactor has no ${name}`);
    }
    return method.bind(this.reactor) as NonNullable<ClientCreator<P, A>["reactor"][K]>;
  }

  private connectWith(start: (factory: InstanceFactory<P>) => IConnector): Deferred<P> {
    let connector: IConnector | undefined;
    let factory: InstanceFactory<P> | undefined;
    const d = new Deferred<P>(() => {
      // Disconnect first: a real connector then reports the failure, which schedules a call
      // that `abandon` cancels right after.
      connector?.disconnect();
      factory?.abandon();
    });
    factory = new InstanceFactory(this.reactor, new this.protocolClass(...this.args), d);
    connector = start(factory);
    return d;
  }
}
