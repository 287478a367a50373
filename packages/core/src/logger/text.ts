/**
 * Observers that write formatted events to a stream: the classic text log file.
 * @packageDocumentation
 */

import { CallableObserver } from "./callable.js";
import { formatEventAsClassicLogText, formatTime, timeFormatRFC3339 } from "./format.js";
import type { LogEvent } from "./observer.js";
import type { UtcOffset } from "./strftime.js";

/**
 * Where text observers write: anything with a `write(text)` method, such as `process.stdout`, a
 * `fs.WriteStream`, or an object collecting strings in a test. A `flush()` method, when present,
 * is called after each write.
 */
export interface WritableTextStream {
  /** Write a piece of text. */
  write(text: string): unknown;
  /** Push buffered text out, when the stream buffers. */
  flush?(): unknown;
}

/**
 * An observer that formats each event with a function and writes the result to a stream. Events
 * the function renders as `null` or `""` are skipped.
 */
export class FileLogObserver extends CallableObserver {
  /** The stream written to. */
  readonly outFile: WritableTextStream;
  /** Turns an event into the text to write. */
  readonly formatEvent: (event: LogEvent) => string | null | undefined;

  /**
   * @param outFile - the stream to write to.
   * @param formatEvent - turns an event into text (including any newline), or `null` to skip it.
   */
  constructor(
    outFile: WritableTextStream,
    formatEvent: (event: LogEvent) => string | null | undefined,
  ) {
    super();
    this.outFile = outFile;
    this.formatEvent = formatEvent;
  }

  /**
   * Format the event and write it.
   * @param event - the event.
   */
  observe(event: LogEvent): void {
    const text = this.formatEvent(event);
    if (text) {
      this.outFile.write(text);
      this.outFile.flush?.();
    }
  }
}

/** Options of `textFileLogObserver`. */
export interface TextFileLogObserverOptions {
  /**
   * The `strftime` format of time stamps; default `timeFormatRFC3339`. `null` writes `-` instead
   * of a time, as it does for events without `log_time`.
   */
  timeFormat?: string | null;
  /** The offset from UTC of time stamps, in seconds east, or `"local"`; default `0` (UTC). */
  utcOffset?: UtcOffset;
  /** Formats `log_time` itself, replacing `timeFormat` and `utcOffset`. */
  formatTime?: (when: number | undefined) => string;
}

/**
 * An observer that writes events to a stream as classic log lines:
 *
 * ```text
 * 2026-11-23T10:00:00+0000 [myapp.server#info] 10.0.0.7:5123 connected
 * 2026-11-23T10:00:01+0000 [myapp.server#critical] While handling request 7
 * 	Error: boom
 * 	    at handle (server.ts:10:11)
 * ```
 *
 * Continuation lines and tracebacks are indented with a tab. `log_system`, when set, replaces
 * `namespace#level`.
 *
 * Differences from Twisted: time stamps are in UTC unless `utcOffset` says otherwise (Twisted
 * uses local time).
 *
 * @param outFile - the stream to write to, e.g. `process.stdout`.
 * @param options - how to write time stamps.
 * @returns the observer.
 */
export function textFileLogObserver(
  outFile: WritableTextStream,
  options: TextFileLogObserverOptions = {},
): FileLogObserver {
  const timeFormat = options.timeFormat === undefined ? timeFormatRFC3339 : options.timeFormat;
  const timeOptions = { utcOffset: options.utcOffset ?? 0 };
  const format =
    options.formatTime ??
    ((when: number | undefined) => formatTime(when, timeFormat, "-", timeOptions));
  return new FileLogObserver(outFile, (event) => formatEventAsClassicLogText(event, format));
}
