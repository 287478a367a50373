/**
 * The meeting point of the two logging systems: legacy `log.msg` event dictionaries made into
 * modern events, modern events made into what legacy observers expect, and the text of a legacy
 * event.
 * @packageDocumentation
 */

import { CallableObserver } from "./callable.js";
import { formatEvent } from "./format.js";
import { LogLevel } from "./levels.js";
import type { ILogObserver, LogEvent } from "./observer.js";
import { percentFormat } from "./percentFormat.js";
import { reprOf, safeStr, strOf } from "./repr.js";

/**
 * An event as legacy (`twisted.python.log`) observers receive it: a modern event plus the legacy
 * keys.
 */
export interface LegacyEventDict extends LogEvent {
  /** The messages passed to `log.msg`, joined with spaces to make the text. */
  message: unknown[];
  /** When the event happened, in seconds since the epoch. */
  time: number;
  /** The "system" shown in brackets in log lines; `"-"` by default. */
  system: unknown;
  /** Truthy for errors (`log.err`). */
  isError: number | boolean;
  /** The failure of an error event. */
  failure?: unknown;
  /** Why the error happened; the first line of an error's text. */
  why?: unknown;
  /** A `%`-style format (`"%(user)s logged in"`) rendered with the event's keys. */
  format?: unknown;
}

/** A legacy observer: a function of a `LegacyEventDict`. */
export type LegacyLogObserver = (eventDict: LegacyEventDict) => void;

/** Renders its event's modern format only when a legacy observer turns it into text. */
class StringifiableFromEvent {
  constructor(private readonly event: LogEvent) {}

  toString(): string {
    return formatEvent(this.event);
  }
}

/**
 * Format with `%` and a mapping, and never throw: a broken format or value gives a line saying
 * so instead of the message.
 * @internal
 */
export function safeFormat(format: unknown, mapping: Readonly<Record<string, unknown>>): string {
  try {
    if (typeof format !== "string") throw new TypeError("format must be a string");
    return percentFormat(format, mapping);
  } catch {
    try {
      return `Invalid format string or unformattable object in log message: ${reprOf(format)}, ${strOf(mapping)}`;
    } catch {
      try {
        return `UNFORMATTABLE OBJECT WRITTEN TO LOG with fmt ${reprOf(format)}, MESSAGE LOST`;
      } catch {
        return "PATHOLOGICAL ERROR IN BOTH FORMAT STRING AND MESSAGE DETAILS, MESSAGE LOST";
      }
    }
  }
}

/**
 * The text of a legacy event, as legacy file observers write it:
 * - its `message` items, made text and joined with spaces, when there are any;
 * - otherwise, for an error with a `failure`: `why` (or `"Unhandled Error"`), a newline, and the
 *   failure's traceback;
 * - otherwise, its `format` rendered with `%` and the event's keys;
 * - otherwise `null`: there is nothing to show.
 * @param eventDict - a legacy event.
 * @returns the text, or `null`.
 */
export function textFromEventDict(eventDict: Readonly<Record<string, unknown>>): string | null {
  const message = eventDict.message;
  const empty =
    message === undefined ||
    message === null ||
    message === "" ||
    (Array.isArray(message) && message.length === 0);
  if (!empty) return (Array.isArray(message) ? message : [message]).map(safeStr).join(" ");
  if (eventDict.isError && "failure" in eventDict) {
    const why = eventDict.why ? safeStr(eventDict.why) : "Unhandled Error";
    let traceback: string;
    try {
      traceback = String((eventDict.failure as { getTraceback(): unknown }).getTraceback());
    } catch (error) {
      traceback = `(unable to obtain traceback): ${safeStr(error)}`;
    }
    return `${why}\n${traceback}`;
  }
  if ("format" in eventDict) return safeFormat(eventDict.format, eventDict);
  return null;
}

/**
 * An observer that adapts modern events for a legacy observer: it passes a copy of each event
 * with `message`, `time`, `system`, `isError` and (for failures) `failure` and `why` filled in,
 * and a `format` that renders the modern message.
 *
 * Differences from Twisted: the legacy observer gets a copy; the event other observers see is
 * not changed. A `message` field of a modern event (one made by a `Logger`) is never mistaken
 * for legacy messages.
 */
