import { describe, expect, it } from "vitest";
import { IPv4Address } from "../../src/address.js";
import { ConnectionLost, ConnectionRefusedError, NotConnectingError } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IConnector } from "../../src/interfaces/protocol.js";
import type { IReactorTime } from "../../src/interfaces/time.js";
import { globalLogPublisher } from "../../src/logger/index.js";
import { Protocol } from "../../src/protocol/protocol.js";
import { normalVariate, ReconnectingClientFactory } from "../../src/protocol/reconnecting.js";
import { Clock } from "../../src/task/clock.js";
import { setDefaultClock } from "../../src/task/defaultClock.js";
import { EventLoggingObserver } from "../../src/testing/eventLoggingObserver.js";
import type { FakeConnector } from "../../src/testing/fakes.js";
import { MemoryReactorClock } from "../../src/testing/memoryReactorClock.js";

const E = Math.E;
const JITTER = 0.119626565582;
const refused = (): Failure => new Failure(new ConnectionRefusedError());

/** A uniform source that makes `normalVariate` return `mean + z·stddev` for z in [0, 1]. */
function randomGiving(z: number): () => number {
  // Box–Muller: z = sqrt(-2 ln u1)·cos(2π u2), with u1 = 1 - r1 and u2 = r2 = 0.
  const u1 = Math.exp(-(z * z) / 2);
  let i = 0;
  return () => (i++ % 2 === 0 ? 1 - u1 : 0);
}

/** A factory, a MemoryReactorClock as its clock, and a connector from the reactor. */
function setUp(z = 0): {
  factory: ReconnectingClientFactory;
  reactor: MemoryReactorClock;
  connector: FakeConnector;
} {
  const reactor = new MemoryReactorClock();
  const factory = new ReconnectingClientFactory();
  factory.noisy = false;
  factory.protocol = Protocol;
  factory.clock = reactor;
  factory.random = randomGiving(z);
  const connector = reactor.connectTCP("example.com", 6667, factory);
  return { factory, reactor, connector };
}

/** The delay of the one pending call, in seconds from now. */
function pendingDelay(clock: IReactorTime): number {
  const calls = clock.getDelayedCalls();
  expect(calls).toHaveLength(1);
  return (calls[0]?.getTime() ?? Number.NaN) - clock.seconds();
}

describe("normalVariate", () => {
  it("returns the mean when the first uniform draw is 0", () => {
    expect(normalVariate(10, 3, () => 0)).toBe(10);
  });

  it("returns mean + stddev for the draws that give z = 1", () => {
    expect(normalVariate(10, 3, randomGiving(1))).toBeCloseTo(13, 12);
  });

  it("draws values whose mean and deviation approach the parameters", () => {
    let seed = 12345;
    const lcg = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const samples = Array.from({ length: 20000 }, () => normalVariate(5, 2, lcg));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
    expect(mean).toBeCloseTo(5, 1);
    expect(sd).toBeCloseTo(2, 1);
  });
});

describe("ReconnectingClientFactory: constants", () => {
  it("has Twisted's defaults", () => {
    const factory = new ReconnectingClientFactory();
    expect(factory.maxDelay).toBe(3600);
    expect(factory.initialDelay).toBe(1.0);
    expect(factory.factor).toBe(Math.E);
    expect(factory.jitter).toBe(JITTER);
    expect(factory.delay).toBe(1.0);
    expect(factory.retries).toBe(0);
    expect(factory.maxRetries).toBeUndefined();
    expect(factory.continueTrying).toBe(true);
    expect(factory.clock).toBeUndefined();
  });
});

