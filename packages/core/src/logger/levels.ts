/**
 * Log levels: how much a log event matters, from `debug` up to `critical`.
 * @packageDocumentation
 */

import { TwistedError } from "../errors.js";

const NAMES: readonly LogLevel[] = ["debug", "info", "warn", "error", "critical"];

/**
 * The name of a log level: `"debug"`, `"info"`, `"warn"`, `"error"` or `"critical"`, in rising
 * order of importance. Events carry it in `log_level`.
 *
 * Differences from Twisted: a level is its name (a string), not a `NamedConstant`, so it prints,
 * compares with `===` and survives `JSON.stringify` as it is. Twisted's `level.name` is the level
 * itself here.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "critical";

const ORDER: ReadonlyMap<string, number> = new Map(NAMES.map((name, index) => [name, index]));

/**
 * Thrown when something asks for a log level that does not exist: an unknown name given to
 * `LogLevel.levelWithName`, or an invalid level given to
 * `LogLevelFilterPredicate.setLogLevelForNamespace`. Twisted's `InvalidLogLevelError`.
 */
export class InvalidLogLevelError extends TwistedError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_INVALID_LOG_LEVEL";

  /** The value that was offered as a level. */
  readonly level: unknown;

  /**
   * @param level - the value that is not a log level.
   */
  constructor(level: unknown) {
    super(String(level));
    this.level = level;
  }
}

/** What the `LogLevel` constant offers besides the five levels. */
export interface LogLevelHelpers {
  /**
   * The level with this name, for turning configuration text (`--log-level warn`) into a level.
   * @param name - a level name, e.g. `"warn"`.
   * @returns the level.
   * @throws InvalidLogLevelError when `name` names no level.
   */
  levelWithName(name: string): LogLevel;
  /**
   * Whether a value is one of the five levels.
   * @param value - anything.
   */
  isLogLevel(value: unknown): value is LogLevel;
  /**
   * Order two levels, for sorting or for "at least this important" checks.
   * @param a - a level.
   * @param b - another level.
   * @returns a negative number when `a` is less important than `b`, zero when they are the same
   *   level, a positive number when `a` is more important.
   */
  compare(a: LogLevel, b: LogLevel): number;
  /**
   * All levels, least important first (Twisted's `LogLevel.iterconstants()`).
   * @returns a new array of the five levels.
   */
  iterconstants(): LogLevel[];
}

/**
 * The five log levels, as constants, plus helpers to look them up and order them:
 *
 * - `debug`: of interest to someone debugging the software;
 * - `info`: routine information (a connection arrived, a service started);
 * - `warn`: worth a closer look, but not a failure of the system (bad data from a peer);
 * - `error`: a failure of the system (a lost database connection, an unhandled error);
 * - `critical`: a failure that needs attention now (an outage, data loss, an error nobody
 *   expected, such as the ones `Logger.failure` reports).
 *
 * ```ts
 * LogLevel.compare(LogLevel.warn, LogLevel.info) > 0; // true
 * LogLevel.levelWithName("error"); // "error"
 * ```
 */
export const LogLevel: {
  /** Of interest to someone debugging the software. */
  readonly debug: "debug";
  /** Routine information about the running program. */
  readonly info: "info";
  /** Something that may need attention, but not a failure of the system. */
  readonly warn: "warn";
  /** A failure of the system. */
  readonly error: "error";
  /** A failure that needs attention now, or whose consequences are unknown. */
  readonly critical: "critical";
} & LogLevelHelpers = Object.freeze({
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  critical: "critical",
  levelWithName(name: string): LogLevel {
    if (typeof name !== "string" || !ORDER.has(name)) throw new InvalidLogLevelError(name);
    return name as LogLevel;
  },
  isLogLevel(value: unknown): value is LogLevel {
    return typeof value === "string" && ORDER.has(value);
  },
  compare(a: LogLevel, b: LogLevel): number {
    return levelIndex(a) - levelIndex(b);
  },
  iterconstants(): LogLevel[] {
    return [...NAMES];
  },
} as const);

/**
 * The position of a level in the order (debug is 0, critical is 4), or -1 for anything else.
 * @internal
 */
export function levelIndex(level: unknown): number {
  return typeof level === "string" ? (ORDER.get(level) ?? -1) : -1;
}
