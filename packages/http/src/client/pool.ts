/**
 * `HTTPConnectionPool`: keeps idle HTTP/1.1 connections for reuse (Twisted's
 * `client.HTTPConnectionPool`), and retries once on a dead cached connection.
 * @packageDocumentation
 */
import {
  CancelledError,
  Deferred,
  DeferredList,
  type Failure,
  type IDelayedCall,
  type IReactorTime,
} from "@twisted-ts/core";
import {
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseNeverReceived,
  WrapperException,
} from "../errors.js";
import type { HTTP11ClientProtocol } from "./protocol.js";
import type { ClientRequest } from "./request.js";
import type { Response } from "./response.js";

/** Makes a new connection; the pool passes the callback that returns it to the pool. */
export type ConnectionFactory = (
  quiescentCallback: (protocol: HTTP11ClientProtocol) => void,
) => Deferred<HTTP11ClientProtocol>;

/** What `getConnection` returns: something that sends one request. */
export interface PooledConnection {
  /**
   * Send a request.
   * @param request - the request.
   * @returns a Deferred of the response.
   */
  request(request: ClientRequest): Deferred<Response>;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "DELETE", "TRACE"]);

/**
 * Whether a request that failed on a cached connection is sent again on a new one: Twisted's
 * `_RetryingHTTP11ClientProtocol._shouldRetry`. Only idempotent methods, with no body, when no
 * response arrived (`RequestNotSent`, `RequestTransmissionFailed`, `ResponseNeverReceived`),
 * and not after a cancellation.
 * @param method - the request's method.
 * @param error - why it failed.
 * @param hasBody - whether it had a body producer.
 */
export function shouldRetry(method: string, error: unknown, hasBody: boolean): boolean {
  if (!IDEMPOTENT.has(method)) return false;
  if (
    !(
      error instanceof RequestNotSent ||
      error instanceof RequestTransmissionFailed ||
      error instanceof ResponseNeverReceived
    )
  ) {
    return false;
  }
  if (error instanceof WrapperException && error.reasons.some((r) => r.check(CancelledError))) {
    return false;
  }
  return !hasBody;
}

/**
 * A pool of connections: Twisted's `HTTPConnectionPool`. With `persistent` (the default here),
 * a connection whose response is complete and reusable is cached under its key (scheme, host,
 * port), at most `maxPersistentPerHost` per key (the oldest is closed to make room), and closed
 * after `cachedConnectionTimeout` seconds idle, on the reactor's clock. A request sent on a
 * cached connection that turns out dead is retried once on a new connection when
 * {@link shouldRetry} allows. Without `persistent`, every request gets a new connection that
 * closes after its response (and requests are sent with `Connection: close`).
 */
export class HTTPConnectionPool {
  /** The most idle connections kept per key. Twisted's default: 2. */
  maxPersistentPerHost = 2;
  /** How long an idle connection is kept, in seconds. Twisted's default: 240. */
  cachedConnectionTimeout = 240;
  /** Whether retries on dead cached connections happen at all. */
  retryAutomatically = true;
  private readonly connections = new Map<string, HTTP11ClientProtocol[]>();
  private readonly timeouts = new Map<HTTP11ClientProtocol, IDelayedCall>();
  private readonly watched = new WeakSet<HTTP11ClientProtocol>();

  /**
   * @param reactor - the clock for idle timeouts.
   * @param persistent - whether to keep connections for reuse.
   */
  constructor(
    private readonly reactor: Pick<IReactorTime, "callLater">,
    readonly persistent: boolean = true,
  ) {}

  /**
   * A connection for `key`: a cached one (wrapped so that a dead one is retried) or a new one.
   * @param key - the scheme, host and port.
   * @param connect - makes a new connection.
   * @returns a Deferred of the connection.
   */
  getConnection(key: string, connect: ConnectionFactory): Deferred<PooledConnection> {
    const cached = this.connections.get(key);
    const protocol = cached?.shift();
    if (cached !== undefined && cached.length === 0) this.connections.delete(key);
    if (protocol !== undefined) {
      this.timeouts.get(protocol)?.cancel();
      this.timeouts.delete(protocol);
      const retrying: PooledConnection = {
        request: (request) => {
          const d = protocol.request(request);
          return d.addErrback((failure: Failure): Deferred<Response> => {
            if (
              this.retryAutomatically &&
              shouldRetry(request.method, failure.value, request.bodyProducer !== undefined)
            ) {
              return this.newConnection(key, connect).addCallback((fresh) =>
                fresh.request(request),
              );
            }
            return failure.raiseException();
          }) as Deferred<Response>;
        },
      };
      const d = new Deferred<PooledConnection>();
      d.callback(retrying);
      return d;
    }
    return this.newConnection(key, connect);
  }

  private newConnection(key: string, connect: ConnectionFactory): Deferred<HTTP11ClientProtocol> {
    return connect((protocol) => this.putConnection(key, protocol));
  }

  /**
   * Return an idle connection to the pool (closing it when the pool is not persistent).
   * @param key - its key.
   * @param protocol - the connection.
   */
  putConnection(key: string, protocol: HTTP11ClientProtocol): void {
    if (!this.persistent) {
      protocol.transport?.loseConnection();
      return;
    }
    const list = this.connections.get(key) ?? [];
    this.connections.set(key, list);
    while (list.length >= this.maxPersistentPerHost) {
      const dropped = list.shift();
      if (dropped === undefined) break;
      this.timeouts.get(dropped)?.cancel();
      this.timeouts.delete(dropped);
      dropped.transport?.loseConnection();
    }
    list.push(protocol);
    this.timeouts.set(
      protocol,
      this.reactor.callLater(this.cachedConnectionTimeout, () =>
        this.removeConnection(key, protocol),
      ),
    );
    if (!this.watched.has(protocol)) {
      this.watched.add(protocol);
      protocol.whenConnectionLost().addCallback(() => {
        this.forget(key, protocol);
      });
    }
  }

  private forget(key: string, protocol: HTTP11ClientProtocol): void {
    const list = this.connections.get(key);
    if (list === undefined) return;
    const at = list.indexOf(protocol);
    if (at === -1) return;
    list.splice(at, 1);
    if (list.length === 0) this.connections.delete(key);
    this.timeouts.get(protocol)?.cancel();
    this.timeouts.delete(protocol);
  }

  private removeConnection(key: string, protocol: HTTP11ClientProtocol): void {
    this.timeouts.delete(protocol);
    this.forget(key, protocol);
    protocol.transport?.loseConnection();
  }

  /**
   * How many idle connections are cached for a key.
   * @param key - the key, as the Agent makes it (`scheme://host:port`).
   */
  cachedConnectionCount(key: string): number {
    return this.connections.get(key)?.length ?? 0;
  }

  /**
   * Close every cached connection.
   * @returns a Deferred that fires when they have all been lost.
   */
  closeCachedConnections(): Deferred<void> {
    const waits: Deferred<void>[] = [];
    for (const list of this.connections.values()) {
      for (const protocol of list) {
        this.timeouts.get(protocol)?.cancel();
        this.timeouts.delete(protocol);
        waits.push(protocol.whenConnectionLost());
        protocol.transport?.loseConnection();
      }
    }
    this.connections.clear();
    return new DeferredList(waits, { consumeErrors: true }).addCallback(() => undefined);
  }
}
