/**
 * An observer that remembers the most recent events, to replay them later.
 * @packageDocumentation
 */

import { CallableObserver } from "./callable.js";
import type { ILogObserver, LogEvent } from "./observer.js";

/** How many events a `LimitedHistoryLogObserver` keeps by default: 64 Ki. */
export const DEFAULT_BUFFER_MAXIMUM = 64 * 1024;

/**
 * An observer that keeps the last `size` events it sees, in a ring buffer, and can replay them
 * in order to another observer. `LogBeginner` uses one to hold the events logged before logging
 * begins.
 *
 * ```ts
 * const history = new LimitedHistoryLogObserver(5);
 * for (let n = 0; n < 10; n++) history({ n });
 * const seen: LogEvent[] = [];
 * history.replayTo((e) => seen.push(e)); // the events with n = 5, 6, 7, 8, 9
 * ```
 */
export class LimitedHistoryLogObserver extends CallableObserver {
  /** The most events kept, or `null` for no limit. */
  readonly size: number | null;
  private readonly events: LogEvent[] = [];
  /** Index of the oldest event once the buffer is full and wrapping. */
  private start = 0;

  /**
   * @param size - the most events to keep (the oldest are dropped first), or `null` for no
   *   limit. Default 65536.
   * @throws RangeError when `size` is negative or not an integer.
   */
  constructor(size: number | null = DEFAULT_BUFFER_MAXIMUM) {
    super();
    if (size !== null && (!Number.isInteger(size) || size < 0)) {
      throw new RangeError(`buffer size must be a non-negative integer, not ${size}`);
    }
    this.size = size;
  }

  /**
   * Keep an event, dropping the oldest one when the buffer is full.
   * @param event - the event.
   */
  observe(event: LogEvent): void {
    if (this.size === null || this.events.length < this.size) {
      this.events.push(event);
    } else if (this.size > 0) {
      this.events[this.start] = event;
      this.start = (this.start + 1) % this.size;
    }
  }

  /** How many events are held now. */
  get count(): number {
    return this.events.length;
  }

  /**
   * Send every held event, oldest first, to another observer. The buffer is not emptied.
   * @param otherObserver - the observer to replay to.
   */
  replayTo(otherObserver: ILogObserver): void {
    const { events, start } = this;
    const count = events.length;
    for (let i = 0; i < count; i++) {
      otherObserver(events[(start + i) % count] as LogEvent);
    }
  }

  /** Forget every held event. */
  clear(): void {
    this.events.length = 0;
    this.start = 0;
  }
}
