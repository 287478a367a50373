/**
 * The process-wide logging state: the global publisher every `Logger` uses by default, and the
 * `LogBeginner` that holds events until the program says where logs go.
 * @packageDocumentation
 */

import { DEFAULT_BUFFER_MAXIMUM, LimitedHistoryLogObserver } from "./buffer.js";
import { FilteringLogObserver, LogLevelFilterPredicate } from "./filter.js";
import { eventAsText } from "./format.js";
import { LoggingFile, redirectStream, restoreStream, type StandardIO } from "./io.js";
import { LogLevel } from "./levels.js";
import { Logger } from "./logger.js";
import { type ILogObserver, type LogEvent, LogPublisher } from "./observer.js";
import { FileLogObserver, type WritableTextStream } from "./text.js";

/** The format of the warning logged when `beginLoggingTo` is called a second time. */
export const MORE_THAN_ONCE_WARNING =
  "Warning: primary log target selected twice at <{fileNow}:{lineNow}> - previously selected " +
  "at <{fileThen}:{lineThen}>. Only the first call to beginLoggingTo should remain.";

/** Options of `LogBeginner.beginLoggingTo`. */
export interface BeginLoggingOptions {
  /** Drop the events logged so far instead of replaying them. Default false. */
  discardBuffer?: boolean;
  /**
   * Send what is written to standard output and standard error into the log, one event per line
   * (namespaces `"stdout"` at `info` and `"stderr"` at `error`). Default true, as in Twisted.
   */
  redirectStandardIO?: boolean;
}

function callerLocation(): [string, number] {
  const lines = (new Error().stack ?? "").split("\n");
  // 0: "Error", 1: callerLocation, 2: beginLoggingTo, 3: its caller.
  const frame = lines[3] ?? "";
  const match = /\(?([^()\s]+):(\d+):\d+\)?\s*$/.exec(frame);
  return match ? [match[1] as string, Number(match[2])] : ["<unknown>", 0];
}

/**
 * Holds the logging system's state from start-up until the program chooses where logs go, then
 * hands over. Until `beginLoggingTo` is called it:
 *
 * 1. keeps the events published (up to `initialBufferSize`, 64 Ki by default; older ones are
 *    dropped first), to replay them to the chosen observers;
 * 2. writes `critical` events (unhandled errors, with tracebacks) to `errorStream` as plain text
 *    at once, so they are seen even if logging never begins.
 *
 * `globalLogBeginner` is the one for the global publisher; applications call
 * `globalLogBeginner.beginLoggingTo([...])` once, early.
 *
 * Differences from Twisted: the default buffer holds 65536 events (Twisted has held 200 since
 * 17.1; its `LimitedHistoryLogObserver` default is 64 Ki). Redirecting standard I/O replaces the
 * streams' `write` method rather than the stream objects, and lets observers that write to the
 * real stream while delivering an event reach it directly (anything else that writes to a
 * redirected stream, such as an observer of another publisher, is logged as its output).
 * Python's `warnings` have no counterpart here (Node's warnings still go to standard error, which
 * is redirected).
 */
export class LogBeginner {
  /** The default number of events held before logging begins: 65536. */
  static readonly DEFAULT_BUFFER_SIZE: number = DEFAULT_BUFFER_MAXIMUM;

  private readonly publisher: LogPublisher;
  private readonly stdio: StandardIO | null;
  private readonly initialBuffer: LimitedHistoryLogObserver;
  private temporaryObserver: LogPublisher | null;
  private previousBegin: [string, number] = ["", 0];
  private ownLog: Logger | undefined;
  private redirected = false;

  /**
   * @param publisher - the publisher whose events are held, and to which observers are added.
   * @param errorStream - where `critical` events are written before logging begins.
   * @param stdio - the streams to redirect (`process`), or `null` to never redirect.
   * @param initialBufferSize - how many events to hold before logging begins; `null` for no
   *   limit. Default 65536.
   */
  constructor(
    publisher: LogPublisher,
    errorStream: WritableTextStream,
    stdio: StandardIO | null,
    initialBufferSize: number | null = LogBeginner.DEFAULT_BUFFER_SIZE,
  ) {
    this.publisher = publisher;
    this.stdio = stdio;
    this.initialBuffer = new LimitedHistoryLogObserver(initialBufferSize);
    const criticalToErrorStream = new FilteringLogObserver(
      new FileLogObserver(errorStream, (event) => {
        const text = eventAsText(event, { includeTimestamp: false, includeSystem: false });
        return text ? `${text}\n` : null;
      }),
      [new LogLevelFilterPredicate(LogLevel.critical)],
    );
    this.temporaryObserver = new LogPublisher(this.initialBuffer, criticalToErrorStream);
    publisher.addObserver(this.temporaryObserver);
  }