describe("ReconnectingClientFactory: backoff", () => {
  it("retries about e seconds after the first failure, through the connector", () => {
    const { factory, reactor, connector } = setUp();
    factory.clientConnectionFailed(connector, refused());
    expect(factory.connector).toBe(connector);
    expect(factory.retries).toBe(1);
    expect(pendingDelay(reactor)).toBeCloseTo(E, 12);
    reactor.advance(E - 0.001);
    expect(connector.connectCalls).toBe(0);
    reactor.advance(0.001);
    expect(connector.connectCalls).toBe(1);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("retries after a lost connection too", () => {
    const { factory, reactor, connector } = setUp();
    factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
    expect(reactor.calls).toHaveLength(1);
    reactor.advance(3);
    expect(connector.connectCalls).toBe(1);
  });

  it("multiplies the delay by e on each retry", () => {
    const { factory, reactor, connector } = setUp();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      factory.clientConnectionFailed(connector, refused());
      delays.push(pendingDelay(reactor));
      reactor.advance(delays[i] ?? 0);
    }
    expect(delays.map((d) => Math.log(d))).toEqual([1, 2, 3, 4].map((n) => expect.closeTo(n, 9)));
    expect(connector.connectCalls).toBe(4);
  });

  it("caps the delay at maxDelay before the jitter", () => {
    const { factory, reactor, connector } = setUp();
    factory.maxDelay = 10;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      factory.clientConnectionFailed(connector, refused());
      delays.push(pendingDelay(reactor));
      reactor.advance(delays[i] ?? 0);
    }
    expect(delays[0]).toBeCloseTo(E, 9);
    expect(delays[1]).toBeCloseTo(E * E, 9);
    expect(delays.slice(2)).toEqual([expect.closeTo(10, 9), expect.closeTo(10, 9)]);
    expect(factory.delay).toBe(10);
  });

  it("adds jitter with a standard deviation of delay·jitter, and stores it", () => {
    const { factory, reactor, connector } = setUp(1);
    factory.clientConnectionFailed(connector, refused());
    expect(pendingDelay(reactor)).toBeCloseTo(E * (1 + JITTER), 9);
    expect(factory.delay).toBeCloseTo(E * (1 + JITTER), 9);
  });

  it("compounds the jitter, because the jittered delay is stored", () => {
    const { factory, reactor, connector } = setUp(1);
    factory.clientConnectionFailed(connector, refused());
    reactor.advance(pendingDelay(reactor));
    factory.clientConnectionFailed(connector, refused());
    expect(pendingDelay(reactor)).toBeCloseTo(E * E * (1 + JITTER) ** 2, 9);
  });

  it("may exceed maxDelay after the jitter", () => {
    const { factory, reactor, connector } = setUp(1);
    factory.maxDelay = 3;
    factory.clientConnectionFailed(connector, refused());
    reactor.advance(pendingDelay(reactor));
    factory.clientConnectionFailed(connector, refused());
    expect(pendingDelay(reactor)).toBeCloseTo(3 * (1 + JITTER), 9);
    expect(factory.delay).toBeGreaterThan(factory.maxDelay);
  });

  it("adds no jitter when jitter is 0", () => {
    const { factory, reactor, connector } = setUp(1);
    factory.jitter = 0;
    factory.clientConnectionFailed(connector, refused());
    expect(pendingDelay(reactor)).toBeCloseTo(E, 12);
  });

  it("starts over from initialDelay after resetDelay", () => {
    const { factory, reactor, connector } = setUp();
    factory.clientConnectionFailed(connector, refused());
    reactor.advance(E);
    factory.clientConnectionFailed(connector, refused());
    reactor.advance(E * E);
    factory.resetDelay();
    expect([factory.delay, factory.retries, factory.continueTrying]).toEqual([1, 0, true]);
    factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
    expect(pendingDelay(reactor)).toBeCloseTo(E, 12);
  });

  it("uses the default clock when none is set", () => {
    const clock = new Clock();
    const previous = setDefaultClock(clock);
    try {
      const factory = new ReconnectingClientFactory();
      factory.noisy = false;
      factory.random = () => 0;
      const connector = new MemoryReactorClock().connectTCP("h", 1, factory);
      factory.clientConnectionFailed(connector, refused());
      expect(factory.clock).toBe(clock);
      expect(clock.getDelayedCalls()).toHaveLength(1);
    } finally {
      setDefaultClock(previous);
    }
  });
});

