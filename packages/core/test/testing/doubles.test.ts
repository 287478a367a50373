import { describe, expect, it, onTestFinished } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import { ConnectionDone } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IConsumer, IPullProducer, WriteData } from "../../src/interfaces/transport.js";
import { globalLogPublisher, Logger, LogPublisher } from "../../src/logger/index.js";
import { Factory } from "../../src/protocol/factory.js";
import { FakeDatagramTransport } from "../../src/testing/datagram.js";
import { EventLoggingObserver } from "../../src/testing/eventLoggingObserver.js";
import { NonStreamingProducer } from "../../src/testing/producers.js";
import { AccumulatingProtocol, LineSendingProtocol } from "../../src/testing/protocols.js";
import { StringTransport } from "../../src/testing/stringTransport.js";
import { successResultOf } from "./helpers.js";

describe("AccumulatingProtocol", () => {
  it("notes the connection and accumulates the data received", () => {
    const protocol = new AccumulatingProtocol();
    expect(protocol.made).toBe(false);
    protocol.makeConnection(new StringTransport());
    protocol.dataReceived(Buffer.from("ab"));
    protocol.dataReceived(Buffer.from("cd"));
    expect(protocol.made).toBe(true);
    expect(protocol.data.toString()).toBe("abcd");
  });

  it("notes the loss and its reason, and fires closedDeferred once", () => {
    const protocol = new AccumulatingProtocol();
    const closed = new Deferred<void>();
    protocol.closedDeferred = closed;
    protocol.makeConnection(new StringTransport());
    const reason = new Failure(new ConnectionDone());
    protocol.connectionLost(reason);
    expect(protocol.closed).toBe(true);
    expect(protocol.closedReason).toBe(reason);
    expect(protocol.connected).toBe(false);
    expect(successResultOf(closed)).toBeUndefined();
    expect(protocol.closedDeferred).toBeUndefined();
  });

  it("fires its factory's protocolConnectionMade with itself, then clears it", () => {
    const factory = Factory.forProtocol(AccumulatingProtocol) as Factory<AccumulatingProtocol> & {
      protocolConnectionMade?: Deferred<AccumulatingProtocol> | undefined;
    };
    const made = new Deferred<AccumulatingProtocol>();
    factory.protocolConnectionMade = made;
    const protocol = factory.buildProtocol(new StringTransport().getPeer());
    if (protocol === null) throw new Error("no protocol");
    protocol.makeConnection(new StringTransport());
    expect(successResultOf(made)).toBe(protocol);
    expect(factory.protocolConnectionMade).toBeUndefined();
  });
});

describe("LineSendingProtocol", () => {
  it("sends its lines, CRLF-terminated, when it connects", () => {
    const protocol = new LineSendingProtocol(["hello", Buffer.from("world")]);
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    expect(transport.value().toString()).toBe("hello\r\nworld\r\n");
  });

  it("records received lines, split across chunks, without their CRLF", () => {
    const protocol = new LineSendingProtocol([]);
    protocol.makeConnection(new StringTransport());
    for (const chunk of ["fi", "rst\r", "\nsecond\r\nthi", "rd"]) {
      protocol.dataReceived(Buffer.from(chunk));
    }
    expect(protocol.response.map(String)).toEqual(["first", "second"]);
  });

  it("sends its lines in answer to the first line when start is false", () => {
    const protocol = new LineSendingProtocol(["reply"], false);
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    expect(transport.value().length).toBe(0);
    protocol.dataReceived(Buffer.from("one\r\ntwo\r\n"));
    expect(transport.value().toString()).toBe("reply\r\n");
    expect(protocol.lines).toEqual([]);
    expect(protocol.response.map(String)).toEqual(["one", "two"]);
  });

  it("notes the loss in lostConn", () => {
    const protocol = new LineSendingProtocol([]);
    protocol.makeConnection(new StringTransport());
    protocol.connectionLost(new Failure(new ConnectionDone()));
    expect(protocol.lostConn).toBe(true);
  });
});

class TestConsumer implements IConsumer {
  readonly writes: string[] = [];
  producer: IPullProducer | undefined;
  streaming: boolean | undefined;

