/**
 * `NonStreamingProducer`: a pull producer that writes ten chunks, for tests of consumers.
 * @packageDocumentation
 */
import { Deferred } from "../defer/deferred.js";
import type { IConsumer, IPullProducer } from "../interfaces/transport.js";

/**
 * A pull producer that writes the numbers 0 to 9, one per `resumeProducing`, then unregisters
 * itself from its consumer and fires `result`: Twisted's `NonStreamingProducer`. Use it to check
 * that a consumer pulls a non-streaming producer correctly (asks for one chunk at a time, and
 * never pauses it).
 *
 * Register it yourself: `consumer.registerProducer(producer, false)`.
 *
 * Differences from Twisted: `result` stays set after it has fired (Twisted deletes it), and a
 * `stopProducing` after the producer has finished only sets `stopped`.
 */
export class NonStreamingProducer implements IPullProducer {
  /** How many chunks have been written. */
  counter = 0;
  /** Whether `stopProducing` has been called. */
  stopped = false;
  /** The consumer written to; undefined once finished or stopped. */
  consumer: IConsumer | undefined;
  /** Fires with undefined after the tenth chunk, or on `stopProducing`. */
  readonly result = new Deferred<void>();

  /**
   * @param consumer - the consumer to write to.
   */
  constructor(consumer: IConsumer) {
    this.consumer = consumer;
  }

  /**
   * Write the next number (as ASCII digits); after the tenth, unregister from the consumer and
   * fire `result`.
   * @throws Error "BUG: resume after unregister/stop." once finished or stopped.
   */
  resumeProducing(): void {
    const consumer = this.consumer;
    if (consumer === undefined || this.counter >= 10) {
      throw new Error("BUG: resume after unregister/stop.");
    }
    consumer.write(String(this.counter));
    this.counter += 1;
    if (this.counter === 10) {
      consumer.unregisterProducer();
      this.done();
    }
  }

  /**
   * A pull producer is never paused.
   * @throws Error "BUG: pause should never be called." always.
   */
  pauseProducing(): void {
    throw new Error("BUG: pause should never be called.");
  }

  /** Stop: set `stopped`, forget the consumer and fire `result`. */
  stopProducing(): void {
    this.stopped = true;
    this.done();
  }

  private done(): void {
    this.consumer = undefined;
    if (!this.result.called) this.result.callback(undefined);
  }
}
