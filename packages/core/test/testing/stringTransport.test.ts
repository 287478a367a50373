import { describe, expect, it } from "vitest";
import { IPv4Address, UNIXAddress } from "../../src/address.js";
import { ConnectionDone } from "../../src/errors.js";
import type { Failure } from "../../src/failure.js";
import type { IPushProducer, ITCPTransport } from "../../src/interfaces/transport.js";
import { Protocol } from "../../src/protocol/protocol.js";
import {
  StringTransport,
  StringTransportWithDisconnection,
} from "../../src/testing/stringTransport.js";

const producer: IPushProducer = {
  pauseProducing() {},
  resumeProducing() {},
  stopProducing() {},
};

describe("StringTransport: writing", () => {
  it("is an ITCPTransport", () => {
    const transport: ITCPTransport = new StringTransport();
    expect(transport.disconnecting).toBe(false);
  });

  it("records bytes written and returns them from value()", () => {
    const transport = new StringTransport();
    transport.write(Buffer.from("hello, "));
    transport.write(new Uint8Array([119, 111, 114, 108, 100]));
    expect(transport.value()).toEqual(Buffer.from("hello, world"));
  });

  it("records strings as UTF-8", () => {
    const transport = new StringTransport();
    transport.write("héllo");
    expect(transport.value()).toEqual(Buffer.from("héllo", "utf8"));
  });

  it("copies written bytes, so later changes to the caller's buffer are not seen", () => {
    const transport = new StringTransport();
    const data = Buffer.from("abc");
    transport.write(data);
    data[0] = 0x7a;
    expect(transport.value().toString()).toBe("abc");
  });

  it("returns a copy from value(), so changing it does not change the record", () => {
    const transport = new StringTransport();
    transport.write("abc");
    const first = transport.value();
    first[0] = 0x7a;
    expect(transport.value().toString()).toBe("abc");
  });

  it("writes a sequence in order", () => {
    const transport = new StringTransport();
    transport.write("a");
    transport.writeSequence([Buffer.from("b"), "c", new Uint8Array([100])]);
    expect(transport.value().toString()).toBe("abcd");
  });

  it("throws a TypeError for anything but bytes or a string", () => {
    const transport = new StringTransport();
    expect(() => transport.write(42 as unknown as string)).toThrow(TypeError);
    expect(() => transport.write(null as unknown as string)).toThrow(TypeError);
    expect(() => transport.write({} as unknown as string)).toThrow(TypeError);
    expect(transport.value().length).toBe(0);
  });

  it("records nothing from a sequence that holds a chunk of the wrong type", () => {
    const transport = new StringTransport();
    expect(() => transport.writeSequence(["a", 1 as unknown as string])).toThrow(TypeError);
    expect(transport.value().length).toBe(0);
  });

  it("forgets what was written on clear()", () => {
    const transport = new StringTransport();
    transport.write("before");
    transport.clear();
    transport.write("after");
    expect(transport.value().toString()).toBe("after");
  });

  it("keeps recording writes after loseConnection", () => {
    const transport = new StringTransport();
    transport.loseConnection();
    transport.write("late");
    expect(transport.value().toString()).toBe("late");
  });
});

describe("StringTransport: closing", () => {
  it("sets only disconnecting on loseConnection", () => {
    const transport = new StringTransport();
    expect(transport.disconnecting).toBe(false);
    transport.loseConnection();
    expect(transport.disconnecting).toBe(true);
    expect(transport.disconnected).toBe(false);
  });

  it("sets disconnecting and disconnected on abortConnection", () => {
    const transport = new StringTransport();
    transport.abortConnection();
    expect(transport.disconnecting).toBe(true);
    expect(transport.disconnected).toBe(true);
  });

  it("never calls the protocol's connectionLost", () => {
    const lost: Failure[] = [];
    const protocol = new (class extends Protocol {
      override connectionLost(reason: Failure): void {
        lost.push(reason);
      }
    })();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    transport.loseConnection();
    transport.abortConnection();
    expect(lost).toEqual([]);
  });

  it("records loseWriteConnection, setTcpNoDelay and setTcpKeepAlive", () => {
    const transport = new StringTransport();
    expect([transport.getTcpNoDelay(), transport.getTcpKeepAlive()]).toEqual([false, false]);
    transport.setTcpNoDelay(true);
    transport.setTcpKeepAlive(true);
    transport.loseWriteConnection();
    expect([transport.getTcpNoDelay(), transport.getTcpKeepAlive()]).toEqual([true, true]);
    expect([transport.tcpNoDelay, transport.tcpKeepAlive, transport.writeClosed]).toEqual([
      true,
      true,
      true,
    ]);
    expect(transport.disconnecting).toBe(false);
  });
});

