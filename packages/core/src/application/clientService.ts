/**
 * `ClientService`: keep a client connected through an endpoint, reconnecting with backoff.
 * Twisted's `twisted.application.internet.ClientService` and `backoffPolicy`.
 * @packageDocumentation
 */
import { Deferred } from "../defer/deferred.js";
import { maybeDeferred, succeed } from "../defer/helpers.js";
import type { IStreamClientEndpoint, TypedProtocolFactory } from "../endpoints/interfaces.js";
import { CancelledError } from "../errors.js";
import type { Failure } from "../failure.js";
import type { IProtocol } from "../interfaces/protocol.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { Logger } from "../logger/index.js";
import { reactor as globalReactor } from "../reactor/reactor.js";
import { Service } from "./service.js";

const log = new Logger({ namespace: "twisted-ts.application.internet" });

/** How long to wait before the next attempt, given how many attempts have failed in a row. */
export type RetryPolicy = (failedAttempts: number) => number;

/**
 * Twisted's `backoffPolicy`: `min(initialDelay · factor^min(failedAttempts, 100), maxDelay)`
 * plus a jitter (by default a random second), in seconds.
 * @param initialDelay - seconds before the first retry (1).
 * @param maxDelay - the longest wait before jitter (60).
 * @param factor - the growth per failure (1.5).
 * @param jitter - a function adding noise (`Math.random`, so up to one second).
 */
export function backoffPolicy(
  initialDelay = 1.0,
  maxDelay = 60.0,
  factor = 1.5,
  jitter: () => number = Math.random,
): RetryPolicy {
  return (failedAttempts) =>
    Math.min(initialDelay * factor ** Math.min(failedAttempts, 100), maxDelay) + jitter();
}

/** Options of `ClientService`. */
export interface ClientServiceOptions<P extends IProtocol> {
  /** How long to wait between attempts; `backoffPolicy()` by default. */
  retryPolicy?: RetryPolicy;
  /** The clock that times retries; the global reactor by default. */
  clock?: IReactorTime;
  /** Run on each new connection before `whenConnected` hands it out; may return a Deferred. */
  prepareConnection?: (protocol: P) => unknown;
}

interface Waiter<P> {
  deferred: Deferred<P>;
  failAfterFailures: number | undefined;
}

/**
 * A service that keeps one connection up through an endpoint: it connects on start, and after
 * a failed attempt or a lost connection it waits (`retryPolicy`) and connects again, until
 * stopped. `whenConnected()` gives the current protocol, or waits for the next one.
 *
 * Differences from Twisted: the state machine is simpler (one connection attempt or one wait at
 * a time), with the same observable behaviour: `whenConnected(failAfterFailures)`,
 * `prepareConnection` on every connection, and a stop that cancels an attempt in progress,
 * disconnects, and fails waiting `whenConnected` calls with `CancelledError`.
 *
 * @typeParam P - the protocol type.
 */
export class ClientService<P extends IProtocol> extends Service {
  private readonly retryPolicy: RetryPolicy;
  private readonly clock: IReactorTime;
  private readonly prepareConnection: ((protocol: P) => unknown) | undefined;
  private current: P | undefined = undefined;
  private attempt: Deferred<P> | undefined = undefined;
  private retryCall: IDelayedCall | undefined = undefined;
  private failures = 0;
  private lastFailure: Failure | undefined = undefined;
  private waiters: Waiter<P>[] = [];
  private lost: Deferred<void> | undefined = undefined;

  /**
   * @param endpoint - where to connect.
   * @param factory - builds the protocol for each connection.
   * @param options - retry policy, clock, and `prepareConnection`.
   */
  constructor(
    readonly endpoint: IStreamClientEndpoint,
    readonly factory: TypedProtocolFactory<P>,
    options: ClientServiceOptions<P> = {},
  ) {
    super();
    this.retryPolicy = options.retryPolicy ?? backoffPolicy();
    this.clock = options.clock ?? globalReactor;
    this.prepareConnection = options.prepareConnection;
  }

  /** Starts connecting. */
  override startService(): void {
    if (this.running) return;
    super.startService();
    this.connect();
  }

  /**
   * Stops: cancels an attempt or a pending retry, disconnects, and fails waiting
   * `whenConnected` calls with `CancelledError`.
   * @returns a Deferred that fires once the connection (if any) is closed.
   */
  override stopService(): Deferred<unknown> {
    super.stopService();
    this.retryCall?.cancel();
    this.retryCall = undefined;
    this.attempt?.cancel();
    this.attempt = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.deferred.errback(new CancelledError());
    const current = this.current;
    if (current === undefined) return succeed(undefined);
    this.lost ??= new Deferred<void>();
    const lost = this.lost;
    const transport = (current as { transport?: { loseConnection(): void } }).transport;
    transport?.loseConnection();
    return lost;
  }

  /**
   * The connected protocol, now if there is one, or once the next connection is made.
   * @param failAfterFailures - fail (with the last connection error) after this many failed
   *   attempts in a row, instead of waiting forever.
   */
  whenConnected(failAfterFailures?: number): Deferred<P> {
    if (this.current !== undefined) return succeed(this.current);
    if (failAfterFailures !== undefined && this.failures >= failAfterFailures && this.lastFailure) {
      const failed = new Deferred<P>();
      failed.errback(this.lastFailure);
      return failed;
    }
    const waiter: Waiter<P> = {
      deferred: new Deferred<P>(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
      }),
      failAfterFailures,
    };
    this.waiters.push(waiter);
    return waiter.deferred;
  }

  private connect(): void {
    this.retryCall = undefined;
    if (!this.running) return;
    const attempt = this.endpoint.connect(this.factory);
    this.attempt = attempt;
    attempt
      .addCallback((protocol: P) => {
        this.attempt = undefined;
        this.watch(protocol);
        return maybeDeferred(() => this.prepareConnection?.(protocol)).addCallback(() => protocol);
      })
      .addCallbacks(
        (protocol: P) => this.connected(protocol),
        (failure: Failure) => {
          this.attempt = undefined;
          if (!this.running || failure.check(CancelledError)) return;
          this.failed(failure);
        },
      );
  }

  private watch(protocol: P): void {
    const connectionLost = protocol.connectionLost.bind(protocol);
    protocol.connectionLost = (reason: Failure) => {
      try {
        connectionLost(reason);
      } finally {
        this.connectionLost(protocol);
      }
    };
  }

  private connected(protocol: P): void {
    this.failures = 0;
    this.lastFailure = undefined;
    this.current = protocol;
    for (const waiter of this.waiters.splice(0)) waiter.deferred.callback(protocol);
  }

  private failed(failure: Failure): void {
    this.failures++;
    this.lastFailure = failure;
    for (const waiter of [...this.waiters]) {
      if (waiter.failAfterFailures !== undefined && this.failures >= waiter.failAfterFailures) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.deferred.errback(failure);
      }
    }
    this.scheduleRetry();
  }

  private connectionLost(protocol: P): void {
    if (this.current === protocol) this.current = undefined;
    const lost = this.lost;
    this.lost = undefined;
    lost?.callback(undefined);
    if (this.running) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const delay = this.retryPolicy(this.failures);
    log.info("Scheduling retry {attempt} to connect {endpoint} in {delay} seconds.", {
      attempt: this.failures,
      endpoint: String(this.endpoint),
      delay,
    });
    this.retryCall = this.clock.callLater(delay, () => this.connect());
  }
}
