/**
 * Twisted's "I fall down. But I get up again.": a callback that throws is logged, and the
 * reactor keeps running.
 *
 *   pnpm --filter echo falldown
 */
import { globalLogBeginner, reactor, textFileLogObserver } from "@twisted-ts/core";

export function falldown(): never {
  throw new Error("I fall down.");
}

export function upagain(): void {
  console.log("But I get up again.");
  reactor.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)], {
    redirectStandardIO: false,
  });
  reactor.callWhenRunning(falldown);
  reactor.callLater(0.1, upagain);
  await reactor.run();
}
