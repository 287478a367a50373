/**
 * Filtering observers: pass on only the events a set of predicates lets through, such as events
 * at or above a level chosen per namespace.
 * @packageDocumentation
 */

import { inspect } from "node:util";
import { CallableObserver } from "./callable.js";
import { InvalidLogLevelError, LogLevel, levelIndex } from "./levels.js";
import { bitbucketLogObserver, type ILogObserver, type LogEvent } from "./observer.js";

/**
 * What a filter predicate says about an event:
 * - `yes`: log it, without asking the remaining predicates;
 * - `no`: drop it, without asking the remaining predicates;
 * - `maybe`: no opinion; ask the next predicate (an event every predicate is unsure about is
 *   logged).
 */
export const PredicateResult: {
  /** Log the event; later predicates are not asked. */
  readonly yes: "yes";
  /** Drop the event; later predicates are not asked. */
  readonly no: "no";
  /** No opinion; the next predicate decides, and the event is logged if none objects. */
  readonly maybe: "maybe";
} = Object.freeze({ yes: "yes", no: "no", maybe: "maybe" } as const);

/** One of `PredicateResult.yes`, `.no` or `.maybe`. */
export type PredicateResult = (typeof PredicateResult)[keyof typeof PredicateResult];

/**
 * A function that decides whether an event should be logged.
 * @param event - the event to judge.
 * @returns a `PredicateResult`.
 */
export type ILogFilterPredicate = (event: LogEvent) => PredicateResult;

/**
 * Ask each predicate in turn whether to log an event: the first `yes` or `no` wins; when every
 * predicate answers `maybe` (or there are none) the event is logged.
 * @param predicates - the predicates, in order.
 * @param event - the event.
 * @returns whether to log the event.
 * @throws TypeError when a predicate returns something other than a `PredicateResult`.
 */
export function shouldLogEvent(
  predicates: Iterable<ILogFilterPredicate>,
  event: LogEvent,
): boolean {
  for (const predicate of predicates) {
    const result: unknown = predicate(event);
    if (result === PredicateResult.yes) return true;
    if (result === PredicateResult.no) return false;
    if (result !== PredicateResult.maybe) {
      throw new TypeError(`Invalid predicate result: ${inspect(result)}`);
    }
  }
  return true;
}

/**
 * An observer that forwards to another observer only the events its predicates let through;
 * the others go to `negativeObserver` (by default, nowhere).
 *
 * ```ts
 * const levels = new LogLevelFilterPredicate(LogLevel.info);
 * levels.setLogLevelForNamespace("twisted.web", LogLevel.warn);
 * globalLogBeginner.beginLoggingTo([new FilteringLogObserver(textObserver, [levels])]);
 * ```
 */
export class FilteringLogObserver extends CallableObserver {
  private readonly target: ILogObserver;
  private readonly predicates: readonly ILogFilterPredicate[];
  private readonly negative: ILogObserver;

  /**
   * @param observer - receives the events the predicates let through.
   * @param predicates - consulted in order for each event (see `shouldLogEvent`).
   * @param negativeObserver - receives the events the predicates reject.
   */
  constructor(
    observer: ILogObserver,
    predicates: Iterable<ILogFilterPredicate>,
    negativeObserver: ILogObserver = bitbucketLogObserver,
  ) {
    super();
    this.target = observer;
    this.predicates = [...predicates];
    this.negative = negativeObserver;
  }

  /**
   * Forward the event to the wrapped observer or to the negative observer.
   * @param event - the event.
   * @throws TypeError when a predicate returns an invalid result.
   */
  observe(event: LogEvent): void {
    if (shouldLogEvent(this.predicates, event)) {
      if (Array.isArray(event.log_trace)) event.log_trace.push([this, this.target]);
      this.target(event);
    } else {
      this.negative(event);
    }
  }
}

/** The call signature of a `LogLevelFilterPredicate`: calling one judges an event. */
export interface LogLevelFilterPredicate {
  /** Judge an event; the same as `evaluate(event)`. */
  // biome-ignore lint/style/useShorthandFunctionType: only an interface merges with the class.
  (event: LogEvent): PredicateResult;
}

/**
 * A predicate that drops events less important than the level set for their namespace. Levels
 * are inherited down dotted namespaces: a level set for `"twext.web2"` applies to
 * `"twext.web2.dav.test"` unless a longer prefix has its own. Namespaces with no level set use
 * `defaultLogLevel`. Events without a level or without a namespace are dropped.
 *
 * A predicate is itself a function: call it with an event to get a `PredicateResult`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only adds the call signature.
export class LogLevelFilterPredicate {
  /** The level for namespaces that have none of their own; `clearLogLevels` restores it. */
  declare defaultLogLevel: LogLevel;
  // Fields are set on the callable returned by the constructor, not on `this`.
  declare private levels: Map<string, LogLevel>;

  /**
   * @param defaultLogLevel - the minimum level for namespaces with no level of their own.
   */
  constructor(defaultLogLevel: LogLevel = LogLevel.info) {
    const self = ((event: LogEvent) => self.evaluate(event)) as unknown as LogLevelFilterPredicate;
    Object.setPrototypeOf(self, new.target.prototype);
    self.levels = new Map();
    self.defaultLogLevel = defaultLogLevel;
    self.clearLogLevels();
    // biome-ignore lint/correctness/noConstructorReturn: instances must be callable functions.
    return self;
  }

  /**
   * The minimum level that applies to a namespace: its own, or that of its longest dotted prefix
   * that has one, or the default.
   * @param namespace - a dotted namespace; `""`, `null` or `undefined` asks for the default.
   * @returns the level.
   */
  logLevelForNamespace(namespace: string | null | undefined): LogLevel {
    const fallback = this.levels.get("") ?? this.defaultLogLevel;
    if (!namespace) return fallback;
    const own = this.levels.get(namespace);
    if (own !== undefined) return own;
    const segments = namespace.split(".");
    for (let end = segments.length - 1; end > 0; end--) {
      const level = this.levels.get(segments.slice(0, end).join("."));
      if (level !== undefined) return level;
    }
    return fallback;
  }

  /**
   * Set the minimum level for a namespace and, by inheritance, the namespaces below it.
   * @param namespace - a dotted namespace; `""` (or `null`) sets the default for all namespaces.
   * @param level - the minimum level.
   * @throws InvalidLogLevelError when `level` is not a log level.
   */
  setLogLevelForNamespace(namespace: string | null | undefined, level: LogLevel): void {
    if (!LogLevel.isLogLevel(level)) throw new InvalidLogLevelError(level);
    this.levels.set(namespace || "", level);
  }

  /** Forget every level set so far; all namespaces fall back to `defaultLogLevel`. */
  clearLogLevels(): void {
    this.levels.clear();
    this.levels.set("", this.defaultLogLevel);
  }

  /**
   * Judge an event: `no` if it lacks a level or a namespace or is below its namespace's level,
   * otherwise `maybe` (so later predicates may still drop it).
   * @param event - the event.
   */
  evaluate(event: LogEvent): PredicateResult {
    const level = levelIndex(event.log_level);
    if (level < 0 || !event.log_namespace) return PredicateResult.no;
    if (level < levelIndex(this.logLevelForNamespace(event.log_namespace))) {
      return PredicateResult.no;
    }
    return PredicateResult.maybe;
  }
}

// Predicates are functions, so they keep call/apply/bind.
Object.setPrototypeOf(LogLevelFilterPredicate.prototype, Function.prototype);
