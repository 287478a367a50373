import { describe, expect, it } from "vitest";
import { ConnectionDone, ConnectionLost } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IProtocol } from "../../src/interfaces/protocol.js";
import type { ITransport } from "../../src/interfaces/transport.js";
import { connectionDone, Protocol, transportOf } from "../../src/protocol/protocol.js";
import { StringTransport } from "../../src/testing/stringTransport.js";

describe("Protocol", () => {
  it("is an IProtocol that starts unconnected, without transport or factory", () => {
    const protocol: IProtocol & Protocol = new Protocol();
    expect(protocol.connected).toBe(false);
    expect(protocol.transport).toBeUndefined();
    expect(protocol.factory).toBeUndefined();
  });

  it("sets connected and transport on makeConnection, then calls connectionMade", () => {
    const seen: Array<[ITransport | undefined, boolean]> = [];
    class SomeProtocol extends Protocol {
      override connectionMade(): void {
        seen.push([this.transport, this.connected]);
      }
    }
    const transport = new StringTransport();
    const protocol = new SomeProtocol();
    protocol.makeConnection(transport);
    expect(seen).toEqual([[transport, true]]);
    expect(transportOf(protocol)).toBe(transport);
  });

  it("ignores data and the connection's start by default", () => {
    const protocol = new Protocol();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    protocol.dataReceived(Buffer.from("ignored"));
    expect(transport.value().length).toBe(0);
    expect(protocol.connected).toBe(true);
  });

  it("clears connected on connectionLost, with ConnectionDone as the default reason", () => {
    const reasons: Failure[] = [];
    class Recorder extends Protocol {
      override connectionLost(reason?: Failure): void {
        super.connectionLost(reason);
        if (reason !== undefined) reasons.push(reason);
      }
    }
    const protocol = new Protocol();
    protocol.makeConnection(new StringTransport());
    protocol.connectionLost();
    expect(protocol.connected).toBe(false);
    const recorder = new Recorder();
    recorder.connectionLost(new Failure(new ConnectionLost()));
    expect(reasons[0]?.value).toBeInstanceOf(ConnectionLost);
  });

  it("offers connectionDone, a Failure wrapping ConnectionDone", () => {
    expect(Failure.isFailure(connectionDone)).toBe(true);
    expect(connectionDone.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("uses its class name as log prefix", () => {
    class SomeThing extends Protocol {}
    expect(new SomeThing().logPrefix()).toBe("SomeThing");
    expect(new Protocol().logPrefix()).toBe("Protocol");
  });

  it("gives a clear error from transportOf before the connection is made", () => {
    expect(() => transportOf(new Protocol())).toThrow("not connected yet");
  });
});
