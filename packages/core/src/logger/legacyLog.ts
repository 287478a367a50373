/**
 * `log`: the functions of Twisted's `twisted.python.log` module, over the global legacy
 * publisher.
 * @packageDocumentation
 */

import {
  LegacyFileLogObserver,
  LegacyLogPublisher,
  type StartLoggingOptions,
  theLogPublisher,
} from "./legacy.js";
import type { LegacyLogObserver } from "./legacyEvents.js";
import { textFromEventDict } from "./legacyEvents.js";
import type { WritableTextStream } from "./text.js";

/** The shape of `log`, Twisted's `twisted.python.log` module. */
export interface LegacyLog {
  /**
   * Log a message: `log.msg("Connection from", host)` logs `"Connection from 10.0.0.7"`. A last
   * argument that is a plain object gives extra keys (`{ system: "Echo,0,127.0.0.1" }`,
   * `{ format: "%(n)d bytes", n }`). See `LegacyLogPublisher.msg`.
   */
  msg(...args: unknown[]): void;
  /**
   * Log an error with its traceback, at `critical`: `log.err(failure, "while frobbing")`. See
   * `LegacyLogPublisher.err`.
   */
  err(failure?: unknown, why?: string | null, fields?: Readonly<Record<string, unknown>>): void;
  /** The same as `err`; an errback-friendly name: `d.addErrback(log.deferr)`. */
  deferr(failure?: unknown, why?: string | null, fields?: Readonly<Record<string, unknown>>): void;
  /**
   * Begin logging to a stream in the legacy text format, and (unless `setStdout` is false) send
   * standard output and standard error into the log: `log.startLogging(process.stdout)`.
   * @returns the observer, or `undefined` when the stream is a `LoggingFile`.
   */
  startLogging(
    stream: WritableTextStream,
    options?: StartLoggingOptions,
  ): LegacyFileLogObserver | undefined;
  /** Begin logging to a legacy observer; see `LegacyLogPublisher.startLoggingWithObserver`. */
  startLoggingWithObserver(observer: LegacyLogObserver, options?: { setStdout?: boolean }): void;
  /** Add a legacy observer; it receives every event, modern ones included. */
  addObserver(observer: LegacyLogObserver): void;
  /** Remove a legacy observer. */
  removeObserver(observer: LegacyLogObserver): void;
  /** The text of a legacy event, or `null`; see `textFromEventDict`. */
  textFromEventDict(eventDict: Readonly<Record<string, unknown>>): string | null;
  /** The legacy text file observer class, Twisted's `log.FileLogObserver`. */
  readonly FileLogObserver: typeof LegacyFileLogObserver;
  /** The legacy publisher class, Twisted's `log.LogPublisher`. */
  readonly LogPublisher: typeof LegacyLogPublisher;
  /** The global legacy publisher these functions use. */
  readonly theLogPublisher: LegacyLogPublisher;
}

/**
 * Twisted's legacy logging module, `twisted.python.log`, for programs written against it:
 *
 * ```ts
 * import { log } from "@twisted-ts/core";
 * log.startLogging(process.stdout);
 * log.msg("Server listening on", 8000);
 * // 2026-11-23 10:00:00+0000 [-] Log opened.
 * // 2026-11-23 10:00:00+0000 [-] Server listening on 8000
 * ```
 *
 * Legacy events travel through `globalLogPublisher` as modern events (namespace
 * `"log_legacy"`, format `"{log_text}"`), so modern observers see them and legacy observers see
 * modern events.
 *
 * Differences from Twisted: keyword arguments are a trailing plain object; times are UTC by
 * default; there is no `callWithContext`/`callWithLogger` (pass `system` in the fields), no
 * `PythonLoggingObserver` and no `showwarning`; `startLogging`'s standard I/O redirection patches
 * the streams' `write`.
 */
export const log: LegacyLog = {
  msg: (...args) => theLogPublisher().msg(...args),
  err: (failure, why, fields) => theLogPublisher().err(failure, why, fields),
  deferr: (failure, why, fields) => theLogPublisher().err(failure, why, fields),
  startLogging: (stream, options) => theLogPublisher().startLogging(stream, options),
  startLoggingWithObserver: (observer, options) =>
    theLogPublisher().startLoggingWithObserver(observer, options),
  addObserver: (observer) => theLogPublisher().addObserver(observer),
  removeObserver: (observer) => theLogPublisher().removeObserver(observer),
  textFromEventDict,
  FileLogObserver: LegacyFileLogObserver,
  LogPublisher: LegacyLogPublisher,
  get theLogPublisher(): LegacyLogPublisher {
    return theLogPublisher();
  },
};
