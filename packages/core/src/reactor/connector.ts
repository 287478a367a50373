/**
 * `Connector`: a client connection attempt and the connection it makes, Twisted's
 * `tcp.Connector` / `base.BaseConnector`.
 * @packageDocumentation
 */
import type { AddressInfo, Socket } from "node:net";
import { type IAddress, ipAddress, UNIXAddress } from "../address.js";
import {
  ConnectError,
  ConnectingCancelledError,
  ConnectionRefusedError,
  DNSLookupError,
  NoRouteError,
  NotConnectingError,
  SSLError,
  TCPTimedOutError,
  TimeoutError,
  UnknownHostError,
  VerifyError,
} from "../errors.js";
import { Failure } from "../failure.js";
import type { IClientFactory, IConnector } from "../interfaces/protocol.js";
import type { IDelayedCall } from "../interfaces/time.js";
import { Logger } from "../logger/index.js";
import type { ReactorBase, ShutdownResource } from "./base.js";
import { Connection, type ConnectionOwner } from "./connection.js";

const log = new Logger({ namespace: "twisted-ts.internet.tcp" });

/** A connection attempt as a `Dialer` starts it. */
export interface Dialing {
  /** The socket, connecting. */
  socket: Socket;
  /** The socket event that means "connected": "secureConnect" for TLS, "connect" otherwise. */
  ready: "connect" | "secureConnect";
}

/** How a connector opens its socket: `net.connect`, `tls.connect`, or a Unix path. */
export interface Dialer {
  /** The address being connected to. */
  readonly destination: IAddress;
  /** Start a connection attempt. */
  dial(): Dialing;
}

/**
 * Map a Node socket error to Twisted's connection errors.
 * @param error - the error from `net.connect`.
 */
export function connectErrorFor(error: NodeJS.ErrnoException & { library?: string }): ConnectError {
  const message = error.message;
  switch (error.code) {
    case "ECONNREFUSED":
    case "ENOENT":
      return new ConnectionRefusedError(message, error);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return new DNSLookupError(message, error);
    case "ETIMEDOUT":
      return new TCPTimedOutError(message, error);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new NoRouteError(message, error);
    case "EADDRNOTAVAIL":
      return new UnknownHostError(message, error);
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return new VerifyError(message, error);
    default:
      if (error.code?.startsWith("ERR_SSL") || error.library === "SSL routines") {
        return new SSLError(message, error);
      }
      return new ConnectError(message, error);
  }
}

/**
 * A client connection: `connect()` starts an attempt (telling the factory `startedConnecting`),
 * which ends in `clientConnectionFailed` or in a connection whose loss is told with
 * `clientConnectionLost`. `connect()` may be called again after either, which is how
 * `ReconnectingClientFactory` reconnects. The factory's `doStart` runs before the first attempt
 * and `doStop` after an attempt or connection ends with nobody reconnecting.
 */
export class Connector implements IConnector, ConnectionOwner, ShutdownResource {
  /** `"disconnected"`, `"connecting"` or `"connected"`. */
  state: "connecting" | "connected" | "disconnected" = "disconnected";
  /** The connection's transport, once connected. */
  transport: Connection | undefined;
  private factoryStarted = false;
  private socket: Socket | undefined;
  private timeoutCall: IDelayedCall | undefined;

  /**
   * @param reactor - the reactor (for the timeout and shutdown tracking).
   * @param dialer - how to open the socket.
   * @param factory - the client factory.
   * @param timeout - seconds before an attempt fails with `TimeoutError`; undefined for none.
   */
  constructor(
    private readonly reactor: ReactorBase,
    private readonly dialer: Dialer,
    readonly factory: IClientFactory,
    private readonly timeout: number | undefined,
  ) {}

  /** @internal This end's address of the connected socket. */
  hostOf(socket: Socket): IAddress {
    return this.dialer.destination.family === "UNIX" ? new UNIXAddress(null) : hostOf(socket);
  }

  /** @internal The other end's address of the connected socket. */
  peerOf(socket: Socket): IAddress {
    return this.dialer.destination.family === "UNIX" ? this.dialer.destination : peerOf(socket);
  }

  /** At reactor shutdown: close the connection, or give up the attempt. */
  closeForShutdown(): void {
    if (this.state === "connected") this.transport?.closeForShutdown();
    else this.failIfNotConnected(new ConnectingCancelledError("the reactor shut down"));
  }

