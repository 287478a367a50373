/**
 * UDP and multicast: Twisted's `IReactorUDP`, `IReactorMulticast`, `IUDPTransport`,
 * `IMulticastTransport` and the protocol side, `IDatagramProtocol`.
 * @packageDocumentation
 */
import type { IPv4Address, IPv6Address } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import type { WriteData } from "./transport.js";

/** A datagram peer as Twisted spells it: a numeric host and a port, `["127.0.0.1", 53]`. */
export type UDPAddressTuple = readonly [host: string, port: number];

/**
 * The protocol side of a UDP port: what the port calls as datagrams arrive. Twisted's
 * `AbstractDatagramProtocol`/`DatagramProtocol` interface; `DatagramProtocol` implements it.
 */
export interface IDatagramProtocol {
  /**
   * Attach the port (sets `transport`) and count it with `doStart`. The port calls this once,
   * when it starts listening.
   * @param transport - the UDP port.
   */
  makeConnection(transport: IUDPTransport): void;
  /** A port started using this protocol; the first one calls `startProtocol`. */
  doStart(): void;
  /** A port stopped using this protocol; the last one calls `stopProtocol`. */
  doStop(): void;
  /**
   * A datagram arrived.
   * @param datagram - its bytes (cut to the port's `maxPacketSize`).
   * @param addr - the sender, `[host, port]`.
   */
  datagramReceived(datagram: Buffer, addr: UDPAddressTuple): void;
  /**
   * On a connected port: the peer answered an earlier datagram with ICMP "port unreachable".
   * Optional; ignored when absent.
   */
  connectionRefused?(): void;
}

/** A listening UDP port: what `listenUDP` returns and what `protocol.transport` is. */
export interface IUDPTransport {
  /**
   * Send one datagram.
   * @param datagram - the bytes, or a string sent as UTF-8.
   * @param addr - where to: a numeric host and a port. Leave it out on a connected port (or
   *   pass the connected address).
   * @throws TypeError for data that is neither a Uint8Array nor a string.
   * @throws TypeError when an unconnected port is given no address, or a connected one is
   *   given another address.
   * @throws InvalidAddressError for a host name (only IP addresses are accepted, as in Twisted)
   *   or an address of the other IP family.
   * @throws MessageLengthError when the datagram is larger than one UDP datagram can be.
   */
  write(datagram: WriteData, addr?: UDPAddressTuple): void;
  /**
   * Send the chunks joined as one datagram.
   * @param seq - the chunks.
   * @param addr - as for `write`.
   */
  writeSequence(seq: readonly WriteData[], addr?: UDPAddressTuple): void;
  /**
   * "Connect" to one peer: later writes go there, only its datagrams arrive, and an ICMP
   * refusal calls the protocol's `connectionRefused`.
   * @param host - a numeric IPv4 or IPv6 address.
   * @param port - the peer's port.
   * @throws Error when already connected (reconnecting is not supported, as in Twisted).
   * @throws InvalidAddressError for a host name.
   */
  connect(host: string, port: number): void;
  /** The local address, with the real port when 0 was asked for. */
  getHost(): IPv4Address | IPv6Address;
  /**
   * Stop listening: the socket is closed and the protocol's `doStop` runs on a later turn.
   * @returns a Deferred that fires once the socket is closed.
   */
  stopListening(): Deferred<void>;
  /**
   * Allow or forbid sending to broadcast addresses (forbidden by default).
   * @param enabled - whether to allow broadcast.
   */
  setBroadcastAllowed(enabled: boolean): void;
  /** Whether sending to broadcast addresses is allowed. */
  getBroadcastAllowed(): boolean;
}

/** The multicast controls of a UDP port: Twisted's `IMulticastTransport`. */
export interface IMulticastTransport {
  /**
   * The interface multicast datagrams are sent from: "0.0.0.0" (IPv4) or "::" (IPv6) until set,
   * meaning the system's choice.
   */
  getOutgoingInterface(): string;
  /**
   * Send multicast datagrams from this interface.
   * @param addr - the interface's address (a host name is resolved first).
   * @returns a Deferred that fires with 1 once set.
   */
  setOutgoingInterface(addr: string): Deferred<number>;
  /** Whether our own multicast datagrams loop back to us (true by default). */
  getLoopbackMode(): boolean;
  /**
   * Turn the loopback of our own multicast datagrams on or off.
   * @param mode - true (or non-zero) to loop back.
   */
  setLoopbackMode(mode: boolean | number): void;
  /** The time-to-live of multicast datagrams, in hops (1 by default). */
  getTTL(): number;
  /**
   * Set the time-to-live of multicast datagrams.
   * @param ttl - hops, 0 to 255.
   */
  setTTL(ttl: number): void;
  /**
   * Join a multicast group.
   * @param addr - the group's address (a host name is resolved first).
   * @param iface - the local interface's address; "" for the system's choice.
   * @returns a Deferred that fires once joined, or fails with `MulticastJoinError`.
   */
  joinGroup(addr: string, iface?: string): Deferred<void>;
  /**
   * Leave a multicast group.
   * @param addr - the group's address.
   * @param iface - the interface it was joined on.
   * @returns a Deferred that fires once left, or fails with `MulticastJoinError`.
   */
  leaveGroup(addr: string, iface?: string): Deferred<void>;
}

/** A UDP port with everything: the transport, its multicast controls, and its state. */
export interface IUDPPort extends IUDPTransport, IMulticastTransport {
  /** Whether the port is listening (true from `listenUDP` until `stopListening`). */
  readonly connected: boolean;
  /** The largest datagram handed to the protocol, in bytes; longer ones are cut. */
  readonly maxPacketSize: number;
}

/** Options of `listenUDP`. */
export interface ListenUDPOptions {
  /**
   * The local IPv4 or IPv6 address to bind; "" (all IPv4 interfaces) by default, "::" for all
   * IPv6 ones. It must be numeric.
   */
  interface?: string;
  /**
   * The largest datagram to receive, in bytes; 8192 by default. Longer datagrams are cut to
   * this length, as the system's `recvfrom` does in Twisted.
   */
  maxPacketSize?: number;
}

/** Options of `listenMulticast`. */
export interface ListenMulticastOptions extends ListenUDPOptions {
  /** Let several sockets bind the same port (SO_REUSEADDR), to share a group's traffic. */
  listenMultiple?: boolean;
}

/** UDP: Twisted's `IReactorUDP`. */
export interface IReactorUDP {
  /**
   * Listen for datagrams on a UDP port.
   * @param port - the port; 0 picks a free one (`getHost().port` tells which, at once).
   * @param protocol - gets the datagrams.
   * @param options - `interface` ("") and `maxPacketSize` (8192).
   * @throws CannotListenError when the port is in use or the address unavailable.
   * @throws InvalidAddressError when `interface` is not a numeric address.
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: ListenUDPOptions): IUDPPort;
}

/** Multicast UDP: Twisted's `IReactorMulticast`. */
export interface IReactorMulticast {
  /**
   * Listen for datagrams on a UDP port meant for multicast.
   * @param port - the port; 0 picks a free one.
   * @param protocol - gets the datagrams.
   * @param options - as `listenUDP`, plus `listenMultiple`.
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    options?: ListenMulticastOptions,
  ): IUDPPort;
}
