/**
 * Quoters: where quotes come from. `IQuoter`, `StaticQuoter`; `FortuneQuoter` is in `fortune.ts`.
 * @packageDocumentation
 */
import type { Deferred } from "@twisted-ts/core";

/**
 * What a quoter may give: the quote at once, or a Promise or Deferred of it. A Deferred handed
 * back becomes the caller's (it adds callbacks to it, and may cancel it when the client goes
 * away or a timeout expires), so return a new one for each call.
 */
export type QuoteResult = string | Promise<string> | Deferred<string>;

/**
 * An object that gives quotes: Twisted's `IQuoter` from the TwistedQuotes tutorial. The QOTD
 * servers (`QOTDFactory`, `QOTDDatagramProtocol`) ask their quoter once per connection or
 * datagram. Implement it to serve quotes from anywhere: a database, a web service, a rotating
 * list.
 */
export interface IQuoter {
  /**
   * A quote. It may span several lines; the server sends its line breaks as CRLF and caps it at
   * 512 characters. Throwing, or a rejected Promise or failed Deferred, makes the server log the
   * failure and answer with its fallback quote.
   * @returns the quote, or a Promise or Deferred of it.
   */
  getQuote(): QuoteResult;
}

/**
 * A quoter that always gives the same quote: Twisted's tutorial `StaticQuoter`.
 *
 * @example
 * ```ts
 * reactor.listenTCP(8007, new QOTDFactory(new StaticQuoter("An apple a day keeps the doctor away.")));
 * ```
 */
export class StaticQuoter implements IQuoter {
  /** The quote; change it to serve another one from the next request on. */
  quote: string;

  /**
   * @param quote - the quote to give.
   */
  constructor(quote: string) {
    this.quote = quote;
  }

  /** @returns the quote. */
  getQuote(): string {
    return this.quote;
  }
}
