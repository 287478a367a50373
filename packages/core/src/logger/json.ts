/**
 * Saving log events as JSON and reading them back: one JSON object per event, in a file that
 * tools (and `eventsFromJSONLogFile`) can read a record at a time.
 * @packageDocumentation
 */

import { Failure } from "../failure.js";
import { flattenedFields } from "./flatten.js";
import { LogLevel } from "./levels.js";
import type { LogEvent } from "./observer.js";
import { reprOf, safeRepr } from "./repr.js";
import { FileLogObserver, type WritableTextStream } from "./text.js";

/** Marks a saved log level; the same identifier as Twisted's, so levels load in either. */
const LEVEL_UUID = "02E59486-F24D-46AD-8224-3ACDF2A5732A";
/** Marks a saved Failure. */
const FAILURE_UUID = "E76887E2-20ED-49BF-A8F8-BA25CC586F2D";
const MAX_DEPTH = 32;

function failureAsJSON(failure: Failure): Record<string, unknown> {
  const attempt = (f: () => string, fallback: string): string => {
    try {
      return f();
    } catch {
      return fallback;
    }
  };
  return {
    __class_uuid__: FAILURE_UUID,
    type: attempt(() => failure.type.name || "Error", "Error"),
    message: attempt(() => failure.getErrorMessage(), ""),
    traceback: attempt(() => failure.getTraceback(), "(UNABLE TO OBTAIN TRACEBACK FROM EVENT)"),
  };
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};
const loadedErrorClasses = new Map<string, ErrorConstructor>();

function errorClassNamed(name: string): ErrorConstructor {
  const builtin = Object.hasOwn(BUILTIN_ERRORS, name) ? BUILTIN_ERRORS[name] : undefined;
  if (builtin !== undefined) return builtin;
  let cls = loadedErrorClasses.get(name);
  if (cls === undefined) {
    cls = class extends Error {} as ErrorConstructor;
    Object.defineProperty(cls, "name", { value: name });
    Object.defineProperty(cls.prototype, "name", {
      value: name,
      writable: true,
      configurable: true,
    });
    loadedErrorClasses.set(name, cls);
  }
  return cls;
}

function failureFromJSON(saved: Record<string, unknown>): Failure {
  const name = typeof saved.type === "string" && saved.type ? saved.type : "Error";
  const error = new (errorClassNamed(name))(String(saved.message ?? ""));
  const traceback =
    typeof saved.traceback === "string" ? saved.traceback : `${name}: ${error.message}`;
  Object.defineProperty(error, "stack", { value: traceback, writable: true, configurable: true });
  return new Failure(error);
}

function toJSONSafe(value: unknown, ancestors: object[]): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "undefined":
      return null;
    case "bigint":
    case "symbol":
    case "function":
      return safeRepr(value);
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.includes(object)) return "[Circular]";
  if (ancestors.length >= MAX_DEPTH) return safeRepr(object);
  try {
    if (Failure.isFailure(object)) return failureAsJSON(object);
    if (object instanceof Uint8Array) return Buffer.from(object).toString("latin1");
    if (object instanceof Error) return String(object);
    if (object instanceof Map || object instanceof Set || object instanceof WeakMap) {
      return reprOf(object);
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      return toJSONSafe(toJSON.call(object), [...ancestors, object]);
    }
    const inner = [...ancestors, object];
    if (Array.isArray(object)) return object.map((item) => toJSONSafe(item, inner));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (item !== undefined) out[key] = toJSONSafe(item, inner);
    }
    return out;
  } catch {
    return safeRepr(object);
  }
}

/**
 * Serialise an event as one line of JSON. Never throws and never writes a newline.
 *
 * - The format fields are rendered into `log_flattened` first (see `flattenEvent`), so
 *   `formatEvent` on the reloaded event gives the same message even where a value did not
 *   survive JSON.
 * - `log_level` is written as Twisted writes it, `{"name": "info", "__class_uuid__": …}`.
 * - A `Failure` becomes `{"__class_uuid__": …, "type": "TypeError", "message": …,
 *   "traceback": …}`.
 * - Bytes become a Latin-1 string; `Map`, `Set`, functions, symbols and bigints become their
 *   `util.inspect` text; circular references become `"[Circular]"`; `undefined` fields are left
 *   out; objects with `toJSON` use it.
 *
 * Differences from Twisted: values JSON cannot hold are written as their text (`repr`), not as
 * `{"unpersistable": true}`; the event itself is not changed (Twisted flattens it in place).
 *
 * @param event - the event.
 * @returns the JSON text.
 */
export function eventAsJSON(event: LogEvent): string {
  const copy: Record<string, unknown> = { ...event };
  const flattened = flattenedFields(event);
  if (flattened !== undefined) copy.log_flattened = flattened;
  const safe = toJSONSafe(copy, []) as Record<string, unknown>;
  if (LogLevel.isLogLevel(event.log_level)) {
    safe.log_level = { name: event.log_level, __class_uuid__: LEVEL_UUID };
  }
  return JSON.stringify(safe);
}

/**
 * Rebuild an event from the JSON `eventAsJSON` wrote: `log_level` becomes a level again (`null`
 * for a level this version does not know) and a saved failure becomes a `Failure` whose value is
 * an Error of the saved class name (the built-in class for `TypeError` and the like, so `check`
 * works), message and traceback.
 * @param eventText - one JSON object.
 * @returns the event.
 * @throws SyntaxError for text that is not JSON; TypeError for JSON that is not an object.
 */
export function eventFromJSON(eventText: string): LogEvent {
  const parsed: unknown = JSON.parse(eventText, (_key, value: unknown) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    if (record.__class_uuid__ === LEVEL_UUID) {
      return LogLevel.isLogLevel(record.name) ? record.name : null;
    }
    if (record.__class_uuid__ === FAILURE_UUID) return failureFromJSON(record);
    return value;
  });
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError("a JSON log event must be an object");
  }
  return parsed as LogEvent;
}

/**
 * An observer that writes each event as JSON: `recordSeparator + JSON + "\n"`.
 *
 * Differences from Twisted: the default separator is `""`, giving plain JSON Lines (one object a
 * line), which Node tools (`jq`, pino and bunyan tooling, log shippers) read directly. Pass
 * `"\x1e"` for Twisted's default, RFC 7464 JSON text sequences; `eventsFromJSONLogFile` reads
 * both.
 * @param outFile - the stream to write to.
 * @param recordSeparator - written before each record; default `""`.
 * @returns the observer.
 */
export function jsonFileLogObserver(
  outFile: WritableTextStream,
  recordSeparator = "",
): FileLogObserver {
  return new FileLogObserver(outFile, (event) => `${recordSeparator}${eventAsJSON(event)}\n`);
}
