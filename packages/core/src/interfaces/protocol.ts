/**
 * Protocols, factories, ports and connectors: Twisted's `IProtocol`, `IProtocolFactory`,
 * `IHalfCloseableProtocol`, `IListeningPort`, `IConnector`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import type { Failure } from "../failure.js";
import type { ITransport } from "./transport.js";

/**
 * The protocol side of a connection: what the transport calls as bytes arrive and as the
 * connection starts and ends. Twisted's `IProtocol`.
 */
export interface IProtocol {
  /**
   * Called once, when the connection is made, before any data; sets `transport` and then calls
   * `connectionMade`.
   * @param transport - the connection's transport.
   */
  makeConnection(transport: ITransport): void;
  /**
   * Called whenever bytes arrive, split arbitrarily: a message may come in several calls, and
   * one call may hold several messages.
   * @param data - the bytes.
   */
  dataReceived(data: Buffer): void;
  /**
   * Called once, when the connection is over.
   * @param reason - `ConnectionDone` for a clean close, `ConnectionLost` otherwise.
   */
  connectionLost(reason: Failure): void;
}

/**
 * A protocol that can live with half of the connection closed: Twisted's
 * `IHalfCloseableProtocol`. Without it, a peer's FIN closes the whole connection.
 */
export interface IHalfCloseableProtocol {
  /** The peer closed its write side (FIN): no more data will arrive; we may still write. */
  readConnectionLost(): void;
  /** Our write side has been closed (after `loseWriteConnection`). */
  writeConnectionLost(): void;
}

/**
 * Whether a protocol implements `IHalfCloseableProtocol` (has a `readConnectionLost` method).
 * @param protocol - the protocol.
 */
export function isHalfCloseable(protocol: unknown): protocol is IHalfCloseableProtocol {
  return (
    typeof protocol === "object" &&
    protocol !== null &&
    typeof (protocol as { readConnectionLost?: unknown }).readConnectionLost === "function"
  );
}

/**
 * Makes a protocol for each connection, and holds the state they share: Twisted's
 * `IProtocolFactory`.
 */
export interface IProtocolFactory {
  /**
   * A new protocol for a connection from or to `addr`, or null to refuse it (the connection is
   * closed at once).
   * @param addr - the peer's address.
   */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called by each port or connector that starts using the factory; see `Factory.doStart`. */
  doStart(): void;
  /** Called by each port or connector that stops using it; see `Factory.doStop`. */
  doStop(): void;
}

/** What a client-side connector tells its factory: Twisted's `IClientFactory`-ish half. */
export interface IClientFactory extends IProtocolFactory {
  /** A connection attempt has started. */
  startedConnecting(connector: IConnector): void;
  /** A connection attempt failed (refused, timed out, DNS). */
  clientConnectionFailed(connector: IConnector, reason: Failure): void;
  /** An established connection was lost. */
  clientConnectionLost(connector: IConnector, reason: Failure): void;
}

/** A listening port: Twisted's `IListeningPort`. */
export interface IListeningPort {
  /** Start listening (done already by `listenTCP`). */
  startListening(): void;
  /**
   * Stop accepting connections; open connections are not touched.
   * @returns a Deferred that fires once the port is closed.
   */
  stopListening(): Deferred<void>;
  /** The address this port listens on; reports the real port when 0 was asked for. */
  getHost(): IAddress;
}

/** A client connection in progress or made: Twisted's `IConnector`. */
export interface IConnector {
  /** Try to connect (again): `ReconnectingClientFactory` calls this. */
  connect(): void;
  /** Stop an attempt in progress, or drop an established connection. */
  disconnect(): void;
  /**
   * Stop an attempt in progress.
   * @throws NotConnectingError when not connecting.
   */
  stopConnecting(): void;
  /** The address being connected to. */
  getDestination(): IAddress;
  /** `"connecting"`, `"connected"` or `"disconnected"`. */
  readonly state: "connecting" | "connected" | "disconnected";
}
