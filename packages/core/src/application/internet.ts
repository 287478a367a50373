/**
 * Services that listen or connect: Twisted's `twisted.application.internet` (`TCPServer`,
 * `TCPClient`, `SSLServer`, `UNIXServer`, `UDPServer`, `TimerService`,
 * `StreamServerEndpointService`) and `strports.service`.
 * @packageDocumentation
 */
import type { Deferred } from "../defer/deferred.js";
import { maybeDeferred } from "../defer/helpers.js";
import type { EndpointReactor, IStreamServerEndpoint } from "../endpoints/interfaces.js";
import { serverFromString } from "../endpoints/serverFromString.js";
import { CancelledError } from "../errors.js";
import type { Failure } from "../failure.js";
import type {
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
} from "../interfaces/protocol.js";
import type {
  ConnectTCPOptions,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  ListenTCPOptions,
  ListenUNIXOptions,
  TLSOptions,
} from "../interfaces/reactor.js";
import type { IReactorTime } from "../interfaces/time.js";
import type {
  IDatagramProtocol,
  IReactorUDP,
  IUDPPort,
  ListenUDPOptions,
} from "../interfaces/udp.js";
import { Logger } from "../logger/index.js";
import { reactor as globalReactor } from "../reactor/reactor.js";
import { LoopingCall } from "../task/loopingCall.js";
import { Service } from "./service.js";

const log = new Logger({ namespace: "twisted-ts.application.internet" });

/** Anything with a `stopListening` that may return a Deferred. */
interface Listening {
  stopListening(): Deferred<unknown> | unknown;
}

/**
 * The shape of every listening service: the port is opened in `privilegedStartService` (before a
 * runner drops privileges, so ports below 1024 work) and closed, with its Deferred, in
 * `stopService`.
 */
abstract class ListeningService<P extends Listening> extends Service {
  /** The open port, between start and stop. */
  port: P | undefined = undefined;

  /** Open the port. */
  protected abstract listen(): P;

  /** Opens the port, if it is not open yet. */
  override privilegedStartService(): void {
    super.privilegedStartService();
    this.port ??= this.listen();
  }

  /** Opens the port, if `privilegedStartService` has not. */
  override startService(): void {
    super.startService();
    this.port ??= this.listen();
  }

  /** Closes the port; fires once it is closed. */
  override stopService(): Deferred<unknown> | undefined {
    super.stopService();
    const port = this.port;
    this.port = undefined;
    return port === undefined ? undefined : maybeDeferred(() => port.stopListening());
  }
}

/**
 * Listen on a TCP port while running: Twisted's `internet.TCPServer(port, factory)`.
 * The port is bound in `privilegedStartService`.
 */
export class TCPServer extends ListeningService<IListeningPort> {
  /**
   * @param portNumber - the port (0 for any free one).
   * @param factory - builds protocols.
   * @param options - `backlog` and `interface`, as `listenTCP` takes them.
   * @param reactor - the reactor; the global one by default.
   */
  constructor(
    readonly portNumber: number,
    readonly factory: IProtocolFactory,
    readonly options: ListenTCPOptions = {},
    readonly reactor: IReactorTCP = globalReactor,
  ) {
    super();
  }
  protected listen(): IListeningPort {
    return this.reactor.listenTCP(this.portNumber, this.factory, this.options);
  }
}

/** Listen for TLS connections while running: Twisted's `internet.SSLServer`. */
export class SSLServer extends ListeningService<IListeningPort> {
  /**
   * @param portNumber - the port.
   * @param factory - builds protocols.
   * @param tlsOptions - the key and certificate.
   * @param options - `backlog` and `interface`.
   * @param reactor - the reactor; the global one by default.
   */
  constructor(
    readonly portNumber: number,
    readonly factory: IProtocolFactory,
    readonly tlsOptions: TLSOptions,
    readonly options: ListenTCPOptions = {},
    readonly reactor: IReactorSSL = globalReactor,
  ) {
    super();
  }
  protected listen(): IListeningPort {
    return this.reactor.listenSSL(this.portNumber, this.factory, this.tlsOptions, this.options);
  }
}

/** Listen on a Unix socket while running: Twisted's `internet.UNIXServer`. */
export class UNIXServer extends ListeningService<IListeningPort> {
  /**
   * @param path - the socket's path.
   * @param factory - builds protocols.
   * @param options - `backlog`, `mode`, `wantPID`.
   * @param reactor - the reactor; the global one by default.
   */
  constructor(
    readonly path: string,
    readonly factory: IProtocolFactory,
    readonly options: ListenUNIXOptions = {},
    readonly reactor: IReactorUNIX = globalReactor,
  ) {
    super();
  }
  protected listen(): IListeningPort {
    return this.reactor.listenUNIX(this.path, this.factory, this.options);
  }
}

/** Listen on a UDP port while running: Twisted's `internet.UDPServer`. */
export class UDPServer extends ListeningService<IUDPPort> {
  /**
   * @param portNumber - the port.
   * @param protocol - the datagram protocol.
   * @param options - `interface` and `maxPacketSize`.
   * @param reactor - the reactor; the global one by default.
   */
  constructor(
    readonly portNumber: number,
    readonly protocol: IDatagramProtocol,
    readonly options: ListenUDPOptions = {},
    readonly reactor: IReactorUDP = globalReactor,
  ) {
    super();
  }
  protected listen(): IUDPPort {
    return this.reactor.listenUDP(this.portNumber, this.protocol, this.options);
  }
}