  registerProducer(producer: IPullProducer, streaming: boolean): void {
    this.producer = producer;
    this.streaming = streaming;
  }

  unregisterProducer(): void {
    this.producer = undefined;
    this.streaming = undefined;
  }

  write(data: WriteData): void {
    this.writes.push(String(data));
  }
}

describe("NonStreamingProducer", () => {
  it("writes ten numbers, then unregisters itself, fires result and refuses more", () => {
    const consumer = new TestConsumer();
    const producer = new NonStreamingProducer(consumer);
    consumer.registerProducer(producer, false);
    expect(producer.consumer).toBe(consumer);
    for (let i = 0; i < 10; i++) producer.resumeProducing();
    expect(consumer.writes).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(consumer.producer).toBeUndefined();
    expect(producer.consumer).toBeUndefined();
    expect(successResultOf(producer.result)).toBeUndefined();
    expect(() => producer.resumeProducing()).toThrow("BUG: resume after unregister/stop.");
  });

  it("refuses to be paused", () => {
    const producer = new NonStreamingProducer(new TestConsumer());
    producer.resumeProducing();
    expect(() => producer.pauseProducing()).toThrow("BUG: pause should never be called.");
  });

  it("fires result and refuses more after stopProducing", () => {
    const consumer = new TestConsumer();
    const producer = new NonStreamingProducer(consumer);
    producer.resumeProducing();
    producer.stopProducing();
    expect(producer.stopped).toBe(true);
    expect(successResultOf(producer.result)).toBeUndefined();
    expect(() => producer.resumeProducing()).toThrow(Error);
    expect(consumer.writes).toEqual(["0"]);
  });
});

describe("FakeDatagramTransport", () => {
  it("records each packet with its address, or noAddr", () => {
    const transport = new FakeDatagramTransport();
    transport.write("ping", ["10.0.0.2", 17]);
    transport.write(Buffer.from("pong"));
    expect(transport.written).toEqual([
      [Buffer.from("ping"), ["10.0.0.2", 17]],
      [Buffer.from("pong"), FakeDatagramTransport.noAddr],
    ]);
  });

  it("throws a TypeError for a packet that is not bytes or a string", () => {
    expect(() => new FakeDatagramTransport().write(7 as unknown as string)).toThrow(TypeError);
  });
});

describe("EventLoggingObserver", () => {
  it("keeps the events it observes, in order, as a list", () => {
    const publisher = new LogPublisher();
    const observer = new EventLoggingObserver();
    publisher.addObserver(observer);
    const log = new Logger({ namespace: "test", observer: publisher });
    log.info("one");
    log.warn("two {n}", { n: 2 });
    expect(observer).toHaveLength(2);
    expect(observer.at(0)?.log_format).toBe("one");
    expect(observer.at(-1)?.["n"]).toBe(2);
    expect([...observer].map((e) => e.log_format)).toEqual(["one", "two {n}"]);
    expect(observer.events.map((e) => e.log_level)).toEqual(["info", "warn"]);
  });

  it("is an observer function", () => {
    const observer = new EventLoggingObserver();
    observer({ log_format: "direct" });
    expect(typeof observer).toBe("function");
    expect(observer.events).toEqual([{ log_format: "direct" }]);
  });

  it("observes a publisher until the cleanup it registered runs", () => {
    const publisher = new LogPublisher();
    const cleanups: Array<() => void> = [];
    const observer = EventLoggingObserver.createWithCleanup((c) => cleanups.push(c), publisher);
    publisher({ log_format: "seen" });
    expect(cleanups).toHaveLength(1);
    for (const cleanup of cleanups) cleanup();
    publisher({ log_format: "unseen" });
    expect(observer.events.map((e) => e.log_format)).toEqual(["seen"]);
    expect(publisher.getObservers()).toEqual([]);
  });

  it("observes the global publisher by default, with vitest's onTestFinished", () => {
    const observer = EventLoggingObserver.createWithCleanup(onTestFinished);
    new Logger({ namespace: "test.global" }).info("to the global publisher");
    expect(globalLogPublisher.getObservers()).toContain(observer);
    expect(observer.events.some((e) => e.log_format === "to the global publisher")).toBe(true);
  });
});
