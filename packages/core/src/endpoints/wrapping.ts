/**
 * The factory and protocol that client endpoints put around the user's, so that `connect()`'s
 * Deferred fires once the connection is made: Twisted's `_WrappingFactory` and
 * `_WrappingProtocol`. Internal: not exported from the package.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import { Deferred } from "../defer/deferred.js";
import type { Failure } from "../failure.js";
import {
  type IClientFactory,
  type IConnector,
  type IHalfCloseableProtocol,
  type IProtocol,
  isHalfCloseable,
} from "../interfaces/protocol.js";
import type { ITransport } from "../interfaces/transport.js";
import { connectingCancelled, NoProtocol } from "./errors.js";
import type { TypedProtocolFactory } from "./interfaces.js";

/**
 * @internal Sits between the transport and the user's protocol: on `connectionMade` it connects
 * the user's protocol to the same transport and fires the endpoint's Deferred with it; after
 * that it passes every call through.
 */
export class WrappingProtocol<P extends IProtocol> implements IProtocol {
  /** The connection's transport, from `makeConnection` on. */
  transport: ITransport | undefined = undefined;

  /**
   * @param connectedDeferred - fired with `wrappedProtocol` once it is connected.
   * @param wrappedProtocol - the user's protocol.
   */
  constructor(
    readonly connectedDeferred: Deferred<P>,
    readonly wrappedProtocol: P,
  ) {}

  /**
   * Attach the transport and run `connectionMade`.
   * @param transport - the connection's transport.
   */
  makeConnection(transport: ITransport): void {
    this.transport = transport;
    this.connectionMade();
  }

  /**
   * Connect the user's protocol, then fire the Deferred with it. When the user's
   * `connectionMade` throws, the Deferred fails with that error and the error is rethrown, so
   * the transport drops the connection.
   */
  connectionMade(): void {
    const d = this.connectedDeferred;
    try {
      this.wrappedProtocol.makeConnection(this.transport as ITransport);
    } catch (error) {
      if (!d.called) d.errback(error);
      throw error;
    }
    if (!d.called) d.callback(this.wrappedProtocol);
  }

  /** @param data - passed to the user's protocol. */
  dataReceived(data: Buffer): void {
    this.wrappedProtocol.dataReceived(data);
  }

  /** @param reason - passed to the user's protocol. */
  connectionLost(reason: Failure): void {
    this.wrappedProtocol.connectionLost(reason);
  }

  /** The user's protocol's `logPrefix()`, or its class name. */
  logPrefix(): string {
    const wrapped = this.wrappedProtocol as IProtocol & { logPrefix?: unknown };
    if (typeof wrapped.logPrefix === "function") return String(wrapped.logPrefix());
    return wrapped.constructor.name;
  }
}

/**
 * @internal The wrapper for a user protocol that is an `IHalfCloseableProtocol`; it is one too,
 * so the transport tells it (and through it the user's protocol) about half-closes.
 */
export class HalfCloseableWrappingProtocol<P extends IProtocol & IHalfCloseableProtocol>
  extends WrappingProtocol<P>
  implements IHalfCloseableProtocol
{
  /** Passed to the user's protocol. */
  readConnectionLost(): void {
    this.wrappedProtocol.readConnectionLost();
  }

  /** Passed to the user's protocol, when it has the method. */
  writeConnectionLost(): void {
    const wrapped = this.wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (typeof wrapped.writeConnectionLost === "function") wrapped.writeConnectionLost();
  }
}

/**
 * @internal The wrapper protocol for `wrappedProtocol`: half-closeable exactly when it is.
 * @param connectedDeferred - fired with the protocol once connected.
 * @param wrappedProtocol - the user's protocol.
 */
export function wrapProtocol<P extends IProtocol>(
  connectedDeferred: Deferred<P>,
  wrappedProtocol: P,
): WrappingProtocol<P> {
  if (isHalfCloseable(wrappedProtocol)) {
    return new HalfCloseableWrappingProtocol(
      connectedDeferred as Deferred<P & IHalfCloseableProtocol>,
      wrappedProtocol,
    ) as unknown as WrappingProtocol<P>;
  }
  return new WrappingProtocol(connectedDeferred, wrappedProtocol);
}

/**
 * @internal The client factory a client endpoint hands to `connectTCP` (or `connectSSL`,
 * `connectUNIX`). `onConnection` fires with the user's protocol once it is connected, or fails
 * with the connection failure; cancelling it stops the attempt.
 */
export class WrappingFactory<P extends IProtocol> implements IClientFactory {
  /** Fires with the user's protocol once connected; this is what `connect()` returns. */
  readonly onConnection: Deferred<P>;
  /** The connector of the current attempt, once known. */
  connector: IConnector | undefined = undefined;

  /** @param wrappedFactory - the user's factory. */
  constructor(readonly wrappedFactory: TypedProtocolFactory<P>) {
    this.onConnection = new Deferred<P>((d) => this.cancelAttempt(d));
  }

  /** Remember the connector, to stop it on cancellation. */
  startedConnecting(connector: IConnector): void {
    this.connector = connector;
  }

  private cancelAttempt(d: Deferred<P>): void {
    const connector = this.connector;
    d.errback(connectingCancelled(connector?.getDestination()));
    if (connector === undefined) return;
    if (connector.state === "connecting") connector.stopConnecting();
    else if (connector.state === "connected") connector.disconnect();
  }

  /** Passed to the user's factory. */
  doStart(): void {
    this.wrappedFactory.doStart();
  }

  /** Passed to the user's factory. */
  doStop(): void {
    this.wrappedFactory.doStop();
  }

  /**
   * The user's protocol, wrapped; or null (and `onConnection` fails) when the user's
   * `buildProtocol` throws (with that error) or returns null (with `NoProtocol`).
   * @param addr - the peer's address.
   */
  buildProtocol(addr: IAddress): WrappingProtocol<P> | null {
    let protocol: P | null;
    try {
      protocol = this.wrappedFactory.buildProtocol(addr);
      if (protocol === null) throw new NoProtocol();
    } catch (error) {
      if (!this.onConnection.called) this.onConnection.errback(error);
      return null;
    }
    return wrapProtocol(this.onConnection, protocol);
  }

  /**
   * The attempt failed: `onConnection` fails with `reason` (unless it has already fired).
   * @param _connector - the connector.
   * @param reason - why.
   */
  clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.onConnection.called) this.onConnection.errback(reason);
  }

  /** Nothing to do: the user's protocol hears `connectionLost` itself. */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}

/**
 * @internal Connect through `dial` with a `WrappingFactory` around `factory`: what every client
 * endpoint's `connect` does. A `dial` that throws gives a failed Deferred.
 * @param factory - the user's factory.
 * @param dial - calls the reactor's `connectTCP`/`connectSSL`/`connectUNIX` with the wrapper.
 * @returns the wrapper's `onConnection`.
 */
export function connectWrapped<P extends IProtocol>(
  factory: TypedProtocolFactory<P>,
  dial: (wrapper: WrappingFactory<P>) => IConnector,
): Deferred<P> {
  try {
    const wrapper = new WrappingFactory(factory);
    const connector = dial(wrapper);
    wrapper.connector ??= connector;
    return wrapper.onConnection;
  } catch (error) {
    const d = new Deferred<P>();
    d.errback(error);
    return d;
  }
}
