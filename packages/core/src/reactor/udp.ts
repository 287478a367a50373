/**
 * `UDPPort`: a listening UDP socket, Twisted's `udp.Port` and `udp.MulticastPort`, over
 * `node:dgram`.
 * @packageDocumentation
 */
import { createSocket, type Socket as DgramSocket, type RemoteInfo } from "node:dgram";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type IPv4Address, type IPv6Address, ipAddress } from "../address.js";
import { Deferred } from "../defer/deferred.js";
import { fail, succeed } from "../defer/helpers.js";
import {
  CannotListenError,
  InvalidAddressError,
  MessageLengthError,
  MulticastJoinError,
} from "../errors.js";
import type { WriteData } from "../interfaces/transport.js";
import type {
  IDatagramProtocol,
  IUDPPort,
  ListenMulticastOptions,
  UDPAddressTuple,
} from "../interfaces/udp.js";
import { Logger } from "../logger/index.js";
import type { ReactorBase, ShutdownResource } from "./base.js";
import { toChunk } from "./connection.js";

const log = new Logger({ namespace: "twisted-ts.internet.udp" });

/** The largest UDP payload over IPv4 and over IPv6, in bytes. */
const MAX_DATAGRAM = { udp4: 65_507, udp6: 65_527 } as const;

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string,
  family: number,
) => void;

/**
 * The socket's name lookup: IP literals only, answered synchronously. With it Node binds (and
 * connects, and sends) within the call instead of on a later tick, so a port is bound when
 * `listenUDP` returns. Host names never get here: they are refused first.
 */
function literalLookup(address: string, options: unknown, callback?: LookupCallback): void {
  const done = (typeof options === "function" ? options : callback) as LookupCallback;
  const family = isIP(address);
  if (family === 0) {
    const error: NodeJS.ErrnoException = new Error(`${address} is not an IP address`);
    error.code = "EINVAL";
    done(error, address, 4);
    return;
  }
  done(null, address, family);
}

/**
 * A UDP port: the transport of a `DatagramProtocol`. Datagrams that arrive go to
 * `protocol.datagramReceived` (cut to `maxPacketSize`); a throw there is logged and the port
 * goes on. It is closed at reactor shutdown.
 *
 * The socket is bound before `listenUDP` returns, so `getHost()` gives the real port at once,
 * and a port in use raises `CannotListenError` there, as in Twisted.
 *
 * Differences from Twisted: every UDP port has the multicast methods (Twisted keeps them on
 * `listenMulticast`'s ports); the broadcast, TTL and loopback getters report what was set (Node
 * has no getters), starting from the system defaults (off, 1, on); a write after
 * `stopListening` is dropped.
 */
export class UDPPort implements IUDPPort, ShutdownResource {
  /** Whether the port is listening. */
  connected = false;
  /** The largest datagram handed to the protocol, in bytes. */
  readonly maxPacketSize: number;
  /** The local address asked for ("" for all IPv4 interfaces). */
  readonly interface: string;
  private readonly family: "udp4" | "udp6";
  private socket: DgramSocket | undefined;
  private connectedAddr: UDPAddressTuple | undefined;
  private realPort: number | undefined;
  private lastHost: IPv4Address | IPv6Address | undefined;
  private closing: Deferred<void> | undefined;
  private broadcast = false;
  private ttl = 1;
  private loopback = true;
  private outgoing: string;

  /**
   * @param reactor - the reactor (for shutdown tracking).
   * @param port - the port number; 0 for any free one.
   * @param protocol - the protocol that gets the datagrams.
   * @param options - `interface`, `maxPacketSize` and `listenMultiple`.
   * @throws InvalidAddressError when `interface` is not a numeric address.
   */
  constructor(
    private readonly reactor: ReactorBase,
    readonly port: number,
    readonly protocol: IDatagramProtocol,
    private readonly options: ListenMulticastOptions = {},
  ) {
    this.interface = options.interface ?? "";
    this.maxPacketSize = options.maxPacketSize ?? 8192;
    const kind = isIP(this.interface);
    if (this.interface !== "" && kind === 0) {
      throw new InvalidAddressError(`${this.interface}: not an IPv4 or IPv6 address.`);
    }
    this.family = kind === 6 ? "udp6" : "udp4";
    this.outgoing = this.family === "udp6" ? "::" : "0.0.0.0";
  }

