import type { IProtocolFactory } from "@twisted-ts/core";
import { type Deferred, type Failure, IPv4Address } from "@twisted-ts/core";
import { StringTransportWithDisconnection } from "@twisted-ts/core/testing";

export const address = new IPv4Address("TCP", "127.0.0.1", 40000);

/** Connect a protocol built by `factory` to a StringTransport. */
export function connectTo<P>(factory: IProtocolFactory): {
  protocol: P;
  transport: StringTransportWithDisconnection;
} {
  const protocol = factory.buildProtocol(address);
  if (protocol === null) throw new Error("no protocol");
  const transport = new StringTransportWithDisconnection();
  transport.protocol = protocol;
  protocol.makeConnection(transport);
  return { protocol: protocol as P, transport };
}

/** What a Deferred has fired with so far. */
export function outcome<T>(d: Deferred<T>): { value?: T; error?: unknown; called: boolean } {
  const seen: { value?: T; error?: unknown; called: boolean } = { called: false };
  d.addCallbacks(
    (value: T) => {
      seen.called = true;
      seen.value = value;
    },
    (failure: Failure) => {
      seen.called = true;
      seen.error = failure.value;
    },
  );
  return seen;
}
