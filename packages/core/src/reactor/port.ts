/**
 * `Port`: a listening stream socket (TCP, TLS or Unix), Twisted's `tcp.Port`.
 * @packageDocumentation
 */
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import { type AddressInfo, isIP, type Server, type Socket } from "node:net";
import { type IAddress, ipAddress, UNIXAddress } from "../address.js";
import { Deferred } from "../defer/deferred.js";
import { CannotListenError } from "../errors.js";
import type { Failure } from "../failure.js";
import type { IListeningPort, IProtocolFactory } from "../interfaces/protocol.js";
import { Logger } from "../logger/index.js";
import type { ShutdownResource } from "./base.js";
import { Connection, type ConnectionOwner } from "./connection.js";

const log = new Logger({ namespace: "twisted-ts.internet.tcp" });

/** Where a TCP or TLS port listens. */
export interface TCPListenTarget {
  /** "tcp". */
  kind: "tcp";
  /** The port; 0 for any free one. */
  port: number;
  /** The numeric address to bind; "" for all IPv4 interfaces. */
  host: string;
  /** The listen queue length. */
  backlog: number;
}

/** Where a Unix port listens. */
export interface UNIXListenTarget {
  /** "unix". */
  kind: "unix";
  /** The socket's path. */
  path: string;
  /** The listen queue length. */
  backlog: number;
}

/** Where a port listens. */
export type ListenTarget = TCPListenTarget | UNIXListenTarget;

/**
 * A listening port. Each accepted socket gets a `Connection` and a protocol from the factory
 * (or is closed at once when `buildProtocol` returns null). The factory's `doStart` runs when
 * listening starts and `doStop` when it stops.
 */
export class Port implements IListeningPort, ShutdownResource, ConnectionOwner {
  /** Whether the port is listening. */
  connected = false;
  private closing: Deferred<void> | undefined;
  /** In a cluster worker, until the primary answers: who waits for the port to be bound. */
  private binding: Deferred<void>[] | undefined;
  private bindError: CannotListenError | undefined;
  /** The live connections accepted here. */
  readonly connections = new Set<Connection>();

  /**
   * @param server - an unbound server (`net.createServer` or `tls.createServer`).
   * @param target - where to listen.
   * @param factory - builds protocols.
   * @param resources - the reactor's shutdown set.
   */
  constructor(
    private readonly server: Server,
    private readonly target: ListenTarget,
    readonly factory: IProtocolFactory,
    readonly resources: Set<ShutdownResource>,
  ) {}

  /**
   * Bind and listen. Binding to a numeric address happens synchronously in Node, so a failure
   * is raised here.
   * @throws CannotListenError when the address is in use or unavailable.
   */
  startListening(): void {
    const target = this.target;
    const failure: { error?: unknown } = {};
    this.server.once("error", (error) => {
      failure.error = error;
    });
    if (target.kind === "tcp") {
      if (target.host !== "" && isIP(target.host) === 0) {
        throw new CannotListenError(
          target.host,
          target.port,
          new Error("interface must be a numeric IP address"),
        );
      }
      const host = target.host || "0.0.0.0";
      // `listen({ host })` looks the address up asynchronously even when it is numeric. Node keeps
      // `_listen2` (the synchronous bind) for code that wraps it; use it so a bind failure is
      // known now and `getHost()` has the real port at once, as Twisted's listenTCP does.
      // In a cluster worker the primary binds: `listen` asks it for a handle that every worker
      // listening on the same address shares. That answer comes later (see `whenListening`).
      const listen2 = cluster.isWorker
        ? undefined
        : (this.server as unknown as { _listen2?: Listen2 })._listen2;
      if (typeof listen2 === "function") {
        listen2.call(this.server, host, target.port, isIP(host), target.backlog);
      } else {
        this.server.listen({ port: target.port, host, backlog: target.backlog });
      }
    } else {
      // A path that exists is in use (or stale): binding it fails, as in Twisted, which Node
      // would only report on the next tick.
      if (existsSync(target.path)) {
        throw new CannotListenError("", target.path, new Error("address already in use"));
      }
      this.server.listen({ path: target.path, backlog: target.backlog });
    }
    if (cluster.isWorker) {
      this.listenInWorker();
      return;
    }
    const bound = (this.server as unknown as { _handle?: unknown })._handle;
    if (this.server.address() === null || bound === null) {
      const where = target.kind === "tcp" ? target.port : target.path;
      const iface = target.kind === "tcp" ? target.host : "";
      // Node reports the system error on the next tick; it is attached as `socketError` then.
      const error = new CannotListenError(iface, where, new Error("address in use or unavailable"));
      this.server.once("error", () => {});
      queueMicrotask(() => {
        if (failure.error !== undefined) Object.assign(error, { socketError: failure.error });
      });
      throw error;
    }
    this.serve();
  }

  /**
   * A cluster worker's port: bound by the primary, later. It counts as listening at once
   * (`connected`, the factory started); `whenListening` fires once the primary has bound it, or
   * fails with `CannotListenError`, after which the port is closed.
   */
  private listenInWorker(): void {
    const target = this.target;
    this.binding = [];
    const settle = (error: CannotListenError | undefined) => {
      const waiting = this.binding ?? [];
      this.binding = undefined;
      this.bindError = error;
      for (const d of waiting) {
        if (error === undefined) d.callback(undefined);
        else d.errback(error);
      }
    };
    const onError = (error: Error) => {
      this.server.off("listening", onListening);
      const where = target.kind === "tcp" ? target.port : target.path;
      const iface = target.kind === "tcp" ? target.host : "";
      this.connected = false;
      this.resources.delete(this);
      this.factory.doStop();
      const failed = new CannotListenError(iface, where, error);
      if (this.binding?.length === 0) {
        log.failure("Cannot listen on {port}", failed, { port: String(this) });
      }
      settle(failed);
    };
    const onListening = () => {
      this.server.off("error", onError);
      settle(undefined);
    };
    this.server.once("error", onError);
    this.server.once("listening", onListening);
    this.serve();
  }

