import {
  type Failure,
  type IDelayedCall,
  type IProtocolFactory,
  Protocol,
  ServerFactory,
} from "@twisted-ts/core";
import { Clock, StringTransport, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { TimeoutFactory, TimeoutMixin, TimeoutProtocol } from "../../src/policies/index.js";
import { ADDR, EchoProtocol, SimpleProtocol } from "./helpers.js";

/** Twisted's TimeoutTester: a 3-second timeout that only notes that it expired. */
class TimeoutTester extends TimeoutMixin(Protocol) {
  override timeOut: number | null = 3;
  timedOut = false;

  constructor(clock: Clock) {
    super();
    this.clock = clock;
  }

  override connectionMade(): void {
    this.setTimeout(this.timeOut);
  }

  override dataReceived(data: Buffer): void {
    this.resetTimeout();
    super.dataReceived(data);
  }

  override connectionLost(reason: Failure): void {
    this.setTimeout(null);
    super.connectionLost(reason);
  }

  override timeoutConnection(): void {
    this.timedOut = true;
  }
}

function tester(): { clock: Clock; proto: TimeoutTester } {
  const clock = new Clock();
  return { clock, proto: new TimeoutTester(clock) };
}

describe("TimeoutMixin", () => {
  it("schedules on the protocol's clock", () => {
    const { clock, proto } = tester();
    proto.setTimeout(10);
    expect(clock.calls.length).toBe(1);
    expect(clock.calls[0]?.getTime()).toBe(10);
  });

  it("times out timeOut seconds after it is set", () => {
    const { clock, proto } = tester();
    proto.makeConnection(new StringTransport());
    clock.pump([0, 0.5, 1.0, 1.0]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1.0]);
    expect(proto.timedOut).toBe(true);
  });

  it("puts the timeout back when data arrives", () => {
    const { clock, proto } = tester();
    proto.makeConnection(new StringTransport());
    clock.pump([0, 0.5, 1.0, 1.0]);
    expect(proto.timedOut).toBe(false);
    proto.dataReceived(Buffer.from("hello there"));
    clock.pump([0, 1.0, 1.0, 0.5]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 1.0]);
    expect(proto.timedOut).toBe(true);
  });

  it("replaces the timeout when setTimeout is given a new period", () => {
    const { clock, proto } = tester();
    proto.timeOut = null;
    proto.makeConnection(new StringTransport());
    expect(clock.calls.length).toBe(0);
    proto.setTimeout(1);
    expect(proto.timeOut).toBe(1);
    clock.pump([0, 0.9]);
    expect(proto.timedOut).toBe(false);
    clock.pump([0, 0.2]);
    expect(proto.timedOut).toBe(true);
  });

  it("moves a pending timeout to the new period rather than adding one", () => {
    const { clock, proto } = tester();
    proto.setTimeout(3);
    clock.advance(2);
    proto.setTimeout(5);
    expect(clock.calls.length).toBe(1);
    clock.advance(4.9);
    expect(proto.timedOut).toBe(false);
    clock.advance(0.1);
    expect(proto.timedOut).toBe(true);
  });

  it("cancels the timeout when setTimeout is given null", () => {
    const { clock, proto } = tester();
    proto.timeOut = 5;
    proto.makeConnection(new StringTransport());
    proto.setTimeout(null);
    expect(proto.timeOut).toBeNull();
    expect(clock.calls.length).toBe(0);
    clock.pump([0, 5, 5, 5]);
    expect(proto.timedOut).toBe(false);
  });

  it("returns the previous timeout from setTimeout", () => {
    const { clock, proto } = tester();
    proto.timeOut = 5;
    expect(proto.setTimeout(10)).toBe(5);
    expect(proto.setTimeout(null)).toBe(10);
    expect(proto.setTimeout(1)).toBeNull();
    expect(proto.timeOut).toBe(1);
    proto.setTimeout(null);
    expect(clock.calls.length).toBe(0);
  });

  it("cancels cleanly a timeout that was cancelled from outside", () => {
    const { clock, proto } = tester();
    proto.setTimeout(3);
    clock.getDelayedCalls()[0]?.cancel();
    expect(proto.timeOut).not.toBeNull();
    expect(() => proto.setTimeout(null)).not.toThrow();
    expect(proto.timeOut).toBeNull();
  });

  it("schedules a new timeout when the old one was cancelled from outside", () => {
    const { clock, proto } = tester();
    proto.setTimeout(3);
    clock.getDelayedCalls()[0]?.cancel();
    expect(() => proto.resetTimeout()).not.toThrow();
    proto.setTimeout(2);
    expect(clock.calls.length).toBe(1);
    clock.advance(2);
    expect(proto.timedOut).toBe(true);
  });

  it("does nothing on resetTimeout without a pending timeout, or after it fired", () => {
    const { clock, proto } = tester();
    proto.resetTimeout();
    expect(clock.calls.length).toBe(0);
    proto.setTimeout(1);
    clock.advance(1);
    expect(proto.timedOut).toBe(true);
    expect(() => proto.resetTimeout()).not.toThrow();
    expect(clock.calls.length).toBe(0);
    expect(() => proto.setTimeout(null)).not.toThrow();
  });

  it("closes the connection on expiry by default", () => {
    class Closing extends TimeoutMixin(Protocol) {}
    const clock = new Clock();
    const proto = new Closing();
    proto.clock = clock;
    const transport = new StringTransport();
    proto.makeConnection(transport);
    proto.setTimeout(30);
    clock.advance(29.9);
    expect(transport.disconnecting).toBe(false);
    clock.advance(0.1);
    expect(transport.disconnecting).toBe(true);
  });

  it("uses an overridden callLater instead of the clock", () => {
    const clock = new Clock();
    const asked: number[] = [];
    class OwnScheduler extends TimeoutMixin(Protocol) {
      override callLater(period: number, func: () => void): IDelayedCall {
        asked.push(period);
        return clock.callLater(period, func);
      }
    }
    const proto = new OwnScheduler();
    proto.setTimeout(7);
    expect(asked).toEqual([7]);
    expect(clock.calls.length).toBe(1);
  });

  it("throws a clear error when it has neither a clock nor a callLater", () => {
    class Clockless extends TimeoutMixin(Protocol) {}
    expect(() => new Clockless().setTimeout(1)).toThrow(/Clockless needs a clock/);
  });

  it("keeps the members of the class it extends", () => {
    class TimedEcho extends TimeoutMixin(EchoProtocol) {}
    const clock = new Clock();
    const proto = new TimedEcho();
    proto.clock = clock;
    const transport = new StringTransport();
    proto.makeConnection(transport);
    proto.dataReceived(Buffer.from("still echoes"));
    proto.pauseProducing();
    expect(transport.value().toString()).toBe("still echoes");
    expect(proto.paused).toBe(true);
    expect(proto).toBeInstanceOf(EchoProtocol);
    expect(proto.timeOut).toBeNull();
  });

  it("keeps one timeout per instance", () => {
    const clock = new Clock();
    const a = new TimeoutTester(clock);
    const b = new TimeoutTester(clock);
    a.setTimeout(1);
    b.setTimeout(2);
    clock.advance(1);
    expect([a.timedOut, b.timedOut]).toEqual([true, false]);
    b.setTimeout(null);
    clock.advance(5);
    expect(b.timedOut).toBe(false);
  });
});

