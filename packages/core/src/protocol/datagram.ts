/**
 * `DatagramProtocol`: the base class for the protocol side of a UDP port.
 * @packageDocumentation
 */
import type { IDatagramProtocol, IUDPTransport, UDPAddressTuple } from "../interfaces/udp.js";
import { Logger } from "../logger/index.js";

const log = new Logger({ namespace: "twisted-ts.internet.protocol" });

/**
 * The machinery every datagram protocol shares: Twisted's `AbstractDatagramProtocol`. A
 * protocol may serve several ports at once; `doStart`/`doStop` count them in `numPorts`, so
 * `startProtocol` runs when the first port starts and `stopProtocol` when the last one stops.
 * Most code subclasses {@link DatagramProtocol} instead.
 *
 * Differences from Twisted: an extra `doStop` does nothing (Twisted asserts), as
 * `Factory.doStop` does here.
 */
export class AbstractDatagramProtocol implements IDatagramProtocol {
  /** The port this protocol is attached to, from `makeConnection` until it stops. */
  transport: IUDPTransport | undefined = undefined;
  /** How many ports use this protocol now. */
  numPorts = 0;
  /** Log "Starting protocol …" / "Stopping protocol …" (true by default, as in Twisted). */
  noisy = true;

  /**
   * Attach a port and count it: the port calls this when it starts listening.
   * @param transport - the UDP port.
   * @throws Error when the protocol is already attached to a port.
   */
  makeConnection(transport: IUDPTransport): void {
    if (this.transport !== undefined) {
      throw new Error(`${this.logPrefix()} is already attached to a transport`);
    }
    this.transport = transport;
    this.doStart();
  }

  /** A port started using this protocol; the first one calls `startProtocol`. */
  doStart(): void {
    if (this.numPorts === 0) {
      if (this.noisy) log.info("Starting protocol {protocol}", { protocol: this.logPrefix() });
      this.startProtocol();
    }
    this.numPorts++;
  }

  /** A port stopped using this protocol; `transport` is cleared and the last one calls `stopProtocol`. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    this.transport = undefined;
    if (this.numPorts === 0) {
      if (this.noisy) log.info("Stopping protocol {protocol}", { protocol: this.logPrefix() });
      this.stopProtocol();
    }
  }

  /** Called once, when the first port starts: join groups, connect, send the first datagram. */
  startProtocol(): void {}

  /** Called once, after the last port has stopped. */
  stopProtocol(): void {}

  /**
   * Called for each datagram. Override it. A throw is logged and the port goes on.
   * @param _datagram - the bytes, cut to the port's `maxPacketSize`.
   * @param _addr - the sender, `[host, port]`.
   */
  datagramReceived(_datagram: Buffer, _addr: UDPAddressTuple): void {}

  /** The prefix for this protocol's log lines: its class name, as in Twisted. */
  logPrefix(): string {
    return this.constructor.name;
  }
}

/**
 * The base class of UDP protocols: Twisted's `twisted.internet.protocol.DatagramProtocol`.
 * Subclass it, override `datagramReceived` (and `startProtocol`/`stopProtocol` when needed),
 * and pass an instance to `reactor.listenUDP`; answer with `this.transport.write(data, addr)`.
 *
 * @example
 * ```ts
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Buffer, addr: UDPAddressTuple): void {
 *     this.transport?.write(data, addr);
 *   }
 * }
 * reactor.listenUDP(9999, new Echo());
 * ```
 */
export class DatagramProtocol extends AbstractDatagramProtocol {
  /**
   * On a connected port (`transport.connect`): the peer refused an earlier datagram (an ICMP
   * "port unreachable" came back). Override to react; the default does nothing.
   */
  connectionRefused(): void {}
}