  /**
   * Fires once the port is bound: at once, except in a cluster worker, where the primary binds
   * it (see `listenInWorker`); fails with `CannotListenError` when it cannot be bound.
   */
  whenListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.binding !== undefined) this.binding.push(d);
    else if (this.bindError !== undefined) d.errback(this.bindError);
    else d.callback(undefined);
    return d;
  }

  /** Accept connections, and start the factory. */
  private serve(): void {
    this.server.on("error", (error) => {
      if (this.binding !== undefined) return; // a bind failure: reported by listenInWorker
      log.failure("Error on listening port {port}", error, { port: String(this) });
    });
    // A TLS server emits "connection" for the raw socket and "secureConnection" once encrypted.
    if (isTLS(this.server)) {
      this.server.on("secureConnection", (socket: Socket) => {
        // Half-open only once the handshake is done: a client that hangs up mid-handshake must
        // not leave a half-open socket behind that keeps the port from closing.
        socket.allowHalfOpen = true;
        this.accept(socket);
      });
      this.server.on("tlsClientError", (_error: Error, socket: Socket) => socket.destroy());
    } else {
      this.server.on("connection", (socket: Socket) => this.accept(socket));
    }
    this.connected = true;
    this.resources.add(this);
    this.factory.doStart();
  }

  private accept(socket: Socket): void {
    const peer = this.freshPeerOf(socket);
    let protocol: ReturnType<IProtocolFactory["buildProtocol"]>;
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (error) {
      log.failure("Error in buildProtocol", error);
      socket.destroy();
      return;
    }
    if (protocol === null) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this, true);
    this.connections.add(connection);
    connection.start(protocol);
  }

  /** @internal A connection is over. */
  connectionEnded(connection: Connection, _reason: Failure): void {
    this.connections.delete(connection);
    this.forgetIfIdle();
  }

  /**
   * The port is a shutdown resource while it listens or has connections: at shutdown it closes
   * both, so connections need no entry of their own.
   */
  private forgetIfIdle(): void {
    if (!this.connected && this.connections.size === 0) this.resources.delete(this);
  }

  /**
   * Stop accepting connections; those already open stay.
   * @returns a Deferred that fires once the socket is closed.
   */
  stopListening(): Deferred<void> {
    if (this.closing !== undefined) return this.closing;
    const closing = new Deferred<void>();
    this.closing = closing;
    if (!this.connected) {
      closing.callback(undefined);
      return closing;
    }
    this.connected = false;
    this.forgetIfIdle();
    // Node calls close()'s callback only once every accepted connection has ended; Twisted's
    // port is stopped once the listening socket is. close() releases the listening handle at
    // once, so fire on the next turn and leave open connections be.
    this.server.close();
    setImmediate(() => {
      try {
        this.factory.doStop();
      } finally {
        closing.callback(undefined);
      }
    });
    return closing;
  }

  /** Stop listening and close the connections accepted here, at reactor shutdown. */
  closeForShutdown(): void {
    this.stopListening();
    for (const connection of [...this.connections]) connection.closeForShutdown();
  }

  /** The address listened on, with the real port when 0 was asked for. */
  getHost(): IAddress {
    const address = this.server.address();
    if (this.target.kind === "unix") return new UNIXAddress(this.target.path);
    if (address === null || typeof address === "string") {
      return ipAddress("TCP", this.target.host || "0.0.0.0", this.target.port);
    }
    return ipAddress("TCP", address.address, address.port, address.family);
  }

  /** @internal The other end's address of an accepted socket. */
  peerOf(socket: Socket): IAddress {
    if (this.target.kind === "unix") return new UNIXAddress(null);
    return ipAddress(
      "TCP",
      socket.remoteAddress ?? "",
      socket.remotePort ?? 0,
      socket.remoteFamily,
    );
  }

  /**
   * The peer's address for `buildProtocol`, read from the socket's handle without filling
   * Node's per-socket `_peername` cache: most protocols never ask again, and the cache would
   * cost every idle connection about a hundred bytes. `getPeer()` later reads it the usual way.
   */
  private freshPeerOf(socket: Socket): IAddress {
    if (this.target.kind === "unix") return new UNIXAddress(null);
    const handle = (socket as unknown as { _handle?: { getpeername?(out: object): number } })
      ._handle;
    const out: { address?: string; port?: number; family?: string } = {};
    if (typeof handle?.getpeername === "function" && handle.getpeername(out) === 0) {
      return ipAddress("TCP", out.address ?? "", out.port ?? 0, out.family);
    }
    return this.peerOf(socket);
  }

  /** @internal This end's address of an accepted socket. */
  hostOf(socket: Socket): IAddress {
    if (this.target.kind === "unix") return new UNIXAddress(this.target.path);
    const local = socket.address() as Partial<AddressInfo>;
    return ipAddress("TCP", local.address ?? "", local.port ?? 0, local.family);
  }

  /** `<Factory on 8080>`. */
  toString(): string {
    const where = this.target.kind === "tcp" ? String(this.target.port) : this.target.path;
    return `<${this.factory.constructor.name} on ${where}>`;
  }
}

type Listen2 = (address: string, port: number, addressType: number, backlog: number) => void;

function isTLS(server: Server): boolean {
  return typeof (server as { addContext?: unknown }).addContext === "function";
}
