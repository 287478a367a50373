/**
 * Connection limits: `LimitTotalConnectionsFactory` (all peers together) and
 * `LimitConnectionsByPeer` (each peer host on its own).
 * @packageDocumentation
 */
import { type IAddress, type IProtocol, type ProtocolClass, ServerFactory } from "@twisted-ts/core";
import { type IWrapperRegistry, ProtocolWrapper, WrappingFactory } from "./wrapper.js";

/**
 * A server factory that counts its open connections and, beyond `connectionLimit`, either
 * refuses new ones or hands them to `overflowProtocol` (which can tell the peer to come back
 * later, then close). Set `protocol` as for any factory; each protocol is built with no
 * arguments, gets `factory` set to this factory, and is wrapped in a {@link ProtocolWrapper}
 * that keeps the count. Overflow connections count too. Twisted's
 * `policies.LimitTotalConnectionsFactory`.
 *
 * @example
 * ```ts
 * const factory = new LimitTotalConnectionsFactory(100, TooBusy);
 * factory.protocol = Echo;
 * reactor.listenTCP(7, factory);
 * ```
 *
 * Differences from Twisted: the limit and overflow protocol may be given to the constructor
 * (Twisted sets class attributes; the fields work the same way).
 */
export class LimitTotalConnectionsFactory extends ServerFactory implements IWrapperRegistry {
  /** How many connections are open (overflow ones included). */
  connectionCount = 0;

  /**
   * @param connectionLimit - the most connections served by `protocol`; null for no limit.
   * @param overflowProtocol - the protocol for connections beyond the limit; without one they
   *   are refused (closed at once).
   */
  constructor(
    public connectionLimit: number | null = null,
    public overflowProtocol: ProtocolClass | undefined = undefined,
  ) {
    super();
  }

  /**
   * Build `protocol` (or, beyond the limit, `overflowProtocol`), wrapped, and count it.
   * @param _addr - the peer's address.
   * @returns the wrapper, or null to refuse the connection.
   * @throws Error when `protocol` is not set.
   */
  override buildProtocol(_addr: IAddress): ProtocolWrapper<LimitTotalConnectionsFactory> | null {
    let wrapped: IProtocol;
    if (this.connectionLimit === null || this.connectionCount < this.connectionLimit) {
      if (this.protocol === undefined) {
        throw new Error(`${this.constructor.name}.protocol is not set`);
      }
      wrapped = new this.protocol();
    } else if (this.overflowProtocol === undefined) {
      return null;
    } else {
      wrapped = new this.overflowProtocol();
    }
    (wrapped as { factory?: unknown }).factory = this;
    const protocol = new ProtocolWrapper(this, wrapped);
    this.connectionCount++;
    return protocol;
  }

  /**
   * Nothing to do: connections are counted when built.
   * @param _protocol - the wrapper.
   */
  registerProtocol(_protocol: ProtocolWrapper): void {}

  /**
   * A connection is over: count it.
   * @param _protocol - the wrapper.
   */
  unregisterProtocol(_protocol: ProtocolWrapper): void {
    this.connectionCount--;
  }
}

/**
 * Limits how many connections each peer host may have open at once, `maxConnectionsPerPeer`
 * (5 by default); a connection beyond that is refused (closed at once). Connections are grouped
 * by {@link LimitConnectionsByPeer.peerKey}: the peer's IP address (an IPv4-mapped IPv6 address
 * counts as the IPv4 one), the socket path for Unix peers. Twisted's
 * `policies.LimitConnectionsByPeer`.
 *
 * Differences from Twisted: Twisted's is broken and untested: it indexes the address object as
 * a tuple (`addr[0]`, a TypeError on every connection) and unregisters by `getPeer()[1]` (the
 * port, not the host), and never removes the wrapper from `protocols`. This one keys on
 * `addr.host`, remembers each connection's key so the count goes down by the one it went up,
 * and keeps `protocols` right. Twisted clears the counts on `startFactory`; here they always
 * describe the open connections, even across a restart of the listening port.
 */
export class LimitConnectionsByPeer extends WrappingFactory {
  /** The most connections one peer host may have open at once. */
  maxConnectionsPerPeer = 5;
  /** Open connections per peer key. Keys with no connection are removed. */
  readonly peerConnections: Map<string, number> = new Map();
  private readonly keys = new WeakMap<ProtocolWrapper, string>();

  /**
   * The group a peer's connections count in. Override it to group otherwise (by subnet, say).
   * @param addr - the peer's address.
   * @returns the IP address (IPv4-mapped IPv6 ones as IPv4, IPv6 in lower case), the socket
   *   path of a Unix peer (`""` when unnamed), or the host name of a `HostnameAddress`.
   */
  peerKey(addr: IAddress): string {
    switch (addr.family) {
      case "IPv4":
        return addr.host;
      case "IPv6": {
        const host = addr.host.toLowerCase();
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
        return mapped?.[1] ?? host;
      }
      case "UNIX":
        return `unix:${addr.name ?? ""}`;
      case "Hostname":
        return addr.hostname;
    }
  }

  /**
   * Refuse when the peer already has `maxConnectionsPerPeer` connections; otherwise build,
   * wrap and count.
   * @param addr - the peer's address.
   * @returns the wrapper, or null to refuse the connection.
   */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const key = this.peerKey(addr);
    const count = this.peerConnections.get(key) ?? 0;
    if (count >= this.maxConnectionsPerPeer) return null;
    const protocol = super.buildProtocol(addr);
    if (protocol === null) return null;
    this.peerConnections.set(key, count + 1);
    this.keys.set(protocol, key);
    return protocol;
  }

  /**
   * A connection is over: count it off its peer.
   * @param protocol - the wrapper.
   */
  override unregisterProtocol(protocol: ProtocolWrapper): void {
    super.unregisterProtocol(protocol);
    const key = this.keys.get(protocol);
    if (key === undefined) return;
    this.keys.delete(protocol);
    const left = (this.peerConnections.get(key) ?? 1) - 1;
    if (left > 0) this.peerConnections.set(key, left);
    else this.peerConnections.delete(key);
  }
}
