/**
 * Turning log events into text: the message from `log_format`, time stamps, and the classic
 * `time [system] message` line of Twisted's text log files.
 * @packageDocumentation
 */

import { flatFormat } from "./flatten.js";
import { formatWithCall } from "./formatString.js";
import type { LogEvent } from "./observer.js";
import { reprOf, safeRepr, strOf } from "./repr.js";
import { resolveOffset, strftime, type UtcOffset } from "./strftime.js";

/** The `strftime` format of RFC 3339 time stamps, as log files use: `2026-11-23T10:00:00+0000`. */
export const timeFormatRFC3339 = "%Y-%m-%dT%H:%M:%S%z";

/** Options of `formatTime`. */
export interface FormatTimeOptions {
  /**
   * The offset from UTC to show times in: seconds east of UTC (`3600` shows `+0100`), or
   * `"local"` for the process's time zone. Default `0`, UTC.
   */
  utcOffset?: UtcOffset;
}

/**
 * Format a time stamp as text.
 *
 * ```ts
 * formatTime(1795428000); // "2026-11-23T10:00:00+0000"
 * formatTime(1795428000, "%Y/%W"); // "2026/47"
 * formatTime(undefined); // "-"
 * ```
 *
 * Differences from Twisted: times are shown in UTC unless `options.utcOffset` says otherwise;
 * Twisted uses the local time zone. UTC keeps logs from different hosts comparable and tests
 * independent of the machine's zone; pass `{ utcOffset: "local" }` for Twisted's behaviour.
 *
 * @param when - seconds since the epoch, or `null`/`undefined` when unknown.
 * @param timeFormat - a `strftime` format (see `timeFormatRFC3339`), or `null` for `defaultText`.
 * @param defaultText - the text to return when `when` or `timeFormat` is missing.
 * @param options - the time zone to use.
 * @returns the formatted time.
 */
export function formatTime(
  when: number | null | undefined,
  timeFormat: string | null = timeFormatRFC3339,
  defaultText = "-",
  options: FormatTimeOptions = {},
): string {
  if (timeFormat === null || when === null || when === undefined || !Number.isFinite(when)) {
    return defaultText;
  }
  return strftime(when, timeFormat, resolveOffset(when, options.utcOffset ?? 0));
}

/**
 * Describe an event whose format could not be rendered, along with the error. Never throws: when
 * even the description fails, it returns what it can recover of the event's fields.
 * @param event - the event.
 * @param error - what went wrong while formatting it.
 * @returns `"Unable to format event …: …"`, or a `"MESSAGE LOST: …"` text as a last resort.
 */
export function formatUnformattableEvent(event: LogEvent, error: unknown): string {
  try {
    return `Unable to format event ${reprOf(event)}: ${String(error)}`;
  } catch (nasty) {
    let text: string;
    try {
      text = Object.entries(event)
        .map(([key, value]) => `${safeRepr(key)} = ${safeRepr(value)}`)
        .join(", ");
    } catch {
      text = "(none)";
    }
    const trace = nasty instanceof Error ? (nasty.stack ?? String(nasty)) : safeRepr(nasty);
    return (
      `MESSAGE LOST: unformattable object logged: ${safeRepr(error)}\n` +
      `Recoverable data: ${text}\n` +
      `Exception during formatting:\n${trace}`
    );
  }
}

function renderMessage(event: LogEvent): string {
  try {
    if (event.log_flattened !== undefined && event.log_flattened !== null) {
      return flatFormat(event);
    }
    const format: unknown = event.log_format;
    if (format === null || format === undefined) return "";
    if (typeof format !== "string") {
      throw new TypeError(`Log format must be a string, not ${reprOf(format)}`);
    }
    return formatWithCall(format, event);
  } catch (error) {
    return formatUnformattableEvent(event, error);
  }
}

