/**
 * TCP endpoints: `TCP4ServerEndpoint`, `TCP6ServerEndpoint`, `TCP4ClientEndpoint`,
 * `TCP6ClientEndpoint`.
 * @packageDocumentation
 */
import { isIPv6 } from "node:net";
import { HostnameAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import { maybeDeferred } from "../defer/helpers.js";
import { DNSLookupError } from "../errors.js";
import type { IListeningPort, IProtocol, IProtocolFactory } from "../interfaces/protocol.js";
import type { ConnectTCPOptions, IReactorTCP } from "../interfaces/reactor.js";
import type {
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  TypedProtocolFactory,
} from "./interfaces.js";
import { connectAfterResolving, type NameResolver, systemNameResolver } from "./resolver.js";
import { connectWrapped } from "./wrapping.js";

/**
 * The local address a client binds before connecting: a host (any port) or a `[host, port]`
 * pair. `""` or `"0.0.0.0"` as the host binds only the port.
 */
export type BindAddress = string | readonly [string, number];

/**
 * @internal `[host, port]` for a `BindAddress` (a bare host gets port 0), or undefined.
 * @param bindAddress - the bind address.
 */
export function bindPair(
  bindAddress: BindAddress | undefined,
): readonly [string, number] | undefined {
  if (bindAddress === undefined) return undefined;
  return typeof bindAddress === "string" ? [bindAddress, 0] : bindAddress;
}

/** @internal The `connectTCP`/`connectSSL` options for a timeout and a bind address. */
export function connectOptions(
  timeout: number,
  bindAddress: readonly [string, number] | undefined,
): ConnectTCPOptions {
  return bindAddress === undefined ? { timeout } : { timeout, bindAddress };
}

/**
 * Listens on a TCP port over IPv4 (or every interface). `listen` calls the reactor's
 * `listenTCP` and returns a Deferred, so a port in use is a failed Deferred
 * (`CannotListenError`), never a throw. Twisted's `TCP4ServerEndpoint`.
 */
export class TCP4ServerEndpoint implements IStreamServerEndpoint {
  /** The address to bind: "" for every IPv4 interface. */
  readonly interface: string;

  /**
   * @param reactor - the reactor (any `IReactorTCP`).
   * @param port - the port; 0 picks a free one (the port's `getHost()` tells which).
   * @param backlog - the listen queue length.
   * @param iface - the address to bind; "" (all IPv4 interfaces) by default.
   */
  constructor(
    readonly reactor: IReactorTCP,
    readonly port: number,
    readonly backlog = 50,
    iface = "",
  ) {
    this.interface = iface;
  }

  /**
   * Listen with `factory`.
   * @param factory - builds a protocol per accepted connection.
   * @returns a Deferred that fires with the listening port, or fails with `CannotListenError`.
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return maybeDeferred(() =>
      this.reactor.listenTCP(this.port, factory, {
        backlog: this.backlog,
        interface: this.interface,
      }),
    );
  }
}

/**
 * Listens on a TCP port over IPv6: a `TCP4ServerEndpoint` whose interface is "::" (every IPv6
 * interface, and IPv4 too where the system maps it) by default. Twisted's `TCP6ServerEndpoint`.
 */
export class TCP6ServerEndpoint extends TCP4ServerEndpoint {
  /**
   * @param reactor - the reactor.
   * @param port - the port; 0 picks a free one.
   * @param backlog - the listen queue length.
   * @param iface - the address to bind; "::" by default.
   */
  constructor(reactor: IReactorTCP, port: number, backlog = 50, iface = "::") {
    super(reactor, port, backlog, iface);
  }
}

/**
 * Connects to a TCP host and port: Twisted's `TCP4ClientEndpoint`. The host may be a name,
 * which the reactor resolves; to try every address of a name, use `HostnameEndpoint`.
 */
export class TCP4ClientEndpoint implements IStreamClientEndpoint {
  /** The local address to bind, as `[host, port]`, or undefined. */
  readonly bindAddress: readonly [string, number] | undefined;

  /**
   * @param reactor - the reactor (any `IReactorTCP`).
   * @param host - the host name or address.
   * @param port - the port.
   * @param timeout - seconds to wait before failing with `TimeoutError`.
   * @param bindAddress - a local address to bind first.
   */
  constructor(
    readonly reactor: IReactorTCP,
    readonly host: string,
    readonly port: number,
    readonly timeout = 30,
    bindAddress?: BindAddress,
  ) {
    this.bindAddress = bindPair(bindAddress);
  }

  /**
   * Connect with `factory`.
   * @param factory - builds the protocol once connected.
   * @returns a Deferred that fires with the protocol after its `connectionMade`, or fails
   *   (`ConnectionRefusedError`, `TimeoutError`, `DNSLookupError`, `NoProtocol`, …);
   *   cancelling it stops the attempt with `ConnectingCancelledError`.
   */
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    return connectWrapped(factory, (wrapper) =>
      this.reactor.connectTCP(
        this.host,
        this.port,
        wrapper,
        connectOptions(this.timeout, this.bindAddress),
      ),
    );
  }
}

/**
 * Connects to a TCP host and port over IPv6: Twisted's `TCP6ClientEndpoint`. A host that is not
 * an IPv6 address is resolved to its IPv6 addresses first, and the first one is used.
 *
 * Differences from Twisted: a name that has no IPv6 address, or does not resolve, fails with
 * `DNSLookupError` (Twisted passes on the resolver's `gaierror`); cancelling during resolution
 * fails with `ConnectingCancelledError`.
 */
export class TCP6ClientEndpoint extends TCP4ClientEndpoint {
  /** Resolves a host name that is not an IPv6 address; replace it to resolve differently. */
  nameResolver: NameResolver = systemNameResolver;

  /**
   * Connect with `factory`, resolving the host first when it is a name.
   * @param factory - builds the protocol once connected.
   * @returns as `TCP4ClientEndpoint.connect`.
   */
  override connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    if (isIPv6(this.host)) return super.connect(factory);
    const destination = new HostnameAddress(this.host, this.port);
    return connectAfterResolving(this.nameResolver, this.host, 6, destination, (addresses) => {
      const first = addresses.find((a) => a.family === 6);
      if (first === undefined) {
        throw new DNSLookupError(`no IPv6 address for the hostname '${this.host}'`);
      }
      return connectWrapped(factory, (wrapper) =>
        this.reactor.connectTCP(
          first.address,
          this.port,
          wrapper,
          connectOptions(this.timeout, this.bindAddress),
        ),
      );
    });
  }
}
