/**
 * Log events, log observers, and the publisher that fans events out to observers.
 * @packageDocumentation
 */

import { inspect } from "node:util";
import { Failure } from "../failure.js";
import { CallableObserver } from "./callable.js";
import type { LogLevel } from "./levels.js";
import type { Logger } from "./logger.js";

/**
 * A log event: a plain object of named fields. A `Logger` fills in the `log_*` keys below; the
 * caller adds any others (`log.info("{peer} connected", { peer })` gives a `peer` field). Keys
 * that begin with `log_` are reserved for the logging system.
 *
 * Differences from Twisted: every key is optional in the type, because observers also see events
 * that did not come from a `Logger` (legacy `log.msg` events, events read back from JSON, events a
 * test publishes by hand). An event made by `Logger.emit` always has `log_logger`, `log_level`,
 * `log_namespace`, `log_source`, `log_format` and `log_time`.
 */
export interface LogEvent {
  /** A PEP 3101 format string (`"{peer} sent {count} bytes"`) rendered with this event's fields. */
  log_format?: string | null;
  /** How important the event is; `null` when a saved event named a level this version lacks. */
  log_level?: LogLevel | null;
  /** The dotted namespace of the emitting logger, e.g. `"twisted.internet.tcp"`. */
  log_namespace?: string;
  /** When the event was emitted, in seconds since the epoch (a float). */
  log_time?: number;
  /** A failure the event reports; text observers append its traceback. */
  log_failure?: Failure;
  /** The object the event is about (the logger's `source`), or `null`. */
  log_source?: unknown;
  /** The logger that emitted the event. */
  log_logger?: Logger;
  /** Replaces `namespace#level` in text output when set (legacy events use it). */
  log_system?: unknown;
  /** When present (an array), publishers and loggers record each hop: `[sender, receiver]`. */
  log_trace?: Array<[unknown, unknown]>;
  /** Pre-rendered format fields, written by `eventAsJSON` so formatting survives a round trip. */
  log_flattened?: Record<string, unknown>;
  /** Any other field, for format strings and structured consumers. */
  [field: string]: unknown;
}

/**
 * Something that receives log events: a function called once per event. Observers write events to
 * files, filter them, forward them, or keep them for tests (`events.push.bind(events)`).
 *
 * An observer must not throw: a `LogPublisher` catches what one throws and reports it to the
 * other observers, but other callers may not.
 */
export type ILogObserver = (event: LogEvent) => void;

/** The format of the event a publisher emits when one of its observers throws. */
const OBSERVER_FAILED = "Observer {observer} failed on an event and was skipped: {log_failure}";

/**
 * An observer that forwards each event to every observer registered with it, in the order they
 * were added. `globalLogPublisher` is the one all `Logger`s use by default.
 *
 * When an observer throws, the publisher keeps going: the event still reaches the remaining
 * observers, and afterwards a `critical` event (with the error as `log_failure` and the culprit as
 * `observer`) goes to every observer except the one that threw. The observer stays registered,
 * and nothing escapes to the code that emitted the event.
 *
 * A publisher is itself a function: `publisher(event)` publishes, as `observe(event)` does.
 *
 * Differences from Twisted: the error event is built here directly, with `log_namespace`
 * `"twisted.logger._observer"`, instead of through a Logger bound to a new publisher.
 */
export class LogPublisher extends CallableObserver {
  private observers: readonly ILogObserver[];
  private depth = 0;

  /**
   * @param observers - observers to register at once.
   */
  constructor(...observers: ILogObserver[]) {
    super();
    this.observers = [...new Set(observers)];
  }

  /**
   * Register an observer. Registering one that is already registered does nothing.
   * @param observer - the observer to add.
   * @throws TypeError when `observer` is not a function.
   */
  addObserver(observer: ILogObserver): void {
    if (typeof observer !== "function") {
      throw new TypeError(`Observer is not callable: ${inspect(observer)}`);
    }
    if (!this.observers.includes(observer)) this.observers = [...this.observers, observer];
  }

  /**
   * Unregister an observer. Removing one that is not registered does nothing.
   * @param observer - the observer to remove.
   */
  removeObserver(observer: ILogObserver): void {
    if (this.observers.includes(observer)) {
      this.observers = this.observers.filter((o) => o !== observer);
    }
  }

  /** The registered observers, in delivery order (a copy). */
  getObservers(): ILogObserver[] {
    return [...this.observers];
  }

  /**
   * How many deliveries are in progress right now (more than one when an observer publishes
   * while handling an event). Standard-output redirection uses it to let observers write to the
   * real stream.
   */
  get dispatchDepth(): number {
    return this.depth;
  }

  /**
   * Deliver an event to every registered observer. Never throws.
   * @param event - the event to publish.
   */
  observe(event: LogEvent): void {
    // Observers added or removed while delivering do not change this delivery.
    const observers = this.observers;
    const trace = Array.isArray(event.log_trace) ? event.log_trace : undefined;
    let broken: Array<[ILogObserver, unknown]> | undefined;
    this.depth++;
    try {
      for (const observer of observers) {
        trace?.push([this, observer]);
        try {
          observer(event);
        } catch (error) {
          broken ??= [];
          broken.push([observer, error]);
        }
      }
      if (broken !== undefined) {
        for (const [observer, error] of broken) this.reportBroken(observers, observer, error);
      }
    } finally {
      this.depth--;
    }
  }

  private reportBroken(observers: readonly ILogObserver[], culprit: ILogObserver, error: unknown) {
    try {
      const others = new LogPublisher(...observers.filter((o) => o !== culprit));
      others({
        log_format: OBSERVER_FAILED,
        log_level: "critical",
        log_namespace: "twisted.logger._observer",
        log_source: null,
        log_time: Date.now() / 1000,
        log_failure: Failure.from(error),
        observer: culprit,
      });
    } catch {
      // Reporting must never make logging throw.
    }
  }
}

/**
 * An observer that ignores every event: the default "rejected events" target of a
 * `FilteringLogObserver`.
 * @param _event - ignored.
 */
export function bitbucketLogObserver(_event: LogEvent): void {}