/**
 * Render an event's message: its `log_format` with the event's fields filled in (PEP 3101
 * syntax, plus `{name()}` to call a function field). Never throws: a format that cannot be
 * rendered, including one that names a missing field, gives an `"Unable to format event …"` text
 * that shows the event and the error (`KeyError: 'name'` for a missing field).
 *
 * ```ts
 * formatEvent({ log_format: "{who} sent {n:,} bytes", who: "alice", n: 12345 });
 * // "alice sent 12,345 bytes"
 * ```
 *
 * @param event - the event.
 * @returns the message, or `""` when the event has no format.
 */
export function formatEvent(event: LogEvent): string {
  return eventAsText(event, {
    includeTraceback: false,
    includeTimestamp: false,
    includeSystem: false,
  });
}

function formatTraceback(failure: unknown): string {
  try {
    const traceback = (failure as { getTraceback(): unknown }).getTraceback();
    return String(traceback);
  } catch (error) {
    return `(UNABLE TO OBTAIN TRACEBACK FROM EVENT):${safeStringOfError(error)}`;
  }
}

function safeStringOfError(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "";
  }
}

function formatSystem(event: LogEvent): string {
  const system = event.log_system;
  if (system === null || system === undefined) {
    const level = event.log_level ?? "-";
    const namespace = event.log_namespace ?? "-";
    return `${safeText(namespace)}#${safeText(level)}`;
  }
  return safeText(system);
}

function safeText(value: unknown): string {
  try {
    return strOf(value);
  } catch {
    return "UNFORMATTABLE";
  }
}

/** Options of `eventAsText`. */
export interface EventAsTextOptions {
  /** Append the traceback of `log_failure`, when the event has one. Default true. */
  includeTraceback?: boolean;
  /** Start with the formatted `log_time` and a space. Default true. */
  includeTimestamp?: boolean;
  /** Add `[system] ` (`log_system`, or `namespace#level`) before the message. Default true. */
  includeSystem?: boolean;
  /** Formats `log_time`; by default `formatTime` (RFC 3339, UTC). */
  formatTime?: (when: number | undefined) => string;
}

/**
 * Render an event as text, optionally with its time stamp, its system and its failure's
 * traceback: `"<time> [<system>] <message>\n<traceback>"`. The system is `log_system` when set,
 * otherwise `namespace#level` (with `-` for a missing part). When the message and traceback are
 * both empty the result is `""`, whatever else is asked for.
 * @param event - the event.
 * @param options - which parts to include.
 * @returns the text (never throws).
 */
export function eventAsText(event: LogEvent, options: EventAsTextOptions = {}): string {
  let text = renderMessage(event);
  if (options.includeTraceback !== false && "log_failure" in event) {
    text = `${text}\n${formatTraceback(event.log_failure)}`;
  }
  if (!text) return text;
  let prefix = "";
  if (options.includeTimestamp !== false) {
    const time = typeof event.log_time === "number" ? event.log_time : undefined;
    let stamp: string;
    try {
      stamp = (options.formatTime ?? formatTime)(time);
    } catch {
      stamp = "-";
    }
    prefix += `${stamp} `;
  }
  if (options.includeSystem !== false) prefix += `[${formatSystem(event)}] `;
  return prefix + text;
}

/**
 * Render an event as one entry of a classic text log file:
 * `"2026-11-23T10:00:00+0000 [my.namespace#info] message\n"`. Continuation lines (a multi-line
 * message, or the traceback of `log_failure`) are indented with a tab, so every entry starts at
 * the beginning of a line and nothing else does.
 * @param event - the event.
 * @param formatTimeFn - formats `log_time`; by default `formatTime` (RFC 3339, UTC).
 * @returns the entry, ending in a newline, or `null` when the event has nothing to show.
 */
export function formatEventAsClassicLogText(
  event: LogEvent,
  formatTimeFn: (when: number | undefined) => string = formatTime,
): string | null {
  const text = eventAsText(event, { formatTime: formatTimeFn });
  if (!text) return null;
  return `${text.replaceAll("\n", "\n\t")}\n`;
}
