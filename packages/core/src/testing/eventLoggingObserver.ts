/**
 * `EventLoggingObserver`: a log observer that keeps every event, for tests of what code logs.
 * @packageDocumentation
 */
import {
  CallableObserver,
  globalLogPublisher,
  type ILogObserver,
  type LogEvent,
} from "../logger/index.js";

/** Where an `EventLoggingObserver` can be added: a `LogPublisher` (such as `globalLogPublisher`). */
export interface ObservablePublisher {
  /** Register an observer. */
  addObserver(observer: ILogObserver): void;
  /** Unregister an observer. */
  removeObserver(observer: ILogObserver): void;
}

/**
 * A log observer that keeps the events it receives, in order, for a test to inspect: Twisted's
 * `EventLoggingObserver`. It is a function (as every observer is) and also a read-only list of
 * events: `length`, `at(i)`, `events`, and iteration.
 *
 * ```ts
 * const observer = EventLoggingObserver.createWithCleanup(onTestFinished, globalLogPublisher);
 * factory.doStart();
 * expect(observer).toHaveLength(1);
 * expect(observer.at(0)?.log_format).toBe("Starting factory {factory}");
 * ```
 *
 * Differences from Twisted: `createWithCleanup` takes the function that registers a cleanup
 * (vitest's `onTestFinished`, or a test case's `addCleanup`) instead of a trial test case, and the
 * publisher is optional (the global one by default). Indexing is `at(i)` (or `events[i]`).
 */
export class EventLoggingObserver extends CallableObserver implements Iterable<LogEvent> {
  /** How many events have been received. */
  declare readonly length: number;
  private readonly received: LogEvent[] = [];

  constructor() {
    super();
    // A function's own `length` (its arity) would hide the number of events.
    Object.defineProperty(this, "length", {
      get: () => this.received.length,
      configurable: true,
      enumerable: false,
    });
  }

  /**
   * An observer registered with `publisher` now and removed by the cleanup it registers.
   * @param addCleanup - registers a function to run when the test ends (vitest's
   *   `onTestFinished`).
   * @param publisher - the publisher to observe; `globalLogPublisher` by default.
   * @returns the new observer.
   */
  static createWithCleanup(
    addCleanup: (cleanup: () => void) => unknown,
    publisher: ObservablePublisher = globalLogPublisher,
  ): EventLoggingObserver {
    const observer = new EventLoggingObserver();
    publisher.addObserver(observer);
    addCleanup(() => publisher.removeObserver(observer));
    return observer;
  }

  /**
   * Keep an event.
   * @param event - the event.
   */
  observe(event: LogEvent): void {
    this.received.push(event);
  }

  /** The events received so far, in order (the live list, read-only). */
  get events(): readonly LogEvent[] {
    return this.received;
  }

  /**
   * One event.
   * @param index - its position; negative counts from the end.
   * @returns the event, or undefined when there is none at `index`.
   */
  at(index: number): LogEvent | undefined {
    return this.received.at(index);
  }

  /** The events, in order. */
  [Symbol.iterator](): Iterator<LogEvent> {
    return this.received[Symbol.iterator]();
  }
}