  /** Whether `beginLoggingTo` has been called. */
  get begun(): boolean {
    return this.temporaryObserver === null;
  }

  /**
   * Begin logging to these observers: add them to the publisher, replay the events held so far
   * to the publisher (unless `discardBuffer`), stop holding events and stop writing critical ones
   * to the error stream, and (unless `redirectStandardIO` is false) route standard output and
   * standard error into the log. Meant to be called once; a second call adds its observers and
   * logs a warning that names both call sites.
   * @param observers - the observers that will receive events from now on.
   * @param options - whether to discard the held events and whether to redirect standard I/O.
   */
  beginLoggingTo(observers: Iterable<ILogObserver>, options: BeginLoggingOptions = {}): void {
    const here = callerLocation();
    for (const observer of observers) this.publisher.addObserver(observer);
    if (this.temporaryObserver !== null) {
      this.publisher.removeObserver(this.temporaryObserver);
      this.temporaryObserver = null;
      if (options.discardBuffer !== true) this.initialBuffer.replayTo(this.publisher);
      this.initialBuffer.clear();
    } else {
      const [fileThen, lineThen] = this.previousBegin;
      this.log.warn(MORE_THAN_ONCE_WARNING, {
        fileNow: here[0],
        lineNow: here[1],
        fileThen,
        lineThen,
      });
    }
    this.previousBegin = here;
    if (options.redirectStandardIO !== false && this.stdio !== null) {
      const publisher = this.publisher;
      const passThrough = () => publisher.dispatchDepth > 0;
      const streams = [
        ["stdout", LogLevel.info],
        ["stderr", LogLevel.error],
      ] as const;
      for (const [name, level] of streams) {
        const logger = new Logger({ namespace: name, observer: publisher });
        redirectStream(this.stdio[name], new LoggingFile(logger, level), passThrough);
      }
      this.redirected = true;
    }
  }

  /**
   * Undo the redirection of standard output and standard error, if `beginLoggingTo` made one.
   * An addition to Twisted, for orderly shutdown and for tests.
   */
  restoreStandardIO(): void {
    if (!this.redirected || this.stdio === null) return;
    restoreStream(this.stdio.stdout);
    restoreStream(this.stdio.stderr);
    this.redirected = false;
  }

  private get log(): Logger {
    this.ownLog ??= new Logger({ namespace: "twisted.logger._global", observer: this.publisher });
    return this.ownLog;
  }
}

const GLOBAL_KEY = Symbol.for("twisted-ts.logger.global");

/**
 * The process-wide logging state, kept on `globalThis` so that every copy of this package (an
 * ESM and a CJS build loaded side by side) shares one publisher and one beginner.
 * @internal
 */
export interface GlobalLoggingState {
  readonly publisher: LogPublisher;
  readonly beginner: LogBeginner;
  /** Other process-wide logging objects (the legacy publisher), by name. */
  readonly extras: Map<string, unknown>;
}

/** @internal */
export function globalLoggingState(): GlobalLoggingState {
  const holder = globalThis as { [GLOBAL_KEY]?: GlobalLoggingState };
  let state = holder[GLOBAL_KEY];
  if (state === undefined) {
    const publisher = new LogPublisher();
    const stderr: WritableTextStream = { write: (text) => process.stderr.write(text) };
    const beginner = new LogBeginner(publisher, stderr, process);
    state = { publisher, beginner, extras: new Map() };
    Object.defineProperty(holder, GLOBAL_KEY, { value: state, configurable: true });
  }
  return state;
}

/**
 * The publisher every `Logger` sends events to unless given another observer. Add observers to
 * it to see every event in the process; prefer `globalLogBeginner.beginLoggingTo` to choose where
 * logs go, so events logged during start-up are not lost.
 */
export const globalLogPublisher: LogPublisher = globalLoggingState().publisher;

/**
 * The `LogBeginner` of `globalLogPublisher`: call `globalLogBeginner.beginLoggingTo(observers)`
 * once, early in the program, to choose where logs go. Until then, events are held (up to 64 Ki)
 * and critical ones are written to standard error.
 */
export const globalLogBeginner: LogBeginner = globalLoggingState().beginner;

/**
 * Collect the events a piece of code publishes to a publisher (the global one by default), for
 * tests: `const events = capturedLogs(() => doSomething())`.
 * @param run - the code to run; it runs synchronously.
 * @param publisher - the publisher to listen to; default `globalLogPublisher`.
 * @returns the events published while `run` ran, in order.
 */
export function capturedLogs(
  run: () => void,
  publisher: LogPublisher = globalLogPublisher,
): LogEvent[] {
  const events: LogEvent[] = [];
  const observer = (event: LogEvent) => {
    events.push(event);
  };
  publisher.addObserver(observer);
  try {
    run();
  } finally {
    publisher.removeObserver(observer);
  }
  return events;
}
