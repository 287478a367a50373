/**
 * The Quote of the Day server over UDP (RFC 865): `QOTDDatagramProtocol`, rate limited.
 * @packageDocumentation
 */
import {
  DatagramProtocol,
  type Failure,
  type IReactorTime,
  LogLevel,
  type UDPAddressTuple,
} from "@twisted-ts/core";
import { askQuoter, DEFAULT_FALLBACK_QUOTE, log } from "./ask.js";
import { encodeQuote, MAX_DATAGRAM_SIZE, MAX_QUOTE_LENGTH } from "./format.js";
import type { IQuoter } from "./quoters.js";
import { KeyedRateLimiter } from "./rateLimit.js";

/**
 * Source ports ignored by default: 0 (never a real sender) and the small services that answer
 * any datagram (echo 7, daytime 13, qotd 17, chargen 19, time 37), so that a spoofed datagram
 * cannot start an endless exchange between two servers.
 */
export const DEFAULT_IGNORED_SOURCE_PORTS: readonly number[] = Object.freeze([
  0, 7, 13, 17, 19, 37,
]);

/** Why a datagram got no answer; see `QOTDDatagramProtocol.datagramRefused`. */
export type RefusalReason = "source-limit" | "total-limit" | "ignored-port";

/** Options of `new QOTDDatagramProtocol(quoter, options)`. */
export interface QOTDDatagramOptions {
  /** The clock the rate limits and `quoteTimeout` run on: the reactor, or a `Clock` in tests. */
  clock: Pick<IReactorTime, "seconds" | "callLater">;
  /** See {@link QOTDDatagramProtocol.perSourceLimit}; 1 by default. */
  perSourceLimit?: number;
  /** See {@link QOTDDatagramProtocol.perSourceBurst}; `perSourceLimit` (at least 1) by default. */
  perSourceBurst?: number;
  /** See {@link QOTDDatagramProtocol.totalLimit}; 100 by default. */
  totalLimit?: number;
  /** See {@link QOTDDatagramProtocol.maxTrackedSources}; 10000 by default. */
  maxTrackedSources?: number;
  /** See {@link QOTDDatagramProtocol.ignoredSourcePorts}. */
  ignoredSourcePorts?: Iterable<number>;
  /** See {@link QOTDDatagramProtocol.maxLength}; 512 by default. */
  maxLength?: number;
  /** See {@link QOTDDatagramProtocol.maxDatagramSize}; 512 by default. */
  maxDatagramSize?: number;
  /** See {@link QOTDDatagramProtocol.fallbackQuote}. */
  fallbackQuote?: string | null;
  /** See {@link QOTDDatagramProtocol.quoteTimeout}; 10 by default. */
  quoteTimeout?: number;
}

function checkRate(value: number, what: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new RangeError(`${what} must be a number > 0, got ${String(value)}`);
  }
}

/**
 * The Quote of the Day protocol over UDP (RFC 865): each datagram received (its content is
 * ignored) is answered with one datagram holding a quote from the quoter, to the sender's
 * address. Pass it to `reactor.listenUDP`.
 *
 * UDP senders can be forged, so an open QOTD server can be used to send quotes to a victim
 * that never asked (a reflection and amplification attack: a one-byte datagram brings back up
 * to 512 bytes). This protocol limits that:
 * - per source host (every port of one address counts together), a token bucket allows
 *   `perSourceBurst` answers at once and `perSourceLimit` a second after that;
 * - a shared bucket allows `totalLimit` answers a second to all sources together;
 * - datagrams from `ignoredSourcePorts` (0 and the echo-like services) are never answered;
 * - an answer is at most `maxDatagramSize` bytes (512) and `maxLength` characters (512),
 *   final CRLF included, cut at a character boundary (see `encodeQuote`).
 * A refused datagram is dropped and handed to {@link datagramRefused}. The buckets run on the
 * injected clock, so tests move time with `Clock.advance`.
 *
 * A quoter failure is logged and answered with `fallbackQuote` (nothing when null), as over
 * TCP. When the port has stopped before an asynchronous quote is ready, nothing is sent.
 *
 * Differences from Twisted: Twisted has no UDP QOTD; this one follows RFC 865 and adds the
 * limits above.
 *
 * @example
 * ```ts
 * reactor.listenUDP(8017, new QOTDDatagramProtocol(new StaticQuoter("Hello."), { clock: reactor }));
 * ```
 */
export class QOTDDatagramProtocol extends DatagramProtocol {
  /** Where the quotes come from. */
  quoter: IQuoter;
  /** The clock the limits and the quote timeout run on. */
  readonly clock: Pick<IReactorTime, "seconds" | "callLater">;
  /** Answers a second to one source host, in the long run. */
  readonly perSourceLimit: number;
  /** Answers one source host may get at once (the bucket's size). */
  readonly perSourceBurst: number;
  /** Answers a second to all sources together; Infinity for no shared limit. */
  readonly totalLimit: number;
  /** How many source hosts the limiter remembers; the least recently seen is forgotten first. */
  readonly maxTrackedSources: number;
  /** Source ports whose datagrams are never answered. */
  readonly ignoredSourcePorts: ReadonlySet<number>;
  /** The longest answer in characters, final CRLF included; 512 (RFC 865) by default. */
  maxLength: number = MAX_QUOTE_LENGTH;
  /** The largest answer in bytes, final CRLF included; 512 by default. */
  maxDatagramSize: number = MAX_DATAGRAM_SIZE;
  /** What to send when the quoter fails; null to send nothing. */
  fallbackQuote: string | null = DEFAULT_FALLBACK_QUOTE;
  /** Seconds to wait for the quoter; 0 or Infinity for no limit. */
  quoteTimeout = 10;
  private readonly limiter: KeyedRateLimiter;

