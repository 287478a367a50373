import { describe, expect, it } from "vitest";
import { IPv4Address } from "../../src/address.js";
import { ConnectionRefusedError } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IClientFactory, IProtocolFactory } from "../../src/interfaces/protocol.js";
import { globalLogPublisher } from "../../src/logger/index.js";
import { ClientFactory, Factory, ServerFactory } from "../../src/protocol/factory.js";
import { Protocol } from "../../src/protocol/protocol.js";
import { EventLoggingObserver } from "../../src/testing/eventLoggingObserver.js";
import { MemoryReactor } from "../../src/testing/memoryReactor.js";

const ADDR = new IPv4Address("TCP", "192.168.1.1", 54321);

class CountingFactory extends Factory {
  starts = 0;
  stops = 0;
  override startFactory(): void {
    this.starts++;
  }
  override stopFactory(): void {
    this.stops++;
  }
}

/** Events logged to the global publisher while `run` runs. */
function logged(run: () => void): EventLoggingObserver {
  const observer = new EventLoggingObserver();
  globalLogPublisher.addObserver(observer);
  try {
    run();
  } finally {
    globalLogPublisher.removeObserver(observer);
  }
  return observer;
}

describe("Factory: starting and stopping", () => {
  it("calls startFactory on the first doStart only, and counts the ports", () => {
    const factory = new CountingFactory();
    factory.noisy = false;
    factory.doStart();
    factory.doStart();
    factory.doStart();
    expect(factory.starts).toBe(1);
    expect(factory.numPorts).toBe(3);
  });

  it("calls stopFactory when the last port stops", () => {
    const factory = new CountingFactory();
    factory.noisy = false;
    factory.doStart();
    factory.doStart();
    factory.doStop();
    expect(factory.stops).toBe(0);
    expect(factory.numPorts).toBe(1);
    factory.doStop();
    expect(factory.stops).toBe(1);
    expect(factory.numPorts).toBe(0);
  });

  it("ignores an extra doStop", () => {
    const factory = new CountingFactory();
    factory.noisy = false;
    factory.doStop();
    expect([factory.stops, factory.numPorts]).toEqual([0, 0]);
    factory.doStart();
    factory.doStop();
    factory.doStop();
    expect([factory.starts, factory.stops, factory.numPorts]).toEqual([1, 1, 0]);
  });

  it("starts again after it has stopped", () => {
    const factory = new CountingFactory();
    factory.noisy = false;
    factory.doStart();
    factory.doStop();
    factory.doStart();
    expect([factory.starts, factory.stops, factory.numPorts]).toEqual([2, 1, 1]);
  });

  it("logs starting and stopping at info level when noisy", () => {
    const factory = new Factory();
    const events = logged(() => {
      factory.doStart();
      factory.doStop();
    });
    const ours = events.events.filter((e) => e["factory"] === factory);
    expect(ours.map((e) => [e.log_format, e.log_level])).toEqual([
      ["Starting factory {factory}", "info"],
      ["Stopping factory {factory}", "info"],
    ]);
  });

  it("logs nothing when not noisy", () => {
    const factory = new Factory();
    factory.noisy = false;
    const events = logged(() => {
      factory.doStart();
      factory.doStop();
    });
    expect(events.events.filter((e) => e["factory"] === factory.logPrefix())).toEqual([]);
  });
});

describe("Factory: building protocols", () => {
  it("instantiates protocol and sets the protocol's factory", () => {
    class SomeProtocol extends Protocol {}
    const factory = new Factory<SomeProtocol>();
    factory.protocol = SomeProtocol;
    const protocol = factory.buildProtocol(ADDR);
    expect(protocol).toBeInstanceOf(SomeProtocol);
    expect(protocol?.factory).toBe(factory);
    expect(factory.buildProtocol(ADDR)).not.toBe(protocol);
  });

  it("throws when no protocol class is set", () => {
    expect(() => new Factory().buildProtocol(ADDR)).toThrow(
      "Factory.protocol is not set and buildProtocol is not overridden",
    );
  });

  it("may be overridden to refuse a connection with null", () => {
    class Refusing extends Factory {
      override buildProtocol(): null {
        return null;
      }
    }
    const factory: IProtocolFactory = new Refusing();
    expect(factory.buildProtocol(ADDR)).toBeNull();
  });

  it("makes a factory for a protocol class with forProtocol", () => {
    class SomeProtocol extends Protocol {}
    const factory = Factory.forProtocol(SomeProtocol);
    expect(factory).toBeInstanceOf(Factory);
    expect(factory.protocol).toBe(SomeProtocol);
    const protocol = factory.buildProtocol(ADDR);
    expect(protocol).toBeInstanceOf(SomeProtocol);
    expect((protocol as SomeProtocol).factory).toBe(factory);
  });

  it("passes forProtocol's extra arguments to the factory's constructor, as Twisted does", () => {
    class Greeting extends Protocol {}
    class GreetingFactory extends Factory<Greeting> {
      constructor(
        readonly greeting: string,
        readonly times: number,
      ) {
        super();
      }
    }
    const factory = GreetingFactory.forProtocol(Greeting, "hello", 2);
    expect(factory).toBeInstanceOf(GreetingFactory);
    expect([factory.greeting, factory.times]).toEqual(["hello", 2]);
    expect(factory.protocol).toBe(Greeting);
    const protocol: Greeting | null = factory.buildProtocol(ADDR);
    expect(protocol).toBeInstanceOf(Greeting);
  });

  it("makes an instance of the class forProtocol is called on", () => {
    expect(ServerFactory.forProtocol(Protocol)).toBeInstanceOf(ServerFactory);
    expect(ClientFactory.forProtocol(Protocol)).toBeInstanceOf(ClientFactory);
  });

  it("names its class and protocol in its log prefix", () => {
    class SomeKindOfFactory extends Factory {}
    expect(new SomeKindOfFactory().logPrefix()).toBe("SomeKindOfFactory");
    class Echo extends Protocol {}
    expect(Factory.forProtocol(Echo).logPrefix()).toBe("Factory (Echo)");
  });
});

describe("ServerFactory and ClientFactory", () => {
  it("makes ServerFactory a Factory", () => {
    expect(new ServerFactory()).toBeInstanceOf(Factory);
  });

  it("gives ClientFactory connection callbacks that do nothing by default", () => {
    const reactor = new MemoryReactor();
    const factory: IClientFactory = new ClientFactory();
    const connector = reactor.connectTCP("h", 1, factory);
    const reason = new Failure(new ConnectionRefusedError());
    expect(() => {
      factory.startedConnecting(connector);
      factory.clientConnectionFailed(connector, reason);
      factory.clientConnectionLost(connector, reason);
    }).not.toThrow();
    expect(connector.connectCalls).toBe(0);
  });
});
