/**
 * `ReconnectingClientFactory`: a client factory that reconnects with exponential backoff.
 * @packageDocumentation
 */
import { NotConnectingError } from "../errors.js";
import type { Failure } from "../failure.js";
import type { IConnector, IProtocol } from "../interfaces/protocol.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { Logger } from "../logger/index.js";
import { getDefaultClock } from "../task/defaultClock.js";
import { ClientFactory } from "./factory.js";

const log = new Logger({ namespace: "twisted-ts.internet.protocol" });

/**
 * A sample from the normal distribution N(mean, stddev²), by the Box–Muller transform.
 * @param mean - the mean.
 * @param stddev - the standard deviation.
 * @param random - a uniform [0, 1) source.
 */
export function normalVariate(mean: number, stddev: number, random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: log(0) is -Infinity
  const u2 = random();
  return mean + stddev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A `ClientFactory` that reconnects after every failed attempt or lost connection, waiting
 * longer each time: Twisted's `ReconnectingClientFactory`, with Twisted's constants and order of
 * operations. After each failure, `retry()` counts the attempt (and gives up once `retries`
 * passes `maxRetries`), multiplies `delay` by `factor` up to `maxDelay`, then draws the next
 * delay from a normal distribution around it (`delay · jitter` standard deviation) and stores
 * that back (so jitter compounds, and a delay may pass `maxDelay`, as in Twisted). The first
 * retry comes after about e ≈ 2.7 seconds.
 *
 * Call `resetDelay()` once connected (typically in `buildProtocol`), or the delays keep growing
 * across reconnections; call `stopTrying()` to give up.
 *
 * Differences from Twisted: `random` (a uniform [0, 1) source) can be injected for
 * deterministic tests, beside `clock`.
 *
 * @typeParam P - the protocol type it builds.
 */
export class ReconnectingClientFactory<P extends IProtocol = IProtocol> extends ClientFactory<P> {
  /** The longest delay before jitter, in seconds. */
  maxDelay = 3600;
  /** The delay after `resetDelay`, in seconds. */
  initialDelay = 1.0;
  /** How much the delay grows per retry: e. */
  factor = Math.E;
  /** The standard deviation of the delay, as a fraction of it. */
  jitter = 0.119626565582;
  /** The current delay, in seconds. */
  delay = this.initialDelay;
  /** How many retries since the last `resetDelay`. */
  retries = 0;
  /** Give up after this many retries; undefined retries forever. */
  maxRetries: number | undefined = undefined;
  /** Whether to keep retrying (`stopTrying` clears it; `resetDelay` sets it). */
  continueTrying = true;
  /** The connector of the last attempt. */
  connector: IConnector | undefined = undefined;
  /** What schedules retries; defaults to the global reactor when first needed. */
  clock: IReactorTime | undefined = undefined;
  /** The uniform random source used for jitter. */
  random: () => number = Math.random;
  private callID: IDelayedCall | undefined = undefined;

  /** Retry after a failed attempt, unless `stopTrying` was called. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Retry after a lost connection, unless `stopTrying` was called. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /**
   * Schedule the next attempt, after the next delay.
   * @param connector - the connector to retry; defaults to the last one seen.
   * @throws Error when there is no connector to retry.
   */
  retry(connector: IConnector | undefined = this.connector): void {
    if (!this.continueTrying) {
      if (this.noisy) log.info("Abandoning {connector} on explicit request", { connector });
      return;
    }
    if (connector === undefined) throw new Error("no connector to retry");
    this.retries++;
    if (this.maxRetries !== undefined && this.retries > this.maxRetries) {
      if (this.noisy) {
        log.info("Abandoning {connector} after {retries} retries.", {
          connector,
          retries: this.retries,
        });
      }
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = normalVariate(this.delay, this.delay * this.jitter, this.random);
    if (this.noisy) {
      log.info("{connector} will retry in {delay} seconds", {
        connector,
        delay: Math.trunc(this.delay),
      });
    }
    this.clock ??= getDefaultClock();
    this.callID = this.clock.callLater(this.delay, () => {
      this.callID = undefined;
      connector.connect();
    });
  }

  /** Give up: cancel a pending retry and stop an attempt in progress. */
  stopTrying(): void {
    if (this.callID !== undefined) {
      this.callID.cancel();
      this.callID = undefined;
    }
    this.continueTrying = false;
    if (this.connector !== undefined) {
      try {
        this.connector.stopConnecting();
      } catch (error) {
        if (!(error instanceof NotConnectingError)) throw error;
      }
    }
  }

  /** Start over: call this once a connection has been made. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.callID = undefined;
    this.continueTrying = true;
  }
}
