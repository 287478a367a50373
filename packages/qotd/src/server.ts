/**
 * The Quote of the Day server over TCP (RFC 865): `QOTD` and `QOTDFactory`.
 * @packageDocumentation
 */
import {
  type Deferred,
  type Failure,
  type IReactorTime,
  LogLevel,
  Protocol,
  ServerFactory,
} from "@twisted-ts/core";
import { askQuoter, DEFAULT_FALLBACK_QUOTE, log } from "./ask.js";
import { formatQuote, MAX_QUOTE_LENGTH } from "./format.js";
import type { IQuoter } from "./quoters.js";

/** Options of `new QOTDFactory(quoter, options)`. */
export interface QOTDFactoryOptions {
  /**
   * The clock for `quoteTimeout`: the reactor, or a `Clock` in tests. Without one, a quoter is
   * waited for as long as it takes.
   */
  clock?: Pick<IReactorTime, "callLater">;
  /** Seconds to wait for the quoter before answering with the fallback; 10 by default. */
  quoteTimeout?: number;
  /** See {@link QOTDFactory.fallbackQuote}. */
  fallbackQuote?: string | null;
  /** See {@link QOTDFactory.maxLength}. */
  maxLength?: number;
}

/**
 * The Quote of the Day protocol over TCP (RFC 865): as soon as the connection is made, ask the
 * factory's quoter for a quote, write it followed by CRLF, and close the connection (after the
 * quote has been sent). Anything the client sends is ignored.
 *
 * The quote's line breaks are sent as CRLF and the message is capped at the factory's
 * `maxLength` (512 characters, CRLF included, as RFC 865 asks); a longer quote is cut, see
 * `formatQuote`. When the quoter fails (throws, rejects, gives a non-string, or takes longer
 * than the factory's `quoteTimeout`), the failure is logged at level `error` in the
 * `twisted-ts.qotd` namespace and the client gets the factory's `fallbackQuote` (or, when that
 * is null, no data); the connection is closed cleanly either way. When the client goes away
 * before the quote is ready, the quoter's Deferred is cancelled and nothing is written.
 *
 * Differences from Twisted: the tutorial's `QOTD` writes the quote as it is, of any length,
 * with bare LFs inside, and lets a quoter's exception escape; here the message is normalised to
 * CRLF and capped, a quoter may answer later (a Promise or a Deferred), and a failure is logged
 * and answered with the fallback. Twisted's `wire.QOTD` (a fixed quote from an overridable
 * `getQuote`) is `QOTDFactory` with a `StaticQuoter`.
 */
export class QOTD extends Protocol<QOTDFactory> {
  private pending: Deferred<void> | undefined;

  /** Ask the quoter; the quote (or the fallback) is written, then the connection closed. */
  override connectionMade(): void {
    const factory = this.factory;
    if (factory === undefined) {
      throw new Error("QOTD needs a QOTDFactory: it was built without one");
    }
    const d = askQuoter(factory.quoter, factory.clock, factory.quoteTimeout).addCallbacks(
      (quote: string) => this.sendQuote(quote),
      (reason: Failure) => this.quoteFailed(reason),
    );
    if (!d.called) this.pending = d;
  }

  /**
   * Write `quote` (formatted: CRLF line breaks, capped, final CRLF) and close. Does nothing once
   * the connection is lost.
   * @param quote - the quote.
   */
  sendQuote(quote: string): void {
    this.pending = undefined;
    const factory = this.factory;
    const transport = this.transport;
    if (!this.connected || transport === undefined || factory === undefined) return;
    transport.write(formatQuote(quote, factory.maxLength));
    transport.loseConnection();
  }

  /**
   * The quoter failed: log it and answer with the factory's fallback quote, or close without
   * data when it is null. Override to answer differently.
   * @param reason - why.
   */
  quoteFailed(reason: Failure): void {
    this.pending = undefined;
    if (!this.connected) return;
    log.failure(
      "Quoter {quoter} failed; answering with the fallback quote",
      reason,
      {
        quoter: this.factory?.quoter,
        peer: String(this.transport?.getPeer()),
      },
      LogLevel.error,
    );
    const fallback = this.factory?.fallbackQuote ?? null;
    if (fallback !== null) this.sendQuote(fallback);
    else this.transport?.loseConnection();
  }

  /**
   * The connection is over; a quote still on its way is cancelled and will not be written.
   * @param reason - why.
   */
  override connectionLost(reason?: Failure): void {
    super.connectionLost(reason);
    const pending = this.pending;
    this.pending = undefined;
    pending?.cancel();
  }
}

/**
 * Builds a `QOTD` protocol per connection, all sharing one quoter: Twisted's tutorial
 * `QOTDFactory`. Listen with it on a TCP (or TLS, or Unix) port.
 *
 * @example
 * ```ts
 * const factory = new QOTDFactory(new FortuneQuoter(["quotes.txt"]), { clock: reactor });
 * reactor.listenTCP(8007, factory);
 * ```
 */
export class QOTDFactory extends ServerFactory<QOTD> {
  /** The protocol it builds: {@link QOTD}. */
  override protocol = QOTD;
  /** Where the quotes come from. */
  quoter: IQuoter;
  /**
   * The longest message sent, in characters, final CRLF included: 512 (RFC 865) by default.
   * Longer quotes are cut.
   */
  maxLength: number = MAX_QUOTE_LENGTH;
  /**
   * What to send when the quoter fails (after logging the failure): Twisted's `wire.QOTD`
   * quote, "An apple a day keeps the doctor away.", by default. `null` closes the connection
   * without sending anything.
   */
  fallbackQuote: string | null = DEFAULT_FALLBACK_QUOTE;
  /** Seconds to wait for the quoter (when `clock` is set); 0 or Infinity for no limit. */
  quoteTimeout = 10;
  /** The clock for `quoteTimeout`; undefined for no timeout. */
  clock: Pick<IReactorTime, "callLater"> | undefined;

  /**
   * @param quoter - where the quotes come from.
   * @param options - `clock` and `quoteTimeout`, `fallbackQuote`, `maxLength`.
   */
  constructor(quoter: IQuoter, options: QOTDFactoryOptions = {}) {
    super();
    this.quoter = quoter;
    this.clock = options.clock;
    if (options.quoteTimeout !== undefined) this.quoteTimeout = options.quoteTimeout;
    if (options.fallbackQuote !== undefined) this.fallbackQuote = options.fallbackQuote;
    if (options.maxLength !== undefined) {
      formatQuote("", options.maxLength); // validates it
      this.maxLength = options.maxLength;
    }
  }
}
