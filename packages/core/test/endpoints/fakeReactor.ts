/**
 * A tiny recording reactor and transport for the endpoint unit tests (kept here rather than in
 * `@twisted-ts/core/testing` so these tests stand alone).
 */
import { type IAddress, ipAddress, UNIXAddress } from "../../src/address.js";
import { Deferred } from "../../src/defer/deferred.js";
import type { EndpointReactor } from "../../src/endpoints/interfaces.js";
import { ConnectingCancelledError, NotConnectingError } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type {
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
} from "../../src/interfaces/protocol.js";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  ListenTCPOptions,
  ListenUNIXOptions,
  TLSOptions,
} from "../../src/interfaces/reactor.js";
import type {
  IPullProducer,
  IPushProducer,
  ITransport,
  WriteData,
} from "../../src/interfaces/transport.js";
import { Protocol } from "../../src/protocol/protocol.js";
import { Clock } from "../../src/task/clock.js";

/** A connector that records `stopConnecting` and tells the factory, as the real one does. */
export class FakeConnector implements IConnector {
  state: "connecting" | "connected" | "disconnected" = "connecting";
  stoppedConnecting = false;
  disconnected = false;
  constructor(
    readonly factory: IClientFactory,
    readonly destination: IAddress,
  ) {}
  connect(): void {
    this.state = "connecting";
  }
  disconnect(): void {
    this.disconnected = true;
    this.state = "disconnected";
  }
  stopConnecting(): void {
    if (this.state !== "connecting") throw new NotConnectingError("not connecting");
    this.state = "disconnected";
    this.stoppedConnecting = true;
    this.factory.clientConnectionFailed(this, new Failure(new ConnectingCancelledError()));
  }
  getDestination(): IAddress {
    return this.destination;
  }
  /** Fail the attempt, as the reactor would. */
  fail(error: Error): void {
    this.state = "disconnected";
    this.factory.clientConnectionFailed(this, new Failure(error));
  }
  /** Make the connection: build the protocol and connect it to `transport`. */
  succeed(transport: ITransport = new FakeTransport()): IProtocol | null {
    const protocol = this.factory.buildProtocol(this.destination);
    if (protocol === null) {
      this.state = "disconnected";
      return null;
    }
    this.state = "connected";
    protocol.makeConnection(transport);
    return protocol;
  }
}

/** A listening port that reports where it listens. */
export class FakePort implements IListeningPort {
  stopped = false;
  constructor(readonly address: IAddress) {}
  startListening(): void {}
  stopListening(): Deferred<void> {
    this.stopped = true;
    const d = new Deferred<void>();
    d.callback(undefined);
    return d;
  }
  getHost(): IAddress {
    return this.address;
  }
}

/** One recorded `listen*` call. */
export interface ServerCall {
  readonly where: number | string;
  readonly factory: IProtocolFactory;
  readonly tlsOptions?: TLSOptions;
  readonly options: ListenTCPOptions | ListenUNIXOptions;
}

/** One recorded `connect*` call. */
export interface ClientCall {
  readonly host: string;
  readonly port: number;
  readonly factory: IClientFactory;
  readonly tlsOptions?: TLSOptions;
  readonly options: ConnectTCPOptions | ConnectUNIXOptions;
  readonly connector: FakeConnector;
}

/**
 * Records every listen and connect call; time is a `Clock`. `listenError`/`connectError` make
 * the next calls throw, as a reactor does when it cannot listen or connect.
 */
