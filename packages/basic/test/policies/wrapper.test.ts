import {
  ConnectionDone,
  Factory,
  Failure,
  type IAddress,
  type IConnector,
  type IHalfCloseableProtocol,
  type IProtocol,
  type IProtocolFactory,
  IPv4Address,
  type ITCPTransport,
  type ITransport,
  Protocol,
} from "@twisted-ts/core";
import {
  AccumulatingProtocol,
  connectedServerAndClient,
  StringTransport,
  StringTransportWithDisconnection,
} from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { ProtocolWrapper, WrappingFactory, wrappedLogPrefix } from "../../src/policies/index.js";
import { ADDR, EchoProtocol, Server, SimpleProtocol } from "./helpers.js";

/** A wrapper around a plain Protocol, connected to a StringTransport. */
function connectedWrapper(inner: IProtocol = new Protocol()): {
  wrapper: ProtocolWrapper;
  transport: StringTransport;
  factory: WrappingFactory;
} {
  const factory = new WrappingFactory(new Server());
  const wrapper = new ProtocolWrapper(factory, inner);
  const transport = new StringTransport();
  wrapper.makeConnection(transport);
  return { wrapper, transport, factory };
}

/** A factory with only the IProtocolFactory members, no logPrefix or client events. */
class NoFactory implements IProtocolFactory {
  started = 0;
  stopped = 0;
  buildProtocol(_addr: IAddress): IProtocol | null {
    return new Protocol();
  }
  doStart(): void {
    this.started++;
  }
  doStop(): void {
    this.stopped++;
  }
}

describe("WrappingFactory", () => {
  it("leaves the wrapped protocol's factory set to the wrapped factory", () => {
    const server = new Server();
    const p = new WrappingFactory(server).buildProtocol(ADDR) as ProtocolWrapper;
    expect(p).toBeInstanceOf(ProtocolWrapper);
    expect((p.wrappedProtocol as EchoProtocol).factory).toBe(server);
  });

  it("prefixes its log lines with the wrapped factory's prefix and its own class name", () => {
    const server = new Server();
    expect(new WrappingFactory(server).logPrefix()).toBe(`${server.logPrefix()} (WrappingFactory)`);
    expect(String(new WrappingFactory(server))).toBe(`<${server.logPrefix()} (WrappingFactory)>`);
  });

  it("falls back to the wrapped factory's class name when it has no logPrefix", () => {
    expect(new WrappingFactory(new NoFactory()).logPrefix()).toBe("NoFactory (WrappingFactory)");
  });

  it("starts and stops the wrapped factory with itself", () => {
    const inner = new NoFactory();
    const factory = new WrappingFactory(inner);
    factory.noisy = false;
    factory.doStart();
    expect([inner.started, factory.numPorts]).toEqual([1, 1]);
    factory.doStop();
    expect([inner.stopped, factory.numPorts]).toEqual([1, 0]);
  });

  it("passes the client-side events to the wrapped factory", () => {
    const events: unknown[][] = [];
    class Client extends NoFactory {
      startedConnecting(connector: IConnector): void {
        events.push(["started", connector]);
      }
      clientConnectionFailed(connector: IConnector, reason: Failure): void {
        events.push(["failed", connector, reason]);
      }
      clientConnectionLost(connector: IConnector, reason: Failure): void {
        events.push(["lost", connector, reason]);
      }
    }
    const factory = new WrappingFactory(new Client());
    const connector = {} as IConnector;
    const reason = new Failure(new ConnectionDone());
    factory.startedConnecting(connector);
    factory.clientConnectionFailed(connector, reason);
    factory.clientConnectionLost(connector, reason);
    expect(events).toEqual([
      ["started", connector],
      ["failed", connector, reason],
      ["lost", connector, reason],
    ]);
  });

  it("ignores client-side events the wrapped factory does not handle", () => {
    const factory = new WrappingFactory(new NoFactory());
    expect(() => factory.startedConnecting({} as IConnector)).not.toThrow();
  });

  it("refuses a connection the wrapped factory refuses", () => {
    const inner = new NoFactory();
    inner.buildProtocol = () => null;
    expect(new WrappingFactory(inner).buildProtocol(ADDR)).toBeNull();
  });

  it("tracks each wrapper in protocols from connection to loss", () => {
    const factory = new WrappingFactory(Factory.forProtocol(SimpleProtocol));
    const wrapper = factory.buildProtocol(ADDR) as ProtocolWrapper;
    expect(factory.protocols.size).toBe(0);
    const transport = new StringTransportWithDisconnection();
    transport.protocol = wrapper;
    wrapper.makeConnection(transport);
    expect([...factory.protocols]).toEqual([wrapper]);
    const inner = wrapper.wrappedProtocol as SimpleProtocol;
    expect(inner.made).toBe(true);
    transport.loseConnection();
    expect(factory.protocols.size).toBe(0);
    expect(inner.disconnected).toBe(true);
    expect(inner.reason?.check(ConnectionDone)).toBe(ConnectionDone);
    expect(wrapper.connected).toBe(false);
  });

  it("carries a whole conversation in memory", () => {
    const [client, server, pump] = connectedServerAndClient(
      new WrappingFactory(Factory.forProtocol(EchoProtocol)),
      () => new AccumulatingProtocol(),
    );
    client.transport?.write("through the wrapper");
    pump.flush();
    expect(client.data.toString()).toBe("through the wrapper");
    client.transport?.loseConnection();
    pump.flush();
    expect(server.connected).toBe(false);
    expect(client.closed).toBe(true);
  });
});

