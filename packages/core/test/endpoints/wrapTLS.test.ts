import { describe, expect, it } from "vitest";
import { NoProtocol } from "../../src/endpoints/errors.js";
import { TCP4ClientEndpoint } from "../../src/endpoints/tcp.js";
import { wrapClientTLS } from "../../src/endpoints/wrapTLS.js";
import { ConnectionDone } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import { type IProtocol, isHalfCloseable } from "../../src/interfaces/protocol.js";
import {
  FakeReactor,
  FakeTransport,
  factoryOf,
  HalfCloseableProtocol,
  RecordingProtocol,
  resultOf,
} from "./fakeReactor.js";

/** A transport with `startTLS` that records the order of events into `log`. */
function tlsTransport(log: string[]): FakeTransport & { startTLS(options: unknown): void } {
  return Object.assign(new FakeTransport(), {
    startTLS: (options: unknown) => log.push(`startTLS ${JSON.stringify(options)}`),
  });
}

describe("wrapClientTLS", () => {
  it("starts TLS before the user's protocol is connected, and fires with that protocol", () => {
    const reactor = new FakeReactor();
    const log: string[] = [];
    class Logging extends RecordingProtocol {
      override connectionMade(): void {
        log.push("connectionMade");
      }
    }
    const user = new Logging();
    const ep = wrapClientTLS(
      { servername: "example.com" },
      new TCP4ClientEndpoint(reactor, "h", 1),
    );
    const d = ep.connect(factoryOf(() => user));
    const transport = tlsTransport(log);
    reactor.tcpClients[0]?.connector.succeed(transport);
    expect(log).toEqual(['startTLS {"servername":"example.com"}', "connectionMade"]);
    expect(resultOf(d).value).toBe(user);
    expect(user.transport).toBe(transport);
  });

  it("passes data and connection loss through to the user's protocol", () => {
    const reactor = new FakeReactor();
    const user = new RecordingProtocol();
    wrapClientTLS({}, new TCP4ClientEndpoint(reactor, "h", 1)).connect(factoryOf(() => user));
    const wrapping = reactor.tcpClients[0]?.connector.succeed(tlsTransport([])) as IProtocol;
    wrapping.dataReceived(Buffer.from("secret"));
    const reason = new Failure(new ConnectionDone());
    wrapping.connectionLost(reason);
    expect(user.data.map(String)).toEqual(["secret"]);
    expect(user.reasons).toEqual([reason]);
  });

  it("passes half-closes through for a half-closeable protocol", () => {
    const reactor = new FakeReactor();
    const user = new HalfCloseableProtocol();
    wrapClientTLS({}, new TCP4ClientEndpoint(reactor, "h", 1)).connect(factoryOf(() => user));
    const wrapping = reactor.tcpClients[0]?.connector.succeed(tlsTransport([]));
    expect(isHalfCloseable(wrapping)).toBe(true);
    if (isHalfCloseable(wrapping)) {
      wrapping.readConnectionLost();
      wrapping.writeConnectionLost();
    }
    expect(user.events).toEqual(["connectionMade", "readConnectionLost", "writeConnectionLost"]);
  });

  it("fails with a TypeError when the transport cannot start TLS", () => {
    const reactor = new FakeReactor();
    const d = wrapClientTLS({}, new TCP4ClientEndpoint(reactor, "h", 1)).connect(
      factoryOf(() => new RecordingProtocol()),
    );
    expect(() => reactor.tcpClients[0]?.connector.succeed(new FakeTransport())).toThrow(TypeError);
    expect(resultOf(d).failure?.value).toBeInstanceOf(TypeError);
  });

  it("fails with NoProtocol when the factory builds no protocol", () => {
    const reactor = new FakeReactor();
    const d = wrapClientTLS({}, new TCP4ClientEndpoint(reactor, "h", 1)).connect(
      factoryOf(() => null),
    );
    reactor.tcpClients[0]?.connector.succeed(tlsTransport([]));
    expect(resultOf(d).failure?.value).toBeInstanceOf(NoProtocol);
  });

  it("passes doStart and doStop to the user's factory", () => {
    const reactor = new FakeReactor();
    const factory = factoryOf(() => new RecordingProtocol());
    wrapClientTLS({}, new TCP4ClientEndpoint(reactor, "h", 1)).connect(factory);
    const wrapper = reactor.tcpClients[0]?.factory;
    wrapper?.doStart();
    wrapper?.doStop();
    expect([factory.started, factory.stopped]).toEqual([1, 1]);
  });
});
