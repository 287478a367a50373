import { ConnectionLost, Failure, type IProtocol } from "@twisted-ts/core";
import { MemoryReactorClock, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { type FingerClientFactory, finger } from "../src/client.js";
import { FingerQueryError, FingerSizeError, FingerTimeoutError } from "../src/errors.js";
import { address, outcome } from "./helpers.js";

function start(user: string, options: Parameters<typeof finger>[3] = {}) {
  const reactor = new MemoryReactorClock();
  const d = finger(reactor, user, "example.com", options);
  const seen = outcome(d);
  const record = reactor.tcpClients[0];
  const connect = () => {
    if (record === undefined) throw new Error("no connection");
    const factory = record[2] as FingerClientFactory;
    const protocol = factory.buildProtocol(address) as IProtocol;
    const transport = new StringTransportWithDisconnection();
    transport.protocol = protocol;
    protocol.makeConnection(transport);
    return { protocol, transport, factory };
  };
  return { reactor, d, seen, record, connect };
}

describe("finger()", () => {
  it("connects to port 79 and sends the query with CRLF", () => {
    const { record, connect } = start("joe");
    expect(record?.slice(0, 2)).toEqual(["example.com", 79]);
    expect(connect().transport.value().toString()).toBe("joe\r\n");
  });

  it("sends /W for the long form, and the port given", () => {
    const { record, connect } = start("joe", { long: true, port: 1079 });
    expect(record?.[1]).toBe(1079);
    expect(connect().transport.value().toString()).toBe("/W joe\r\n");
  });

  it("sends an empty query for an empty user, and forwarding hosts", () => {
    expect(start("").connect().transport.value().toString()).toBe("\r\n");
    expect(start("joe@other").connect().transport.value().toString()).toBe("joe@other\r\n");
  });

  it("fires with the whole answer when the server closes", () => {
    const { seen, connect } = start("joe");
    const { protocol, transport } = connect();
    protocol.dataReceived(Buffer.from("Happy "));
    protocol.dataReceived(Buffer.from("and well\r\n"));
    expect(seen.called).toBe(false);
    transport.loseConnection();
    expect(seen.value).toBe("Happy and well\r\n");
  });

  it("fails a user name it cannot send, without connecting", () => {
    const reactor = new MemoryReactorClock();
    const seen = outcome(finger(reactor, "joe\r\nroot", "example.com"));
    expect(seen.error).toBeInstanceOf(FingerQueryError);
    expect(reactor.tcpClients).toHaveLength(0);
  });

  it("fails past maxSize and aborts", () => {
    const { seen, connect } = start("joe", { maxSize: 10 });
    const { protocol, transport } = connect();
    protocol.dataReceived(Buffer.from("0123456789AB"));
    expect(seen.error).toBeInstanceOf(FingerSizeError);
    expect(transport.connected).toBe(false);
  });

  it("fails after the timeout and aborts the connection", () => {
    const { reactor, seen, connect } = start("joe", { timeout: 5 });
    const { transport } = connect();
    reactor.advance(4.9);
    expect(seen.called).toBe(false);
    reactor.advance(0.1);
    expect(seen.error).toBeInstanceOf(FingerTimeoutError);
    expect(transport.connected).toBe(false);
  });

  it("fails with the reason when the connection cannot be made", () => {
    const { seen, record } = start("joe");
    const factory = record?.[2] as FingerClientFactory;
    factory.clientConnectionFailed({} as never, new Failure(new ConnectionLost("refused")));
    expect(seen.error).toBeInstanceOf(ConnectionLost);
  });

  it("fails when the connection is lost uncleanly", () => {
    const { seen, connect } = start("joe");
    const { protocol } = connect();
    protocol.connectionLost(new Failure(new ConnectionLost("reset")));
    expect(seen.error).toBeInstanceOf(ConnectionLost);
  });

  it("cancels the timeout once answered", () => {
    const { reactor, connect } = start("joe");
    connect().transport.loseConnection();
    expect(reactor.getDelayedCalls()).toHaveLength(0);
  });

  it("aborts the connection when cancelled", () => {
    const { d, connect, reactor } = start("joe");
    const { transport } = connect();
    d.cancel();
    expect(transport.connected).toBe(false);
    expect(reactor.getDelayedCalls()).toHaveLength(0);
  });
});