export class FakeReactor extends Clock implements EndpointReactor {
  readonly tcpServers: ServerCall[] = [];
  readonly sslServers: ServerCall[] = [];
  readonly unixServers: ServerCall[] = [];
  readonly tcpClients: ClientCall[] = [];
  readonly sslClients: ClientCall[] = [];
  readonly unixClients: ClientCall[] = [];
  listenError: Error | undefined;
  connectError: Error | undefined;

  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions = {},
  ): IListeningPort {
    if (this.listenError) throw this.listenError;
    this.tcpServers.push({ where: port, factory, options });
    return new FakePort(ipAddress("TCP", options.interface || "0.0.0.0", port));
  }
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tlsOptions: TLSOptions,
    options: ListenTCPOptions = {},
  ): IListeningPort {
    if (this.listenError) throw this.listenError;
    this.sslServers.push({ where: port, factory, tlsOptions, options });
    return new FakePort(ipAddress("TCP", options.interface || "0.0.0.0", port));
  }
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options: ListenUNIXOptions = {},
  ): IListeningPort {
    if (this.listenError) throw this.listenError;
    this.unixServers.push({ where: path, factory, options });
    return new FakePort(new UNIXAddress(path));
  }
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions = {},
  ): IConnector {
    return this.record(
      this.tcpClients,
      { host, port, factory, options },
      ipAddress("TCP", host, port),
    );
  }
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tlsOptions: TLSOptions,
    options: ConnectTCPOptions = {},
  ): IConnector {
    const call = { host, port, factory, tlsOptions, options };
    return this.record(this.sslClients, call, ipAddress("TCP", host, port));
  }
  connectUNIX(path: string, factory: IClientFactory, options: ConnectUNIXOptions = {}): IConnector {
    return this.record(
      this.unixClients,
      { host: path, port: 0, factory, options },
      new UNIXAddress(path),
    );
  }
  private record(
    calls: ClientCall[],
    call: Omit<ClientCall, "connector">,
    destination: IAddress,
  ): FakeConnector {
    if (this.connectError) throw this.connectError;
    const connector = new FakeConnector(call.factory, destination);
    calls.push({ ...call, connector });
    call.factory.startedConnecting(connector);
    return connector;
  }
}

/** A transport that records writes and whether it was closed. */
export class FakeTransport implements ITransport {
  readonly written: Buffer[] = [];
  disconnecting = false;
  write(data: WriteData): void {
    this.written.push(Buffer.from(data));
  }
  writeSequence(data: readonly WriteData[]): void {
    for (const chunk of data) this.write(chunk);
  }
  loseConnection(): void {
    this.disconnecting = true;
  }
  getPeer(): IAddress {
    return ipAddress("TCP", "192.168.1.1", 54321);
  }
  getHost(): IAddress {
    return ipAddress("TCP", "10.0.0.1", 12345);
  }
  registerProducer(_producer: IPushProducer | IPullProducer, _streaming: boolean): void {}
  unregisterProducer(): void {}
}

/** A protocol that records every call it gets. */
export class RecordingProtocol extends Protocol {
  readonly events: string[] = [];
  readonly data: Buffer[] = [];
  readonly reasons: Failure[] = [];
  override connectionMade(): void {
    this.events.push("connectionMade");
  }
  override dataReceived(data: Buffer): void {
    this.data.push(data);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.reasons.push(reason);
  }
}

/** A recording protocol that is also an `IHalfCloseableProtocol`. */
export class HalfCloseableProtocol extends RecordingProtocol {
  readConnectionLost(): void {
    this.events.push("readConnectionLost");
  }
  writeConnectionLost(): void {
    this.events.push("writeConnectionLost");
  }
}

/** A minimal factory that returns what `make` gives and counts doStart/doStop. */
export function factoryOf<P extends IProtocol>(
  make: () => P | null,
): IProtocolFactory & {
  buildProtocol(): P | null;
  started: number;
  stopped: number;
} {
  return {
    started: 0,
    stopped: 0,
    buildProtocol: make,
    doStart() {
      this.started++;
    },
    doStop() {
      this.stopped++;
    },
  };
}

/** The result of a fired Deferred, read synchronously (fails the test when it has not fired). */
export function resultOf<T>(d: Deferred<T>): { value?: T; failure?: Failure } {
  let out: { value?: T; failure?: Failure } | undefined;
  d.addCallbacks(
    (value: T) => {
      out = { value };
      return value;
    },
    (failure: Failure) => {
      out = { failure };
    },
  );
  if (out === undefined) throw new Error("the Deferred has not fired");
  return out;
}

/** Whether the Deferred has fired, without consuming its result. */
export function hasFired(d: Deferred<unknown>): boolean {
  return d.called;
}
