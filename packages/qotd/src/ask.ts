/**
 * Asking a quoter, the same way for the TCP and the UDP server. Internal.
 * @packageDocumentation
 */
import { type Deferred, type IReactorTime, Logger, maybeDeferred } from "@twisted-ts/core";
import { InvalidQuoteError } from "./errors.js";
import type { IQuoter } from "./quoters.js";

/** @internal The logger of the QOTD servers. */
export const log = new Logger({ namespace: "twisted-ts.qotd" });

/** @internal The fallback quote of the servers: Twisted's `wire.QOTD` quote. */
export const DEFAULT_FALLBACK_QUOTE = "An apple a day keeps the doctor away.";

/**
 * @internal Ask `quoter` for a quote: whatever it returns or throws becomes a Deferred, which
 * fails with InvalidQuoteError for a non-string, and with TimeoutError after `timeout` seconds
 * when a clock is given and `timeout` is positive.
 */
export function askQuoter(
  quoter: IQuoter,
  clock: Pick<IReactorTime, "callLater"> | undefined,
  timeout: number,
): Deferred<string> {
  const d = maybeDeferred(() => quoter.getQuote()) as Deferred<unknown>;
  if (clock !== undefined && timeout > 0 && Number.isFinite(timeout)) d.addTimeout(timeout, clock);
  return d.addCallback((quote: unknown): string => {
    if (typeof quote !== "string") throw new InvalidQuoteError(quote);
    return quote;
  });
}