describe("ReconnectingClientFactory: giving up", () => {
  it("gives up once retries passes maxRetries", () => {
    const { factory, reactor, connector } = setUp();
    factory.maxRetries = 2;
    for (let i = 0; i < 2; i++) {
      factory.clientConnectionFailed(connector, refused());
      reactor.advance(pendingDelay(reactor));
    }
    expect(connector.connectCalls).toBe(2);
    factory.clientConnectionFailed(connector, refused());
    expect(factory.retries).toBe(3);
    expect(reactor.getDelayedCalls()).toEqual([]);
    reactor.advance(10_000);
    expect(connector.connectCalls).toBe(2);
  });

  it("logs that it gives up, naming the connector and the retries", () => {
    const { factory, connector } = setUp();
    factory.noisy = true;
    factory.maxRetries = 0;
    const observer = new EventLoggingObserver();
    globalLogPublisher.addObserver(observer);
    try {
      factory.clientConnectionFailed(connector, refused());
    } finally {
      globalLogPublisher.removeObserver(observer);
    }
    const event = observer.events.find((e) => e["connector"] === connector);
    expect(event?.log_format).toBe("Abandoning {connector} after {retries} retries.");
    expect(event?.["retries"]).toBe(1);
  });

  it("cancels the pending retry and stops the connector on stopTrying", () => {
    const { factory, reactor, connector } = setUp();
    factory.clientConnectionFailed(connector, refused());
    expect(reactor.getDelayedCalls()).toHaveLength(1);
    factory.stopTrying();
    expect(factory.continueTrying).toBe(false);
    expect(reactor.getDelayedCalls()).toEqual([]);
    expect(connector.stoppedConnecting).toBe(true);
    reactor.advance(10);
    expect(connector.connectCalls).toBe(0);
  });

  it("does not retry after stopTrying", () => {
    const { factory, reactor, connector } = setUp();
    factory.stopTrying();
    factory.clientConnectionFailed(connector, refused());
    factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
    expect(reactor.getDelayedCalls()).toEqual([]);
    factory.retry(connector);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("ignores NotConnectingError from stopConnecting", () => {
    const { factory } = setUp();
    const connector: IConnector = {
      state: "connected",
      connect() {},
      disconnect() {},
      getDestination: () => new IPv4Address("TCP", "h", 1),
      stopConnecting() {
        throw new NotConnectingError("we're not trying to connect");
      },
    };
    factory.connector = connector;
    expect(() => factory.stopTrying()).not.toThrow();
    expect(factory.continueTrying).toBe(false);
  });

  it("lets other errors from stopConnecting propagate", () => {
    const { factory } = setUp();
    factory.connector = {
      state: "connecting",
      connect() {},
      disconnect() {},
      getDestination: () => new IPv4Address("TCP", "h", 1),
      stopConnecting() {
        throw new Error("unexpected");
      },
    };
    expect(() => factory.stopTrying()).toThrow("unexpected");
  });

  it("does not reconnect when stopConnecting reports the stopped attempt", () => {
    const { factory, reactor } = setUp();
    let attemptedRetry = false;
    const connector: IConnector = {
      state: "connecting",
      connect() {
        attemptedRetry = true;
      },
      disconnect() {},
      getDestination: () => new IPv4Address("TCP", "h", 1),
      stopConnecting() {
        factory.clientConnectionFailed(connector, refused());
      },
    };
    factory.connector = connector;
    factory.stopTrying();
    reactor.advance(10_000);
    expect(attemptedRetry).toBe(false);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("does not reconnect when stopped while connected", () => {
    const factory = new ReconnectingClientFactory();
    factory.noisy = false;
    factory.protocol = Protocol;
    factory.clock = new Clock();
    factory.buildProtocol(new IPv4Address("TCP", "h", 1));
    factory.stopTrying();
    const connector: IConnector = {
      state: "connected",
      connect() {
        throw new Error("Shouldn't be reconnecting.");
      },
      disconnect() {},
      getDestination: () => new IPv4Address("TCP", "h", 1),
      stopConnecting() {
        throw new Error("Shouldn't be called, we're connected.");
      },
    };
    factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
    expect(factory.continueTrying).toBe(false);
    expect(factory.clock.getDelayedCalls()).toEqual([]);
  });

  it("throws from retry() when it has never seen a connector", () => {
    const factory = new ReconnectingClientFactory();
    factory.noisy = false;
    expect(() => factory.retry()).toThrow("no connector to retry");
  });
});
