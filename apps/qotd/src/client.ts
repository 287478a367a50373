/**
 * A Quote of the Day client: ask a server for a quote and print it.
 *
 *   pnpm --filter qotd client [host] [port]      (127.0.0.1 and 8007 by default)
 */
import { reactor } from "@twisted-ts/core";
import { getQuote } from "@twisted-ts/qotd";

if (import.meta.url === `file://${process.argv[1]}`) {
  const host = process.argv[2] ?? "127.0.0.1";
  const port = Number(process.argv[3] ?? 8007);
  reactor.callWhenRunning(() => {
    getQuote(reactor, host, port, { timeout: 10 })
      .addCallbacks(
        (quote: string) => {
          console.log(quote);
        },
        (failure) => {
          console.error(
            `qotd: cannot get a quote from ${host}:${port}: ${failure.getErrorMessage()}`,
          );
          process.exitCode = 1;
        },
      )
      .addBoth(() => reactor.stop());
  });
  await reactor.run();
}