  /**
   * @param quoter - where the quotes come from.
   * @param options - the clock, and the limits.
   * @throws RangeError for a limit that is not a positive number.
   */
  constructor(quoter: IQuoter, options: QOTDDatagramOptions) {
    super();
    this.quoter = quoter;
    this.clock = options.clock;
    this.perSourceLimit = options.perSourceLimit ?? 1;
    this.perSourceBurst = options.perSourceBurst ?? Math.max(1, this.perSourceLimit);
    this.totalLimit = options.totalLimit ?? 100;
    this.maxTrackedSources = options.maxTrackedSources ?? 10_000;
    checkRate(this.perSourceLimit, "perSourceLimit");
    checkRate(this.perSourceBurst, "perSourceBurst");
    checkRate(this.totalLimit, "totalLimit");
    if (!Number.isInteger(this.maxTrackedSources) || this.maxTrackedSources < 1) {
      throw new RangeError(`maxTrackedSources must be an integer >= 1`);
    }
    this.ignoredSourcePorts = new Set(options.ignoredSourcePorts ?? DEFAULT_IGNORED_SOURCE_PORTS);
    if (options.maxLength !== undefined) this.maxLength = options.maxLength;
    if (options.maxDatagramSize !== undefined) this.maxDatagramSize = options.maxDatagramSize;
    encodeQuote("", this.maxLength, this.maxDatagramSize); // validates both
    if (options.fallbackQuote !== undefined) this.fallbackQuote = options.fallbackQuote;
    if (options.quoteTimeout !== undefined) this.quoteTimeout = options.quoteTimeout;
    this.limiter = new KeyedRateLimiter(
      this.perSourceLimit,
      this.perSourceBurst,
      this.totalLimit,
      this.maxTrackedSources,
      this.clock.seconds(),
    );
  }

  /** How many source hosts the rate limiter remembers now. */
  get trackedSources(): number {
    return this.limiter.size;
  }

  /**
   * A datagram arrived: answer it with a quote, unless a limit refuses.
   * @param _datagram - its bytes (ignored, as RFC 865 says).
   * @param addr - the sender, `[host, port]`.
   */
  override datagramReceived(_datagram: Buffer, addr: UDPAddressTuple): void {
    const [host, port] = addr;
    if (this.ignoredSourcePorts.has(port)) {
      this.datagramRefused(addr, "ignored-port");
      return;
    }
    const verdict = this.limiter.take(host, this.clock.seconds());
    if (verdict !== "ok") {
      this.datagramRefused(addr, verdict === "source" ? "source-limit" : "total-limit");
      return;
    }
    askQuoter(this.quoter, this.clock, this.quoteTimeout).addCallbacks(
      (quote: string) => this.sendQuote(quote, addr),
      (reason: Failure) => this.quoteFailed(reason, addr),
    );
  }

  /**
   * A datagram was not answered. The default logs it at level `debug` (a flood is expected to
   * be dropped quietly); override to count or report.
   * @param addr - the sender.
   * @param reason - which limit refused it.
   */
  datagramRefused(addr: UDPAddressTuple, reason: RefusalReason): void {
    log.debug("Not answering {host}:{port} ({reason})", {
      host: addr[0],
      port: addr[1],
      reason,
    });
  }

  /**
   * Send `quote` to `addr` in one datagram (formatted and capped). Does nothing when the port
   * has stopped; a send error is logged.
   * @param quote - the quote.
   * @param addr - where to.
   */
  sendQuote(quote: string, addr: UDPAddressTuple): void {
    const transport = this.transport;
    if (transport === undefined) return;
    try {
      transport.write(encodeQuote(quote, this.maxLength, this.maxDatagramSize), addr);
    } catch (error) {
      log.failure(
        "Cannot send a quote to {host}:{port}",
        error,
        { host: addr[0], port: addr[1] },
        LogLevel.error,
      );
    }
  }

  /**
   * The quoter failed: log it and send the fallback quote (nothing when it is null).
   * @param reason - why.
   * @param addr - the sender waiting for the answer.
   */
  quoteFailed(reason: Failure, addr: UDPAddressTuple): void {
    log.failure(
      "Quoter {quoter} failed; answering with the fallback quote",
      reason,
      {
        quoter: this.quoter,
        peer: `${addr[0]}:${addr[1]}`,
      },
      LogLevel.error,
    );
    if (this.fallbackQuote !== null) this.sendQuote(this.fallbackQuote, addr);
  }
}
