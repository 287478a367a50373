/**
 * Twisted's countdown.py: count down from 5, once a second, with callLater, then stop.
 *
 *   pnpm --filter echo countdown
 */
import { reactor } from "@twisted-ts/core";

/** Counts down, rescheduling itself with callLater until it reaches zero. */
export class Countdown {
  counter = 5;

  constructor(private readonly interval = 1) {}

  count(): void {
    if (this.counter === 0) {
      reactor.stop();
    } else {
      console.log(this.counter, "...");
      this.counter -= 1;
      reactor.callLater(this.interval, () => this.count());
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const countdown = new Countdown();
  reactor.callWhenRunning(() => countdown.count());
  await reactor.run();
  console.log("Stop!");
}