export class LegacyLogObserverWrapper extends CallableObserver {
  /** The legacy observer events are forwarded to. */
  readonly legacyObserver: LegacyLogObserver;

  /**
   * @param legacyObserver - the legacy observer to forward to.
   */
  constructor(legacyObserver: LegacyLogObserver) {
    super();
    this.legacyObserver = legacyObserver;
  }

  /**
   * Forward a legacy-compatible copy of the event.
   * @param event - the event.
   */
  observe(event: LogEvent): void {
    const copy: Record<string, unknown> = { ...event };
    if (!("message" in copy)) copy.message = [];
    if (!("time" in copy)) copy.time = copy.log_time;
    if (!("system" in copy)) copy.system = copy.log_system ?? "-";
    if (!("format" in copy) && copy.log_format !== null && copy.log_format !== undefined) {
      copy.format = "%(log_legacy)s";
      copy.log_legacy = new StringifiableFromEvent({ ...event });
      if (!Array.isArray(copy.message) || "log_logger" in event) copy.message = [];
    }
    if ("log_failure" in copy) {
      if (!("failure" in copy)) copy.failure = copy.log_failure;
      if (!("isError" in copy)) copy.isError = 1;
      if (!("why" in copy)) copy.why = formatEvent(event);
    } else if (!("isError" in copy)) {
      copy.isError =
        copy.log_level === LogLevel.error || copy.log_level === LogLevel.critical ? 1 : 0;
    }
    this.legacyObserver(copy as LegacyEventDict);
  }

  /** `LegacyLogObserverWrapper(<observer>)`. */
  override toString(): string {
    return `LegacyLogObserverWrapper(${safeStr(this.legacyObserver)})`;
  }
}

const STDLIB_LEVELS: ReadonlyMap<unknown, LogLevel> = new Map<unknown, LogLevel>([
  [10, "debug"],
  [20, "info"],
  [30, "warn"],
  [40, "error"],
  [50, "critical"],
  ["DEBUG", "debug"],
  ["INFO", "info"],
  ["WARNING", "warn"],
  ["ERROR", "error"],
  ["CRITICAL", "critical"],
]);

/**
 * Publish a legacy event to a modern observer, filling in the modern keys it lacks: `log_time`
 * from `time`; `log_format` `"{log_text}"` with the legacy text in `log_text`; `log_level` from
 * `logLevel` (Python `logging` levels or names) or from `isError` (`critical` or `info`);
 * `log_namespace` `"log_legacy"`; `log_system` from `system`. Changes `eventDict` in place.
 * @param observer - the modern observer.
 * @param eventDict - the legacy event.
 * @param textFromEvent - renders the legacy text; default `textFromEventDict`.
 */
export function publishToNewObserver(
  observer: ILogObserver,
  eventDict: Record<string, unknown>,
  textFromEvent: (eventDict: Record<string, unknown>) => string | null = textFromEventDict,
): void {
  if (!("log_time" in eventDict)) eventDict.log_time = eventDict.time;
  if (!("log_format" in eventDict)) {
    const text = textFromEvent(eventDict);
    if (text !== null) {
      eventDict.log_text = text;
      eventDict.log_format = "{log_text}";
    }
  }
  if (!("log_level" in eventDict)) {
    let level: LogLevel | undefined = LogLevel.info;
    if ("logLevel" in eventDict) {
      const given = eventDict.logLevel;
      level = LogLevel.isLogLevel(given) ? given : STDLIB_LEVELS.get(given);
    } else if ("isError" in eventDict) {
      level = eventDict.isError ? LogLevel.critical : LogLevel.info;
    }
    if (level !== undefined) eventDict.log_level = level;
  }
  if (!("log_namespace" in eventDict)) eventDict.log_namespace = "log_legacy";
  if (!("log_system" in eventDict) && "system" in eventDict)
    eventDict.log_system = eventDict.system;
  observer(eventDict);
}
