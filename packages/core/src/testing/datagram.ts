/**
 * `FakeDatagramTransport`: records the packets a datagram protocol sends.
 * @packageDocumentation
 */
import type { WriteData } from "../interfaces/transport.js";
import { bytesOf } from "./bytes.js";

/** The address of a datagram: a host and a port. */
export type DatagramAddress = readonly [host: string, port: number];

/** What `FakeDatagramTransport.written` records for a packet sent without an address. */
export const noAddr: unique symbol = Symbol("FakeDatagramTransport.noAddr");

/**
 * A datagram transport that records each packet written, with its address, in `written`:
 * Twisted's `FakeDatagramTransport`. A packet written without an address (on a connected
 * datagram transport) is recorded with `noAddr`.
 *
 * Differences from Twisted: packets are recorded as Buffers (a string is encoded as UTF-8), and
 * anything else is a `TypeError`.
 */
export class FakeDatagramTransport {
  /** The sentinel recorded for a packet written without an address. */
  static readonly noAddr: typeof noAddr = noAddr;
  /** Every packet written, with its address (or `noAddr`), in order. */
  readonly written: Array<[packet: Buffer, addr: DatagramAddress | typeof noAddr]> = [];

  /**
   * Record a packet.
   * @param packet - the datagram.
   * @param addr - where it goes; omitted on a connected transport.
   * @throws TypeError when `packet` is not bytes or a string.
   */
  write(packet: WriteData, addr: DatagramAddress | typeof noAddr = noAddr): void {
    this.written.push([bytesOf(packet), addr]);
  }
}
