import {
  CancelledError,
  ConnectionLost,
  ConnectionRefusedError,
  type Deferred,
  Failure,
  type IClientFactory,
  type IProtocol,
  IPv4Address,
  TimeoutError,
} from "@twisted-ts/core";
import {
  type FakeConnector,
  MemoryReactorClock,
  StringTransportWithDisconnection,
} from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { getQuote } from "../src/client.js";
import { QuoteTooLongError } from "../src/errors.js";

/** Settles-or-not snapshot of a Deferred. */
function outcome<T>(d: Deferred<T>): { value?: T; error?: unknown } {
  const seen: { value?: T; error?: unknown } = {};
  d.addCallbacks(
    (value: T) => {
      seen.value = value;
    },
    (failure: Failure) => {
      seen.error = failure.value;
    },
  );
  return seen;
}

/** Start getQuote on a memory reactor and play the server's side by hand. */
function start(options: Parameters<typeof getQuote>[3] = {}) {
  const reactor = new MemoryReactorClock();
  const d = getQuote(reactor, "qotd.example", 17, options);
  const seen = outcome(d);
  const record = reactor.tcpClients[0];
  if (record === undefined) throw new Error("getQuote did not connect");
  const factory = record[2] as IClientFactory;
  const connector = reactor.connectors[0] as FakeConnector;
  const connect = () => {
    const protocol = factory.buildProtocol(new IPv4Address("TCP", "192.0.2.17", 17)) as IProtocol;
    const transport = new StringTransportWithDisconnection();
    transport.protocol = protocol;
    protocol.makeConnection(transport);
    return { protocol, transport };
  };
  return { reactor, d, seen, record, factory, connector, connect };
}

describe("getQuote", () => {
  it("connects to the host and port, with the timeout as the connect timeout", () => {
    const { record } = start({ timeout: 5 });
    expect(record.slice(0, 2)).toEqual(["qotd.example", 17]);
    expect(record[3]).toBe(5);
  });

  it("reads until the server closes and strips the final CRLF", () => {
    const { connect, seen, reactor } = start();
    const { protocol, transport } = connect();
    protocol.dataReceived(Buffer.from("An apple a day keeps the doctor away.\r\n"));
    expect(seen).toEqual({});
    transport.loseConnection();
    expect(seen).toEqual({ value: "An apple a day keeps the doctor away." });
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("gives the same quote however the bytes are split, at every chunk size", () => {
    const message = Buffer.from("Café ☕ first line\r\n\t-- second line\r\n", "utf8");
    for (let size = 1; size <= message.length; size++) {
      const { connect, seen } = start();
      const { protocol, transport } = connect();
      for (let i = 0; i < message.length; i += size)
        protocol.dataReceived(message.subarray(i, i + size));
      transport.loseConnection();
      expect(seen.value).toBe("Café ☕ first line\r\n\t-- second line");
    }
  });

  it("strips a bare LF too, but only one line break", () => {
    const a = start();
    const one = a.connect();
    one.protocol.dataReceived(Buffer.from("unix style\n"));
    one.transport.loseConnection();
    expect(a.seen.value).toBe("unix style");
    const b = start();
    const two = b.connect();
    two.protocol.dataReceived(Buffer.from("two\r\n\r\n"));
    two.transport.loseConnection();
    expect(b.seen.value).toBe("two\r\n");
  });

  it("gives an empty string when the server closes without sending", () => {
    const { connect, seen } = start();
    connect().transport.loseConnection();
    expect(seen).toEqual({ value: "" });
  });

  it("fails with the connector's reason when the connection is refused", () => {
    const { factory, connector, seen, reactor } = start();
    factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError()));
    expect(seen.error).toBeInstanceOf(ConnectionRefusedError);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("fails when the connection breaks instead of closing", () => {
    const { connect, seen } = start();
    const { protocol } = connect();
    protocol.dataReceived(Buffer.from("half a quo"));
    protocol.connectionLost(new Failure(new ConnectionLost()));
    expect(seen.error).toBeInstanceOf(ConnectionLost);
  });

  it("times out while connecting: stops the attempt and fails with TimeoutError", () => {
    const { reactor, connector, factory, seen } = start({ timeout: 2 });
    reactor.advance(1.9);
    expect(seen).toEqual({});
    reactor.advance(0.1);
    expect(seen.error).toBeInstanceOf(TimeoutError);
    expect((seen.error as Error).message).toBe("QOTD getQuote timed out after 2 seconds");
    expect(connector.stoppedConnecting).toBe(true);
    // The connector's own report of the stop changes nothing.
    factory.clientConnectionFailed(connector, new Failure(new Error("cancelled")));
    expect(seen.error).toBeInstanceOf(TimeoutError);
  });

  it("times out a server that never closes: aborts the connection", () => {
    const { reactor, connect, seen } = start({ timeout: 3 });
    const { protocol, transport } = connect();
    protocol.dataReceived(Buffer.from("slow..."));
    reactor.advance(3);
    expect(seen.error).toBeInstanceOf(TimeoutError);
    expect(transport.disconnected).toBe(true);
  });

  it("waits 30 seconds by default", () => {
    const { reactor, seen } = start();
    reactor.advance(29.9);
    expect(seen).toEqual({});
    reactor.advance(0.1);
    expect(seen.error).toBeInstanceOf(TimeoutError);
  });

  it("fails with QuoteTooLongError and aborts when the server sends more than maxLength bytes", () => {
    const { connect, seen } = start({ maxLength: 10 });
    const { protocol, transport } = connect();
    protocol.dataReceived(Buffer.from("0123456789"));
    expect(seen).toEqual({});
    protocol.dataReceived(Buffer.from("a"));
    expect(seen.error).toBeInstanceOf(QuoteTooLongError);
    expect(seen.error).toMatchObject({ code: "ERR_QOTD_QUOTE_TOO_LONG", maxLength: 10 });
    expect(transport.disconnected).toBe(true);
  });

  it("accepts exactly maxLength bytes", () => {
    const { connect, seen } = start({ maxLength: 5 });
    const { protocol, transport } = connect();
    protocol.dataReceived(Buffer.from("abc\r\n"));
    transport.loseConnection();
    expect(seen.value).toBe("abc");
  });

  it("cancels: stops the attempt, fails with CancelledError, and leaves no timer", () => {
    const { d, connector, factory, seen, reactor } = start();
    d.cancel();
    expect(seen.error).toBeInstanceOf(CancelledError);
    expect(connector.stoppedConnecting).toBe(true);
    factory.clientConnectionFailed(connector, new Failure(new Error("late")));
    expect(seen.error).toBeInstanceOf(CancelledError);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("cancels an established connection by aborting it", () => {
    const { d, connect, seen } = start();
    const { transport } = connect();
    d.cancel();
    expect(seen.error).toBeInstanceOf(CancelledError);
    expect(transport.disconnected).toBe(true);
  });
});
