/**
 * Twisted's logging, `twisted.logger`, with the legacy `twisted.python.log` API as `log`.
 * @packageDocumentation
 */

export { LimitedHistoryLogObserver } from "./buffer.js";
export { CallableObserver } from "./callable.js";
export {
  FilteringLogObserver,
  type ILogFilterPredicate,
  LogLevelFilterPredicate,
  PredicateResult,
  shouldLogEvent,
} from "./filter.js";
export { extractField, flattenEvent } from "./flatten.js";
export {
  type EventAsTextOptions,
  eventAsText,
  type FormatTimeOptions,
  formatEvent,
  formatEventAsClassicLogText,
  formatTime,
  formatUnformattableEvent,
  timeFormatRFC3339,
} from "./format.js";
export {
  type BeginLoggingOptions,
  capturedLogs,
  globalLogBeginner,
  globalLogPublisher,
  LogBeginner,
  MORE_THAN_ONCE_WARNING,
} from "./global.js";
export { LoggingFile, type RedirectableStream, type StandardIO } from "./io.js";
export { eventAsJSON, eventFromJSON, jsonFileLogObserver } from "./json.js";
export { eventsFromJSONLogFile } from "./jsonRead.js";
export {
  LegacyFileLogObserver,
  type LegacyFileLogObserverOptions,
  LegacyLogPublisher,
  type LegacyLogPublisherOptions,
  type StartLoggingOptions,
} from "./legacy.js";
export {
  type LegacyEventDict,
  type LegacyLogObserver,
  LegacyLogObserverWrapper,
  publishToNewObserver,
  textFromEventDict,
} from "./legacyEvents.js";
export { type LegacyLog, log } from "./legacyLog.js";
export { InvalidLogLevelError, LogLevel, type LogLevelHelpers } from "./levels.js";
export { Logger, type LoggerOptions, type Operation } from "./logger.js";
export {
  bitbucketLogObserver,
  type ILogObserver,
  type LogEvent,
  LogPublisher,
} from "./observer.js";
export type { UtcOffset } from "./strftime.js";
export {
  FileLogObserver,
  type TextFileLogObserverOptions,
  textFileLogObserver,
  type WritableTextStream,
} from "./text.js";