/** A TimeoutProtocol around a SimpleProtocol, on a transport that reports its loss. */
function timeoutSetup(period: number | null): {
  clock: Clock;
  factory: TimeoutFactory;
  proto: TimeoutProtocol;
  wrapped: SimpleProtocol;
  transport: StringTransportWithDisconnection;
} {
  const clock = new Clock();
  const wrappedFactory = new ServerFactory<SimpleProtocol>();
  wrappedFactory.protocol = SimpleProtocol;
  const factory = new TimeoutFactory(wrappedFactory, { clock, timeoutPeriod: period });
  const proto = factory.buildProtocol(ADDR) as TimeoutProtocol;
  const transport = new StringTransportWithDisconnection();
  transport.protocol = proto;
  proto.makeConnection(transport);
  return { clock, factory, proto, wrapped: proto.wrappedProtocol as SimpleProtocol, transport };
}

describe("TimeoutProtocol", () => {
  it("cancels the ongoing timeout", () => {
    const { clock, proto, wrapped } = timeoutSetup(null);
    proto.setTimeout(3);
    expect(proto.timeoutCall).not.toBeNull();
    expect(wrapped.disconnected).toBe(false);
    clock.advance(1);
    proto.cancelTimeout();
    expect(proto.timeoutCall).toBeNull();
    clock.advance(3);
    expect(wrapped.disconnected).toBe(false);
  });

  it("does nothing on cancelTimeout without a timeout", () => {
    const { proto, wrapped } = timeoutSetup(null);
    expect(proto.timeoutCall).toBeNull();
    proto.cancelTimeout();
    expect(wrapped.disconnected).toBe(false);
  });

  it("does nothing on cancelTimeout after the timeout fired", () => {
    const { clock, proto, wrapped } = timeoutSetup(null);
    proto.setTimeout(3);
    clock.advance(3);
    expect(wrapped.disconnected).toBe(true);
    expect(() => proto.cancelTimeout()).not.toThrow();
  });

  it("does nothing on cancelTimeout after the call was cancelled from elsewhere", () => {
    const { proto, wrapped } = timeoutSetup(null);
    proto.setTimeout(3);
    proto.timeoutCall?.cancel();
    expect(() => proto.cancelTimeout()).not.toThrow();
    expect(wrapped.disconnected).toBe(false);
  });

  it("ignores activity between the timeout and the close", () => {
    const clock = new Clock();
    const factory = new TimeoutFactory(
      { buildProtocol: () => new SimpleProtocol(), doStart() {}, doStop() {} },
      { clock, timeoutPeriod: 1 },
    );
    const proto = factory.buildProtocol(ADDR) as TimeoutProtocol;
    const transport = new StringTransport();
    proto.makeConnection(transport);
    clock.advance(1);
    expect(transport.disconnecting).toBe(true);
    expect(() => proto.dataReceived(Buffer.from("late"))).not.toThrow();
    expect(() => proto.write("late")).not.toThrow();
  });

  it("runs an overridden timeoutFunc instead of closing", () => {
    const fired: string[] = [];
    class Warn extends TimeoutProtocol {
      override timeoutFunc(): void {
        fired.push("timeout");
      }
    }
    class WarnFactory extends TimeoutFactory {
      override wrapProtocol(wrapped: SimpleProtocol): Warn {
        return new Warn(this, wrapped, this.timeoutPeriod);
      }
    }
    const clock = new Clock();
    const factory = new WarnFactory(
      { buildProtocol: () => new SimpleProtocol(), doStart() {}, doStop() {} },
      { clock, timeoutPeriod: 2 },
    );
    const proto = factory.buildProtocol(ADDR);
    const transport = new StringTransport();
    proto?.makeConnection(transport);
    clock.advance(2);
    expect(fired).toEqual(["timeout"]);
    expect(transport.disconnecting).toBe(false);
  });
});

