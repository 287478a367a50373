/**
 * `wrapClientTLS`: TLS over any client endpoint whose transport can `startTLS`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import type { Failure } from "../failure.js";
import {
  type IHalfCloseableProtocol,
  type IProtocol,
  isHalfCloseable,
} from "../interfaces/protocol.js";
import type { TLSOptions } from "../interfaces/reactor.js";
import type { ITransport } from "../interfaces/transport.js";
import type { IStreamClientEndpoint, TypedProtocolFactory } from "./interfaces.js";

/** A transport that can switch to TLS in place (the reactor's TCP and Unix transports can). */
interface StartTLSTransport extends ITransport {
  startTLS(options: TLSOptions): void;
}

function canStartTLS(transport: ITransport): transport is StartTLSTransport {
  return typeof (transport as Partial<StartTLSTransport>).startTLS === "function";
}

/**
 * @internal Starts TLS on the transport as soon as the connection is made, then connects the
 * user's protocol to it; passes every later call through.
 */
export class StartTLSProtocol<P extends IProtocol> implements IProtocol {
  /** The connection's transport, now speaking TLS. */
  transport: ITransport | undefined = undefined;

  /**
   * @param wrappedProtocol - the user's protocol.
   * @param tlsOptions - Node's TLS client options.
   */
  constructor(
    readonly wrappedProtocol: P,
    readonly tlsOptions: TLSOptions,
  ) {}

  /**
   * Start TLS on `transport`, then connect the user's protocol to it.
   * @param transport - the plain connection.
   * @throws TypeError when the transport cannot start TLS.
   */
  makeConnection(transport: ITransport): void {
    if (!canStartTLS(transport)) {
      throw new TypeError("wrapClientTLS: the connection's transport has no startTLS method");
    }
    transport.startTLS(this.tlsOptions);
    this.transport = transport;
    this.wrappedProtocol.makeConnection(transport);
  }

  /** @param data - decrypted bytes, passed to the user's protocol. */
  dataReceived(data: Buffer): void {
    this.wrappedProtocol.dataReceived(data);
  }

  /** @param reason - passed to the user's protocol (a failed handshake is reported here). */
  connectionLost(reason: Failure): void {
    this.wrappedProtocol.connectionLost(reason);
  }
}

/** @internal `StartTLSProtocol` for a half-closeable user protocol. */
class HalfCloseableStartTLSProtocol<P extends IProtocol & IHalfCloseableProtocol>
  extends StartTLSProtocol<P>
  implements IHalfCloseableProtocol
{
  readConnectionLost(): void {
    this.wrappedProtocol.readConnectionLost();
  }

  writeConnectionLost(): void {
    const wrapped = this.wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (typeof wrapped.writeConnectionLost === "function") wrapped.writeConnectionLost();
  }
}

/**
 * A client endpoint that switches each connection of another endpoint to TLS as soon as it is
 * made; made by `wrapClientTLS`, which see. Its fields say what it wraps and with what
 * settings.
 */
export class ClientTLSEndpoint implements IStreamClientEndpoint {
  /**
   * @param tlsOptions - Node's TLS client options.
   * @param wrappedEndpoint - the endpoint that makes the plain connection.
   */
  constructor(
    readonly tlsOptions: TLSOptions,
    readonly wrappedEndpoint: IStreamClientEndpoint,
  ) {}

  /**
   * Connect through the wrapped endpoint, then start TLS.
   * @param factory - builds the user's protocol.
   * @returns a Deferred that fires with the user's protocol once the connection is made (the
   *   handshake may still be going on), or fails as the wrapped endpoint's does.
   */
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    const tlsOptions = this.tlsOptions;
    const tlsFactory: TypedProtocolFactory<StartTLSProtocol<P>> = {
      buildProtocol(addr: IAddress) {
        const protocol = factory.buildProtocol(addr);
        if (protocol === null) return null;
        if (isHalfCloseable(protocol)) {
          return new HalfCloseableStartTLSProtocol(
            protocol as P & IHalfCloseableProtocol,
            tlsOptions,
          ) as unknown as StartTLSProtocol<P>;
        }
        return new StartTLSProtocol(protocol, tlsOptions);
      },
      doStart: () => factory.doStart(),
      doStop: () => factory.doStop(),
    };
    return this.wrappedEndpoint
      .connect(tlsFactory)
      .addCallback((wrapper: StartTLSProtocol<P>) => wrapper.wrappedProtocol);
  }
}

/**
 * Wrap a client endpoint so that each connection it makes switches to TLS at once: the way to
 * get TLS over a `HostnameEndpoint` (or any endpoint whose transport has `startTLS`). `connect`
 * fires with the user's protocol, whose transport speaks TLS. Twisted's `wrapClientTLS`.
 *
 * As in Twisted, `connect` fires when the underlying connection is made; the handshake goes on
 * while the protocol may already write (writes wait for it). A handshake or verification
 * failure reaches the protocol's `connectionLost`.
 *
 * Differences from Twisted: TLS runs on the transport's `startTLS` (Node's TLS) rather than a
 * memory-BIO protocol; a transport without `startTLS` drops the connection, and `connect`
 * fails with a `TypeError`.
 *
 * @param tlsOptions - Node's TLS client options: `servername` (and the name to verify), `ca`,
 *   `cert`, `key`, `rejectUnauthorized`, …
 * @param wrappedEndpoint - the endpoint to connect through.
 * @returns an endpoint that connects with TLS.
 */
export function wrapClientTLS(
  tlsOptions: TLSOptions,
  wrappedEndpoint: IStreamClientEndpoint,
): ClientTLSEndpoint {
  return new ClientTLSEndpoint(tlsOptions, wrappedEndpoint);
}
