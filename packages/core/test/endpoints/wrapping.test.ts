import { describe, expect, it } from "vitest";
import { ipAddress } from "../../src/address.js";
import { Deferred } from "../../src/defer/deferred.js";
import { NoProtocol } from "../../src/endpoints/errors.js";
import {
  HalfCloseableWrappingProtocol,
  WrappingFactory,
  WrappingProtocol,
} from "../../src/endpoints/wrapping.js";
import { ConnectError, ConnectionDone } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import { isHalfCloseable } from "../../src/interfaces/protocol.js";
import { ClientFactory } from "../../src/protocol/factory.js";
import {
  FakeTransport,
  factoryOf,
  HalfCloseableProtocol,
  RecordingProtocol,
  resultOf,
} from "./fakeReactor.js";

const addr = ipAddress("TCP", "127.0.0.1", 80);

describe("WrappingFactory", () => {
  it("passes doStart and doStop to the wrapped factory", () => {
    const factory = new ClientFactory();
    factory.noisy = false;
    const wrapper = new WrappingFactory(factory);
    wrapper.doStart();
    expect(factory.numPorts).toBe(1);
    factory.numPorts = 3;
    wrapper.doStop();
    expect(factory.numPorts).toBe(2);
  });

  it("fails onConnection with the error when buildProtocol throws, and returns null", () => {
    const error = new RangeError("My protocol is poorly defined.");
    const wrapper = new WrappingFactory(
      factoryOf(() => {
        throw error;
      }),
    );
    expect(wrapper.buildProtocol(addr)).toBeNull();
    expect(resultOf(wrapper.onConnection).failure?.value).toBe(error);
  });

  it("fails onConnection with NoProtocol when buildProtocol returns null, and returns null", () => {
    const wrapper = new WrappingFactory(factoryOf(() => null));
    expect(wrapper.buildProtocol(addr)).toBeNull();
    expect(resultOf(wrapper.onConnection).failure?.value).toBeInstanceOf(NoProtocol);
  });

  it("fails onConnection with the reason of clientConnectionFailed, once", () => {
    const wrapper = new WrappingFactory(factoryOf(() => new RecordingProtocol()));
    const reason = new Failure(new ConnectError("fail"));
    wrapper.clientConnectionFailed({} as never, reason);
    wrapper.clientConnectionFailed({} as never, new Failure(new ConnectError("again")));
    expect(resultOf(wrapper.onConnection).failure).toBe(reason);
  });

  it("wraps the protocol the factory builds and fires once it is connected", () => {
    const user = new RecordingProtocol();
    const wrapper = new WrappingFactory(factoryOf(() => user));
    const wrapping = wrapper.buildProtocol(addr);
    expect(wrapping).toBeInstanceOf(WrappingProtocol);
    expect(wrapper.onConnection.called).toBe(false);
    const transport = new FakeTransport();
    wrapping?.makeConnection(transport);
    expect(user.events).toEqual(["connectionMade"]);
    expect(user.transport).toBe(transport);
    expect(wrapping?.transport).toBe(transport);
    expect(resultOf(wrapper.onConnection).value).toBe(user);
  });
});

describe("WrappingProtocol", () => {
  it("passes dataReceived and connectionLost to the wrapped protocol", () => {
    const user = new RecordingProtocol();
    const p = new WrappingProtocol(new Deferred<RecordingProtocol>(), user);
    p.makeConnection(new FakeTransport());
    p.dataReceived(Buffer.from("foo"));
    p.dataReceived(Buffer.from("bar"));
    const reason = new Failure(new ConnectionDone());
    p.connectionLost(reason);
    expect(user.data.map(String)).toEqual(["foo", "bar"]);
    expect(user.reasons).toEqual([reason]);
  });

  it("uses the wrapped protocol's logPrefix, or its class name", () => {
    class Named extends RecordingProtocol {
      override logPrefix(): string {
        return "A Test Protocol";
      }
    }
    expect(new WrappingProtocol(new Deferred<Named>(), new Named()).logPrefix()).toBe(
      "A Test Protocol",
    );
    class Plain {
      makeConnection(): void {}
      dataReceived(): void {}
      connectionLost(): void {}
    }
    expect(new WrappingProtocol(new Deferred<Plain>(), new Plain()).logPrefix()).toBe("Plain");
  });

  it("is half-closeable exactly when the wrapped protocol is", () => {
    const factory = new WrappingFactory(factoryOf(() => new HalfCloseableProtocol()));
    const half = factory.buildProtocol(addr);
    expect(half).toBeInstanceOf(HalfCloseableWrappingProtocol);
    expect(isHalfCloseable(half)).toBe(true);
    const plain = new WrappingFactory(factoryOf(() => new RecordingProtocol())).buildProtocol(addr);
    expect(isHalfCloseable(plain)).toBe(false);
  });

  it("passes readConnectionLost and writeConnectionLost to the wrapped protocol", () => {
    const user = new HalfCloseableProtocol();
    const p = new HalfCloseableWrappingProtocol(new Deferred<HalfCloseableProtocol>(), user);
    p.readConnectionLost();
    p.writeConnectionLost();
    expect(user.events).toEqual(["readConnectionLost", "writeConnectionLost"]);
  });

  it("fails the Deferred and rethrows when the wrapped connectionMade throws", () => {
    class Broken extends RecordingProtocol {
      override connectionMade(): void {
        throw new Error("boom");
      }
    }
    const d = new Deferred<Broken>();
    const p = new WrappingProtocol(d, new Broken());
    expect(() => p.makeConnection(new FakeTransport())).toThrow("boom");
    expect(resultOf(d).failure?.getErrorMessage()).toBe("boom");
  });

  it("does not fire a Deferred that already fired (it was cancelled)", () => {
    const d = new Deferred<RecordingProtocol>();
    d.errback(new Error("cancelled"));
    d.addErrback(() => undefined);
    const user = new RecordingProtocol();
    new WrappingProtocol(d, user).makeConnection(new FakeTransport());
    expect(user.events).toEqual(["connectionMade"]);
  });
});
