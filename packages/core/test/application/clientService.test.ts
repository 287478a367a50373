import { describe, expect, it } from "vitest";
import {
  backoffPolicy,
  CancelledError,
  ClientService,
  ConnectionRefusedError,
  Deferred,
  Factory,
  Failure,
  type IProtocol,
  type IStreamClientEndpoint,
  Protocol,
  type TypedProtocolFactory,
} from "../../src/index.js";
import { Clock, StringTransport } from "../../src/testing.js";

/** An endpoint whose attempts the test completes by hand. */
class ManualEndpoint implements IStreamClientEndpoint {
  readonly attempts: { factory: TypedProtocolFactory<Protocol>; deferred: Deferred<Protocol> }[] =
    [];
  cancelled = 0;
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    const deferred = new Deferred<Protocol>(() => {
      this.cancelled++;
    });
    this.attempts.push({ factory: factory as unknown as TypedProtocolFactory<Protocol>, deferred });
    return deferred as unknown as Deferred<P>;
  }
  succeed(index = this.attempts.length - 1): Protocol {
    const attempt = this.attempts[index];
    if (attempt === undefined) throw new Error("no attempt");
    const protocol = attempt.factory.buildProtocol(null as never) as Protocol;
    protocol.makeConnection(new StringTransport());
    attempt.deferred.callback(protocol);
    return protocol;
  }
  fail(index = this.attempts.length - 1): void {
    this.attempts[index]?.deferred.errback(new ConnectionRefusedError());
  }
}

function setup(options: { prepare?: (p: Protocol) => unknown } = {}) {
  const clock = new Clock();
  const endpoint = new ManualEndpoint();
  const factory = Factory.forProtocol(Protocol);
  factory.noisy = false;
  const service = new ClientService(endpoint, factory, {
    clock,
    retryPolicy: (n) => n * 10,
    ...(options.prepare ? { prepareConnection: options.prepare } : {}),
  });
  return { clock, endpoint, service };
}

describe("ClientService", () => {
  it("connects on start and hands out the protocol through whenConnected", () => {
    const { endpoint, service } = setup();
    const waiting = service.whenConnected();
    service.startService();
    expect(endpoint.attempts).toHaveLength(1);
    expect(waiting.called).toBe(false);
    const protocol = endpoint.succeed();
    expect(waiting.result).toBe(protocol);
    expect(service.whenConnected().result).toBe(protocol);
  });

  it("retries after a failure on the retry policy's schedule", () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    endpoint.fail();
    clock.advance(9);
    expect(endpoint.attempts).toHaveLength(1);
    clock.advance(1);
    expect(endpoint.attempts).toHaveLength(2);
    endpoint.fail();
    clock.advance(19);
    expect(endpoint.attempts).toHaveLength(2);
    clock.advance(1);
    expect(endpoint.attempts).toHaveLength(3);
  });

  it("fails whenConnected(failAfterFailures) with the last error after that many failures", () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    const patient = service.whenConnected();
    const impatient = service.whenConnected(2);
    endpoint.fail();
    expect(impatient.called).toBe(false);
    clock.advance(10);
    endpoint.fail();
    expect((impatient.result as Failure).check(ConnectionRefusedError)).toBe(
      ConnectionRefusedError,
    );
    impatient.addErrback(() => undefined);
    expect(patient.called).toBe(false);
    expect((service.whenConnected(1).result as Failure).value).toBeInstanceOf(
      ConnectionRefusedError,
    );
    service.whenConnected(1).addErrback(() => undefined);
  });

  it("reconnects after the connection is lost, running prepareConnection each time", () => {
    const prepared: Protocol[] = [];
    const { clock, endpoint, service } = setup({ prepare: (p) => prepared.push(p) });
    service.startService();
    const first = endpoint.succeed();
    first.connectionLost(new Failure(new Error("dropped")));
    expect(service.whenConnected().called).toBe(false);
    clock.advance(0);
    expect(endpoint.attempts).toHaveLength(2);
    const second = endpoint.succeed();
    expect(prepared).toEqual([first, second]);
    expect(service.whenConnected().result).toBe(second);
  });

  it("waits for a prepareConnection Deferred before handing the protocol out", () => {
    const gate = new Deferred<void>();
    const { endpoint, service } = setup({ prepare: () => gate });
    service.startService();
    const waiting = service.whenConnected();
    endpoint.succeed();
    expect(waiting.called).toBe(false);
    gate.callback(undefined);
    expect(waiting.called).toBe(true);
  });

  it("on stop, cancels an attempt in progress and fails the waiters with CancelledError", () => {
    const { endpoint, service } = setup();
    service.startService();
    const waiting = service.whenConnected();
    const stopped = service.stopService();
    expect(endpoint.cancelled).toBe(1);
    expect((waiting.result as Failure).check(CancelledError)).toBe(CancelledError);
    waiting.addErrback(() => undefined);
    expect(stopped.called).toBe(true);
  });

  it("on stop, disconnects and fires once the connection is lost, without reconnecting", () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    const protocol = endpoint.succeed();
    const stopped = service.stopService();
    expect((protocol.transport as StringTransport).disconnecting).toBe(true);
    expect(stopped.called).toBe(false);
    protocol.connectionLost(new Failure(new Error("closed")));
    expect(stopped.called).toBe(true);
    clock.advance(100);
    expect(endpoint.attempts).toHaveLength(1);
  });
});

describe("backoffPolicy", () => {
  it("grows by the factor up to the maximum, plus jitter, and does not overflow", () => {
    const policy = backoffPolicy(1, 60, 1.5, () => 0.25);
    expect(policy(0)).toBe(1.25);
    expect(policy(2)).toBe(2.25 + 0.25);
    expect(policy(20)).toBe(60.25);
    expect(policy(1e9)).toBe(60.25);
  });
});