  /**
   * Start a connection attempt.
   * @throws Error when already connecting or connected.
   */
  connect(): void {
    if (this.state !== "disconnected")
      throw new Error(`can't connect in this state: ${this.state}`);
    this.state = "connecting";
    this.reactor.resources.add(this);
    if (!this.factoryStarted) {
      this.factory.doStart();
      this.factoryStarted = true;
    }
    if (this.reactor.resourcesClosed) {
      // Too late: the reactor has shut down. Fail (asynchronously, as a refused dial would)
      // without opening a socket that nothing would ever close.
      setImmediate(() =>
        this.failIfNotConnected(new ConnectingCancelledError("the reactor has shut down")),
      );
      this.reactor.safeCall("startedConnecting", () => this.factory.startedConnecting(this), []);
      return;
    }
    const { socket, ready } = this.dialer.dial();
    this.socket = socket;
    const onError = (error: NodeJS.ErrnoException): void => {
      this.failIfNotConnected(connectErrorFor(error));
    };
    socket.once("error", onError);
    socket.once(ready, () => {
      socket.off("error", onError);
      this.connected(socket);
    });
    if (this.timeout !== undefined) {
      this.timeoutCall = this.reactor.callLater(this.timeout, () => {
        this.timeoutCall = undefined;
        this.failIfNotConnected(new TimeoutError());
      });
    }
    this.reactor.safeCall("startedConnecting", () => this.factory.startedConnecting(this), []);
  }

  private connected(socket: Socket): void {
    if (this.state !== "connecting" || socket !== this.socket) return;
    this.cancelTimeout();
    const peer =
      this.dialer.destination.family === "UNIX" ? this.dialer.destination : peerOf(socket);
    let protocol: ReturnType<IClientFactory["buildProtocol"]>;
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (error) {
      log.failure("Error in buildProtocol", error);
      protocol = null;
    }
    if (protocol === null) {
      socket.destroy();
      this.failIfNotConnected(new ConnectError("buildProtocol returned null"));
      return;
    }
    this.state = "connected";
    const connection = new Connection(socket, this, false);
    this.transport = connection;
    connection.start(protocol);
  }

  /** @internal The connection is over: tell the factory. */
  connectionEnded(_connection: Connection, reason: Failure): void {
    this.state = "disconnected";
    this.reactor.resources.delete(this);
    this.transport = undefined;
    this.socket = undefined;
    this.reactor.safeCall(
      "clientConnectionLost",
      () => this.factory.clientConnectionLost(this, reason),
      [],
    );
    this.stopFactoryIfIdle();
  }

  private failIfNotConnected(error: Error): void {
    if (this.state !== "connecting") return;
    this.cancelTimeout();
    this.state = "disconnected";
    this.reactor.resources.delete(this);
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) {
      socket.removeAllListeners("connect");
      socket.removeAllListeners("secureConnect");
      socket.on("error", () => {});
      socket.destroy();
    }
    const reason = new Failure(error);
    this.reactor.safeCall(
      "clientConnectionFailed",
      () => this.factory.clientConnectionFailed(this, reason),
      [],
    );
    this.stopFactoryIfIdle();
  }

  private stopFactoryIfIdle(): void {
    if (this.state === "disconnected" && this.factoryStarted) {
      this.factoryStarted = false;
      this.factory.doStop();
    }
  }

  private cancelTimeout(): void {
    if (this.timeoutCall?.active()) this.timeoutCall.cancel();
    this.timeoutCall = undefined;
  }

  /**
   * Stop the attempt in progress: the factory hears `clientConnectionFailed` with
   * `ConnectingCancelledError`.
   * @throws NotConnectingError when no attempt is in progress.
   */
  stopConnecting(): void {
    if (this.state !== "connecting") throw new NotConnectingError("we're not trying to connect");
    this.failIfNotConnected(new ConnectingCancelledError("connection attempt was cancelled"));
  }

  /** Stop an attempt, or close an established connection. */
  disconnect(): void {
    if (this.state === "connecting") this.stopConnecting();
    else if (this.state === "connected") this.transport?.loseConnection();
  }

  /** The address being connected to. */
  getDestination(): IAddress {
    return this.dialer.destination;
  }

  /** `<Connector to IPv4Address(...)>`. */
  toString(): string {
    return `<Connector instance to ${String(this.dialer.destination)}>`;
  }
}

function peerOf(socket: Socket): IAddress {
  return ipAddress("TCP", socket.remoteAddress ?? "", socket.remotePort ?? 0, socket.remoteFamily);
}

function hostOf(socket: Socket): IAddress {
  const local = socket.address() as Partial<AddressInfo>;
  return ipAddress("TCP", local.address ?? "", local.port ?? 0, local.family);
}