describe("ProtocolWrapper", () => {
  it("prefixes its log lines with the wrapped protocol's prefix and its own class name", () => {
    const p = new WrappingFactory(new Server()).buildProtocol(ADDR);
    expect(p?.logPrefix()).toBe("EchoProtocol (ProtocolWrapper)");
  });

  it("falls back to the wrapped protocol's class name when it has no logPrefix", () => {
    class NoProtocol implements IProtocol {
      makeConnection(_t: ITransport): void {}
      dataReceived(_d: Buffer): void {}
      connectionLost(): void {}
    }
    const wrapper = new ProtocolWrapper(new WrappingFactory(new Server()), new NoProtocol());
    expect(wrapper.logPrefix()).toBe("NoProtocol (ProtocolWrapper)");
    expect(wrappedLogPrefix(wrapper, null)).toBe("null (ProtocolWrapper)");
  });

  it("is the wrapped protocol's transport", () => {
    const inner = new Protocol();
    const { wrapper } = connectedWrapper(inner);
    expect(inner.transport).toBe(wrapper);
    expect(inner.connected).toBe(true);
  });

  it("passes received bytes to the wrapped protocol", () => {
    const inner = new SimpleProtocol();
    const { wrapper } = connectedWrapper(inner);
    wrapper.dataReceived(Buffer.from("abc"));
    expect(inner.buffer.toString()).toBe("abc");
  });

  it("writes through to the real transport", () => {
    const { wrapper, transport } = connectedWrapper();
    wrapper.write("one ");
    wrapper.writeSequence(["two ", Buffer.from("three")]);
    expect(transport.value().toString()).toBe("one two three");
  });

  it("reports the real transport's addresses", () => {
    const { wrapper, transport } = connectedWrapper();
    expect(wrapper.getHost()).toEqual(transport.getHost());
    expect(wrapper.getPeer()).toEqual(transport.getPeer());
  });

  it("registers and unregisters producers with the real transport", () => {
    const { wrapper, transport } = connectedWrapper();
    const producer = new EchoProtocol();
    wrapper.registerProducer(producer, true);
    expect(transport.producer).toBe(producer);
    expect(transport.streaming).toBe(true);
    wrapper.unregisterProducer();
    expect(transport.producer).toBeUndefined();
    expect(transport.streaming).toBeUndefined();
  });

  it("passes read pausing, resuming and stopping to the real transport", () => {
    const { wrapper, transport } = connectedWrapper();
    wrapper.pauseProducing();
    expect(transport.producerState).toBe("paused");
    wrapper.resumeProducing();
    expect(transport.producerState).toBe("producing");
    wrapper.stopProducing();
    expect(transport.producerState).toBe("stopped");
  });

  it("passes the TCP options to the real transport", () => {
    const { wrapper, transport } = connectedWrapper();
    wrapper.setTcpNoDelay(true);
    wrapper.setTcpKeepAlive(true);
    expect([transport.tcpNoDelay, transport.tcpKeepAlive]).toEqual([true, true]);
    expect([wrapper.getTcpNoDelay(), wrapper.getTcpKeepAlive()]).toEqual([true, true]);
  });

  it("closes, aborts and half-closes the real transport", () => {
    const closing = connectedWrapper();
    expect(closing.wrapper.disconnecting).toBe(false);
    closing.wrapper.loseConnection();
    expect(closing.wrapper.disconnecting).toBe(true);
    expect(closing.transport.disconnecting).toBe(true);

    const aborting = connectedWrapper();
    expect(aborting.wrapper.disconnected).toBe(false);
    aborting.wrapper.abortConnection();
    expect(aborting.transport.disconnected).toBe(true);
    expect(aborting.wrapper.disconnected).toBe(true);

    const half = connectedWrapper();
    half.wrapper.loseWriteConnection();
    expect(half.transport.writeClosed).toBe(true);
  });

  it("throws a TypeError for a TCP method the real transport lacks", () => {
    const plain: ITransport = {
      write: () => {},
      writeSequence: () => {},
      loseConnection: () => {},
      getPeer: () => ADDR,
      getHost: () => new IPv4Address("TCP", "127.0.0.1", 1),
      registerProducer: () => {},
      unregisterProducer: () => {},
    };
    const wrapper = new ProtocolWrapper(new WrappingFactory(new Server()), new Protocol());
    wrapper.makeConnection(plain);
    expect(() => wrapper.pauseProducing()).toThrow(TypeError);
    expect(() => wrapper.abortConnection()).toThrow(/has no abortConnection/);
    expect(wrapper.disconnected).toBe(false);
  });

  it("throws a clear error when used as a transport before it is connected", () => {
    const wrapper = new ProtocolWrapper(new WrappingFactory(new Server()), new Protocol());
    expect(() => wrapper.write("x")).toThrow(/not connected/);
  });

  it("passes a half-close to a half-closeable wrapped protocol, which can still write", () => {
    class Half extends Protocol implements IHalfCloseableProtocol {
      readonly events: string[] = [];
      readConnectionLost(): void {
        this.events.push("read");
        this.transport?.write("bye");
        this.transport?.loseConnection();
      }
      writeConnectionLost(): void {
        this.events.push("write");
      }
    }
    const inner = new Half();
    const { wrapper, transport } = connectedWrapper(inner);
    wrapper.readConnectionLost();
    wrapper.writeConnectionLost();
    expect(inner.events).toEqual(["read", "write"]);
    expect(transport.value().toString()).toBe("bye");
  });

  it("closes the connection on a half-close when the wrapped protocol cannot take one", () => {
    const { wrapper, transport } = connectedWrapper(new SimpleProtocol());
    wrapper.readConnectionLost();
    wrapper.writeConnectionLost();
    expect(transport.disconnecting).toBe(true);
    expect(wrapper.disconnecting).toBe(true);
  });

  it("delivers a peer's half-close through a WrappingFactory in memory", () => {
    class Answerer extends Protocol implements IHalfCloseableProtocol {
      got = "";
      override dataReceived(data: Buffer): void {
        this.got += data.toString();
      }
      readConnectionLost(): void {
        this.transport?.write(`you said ${this.got}`);
        this.transport?.loseConnection();
      }
      writeConnectionLost(): void {}
    }
    const [client, , pump] = connectedServerAndClient(
      new WrappingFactory(Factory.forProtocol(Answerer)),
      () => new AccumulatingProtocol(),
    );
    client.transport?.write("hi");
    (client.transport as ITCPTransport).loseWriteConnection();
    pump.flush();
    expect(client.data.toString()).toBe("you said hi");
    expect(client.closed).toBe(true);
  });
});