  /**
   * Bind the socket and attach the protocol (`makeConnection`, hence `startProtocol`).
   * `listenUDP` calls this.
   * @throws CannotListenError when the address is in use or unavailable.
   */
  startListening(): void {
    const socket = createSocket({
      type: this.family,
      lookup: literalLookup as never,
      reuseAddr: this.options.listenMultiple === true,
    });
    let bindError: unknown;
    socket.once("error", (error) => {
      bindError = error;
    });
    const host = this.interface || (this.family === "udp6" ? "::" : "0.0.0.0");
    socket.bind({ port: this.port, address: host, exclusive: true });
    let bound: { port: number } | undefined;
    try {
      bound = socket.address();
    } catch (error) {
      bindError ??= error;
    }
    if (bound === undefined || bindError !== undefined) {
      socket.removeAllListeners("error");
      socket.on("error", () => {});
      socket.close();
      throw new CannotListenError(this.interface, this.port, bindError ?? new Error("bind failed"));
    }
    socket.removeAllListeners("error");
    socket.on("error", (error: NodeJS.ErrnoException) => this.onError(error));
    socket.on("message", (data: Buffer, rinfo: RemoteInfo) => this.onMessage(data, rinfo));
    this.socket = socket;
    this.realPort = bound.port;
    this.lastHost = this.readHost();
    this.connected = true;
    this.reactor.resources.add(this);
    log.info("{prefix} starting on {port}", {
      prefix: protocolPrefix(this.protocol),
      port: this.realPort,
    });
    this.protocol.makeConnection(this);
  }

  private onMessage(data: Buffer, rinfo: RemoteInfo): void {
    if (!this.connected) return;
    const datagram = data.length > this.maxPacketSize ? data.subarray(0, this.maxPacketSize) : data;
    try {
      this.protocol.datagramReceived(datagram, [rinfo.address, rinfo.port]);
    } catch (error) {
      log.failure("Unhandled error in datagramReceived of {protocol}", error, {
        protocol: protocolPrefix(this.protocol),
      });
    }
  }

  private onError(error: NodeJS.ErrnoException): void {
    if (error.code === "ECONNREFUSED") {
      if (this.connectedAddr !== undefined) this.refused();
      return;
    }
    if (error.code === "EAGAIN" || error.code === "EINTR" || error.code === "EWOULDBLOCK") return;
    log.failure("Error on UDP port {port}", error, { port: String(this) });
  }

  private refused(): void {
    if (!this.connected) return;
    try {
      this.protocol.connectionRefused?.();
    } catch (error) {
      log.failure("Unhandled error in connectionRefused of {protocol}", error, {
        protocol: protocolPrefix(this.protocol),
      });
    }
  }

  /** @inheritDoc */
  write(datagram: WriteData, addr?: UDPAddressTuple): void {
    const chunk = toChunk(datagram);
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let target: UDPAddressTuple | undefined;
    if (this.connectedAddr !== undefined) {
      if (
        addr !== undefined &&
        (addr[0] !== this.connectedAddr[0] || addr[1] !== this.connectedAddr[1])
      ) {
        throw new TypeError(
          `this UDP port is connected to ${this.connectedAddr.join(":")}, not ${addr.join(":")}`,
        );
      }
    } else {
      if (addr === undefined)
        throw new TypeError("write() on an unconnected UDP port needs an address");
      target = [this.checkAddress(addr[0], "write()"), addr[1]];
    }
    if (bytes.length > MAX_DATAGRAM[this.family]) throw new MessageLengthError("message too long");
    const socket = this.socket;
    if (socket === undefined || !this.connected) return;
    const sent = (error: Error | null): void => {
      if (error !== null) this.sendFailed(error as NodeJS.ErrnoException);
    };
    if (target === undefined) socket.send(bytes, sent);
    else socket.send(bytes, target[1], target[0], sent);
  }

  private sendFailed(error: NodeJS.ErrnoException): void {
    // As in Twisted: a refusal matters only on a connected port; elsewhere it is dropped.
    if (error.code === "ECONNREFUSED") {
      if (this.connectedAddr !== undefined) this.refused();
      return;
    }
    log.failure("Error writing to UDP port {port}", error, { port: String(this) });
  }

  /** @inheritDoc */
  writeSequence(seq: readonly WriteData[], addr?: UDPAddressTuple): void {
    const chunks = seq.map((chunk) => {
      const c = toChunk(chunk);
      return typeof c === "string" ? Buffer.from(c, "utf8") : c;
    });
    this.write(Buffer.concat(chunks), addr);
  }

  /** @inheritDoc */
  connect(host: string, port: number): void {
    if (this.connectedAddr !== undefined) {
      throw new Error("already connected, reconnecting is not currently supported");
    }
    if (isIP(host) === 0) throw new InvalidAddressError(`${host}: not an IPv4 or IPv6 address.`);
    this.connectedAddr = [host, port];
    this.socket?.connect(port, host);
  }

  /** Map `<broadcast>` and check that `host` is a literal of this port's family. */
  private checkAddress(host: string, what: string): string {
    const kind = isIP(host);
    if (host === "<broadcast>") {
      if (this.family === "udp6") {
        throw new InvalidAddressError(
          `${host}: IPv6 port ${what} called with IPv4 or broadcast address`,
        );
      }
      return "255.255.255.255";
    }
    if (kind === 0)
      throw new InvalidAddressError(`${host}: ${what} only accepts IP addresses, not hostnames`);
    if (kind === 4 && this.family === "udp6") {
      throw new InvalidAddressError(
        `${host}: IPv6 port ${what} called with IPv4 or broadcast address`,
      );
    }
    if (kind === 6 && this.family === "udp4") {
      throw new InvalidAddressError(`${host}: IPv4 port ${what} called with IPv6 address`);
    }
    return host;
  }

