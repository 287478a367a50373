/**
 * `Logger`: emits structured, namespaced log events.
 * @packageDocumentation
 */

import { inspect } from "node:util";
import { Failure } from "../failure.js";
import { globalLogPublisher } from "./global.js";
import { InvalidLogLevelError, LogLevel, levelIndex } from "./levels.js";
import type { ILogObserver, LogEvent } from "./observer.js";

/** Options of `new Logger(...)`. */
export interface LoggerOptions {
  /** The dotted namespace of the logger, e.g. `"myapp.db.pool"`. Default `"<unknown>"`. */
  namespace?: string;
  /** The object the events are about; events carry it as `log_source`. Default `null`. */
  source?: unknown;
  /** Where events go. Default: `globalLogPublisher`, looked up when each event is emitted. */
  observer?: ILogObserver;
}

/** How code run by `Logger.failuresHandled` went. */
export interface Operation<T> {
  /** True when the code returned without throwing. */
  readonly succeeded: boolean;
  /** True when the code threw (the failure has then been logged). */
  readonly failed: boolean;
  /** What the code threw, as a Failure, or `undefined` when it did not throw. */
  readonly failure: Failure | undefined;
  /** What the code returned, or `undefined` when it threw. */
  readonly result: T | undefined;
}

/**
 * Emits log events to an observer (by default the global publisher). Make one per module or
 * class, with a dotted namespace, and log through its level methods:
 *
 * ```ts
 * const log = new Logger({ namespace: "myapp.server" });
 * log.info("{peer} connected", { peer: "10.0.0.7:5123" });
 * log.failure("While handling {request}", error, { request });
 * ```
 *
 * A format is a PEP 3101 string whose fields name the event's keys; it is not rendered when the
 * event is emitted, only when an observer asks (see `formatEvent`), so events stay cheap and keep
 * their structured values. Each event carries `log_logger`, `log_level`, `log_namespace`,
 * `log_source`, `log_format` and `log_time` (seconds), which override fields of the same name.
 *
 * Differences from Twisted: JavaScript offers no reliable way to learn the calling module, so the
 * namespace defaults to `"<unknown>"` (Twisted's own fallback) instead of the module's name:
 * pass one. The descriptor behaviour (a class attribute logging with the instance as source) is
 * `withSource(this)` or `Logger.forSource(this)`. Fields are an object, not keyword arguments.
 */
export class Logger {
  /** The dotted namespace of this logger's events. */
  readonly namespace: string;
  /** The object this logger's events are about (`log_source`), or `null`. */
  readonly source: unknown;
  private readonly explicitObserver: ILogObserver | undefined;

  /**
   * @param options - the namespace, source and observer; a string is taken as the namespace.
   */
  constructor(options: LoggerOptions | string = {}) {
    const opts: LoggerOptions = typeof options === "string" ? { namespace: options } : options;
    this.namespace = opts.namespace ?? "<unknown>";
    this.source = opts.source === undefined ? null : opts.source;
    this.explicitObserver = opts.observer;
  }

