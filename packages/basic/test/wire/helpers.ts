import type { DatagramProtocol, IUDPTransport } from "@twisted-ts/core";
import { FakeDatagramTransport } from "@twisted-ts/core/testing";

/** A datagram peer for the unit tests. */
export const PEER = ["192.0.2.7", 4321] as const;

/**
 * Attach a datagram protocol to a fake transport that only records writes, as a port would.
 * @returns the transport, whose `written` lists the answers.
 */
export function attachDatagram(protocol: DatagramProtocol): FakeDatagramTransport {
  const transport = new FakeDatagramTransport();
  protocol.noisy = false;
  protocol.makeConnection(transport as unknown as IUDPTransport);
  return transport;
}
