/**
 * Twisted's legacy logging API, `twisted.python.log`, as the classic tutorials use it:
 * `log.startLogging(process.stdout)`, `log.msg("Connection from", host)`, `log.err(failure)`.
 * It is a front end to the modern system: legacy events go to the same global publisher.
 * @packageDocumentation
 */

import { Failure } from "../failure.js";
import { type BeginLoggingOptions, globalLoggingState, LogBeginner } from "./global.js";
import { LoggingFile } from "./io.js";
import {
  type LegacyEventDict,
  type LegacyLogObserver,
  LegacyLogObserverWrapper,
  publishToNewObserver,
  safeFormat,
  textFromEventDict,
} from "./legacyEvents.js";
import { LogPublisher } from "./observer.js";
import { reprOf } from "./repr.js";
import { formatOffset, resolveOffset, strftime, type UtcOffset } from "./strftime.js";
import type { WritableTextStream } from "./text.js";

/** Options of `LegacyFileLogObserver`. */
export interface LegacyFileLogObserverOptions {
  /** A `strftime` format for time stamps; default `null`, for `2026-11-23 10:00:00+0000`. */
  timeFormat?: string | null;
  /** The offset from UTC of time stamps, in seconds east, or `"local"`; default `0` (UTC). */
  utcOffset?: UtcOffset;
}

/**
 * The legacy text log observer: writes `"<time> [<system>] <text>\n"` for each legacy event,
 * with continuation lines indented by a tab, and a time such as `2026-11-23 10:00:00+0000`. Its
 * `emit` method is the observer: `log.addObserver(observer.emit)`.
 *
 * Differences from Twisted: times are in UTC unless `utcOffset` says otherwise (Twisted uses
 * local time).
 */
export class LegacyFileLogObserver {
  /** A `strftime` format for time stamps, or `null` for the default layout. */
  timeFormat: string | null;
  /** The offset from UTC of time stamps. */
  utcOffset: UtcOffset;
  private readonly stream: WritableTextStream;

  /**
   * @param stream - where to write.
   * @param options - how to write times.
   */
  constructor(stream: WritableTextStream, options: LegacyFileLogObserverOptions = {}) {
    this.stream = stream;
    this.timeFormat = options.timeFormat ?? null;
    this.utcOffset = options.utcOffset ?? 0;
  }

  /**
   * The offset of the time zone from UTC at a moment, in seconds, positive west of UTC (so
   * `-3600` for `+0100`), as Twisted's method returns it.
   * @param when - seconds since the epoch.
   */
  getTimezoneOffset(when: number): number {
    return -resolveOffset(when, this.utcOffset);
  }

  /**
   * Format a time stamp: with `timeFormat` when set, else as `2026-11-23 10:00:00+0000`.
   * @param when - seconds since the epoch.
   */
  formatTime(when: number): string {
    const offset = -this.getTimezoneOffset(when);
    if (this.timeFormat !== null) return strftime(when, this.timeFormat, offset);
    return `${strftime(when, "%Y-%m-%d %H:%M:%S", offset)}${formatOffset(offset)}`;
  }

  /**
   * Write one legacy event; events without text are skipped. Bound, so it can be passed around.
   * @param eventDict - the legacy event.
   */
  readonly emit = (eventDict: LegacyEventDict): void => {
    const text = textFromEventDict(eventDict);
    if (text === null) return;
    const time = typeof eventDict.time === "number" ? this.formatTime(eventDict.time) : "-";
    const line = safeFormat("[%(system)s] %(text)s\n", {
      system: eventDict.system,
      text: text.replaceAll("\n", "\n\t"),
    });
    this.stream.write(`${time} ${line}`);
    this.stream.flush?.();
  };

  /** Start observing the global legacy log (`log.addObserver(this.emit)`). */
  start(): void {
    theLogPublisher().addObserver(this.emit);
  }

  /** Stop observing the global legacy log. */
  stop(): void {
    theLogPublisher().removeObserver(this.emit);
  }
}

/** Options of `LegacyLogPublisher.startLogging`. */
export interface StartLoggingOptions extends LegacyFileLogObserverOptions {
  /** Also send standard output and standard error into the log. Default true, as in Twisted. */
  setStdout?: boolean;
}

/** Options of `new LegacyLogPublisher(...)`. */
export interface LegacyLogPublisherOptions {
  /** The publisher legacy observers are added to. */
  observerPublisher?: LogPublisher;
  /** The publisher legacy events are sent to. */
  publishPublisher?: LogPublisher;
  /** The beginner `startLogging` begins logging with. */
  logBeginner?: LogBeginner;
}