  /** @inheritDoc */
  getHost(): IPv4Address | IPv6Address {
    if (this.connected) this.lastHost = this.readHost() ?? this.lastHost;
    return this.lastHost ?? ipAddress("UDP", this.interface || "0.0.0.0", this.port);
  }

  private readHost(): IPv4Address | IPv6Address | undefined {
    try {
      const local = (this.socket as DgramSocket).address();
      return ipAddress("UDP", local.address, local.port, local.family);
    } catch {
      return undefined;
    }
  }

  /** @inheritDoc */
  stopListening(): Deferred<void> {
    if (this.closing !== undefined) return this.closing;
    const closing = new Deferred<void>();
    this.closing = closing;
    const socket = this.socket;
    if (!this.connected || socket === undefined) {
      closing.callback(undefined);
      return closing;
    }
    this.connected = false;
    this.reactor.resources.delete(this);
    socket.close(() => this.connectionLost(closing));
    return closing;
  }

  /** The socket is closed: tell the protocol (`doStop`) and fire `stopListening`'s Deferred. */
  private connectionLost(closing: Deferred<void>): void {
    log.info("(UDP Port {port} Closed)", { port: this.realPort });
    this.realPort = undefined;
    this.socket = undefined;
    try {
      this.protocol.doStop();
    } catch (error) {
      log.failure("Unhandled error in stopProtocol of {protocol}", error, {
        protocol: protocolPrefix(this.protocol),
      });
    }
    closing.callback(undefined);
  }

  /** Stop listening at reactor shutdown. */
  closeForShutdown(): void {
    this.stopListening();
  }

  /** @inheritDoc */
  setBroadcastAllowed(enabled: boolean): void {
    this.socket?.setBroadcast(enabled);
    this.broadcast = enabled;
  }

  /** @inheritDoc */
  getBroadcastAllowed(): boolean {
    return this.broadcast;
  }

  /** @inheritDoc */
  getOutgoingInterface(): string {
    return this.outgoing;
  }

  /** @inheritDoc */
  setOutgoingInterface(addr: string): Deferred<number> {
    return this.resolve(addr).addCallback((resolved) => {
      this.liveSocket().setMulticastInterface(resolved);
      this.outgoing = resolved;
      return 1;
    });
  }

  /** @inheritDoc */
  getLoopbackMode(): boolean {
    return this.loopback;
  }

  /** @inheritDoc */
  setLoopbackMode(mode: boolean | number): void {
    const on = Boolean(mode);
    this.liveSocket().setMulticastLoopback(on);
    this.loopback = on;
  }

  /** @inheritDoc */
  getTTL(): number {
    return this.ttl;
  }

  /** @inheritDoc */
  setTTL(ttl: number): void {
    this.liveSocket().setMulticastTTL(ttl);
    this.ttl = ttl;
  }

  /** @inheritDoc */
  joinGroup(addr: string, iface = ""): Deferred<void> {
    return this.joinLeave(addr, iface, true);
  }

  /** @inheritDoc */
  leaveGroup(addr: string, iface = ""): Deferred<void> {
    return this.joinLeave(addr, iface, false);
  }

  private joinLeave(addr: string, iface: string, join: boolean): Deferred<void> {
    const groupD = this.resolve(addr);
    return groupD.addCallback((group) =>
      (iface === "" ? succeed("") : this.resolve(iface)).addCallback((local) => {
        try {
          const socket = this.liveSocket();
          if (join) socket.addMembership(group, local || undefined);
          else socket.dropMembership(group, local || undefined);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          throw new MulticastJoinError(`${addr} on ${iface || "the default interface"}: ${why}`, {
            cause: error,
          });
        }
      }),
    );
  }

  /** An IP literal as it is; a host name resolved in this port's family. */
  private resolve(name: string): Deferred<string> {
    if (isIP(name) !== 0) return succeed(name);
    if (name === "") return fail(new InvalidAddressError("an empty address"));
    const family = this.family === "udp6" ? 6 : 4;
    return Deferred.fromPromise(dnsLookup(name, { family }).then((found) => found.address));
  }

  private liveSocket(): DgramSocket {
    if (this.socket === undefined) throw new Error(`${String(this)} is not listening`);
    return this.socket;
  }

  /** The prefix of this port's log lines: `Echo (UDP)`. */
  logPrefix(): string {
    return `${protocolPrefix(this.protocol)} (UDP)`;
  }

  /** `<Echo on 9999>`, or `<Echo not connected>` once closed. */
  toString(): string {
    const name = protocolPrefix(this.protocol);
    return this.realPort === undefined
      ? `<${name} not connected>`
      : `<${name} on ${this.realPort}>`;
  }
}

function protocolPrefix(protocol: IDatagramProtocol): string {
  const prefix = (protocol as { logPrefix?: () => string }).logPrefix;
  return typeof prefix === "function" ? prefix.call(protocol) : protocol.constructor.name;
}