/**
 * Keep a client connection while running: Twisted's `internet.TCPClient(host, port, factory)`.
 * It connects on start and disconnects on stop; use a `ReconnectingClientFactory` (or
 * `ClientService`) to reconnect.
 */
export class TCPClient extends Service {
  /** The connector, between start and stop. */
  connector: IConnector | undefined = undefined;
  /**
   * @param host - the host.
   * @param portNumber - the port.
   * @param factory - the client factory.
   * @param options - `timeout` and `bindAddress`.
   * @param reactor - the reactor; the global one by default.
   */
  constructor(
    readonly host: string,
    readonly portNumber: number,
    readonly factory: IClientFactory,
    readonly options: ConnectTCPOptions = {},
    readonly reactor: IReactorTCP = globalReactor,
  ) {
    super();
  }
  /** Connects. */
  override startService(): void {
    super.startService();
    this.connector = this.reactor.connectTCP(
      this.host,
      this.portNumber,
      this.factory,
      this.options,
    );
  }
  /** Disconnects. */
  override stopService(): Deferred<unknown> | undefined {
    super.stopService();
    this.connector?.disconnect();
    this.connector = undefined;
    return undefined;
  }
}

/**
 * Call `fn(...args)` every `step` seconds while running, starting at once: Twisted's
 * `TimerService`, a `LoopingCall` with `now = true`. A failure is logged and stops the timer;
 * `stopService` waits for a call in progress (a returned Deferred or Promise) to finish.
 */
export class TimerService<A extends unknown[]> extends Service {
  /** The clock; the global reactor unless set. */
  clock: IReactorTime = globalReactor;
  private loop: LoopingCall<A> | undefined = undefined;
  private finished: Deferred<unknown> | undefined = undefined;
  private readonly args: A;

  /**
   * @param step - seconds between calls.
   * @param fn - the function.
   * @param args - its arguments.
   */
  constructor(
    readonly step: number,
    readonly fn: (...args: A) => unknown,
    ...args: A
  ) {
    super();
    this.args = args;
  }

  /** Starts the loop; the first call happens now. */
  override startService(): void {
    super.startService();
    const loop = new LoopingCall(this.fn, ...this.args);
    loop.clock = this.clock;
    this.loop = loop;
    this.finished = loop.start(this.step, true).addErrback((failure: Failure) => {
      log.failure("Timer service {service} failed", failure, { service: String(this) });
    });
  }

  /** Stops the loop, after a call in progress. */
  override stopService(): Deferred<unknown> | undefined {
    const loop = this.loop;
    const finished = this.finished;
    this.loop = undefined;
    this.finished = undefined;
    if (loop?.running) loop.stop();
    if (finished === undefined) return super.stopService();
    return finished.addCallback(() => {
      super.stopService();
    });
  }
}

/**
 * Listen on an endpoint while running: Twisted's `StreamServerEndpointService`. It starts
 * listening in `privilegedStartService`; `stopService` cancels a listen still in progress or
 * stops the port.
 */
export class StreamServerEndpointService extends Service {
  /** Whether a failure to listen is thrown from `privilegedStartService` (as `strportsService` wants) rather than logged. */
  raiseSynchronously = false;
  private waitingForPort: Deferred<IListeningPort> | undefined = undefined;
  /** The listening port, once the endpoint is listening (until stopped). */
  listeningPort: IListeningPort | undefined = undefined;

  /**
   * @param endpoint - where to listen.
   * @param factory - builds protocols.
   */
  constructor(
    readonly endpoint: IStreamServerEndpoint,
    readonly factory: IProtocolFactory,
  ) {
    super();
  }

  /**
   * Starts listening.
   * @throws the listening error, when `raiseSynchronously` and it fails at once.
   */
  override privilegedStartService(): void {
    super.privilegedStartService();
    const waiting = this.endpoint.listen(this.factory);
    this.waitingForPort = waiting;
    waiting.addCallback((port: IListeningPort) => {
      this.listeningPort = port;
      return port;
    });
    let raisedNow: Failure | undefined;
    waiting.addErrback((failure: Failure) => {
      if (this.raiseSynchronously) raisedNow = failure;
      else if (!failure.check(CancelledError))
        log.failure("Error listening on {endpoint}", failure, { endpoint: String(this.endpoint) });
      return undefined;
    });
    this.raiseSynchronously = false;
    if (raisedNow !== undefined) raisedNow.raiseException();
  }

  /** Starts listening, if `privilegedStartService` has not. */
  override startService(): void {
    super.startService();
    if (this.waitingForPort === undefined) this.privilegedStartService();
  }

  /** Stops listening (or the attempt to); fires once the port is closed. */
  override stopService(): Deferred<unknown> | undefined {
    const waiting = this.waitingForPort;
    this.waitingForPort = undefined;
    this.listeningPort = undefined;
    if (waiting === undefined) return super.stopService();
    waiting.cancel();
    return waiting
      .addCallback((port: IListeningPort | undefined) => port?.stopListening())
      .addBoth((result: unknown) => {
        this.running = false;
        return result;
      });
  }
}

/**
 * A service listening on an endpoint description: Twisted's `strports.service(description,
 * factory)`. A failure to listen at once (a port in use) is thrown from
 * `privilegedStartService`.
 * @param description - e.g. `"tcp:8080:interface=127.0.0.1"`.
 * @param factory - builds protocols.
 * @param reactor - the reactor; the global one by default.
 */
export function strportsService(
  description: string,
  factory: IProtocolFactory,
  reactor: EndpointReactor = globalReactor,
): StreamServerEndpointService {
  const service = new StreamServerEndpointService(serverFromString(reactor, description), factory);
  service.raiseSynchronously = true;
  return service;
}