  /**
   * A logger whose namespace is the class name of `source` (or of the class `source` is) and
   * whose events carry `source` as `log_source`; Twisted's `Logger` used as a class attribute.
   * @param source - an instance, or a class.
   * @param options - a namespace or observer to use instead of the defaults.
   * @returns a new logger.
   */
  static forSource(source: object, options: Omit<LoggerOptions, "source"> = {}): Logger {
    const cls = typeof source === "function" ? source : source.constructor;
    const name = (cls as { name?: unknown } | undefined)?.name;
    return new Logger({
      namespace: options.namespace ?? (typeof name === "string" && name ? name : "<unknown>"),
      source,
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
  }

  /** The observer this logger's events go to. */
  get observer(): ILogObserver {
    return this.explicitObserver ?? globalLogPublisher;
  }

  /**
   * A logger with the same namespace and observer whose events carry `source` as `log_source`.
   * @param source - the object the events are about.
   * @returns a new logger.
   */
  withSource(source: unknown): Logger {
    return new Logger({
      namespace: this.namespace,
      source,
      ...(this.explicitObserver === undefined ? {} : { observer: this.explicitObserver }),
    });
  }

  /**
   * Emit an event at a level. An invalid level is not emitted; instead a `critical` failure event
   * (`InvalidLogLevelError`) reports the mistake.
   * @param level - the level.
   * @param format - a PEP 3101 format for the message, rendered with the event's fields.
   * @param fields - extra fields. Values are kept as they are (not copied): an observer that
   *   formats later sees later changes.
   */
  emit(level: LogLevel, format?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    if (levelIndex(level) < 0) {
      this.failure(
        "Got invalid log level {invalidLevel!r} in {logger}.emit().",
        new Failure(new InvalidLogLevelError(level)),
        { invalidLevel: level, logger: this },
      );
      return;
    }
    const observer = this.explicitObserver ?? globalLogPublisher;
    const event: LogEvent = {
      ...fields,
      log_logger: this,
      log_level: level,
      log_namespace: this.namespace,
      log_source: this.source,
      log_format: format ?? null,
      log_time: Date.now() / 1000,
    };
    if (Array.isArray(event.log_trace)) event.log_trace.push([this, observer]);
    observer(event);
  }

  /**
   * Log a failure with its traceback, at `critical` unless told otherwise: for errors the code
   * did not expect and cannot handle. An error that is expected and handled belongs in `error`.
   * @param format - a format for the message.
   * @param failure - the Failure, or any thrown value (wrapped with `Failure.from`). When
   *   omitted, a Failure is made whose traceback shows where `failure` was called.
   * @param fields - extra fields.
   * @param level - the level; default `critical`.
   */
  failure(
    format: string,
    failure?: unknown,
    fields?: Readonly<Record<string, unknown>>,
    level: LogLevel = LogLevel.critical,
  ): void {
    const wrapped =
      failure === undefined
        ? new Failure(new Error("Logger.failure() was called without a failure"))
        : Failure.from(failure);
    this.emit(level, format, { ...fields, log_failure: wrapped });
  }

  /**
   * Log an event at `debug`: details for someone debugging the software.
   * @param format - a format for the message.
   * @param fields - extra fields.
   */
  debug(format?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    this.emit(LogLevel.debug, format, fields);
  }

  /**
   * Log an event at `info`: routine information.
   * @param format - a format for the message.
   * @param fields - extra fields.
   */
  info(format?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    this.emit(LogLevel.info, format, fields);
  }

  /**
   * Log an event at `warn`: worth attention, not a failure of the system.
   * @param format - a format for the message.
   * @param fields - extra fields.
   */
  warn(format?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    this.emit(LogLevel.warn, format, fields);
  }

  /**
   * Log an event at `error`: a failure of the system.
   * @param format - a format for the message.
   * @param fields - extra fields.
   */
  error(format?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    this.emit(LogLevel.error, format, fields);
  }

  /**
   * Log an event at `critical`: a failure that needs attention now.
   * @param format - a format for the message.
   * @param fields - extra fields.
   */
  critical(format?: string | null, fields?: Readonly<Record<string, unknown>>): void {
    this.emit(LogLevel.critical, format, fields);
  }

  /**
   * Run code, and if it throws, log the failure (as `failure` does) and carry on. Twisted's
   * `with log.failuresHandled(...) as op:` block, as a callback.
   * @param format - a format for the message logged on failure.
   * @param run - the code to run (synchronous; a returned Promise is not awaited).
   * @param fields - extra fields for the failure event.
   * @param level - the level of the failure event; default `critical`.
   * @returns how it went, with the code's result.
   */
  failuresHandled<T>(
    format: string,
    run: () => T,
    fields?: Readonly<Record<string, unknown>>,
    level: LogLevel = LogLevel.critical,
  ): Operation<T> {
    try {
      const result = run();
      return { succeeded: true, failed: false, failure: undefined, result };
    } catch (error) {
      const failure = Failure.from(error);
      this.failure(format, failure, fields, level);
      return { succeeded: false, failed: true, failure, result: undefined };
    }
  }

  /**
   * A reusable guard for hot paths: a function that runs code and, if it throws, logs the failure
   * with a fixed message and returns `undefined`. Make it once and reuse it.
   * @param staticMessage - the message (also used as the format).
   * @param level - the level of the failure events; default `critical`.
   * @returns the guard.
   */
  failureHandler(
    staticMessage: string,
    level: LogLevel = LogLevel.critical,
  ): <T>(run: () => T) => T | undefined {
    return <T>(run: () => T): T | undefined => {
      try {
        return run();
      } catch (error) {
        this.failure(staticMessage, error, undefined, level);
        return undefined;
      }
    };
  }

  /** `<Logger 'namespace'>`. */
  toString(): string {
    return `<Logger ${inspect(this.namespace)}>`;
  }

  /** Shown by `util.inspect` and in formatted events: `<Logger 'namespace'>`. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** In JSON, a logger is its description, `<Logger 'namespace'>`, not its observers. */
  toJSON(): string {
    return this.toString();
  }
}
