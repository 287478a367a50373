/**
 * TLS-over-TCP endpoints: `SSL4ServerEndpoint` and `SSL4ClientEndpoint`.
 * @packageDocumentation
 */
import type { Deferred } from "../defer/deferred.js";
import { maybeDeferred } from "../defer/helpers.js";
import type { IListeningPort, IProtocol, IProtocolFactory } from "../interfaces/protocol.js";
import type { IReactorSSL, TLSOptions } from "../interfaces/reactor.js";
import type {
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  TypedProtocolFactory,
} from "./interfaces.js";
import { type BindAddress, bindPair, connectOptions } from "./tcp.js";
import { connectWrapped } from "./wrapping.js";

/**
 * Listens for TLS connections on a TCP port: Twisted's `SSL4ServerEndpoint`. Protocols are
 * connected once the handshake is done.
 *
 * Differences from Twisted: the TLS settings are Node's (`key`, `cert`, `ca`, …, as
 * `tls.createServer` takes them) instead of an OpenSSL context factory.
 */
export class SSL4ServerEndpoint implements IStreamServerEndpoint {
  /** The address to bind: "" for every IPv4 interface. */
  readonly interface: string;

  /**
   * @param reactor - the reactor (any `IReactorSSL`).
   * @param port - the port; 0 picks a free one.
   * @param tlsOptions - the server's `key` and `cert`, and Node's other TLS server options.
   * @param backlog - the listen queue length.
   * @param iface - the address to bind; "" (all IPv4 interfaces) by default.
   */
  constructor(
    readonly reactor: IReactorSSL,
    readonly port: number,
    readonly tlsOptions: TLSOptions,
    readonly backlog = 50,
    iface = "",
  ) {
    this.interface = iface;
  }

  /**
   * Listen with `factory`.
   * @param factory - builds a protocol per accepted connection.
   * @returns a Deferred that fires with the listening port, or fails (`CannotListenError`, or
   *   Node's error for unusable TLS settings).
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return maybeDeferred(() =>
      this.reactor.listenSSL(this.port, factory, this.tlsOptions, {
        backlog: this.backlog,
        interface: this.interface,
      }),
    );
  }
}

/**
 * Connects over TLS to a TCP host and port: Twisted's `SSL4ClientEndpoint`. The protocol is
 * connected once the handshake is done; a certificate that does not verify fails the attempt.
 *
 * Differences from Twisted: the TLS settings are Node's client options (`ca`, `servername`,
 * `rejectUnauthorized`, `cert`, `key`, …) instead of an OpenSSL context factory.
 */
export class SSL4ClientEndpoint implements IStreamClientEndpoint {
  /** The local address to bind, as `[host, port]`, or undefined. */
  readonly bindAddress: readonly [string, number] | undefined;

  /**
   * @param reactor - the reactor (any `IReactorSSL`).
   * @param host - the host name or address.
   * @param port - the port.
   * @param tlsOptions - Node's TLS client options.
   * @param timeout - seconds to wait before failing with `TimeoutError`.
   * @param bindAddress - a local address to bind first.
   */
  constructor(
    readonly reactor: IReactorSSL,
    readonly host: string,
    readonly port: number,
    readonly tlsOptions: TLSOptions,
    readonly timeout = 30,
    bindAddress?: BindAddress,
  ) {
    this.bindAddress = bindPair(bindAddress);
  }

  /**
   * Connect with `factory`.
   * @param factory - builds the protocol once connected.
   * @returns as `TCP4ClientEndpoint.connect`.
   */
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    return connectWrapped(factory, (wrapper) =>
      this.reactor.connectSSL(
        this.host,
        this.port,
        wrapper,
        this.tlsOptions,
        connectOptions(this.timeout, this.bindAddress),
      ),
    );
  }
}