describe("StringTransport: addresses", () => {
  it("reports 10.0.0.1:12345 as host and 192.168.1.1:54321 as peer by default", () => {
    const transport = new StringTransport();
    expect(transport.getHost()).toEqual(new IPv4Address("TCP", "10.0.0.1", 12345));
    expect(transport.getPeer()).toEqual(new IPv4Address("TCP", "192.168.1.1", 54321));
  });

  it("reports the addresses it was given", () => {
    const host = new UNIXAddress("/tmp/host");
    const peer = new IPv4Address("TCP", "127.0.0.1", 1);
    const transport = new StringTransport({ hostAddress: host, peerAddress: peer });
    expect(transport.getHost()).toBe(host);
    expect(transport.getPeer()).toBe(peer);
  });
});

describe("StringTransport: producers", () => {
  it("records the registered producer and its streaming flag", () => {
    const transport = new StringTransport();
    transport.registerProducer(producer, true);
    expect(transport.producer).toBe(producer);
    expect(transport.streaming).toBe(true);
  });

  it("refuses a second producer and keeps the first", () => {
    const transport = new StringTransport();
    transport.registerProducer(producer, true);
    expect(() => transport.registerProducer({ ...producer }, false)).toThrow(
      "Cannot register two producers",
    );
    expect(transport.producer).toBe(producer);
    expect(transport.streaming).toBe(true);
  });

  it("forgets the producer on unregisterProducer, so another can register", () => {
    const transport = new StringTransport();
    transport.registerProducer(producer, false);
    transport.unregisterProducer();
    expect(transport.producer).toBeUndefined();
    expect(transport.streaming).toBeUndefined();
    const next = { ...producer };
    transport.registerProducer(next, true);
    expect(transport.producer).toBe(next);
  });

  it("throws on unregisterProducer when none is registered", () => {
    expect(() => new StringTransport().unregisterProducer()).toThrow(Error);
  });
});

describe("StringTransport: producer state", () => {
  it("starts producing", () => {
    expect(new StringTransport().producerState).toBe("producing");
  });

  it("moves to paused, producing and stopped", () => {
    const transport = new StringTransport();
    transport.pauseProducing();
    expect(transport.producerState).toBe("paused");
    transport.resumeProducing();
    expect(transport.producerState).toBe("producing");
    transport.stopProducing();
    expect(transport.producerState).toBe("stopped");
  });

  it("refuses to pause or resume once stopped, even when lenient", () => {
    for (const lenient of [false, true]) {
      const transport = new StringTransport({ lenient });
      transport.stopProducing();
      expect(() => transport.pauseProducing()).toThrow("Cannot resume a stopped producer");
      expect(() => transport.resumeProducing()).toThrow("Cannot resume a stopped producer");
      expect(transport.producerState).toBe("stopped");
    }
  });

  it("refuses to pause or resume after loseConnection", () => {
    const transport = new StringTransport();
    transport.loseConnection();
    expect(() => transport.pauseProducing()).toThrow(
      "Cannot resume producing after loseConnection",
    );
    expect(() => transport.resumeProducing()).toThrow(
      "Cannot resume producing after loseConnection",
    );
  });

  it("allows pausing and resuming after loseConnection when lenient", () => {
    const transport = new StringTransport({ lenient: true });
    transport.loseConnection();
    transport.pauseProducing();
    expect(transport.producerState).toBe("paused");
    transport.resumeProducing();
    expect(transport.producerState).toBe("producing");
  });
});

describe("StringTransportWithDisconnection", () => {
  class Recorder extends Protocol {
    readonly reasons: Failure[] = [];
    override connectionLost(reason: Failure): void {
      super.connectionLost(reason);
      this.reasons.push(reason);
    }
  }

  it("tells the protocol ConnectionDone on loseConnection, once", () => {
    const transport = new StringTransportWithDisconnection();
    const protocol = new Recorder();
    transport.protocol = protocol;
    protocol.makeConnection(transport);
    transport.loseConnection();
    transport.loseConnection();
    expect(protocol.reasons).toHaveLength(1);
    expect(protocol.reasons[0]?.value).toBeInstanceOf(ConnectionDone);
    expect(protocol.reasons[0]?.getErrorMessage()).toBe("Bye.");
    expect(transport.connected).toBe(false);
    expect(protocol.connected).toBe(false);
  });

  it("does not set disconnecting, as in Twisted", () => {
    const transport = new StringTransportWithDisconnection();
    transport.protocol = new Recorder();
    transport.loseConnection();
    expect(transport.disconnecting).toBe(false);
    transport.pauseProducing();
    expect(transport.producerState).toBe("paused");
  });

  it("sets disconnected and closes cleanly on abortConnection", () => {
    const transport = new StringTransportWithDisconnection();
    const protocol = new Recorder();
    transport.protocol = protocol;
    transport.abortConnection();
    expect(transport.disconnected).toBe(true);
    expect(protocol.reasons).toHaveLength(1);
    expect(protocol.reasons[0]?.check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("throws when closed before its protocol is set, and stays connected", () => {
    const transport = new StringTransportWithDisconnection();
    expect(() => transport.loseConnection()).toThrow("protocol must be set");
    expect(transport.connected).toBe(true);
  });
});
