import {
  capturedLogs,
  Factory,
  formatEvent,
  type IDelayedCall,
  type IProtocolFactory,
  IPv4Address,
} from "@twisted-ts/core";
import { Clock, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { ThrottlingFactory, type ThrottlingProtocol } from "../../src/policies/index.js";
import { ADDR, type EchoProtocol, Server, SimpleProtocol } from "./helpers.js";

/** A throttled protocol built by `factory`, connected to a transport that reports its loss. */
function connect(factory: ThrottlingFactory): {
  p: ThrottlingProtocol;
  tr: StringTransportWithDisconnection;
} {
  const p = factory.buildProtocol(ADDR);
  if (p === null) throw new Error("refused");
  const tr = new StringTransportWithDisconnection();
  tr.protocol = p;
  p.makeConnection(tr);
  return { p, tr };
}

function throttled(options: ConstructorParameters<typeof ThrottlingFactory>[1] = {}) {
  const clock = new Clock();
  const factory = new ThrottlingFactory(new Server(), { clock, ...options });
  factory.noisy = false;
  return { clock, factory };
}

describe("ThrottlingFactory", () => {
  it("counts the bytes of writeSequence as written", () => {
    const { factory } = throttled();
    const { p, tr } = connect(factory);
    p.writeSequence(Array.from({ length: 4 }, () => Buffer.from("bytes")));
    expect(tr.value().toString()).toBe("bytesbytesbytesbytes");
    expect(factory.writtenThisSecond).toBe(20);
  });

  it("counts strings by their UTF-8 length", () => {
    const { factory } = throttled();
    const { p } = connect(factory);
    p.write("é✓");
    p.writeSequence(["a", "ü"]);
    expect(factory.writtenThisSecond).toBe(5 + 3);
  });

  it("pauses a registered producer for a second after 20 bytes against a writeLimit of 10", () => {
    const { clock, factory } = throttled({ writeLimit: 10 });
    const { p, tr } = connect(factory);
    const echo = p.wrappedProtocol as EchoProtocol;
    p.registerProducer(echo, true);
    p.dataReceived(Buffer.from("0123456789"));
    p.dataReceived(Buffer.from("abcdefghij"));
    expect(tr.value().toString()).toBe("0123456789abcdefghij");
    expect(factory.writtenThisSecond).toBe(20);
    expect(echo.paused).toBe(false);

    // The check at t=1 finds 20 bytes, 10 over: writing pauses until t=2.
    clock.advance(1.05);
    expect(factory.writtenThisSecond).toBe(0);
    expect(echo.paused).toBe(true);

    clock.advance(1.05);
    expect(factory.writtenThisSecond).toBe(0);
    expect(echo.paused).toBe(false);
  });

  it("pauses reading for a second after 20 bytes against a readLimit of 10, each time", () => {
    const { clock, factory } = throttled({ readLimit: 10 });
    const { p, tr } = connect(factory);
    for (let round = 0; round < 2; round++) {
      tr.clear();
      p.dataReceived(Buffer.from("0123456789"));
      p.dataReceived(Buffer.from("abcdefghij"));
      expect(tr.value().toString()).toBe("0123456789abcdefghij");
      expect(factory.readThisSecond).toBe(20);

      clock.advance(1.05);
      expect(factory.readThisSecond).toBe(0);
      expect(tr.producerState).toBe("paused");

      clock.advance(1.05);
      expect(factory.readThisSecond).toBe(0);
      expect(tr.producerState).toBe("producing");
    }
  });

  it("throttles for bytes/limit - 1 seconds", () => {
    const { clock, factory } = throttled({ readLimit: 10 });
    const { p, tr } = connect(factory);
    p.dataReceived(Buffer.alloc(35));
    clock.advance(1);
    expect(tr.producerState).toBe("paused");
    // 35 / 10 - 1 = 2.5 seconds.
    clock.advance(2.4);
    expect(tr.producerState).toBe("paused");
    clock.advance(0.2);
    expect(tr.producerState).toBe("producing");
  });

  it("does not throttle at exactly the limit", () => {
    const { clock, factory } = throttled({ readLimit: 10 });
    const { p, tr } = connect(factory);
    p.dataReceived(Buffer.alloc(10));
    clock.advance(1);
    expect(tr.producerState).toBe("producing");
  });

  it("throttles every connection when their total goes over the limit", () => {
    const { clock, factory } = throttled({ readLimit: 10 });
    const a = connect(factory);
    const b = connect(factory);
    a.p.dataReceived(Buffer.alloc(6));
    b.p.dataReceived(Buffer.alloc(6));
    clock.advance(1);
    expect([a.tr.producerState, b.tr.producerState]).toEqual(["paused", "paused"]);
    clock.advance(0.3);
    expect([a.tr.producerState, b.tr.producerState]).toEqual(["producing", "producing"]);
  });

  it("counts but cannot slow writes from a protocol without a producer", () => {
    const { clock, factory } = throttled({ writeLimit: 10 });
    const { p, tr } = connect(factory);
    p.write(Buffer.alloc(50));
    expect(() => clock.advance(1)).not.toThrow();
    expect(tr.value().length).toBe(50);
    p.write("more");
    expect(tr.value().length).toBe(54);
  });

  it("forgets the producer when it is unregistered", () => {
    const { clock, factory } = throttled({ writeLimit: 1 });
    const { p, tr } = connect(factory);
    const echo = p.wrappedProtocol as EchoProtocol;
    p.registerProducer(echo, true);
    p.unregisterProducer();
    expect(p.producer).toBeUndefined();
    expect(tr.producer).toBeUndefined();
    p.write("xx");
    clock.advance(1);
    expect(echo.paused).toBe(false);
  });

  it("logs when it throttles and stops throttling", () => {
    const { clock, factory } = throttled({ readLimit: 1 });
    const { p } = connect(factory);
    p.dataReceived(Buffer.alloc(3));
    const texts = capturedLogs(() => clock.pump([1, 2.5])).map((e) => formatEvent(e));
    expect(texts).toEqual([
      `Throttling reads on ${factory.logPrefix()}`,
      `Stopped throttling reads on ${factory.logPrefix()}`,
    ]);
  });

  it("checks once a second from the first connection until the last one closes", () => {
    const { clock, factory } = throttled({ readLimit: 10, writeLimit: 10 });
    expect(clock.getDelayedCalls()).toEqual([]);
    const a = connect(factory);
    const b = connect(factory);
    expect(clock.getDelayedCalls().map((c: IDelayedCall) => c.getTime())).toEqual([1, 1]);
    // 30 bytes read and echoed: both directions get throttled at t=1.
    a.p.dataReceived(Buffer.alloc(30));
    clock.advance(1);
    expect(factory.unthrottleReadsID?.active()).toBe(true);
    expect(factory.unthrottleWritesID?.active()).toBe(true);
    a.tr.loseConnection();
    expect(factory.connectionCount).toBe(1);
    expect(clock.getDelayedCalls().length).toBe(4);
    b.tr.loseConnection();
    expect(factory.connectionCount).toBe(0);
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(factory.unthrottleReadsID).toBeNull();
    expect(factory.checkReadBandwidthID).toBeNull();
  });

  it("starts checking again for a connection after all the earlier ones closed", () => {
    const { clock, factory } = throttled({ readLimit: 10 });
    const first = connect(factory);
    first.p.dataReceived(Buffer.alloc(30));
    clock.advance(1);
    first.tr.loseConnection();
    const second = connect(factory);
    expect(clock.getDelayedCalls().length).toBe(1);
    second.p.dataReceived(Buffer.alloc(30));
    clock.advance(1);
    expect(second.tr.producerState).toBe("paused");
    expect(() => second.tr.loseConnection()).not.toThrow();
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it("refuses connections beyond maxConnectionCount and logs it", () => {
    const { factory } = throttled({ maxConnectionCount: 2 });
    const a = connect(factory);
    connect(factory);
    let refused: unknown = "not called";
    const events = capturedLogs(() => {
      refused = factory.buildProtocol(ADDR);
    });
    expect(refused).toBeNull();
    expect(events.map((e) => formatEvent(e))).toEqual(["Max connection count reached!"]);
    expect(factory.connectionCount).toBe(2);
    expect(factory.protocols.size).toBe(2);
    a.tr.loseConnection();
    expect(factory.connectionCount).toBe(1);
    expect(factory.buildProtocol(ADDR)).not.toBeNull();
  });

  it("does not count a connection the wrapped factory refuses", () => {
    const inner: IProtocolFactory = {
      buildProtocol: () => null,
      doStart: () => {},
      doStop: () => {},
    };
    const factory = new ThrottlingFactory(inner, { readLimit: 5, clock: new Clock() });
    expect(factory.buildProtocol(ADDR)).toBeNull();
    expect(factory.connectionCount).toBe(0);
  });

  it("refuses limits that are not positive numbers", () => {
    expect(() => new ThrottlingFactory(new Server(), { readLimit: 0 })).toThrow(RangeError);
    expect(() => new ThrottlingFactory(new Server(), { writeLimit: -1 })).toThrow(RangeError);
    expect(() => new ThrottlingFactory(new Server(), { maxConnectionCount: Number.NaN })).toThrow(
      RangeError,
    );
  });

  it("needs a clock to check a limit, unless callLater is overridden", () => {
    const factory = new ThrottlingFactory(Factory.forProtocol(SimpleProtocol), { readLimit: 5 });
    expect(() => factory.buildProtocol(new IPv4Address("TCP", "10.0.0.2", 1))).toThrow(
      /needs a clock/,
    );
    const clock = new Clock();
    class OwnScheduler extends ThrottlingFactory {
      override callLater(period: number, func: () => void): IDelayedCall {
        return clock.callLater(period, func);
      }
    }
    const own = new OwnScheduler(Factory.forProtocol(SimpleProtocol), { readLimit: 5 });
    expect(own.buildProtocol(ADDR)).not.toBeNull();
    expect(clock.getDelayedCalls().length).toBe(1);
  });

  it("needs no clock without limits", () => {
    const factory = new ThrottlingFactory(new Server(), { maxConnectionCount: 1 });
    expect(factory.buildProtocol(ADDR)).not.toBeNull();
  });
});
