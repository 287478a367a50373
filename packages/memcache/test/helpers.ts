import type { Deferred, Failure } from "@twisted-ts/core";
import { Clock, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import { MemCacheProtocol } from "../src/protocol.js";

/** What a Deferred has given so far. */
export interface Outcome<T> {
  /** Whether it fired. */
  called: boolean;
  /** Its result, once it succeeded. */
  value?: T;
  /** Its error, once it failed. */
  error?: unknown;
}

/** Watch a Deferred (consuming its error). */
export function outcome<T>(d: Deferred<T>): Outcome<T> {
  const seen: Outcome<T> = { called: false };
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

/** A client connected to a StringTransport, with its timeout on a Clock. */
export function connected(timeOut = 60) {
  const clock = new Clock();
  const proto = new MemCacheProtocol(timeOut, clock);
  const transport = new StringTransportWithDisconnection();
  transport.protocol = proto;
  proto.makeConnection(transport);
  const sent = () => transport.value().toString("latin1");
  const receive = (text: string | Buffer) =>
    proto.dataReceived(typeof text === "string" ? Buffer.from(text, "latin1") : text);
  return { clock, proto, transport, sent, receive };
}