describe("TimeoutFactory", () => {
  it("closes a connection with no traffic for the timeout period", () => {
    const { clock, wrapped } = timeoutSetup(3);
    clock.pump([0.0, 0.5, 1.0, 1.0, 0.4]);
    expect(wrapped.disconnected).toBe(false);
    clock.pump([0.0, 0.2]);
    expect(wrapped.disconnected).toBe(true);
  });

  it("puts the timeout back on every write and writeSequence", () => {
    const { clock, proto, wrapped } = timeoutSetup(3);
    clock.pump([0.0, 0.5, 1.0]);
    expect(wrapped.disconnected).toBe(false);
    proto.write(Buffer.from("bytes bytes bytes"));
    clock.pump([0.0, 1.0, 1.0]);
    expect(wrapped.disconnected).toBe(false);
    proto.writeSequence(Array.from({ length: 3 }, () => Buffer.from("bytes")));
    clock.pump([0.0, 1.0, 1.0]);
    expect(wrapped.disconnected).toBe(false);
    clock.pump([0.0, 2.0]);
    expect(wrapped.disconnected).toBe(true);
  });

  it("puts the timeout back when data arrives", () => {
    const { clock, proto, wrapped } = timeoutSetup(3);
    clock.pump([0.0, 1.0, 0.5]);
    expect(wrapped.disconnected).toBe(false);
    proto.dataReceived(Buffer.from("bytes bytes bytes"));
    expect(wrapped.buffer.toString()).toBe("bytes bytes bytes");
    clock.pump([0.0, 1.0, 1.0]);
    expect(wrapped.disconnected).toBe(false);
    clock.pump([0.0, 1.0, 1.0]);
    expect(wrapped.disconnected).toBe(true);
  });

  it("cancels the timeout when the connection is lost first", () => {
    const { clock, transport, proto } = timeoutSetup(3);
    transport.loseConnection();
    expect(proto.timeoutCall).toBeNull();
    expect(clock.calls.length).toBe(0);
  });

  it("times out after 30 minutes by default", () => {
    const clock = new Clock();
    const inner: IProtocolFactory = {
      buildProtocol: () => new SimpleProtocol(),
      doStart() {},
      doStop() {},
    };
    const factory = new TimeoutFactory(inner, { clock });
    expect(factory.timeoutPeriod).toBe(1800);
    const proto = factory.buildProtocol(ADDR);
    const transport = new StringTransport();
    proto?.makeConnection(transport);
    clock.advance(1799);
    expect(transport.disconnecting).toBe(false);
    clock.advance(1);
    expect(transport.disconnecting).toBe(true);
  });

  it("refuses a connection the wrapped factory refuses, without a timer", () => {
    const clock = new Clock();
    const factory = new TimeoutFactory(
      { buildProtocol: () => null, doStart() {}, doStop() {} },
      { clock },
    );
    expect(factory.buildProtocol(ADDR)).toBeNull();
    expect(clock.calls.length).toBe(0);
  });
});