function isFields(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The legacy publisher behind the `log` functions. The global one (`log.theLogPublisher`) sends
 * events to `globalLogPublisher` and starts logging with `globalLogBeginner`; make your own for
 * tests.
 *
 * Differences from Twisted: a publisher made without a `logBeginner` gets one over its own
 * observer publisher that never redirects standard I/O (Twisted's redirects `sys.stdout`).
 */
export class LegacyLogPublisher {
  private readonly observerPublisher: LogPublisher;
  private readonly publishPublisher: LogPublisher;
  private readonly logBeginner: LogBeginner;
  private readonly wrappers: LegacyLogObserverWrapper[] = [];

  /**
   * @param options - the publishers and beginner to use; by default a fresh publisher serves as
   *   both, with a beginner of its own.
   */
  constructor(options: LegacyLogPublisherOptions = {}) {
    this.publishPublisher = options.publishPublisher ?? new LogPublisher();
    this.observerPublisher =
      options.observerPublisher ??
      (options.publishPublisher === undefined ? this.publishPublisher : new LogPublisher());
    this.logBeginner =
      options.logBeginner ??
      new LogBeginner(this.observerPublisher, { write: () => undefined }, null);
  }

  /** The legacy observers added so far, in order. */
  get observers(): LegacyLogObserver[] {
    return this.wrappers.map((w) => w.legacyObserver);
  }

  /**
   * Add a legacy observer: it receives every event, modern ones included, as a `LegacyEventDict`.
   * @param observer - the observer.
   */
  addObserver(observer: LegacyLogObserver): void {
    const wrapper = new LegacyLogObserverWrapper(observer);
    this.wrappers.push(wrapper);
    this.observerPublisher.addObserver(wrapper);
  }

  /**
   * Remove a legacy observer added with `addObserver` (or `startLogging`).
   * @param observer - the observer.
   */
  removeObserver(observer: LegacyLogObserver): void {
    const index = this.wrappers.findIndex((w) => w.legacyObserver === observer);
    if (index < 0) return;
    const [wrapper] = this.wrappers.splice(index, 1);
    if (wrapper !== undefined) this.observerPublisher.removeObserver(wrapper);
  }

  /**
   * Log a message: the arguments, made text and joined with spaces (`msg("a", "b")` logs
   * `"a b"`), at `info` in namespace `"log_legacy"` with system `"-"`. A last argument that is a
   * plain object (`{...}`) gives extra keys instead: `{ system: "MyProtocol,1,10.0.0.1" }`,
   * `{ isError: 1 }`, `{ format: "%(user)s logged in", user }`, `{ logLevel: 40 }`.
   * @param args - messages, then optionally the extra keys.
   */
  msg(...args: unknown[]): void {
    const fields = args.length > 0 && isFields(args[args.length - 1]) ? args.pop() : undefined;
    const event: Record<string, unknown> = { system: "-", ...(fields as object | undefined) };
    event.message = args;
    event.time = Date.now() / 1000;
    if (!("isError" in event)) event.isError = 0;
    publishToNewObserver(this.publishPublisher, event, textFromEventDict);
  }

  /**
   * Log an error at `critical`: its text is `why` (or `"Unhandled Error"`) and the traceback.
   * @param failure - a Failure, an Error (wrapped in a Failure), or any other value (logged as
   *   its `repr`). When omitted, a Failure is made that shows where `err` was called.
   * @param why - what was going on when it failed.
   * @param fields - extra keys for the event.
   */
  err(failure?: unknown, why?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    const reason = { why: why ?? null, isError: 1 };
    if (failure === undefined)
      failure = new Failure(new Error("log.err() was called without a failure"));
    if (Failure.isFailure(failure)) this.msg({ ...fields, failure, ...reason });
    else if (failure instanceof Error)
      this.msg({ ...fields, failure: new Failure(failure), ...reason });
    else this.msg(reprOf(failure), { ...fields, ...reason });
  }

  /**
   * Begin logging to a legacy observer (dropping the events held so far), then log
   * `"Log opened."`.
   * @param observer - the legacy observer.
   * @param options - whether to redirect standard I/O (`setStdout`, default true).
   */
  startLoggingWithObserver(observer: LegacyLogObserver, options: { setStdout?: boolean } = {}) {
    const wrapper = new LegacyLogObserverWrapper(observer);
    this.wrappers.push(wrapper);
    const begin: BeginLoggingOptions = {
      discardBuffer: true,
      redirectStandardIO: options.setStdout !== false,
    };
    this.logBeginner.beginLoggingTo([wrapper], begin);
    this.msg("Log opened.");
  }

  /**
   * Begin logging to a stream as legacy text lines (`2026-11-23 10:00:00+0000 [-] Log opened.`).
   * @param stream - where to write, e.g. `process.stdout`.
   * @param options - `setStdout` (default true) and time stamp options.
   * @returns the observer, or `undefined` when `stream` is itself a `LoggingFile` (logging the
   *   log into itself is refused).
   */
  startLogging(
    stream: WritableTextStream,
    options: StartLoggingOptions = {},
  ): LegacyFileLogObserver | undefined {
    if (stream instanceof LoggingFile) return undefined;
    const observer = new LegacyFileLogObserver(stream, options);
    this.startLoggingWithObserver(observer.emit, options);
    return observer;
  }
}

/**
 * The process-wide legacy publisher, shared by every copy of this package.
 * @internal
 */
export function theLogPublisher(): LegacyLogPublisher {
  const state = globalLoggingState();
  let legacy = state.extras.get("legacyPublisher") as LegacyLogPublisher | undefined;
  if (legacy === undefined) {
    legacy = new LegacyLogPublisher({
      observerPublisher: state.publisher,
      publishPublisher: state.publisher,
      logBeginner: state.beginner,
    });
    state.extras.set("legacyPublisher", legacy);
  }
  return legacy;
}
