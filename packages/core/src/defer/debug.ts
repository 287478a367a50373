/**
 * Debug mode for Deferreds, and the log of failures nobody handled.
 *
 * A Deferred whose chain ends on a Failure gets a `DebugInfo` registered with a
 * `FinalizationRegistry`; when the Deferred is garbage collected and the failure is still its
 * final result, "Unhandled error in Deferred:" is logged at critical level with the traceback.
 * @packageDocumentation
 */
import type { Failure } from "../failure.js";
import { Logger } from "../logger/index.js";

/** @internal What a Deferred remembers for debugging and for the unhandled-error log. */
export interface DebugInfo {
  /** Where the Deferred was made (debug mode only). */
  creator?: string;
  /** Where it was first fired (debug mode only). */
  invoker?: string;
  /** The Failure the chain ended on, while nobody has handled it. */
  failResult: Failure | undefined;
}

const log = new Logger({ namespace: "twisted-ts.defer" });
const observed = new WeakSet<Failure>();
let debugging = false;

const registry = new FinalizationRegistry<DebugInfo>((info) => {
  const failure = info.failResult;
  if (failure === undefined || observed.has(failure)) return;
  const extra = [info.creator, info.invoker].filter(Boolean).join("\n");
  log.failure(
    extra ? "Unhandled error in Deferred:\n(debug: {debugInfo})" : "Unhandled error in Deferred:",
    failure,
    extra ? { debugInfo: extra } : {},
  );
});

/** @internal The debug record of a Deferred, made (and registered for GC) on first use. */
export function debugInfoFor(deferred: { debugInfo: DebugInfo | undefined }): DebugInfo {
  let info = deferred.debugInfo;
  if (info === undefined) {
    info = { failResult: undefined };
    deferred.debugInfo = info;
    registry.register(deferred, info);
  }
  return info;
}

/**
 * @internal Remember the Failure a chain ended on, for the log at collection. The error's stack
 * is formatted now: until then V8 keeps the frames' receivers (the Deferred itself among them)
 * alive, which would keep the Deferred from ever being collected.
 */
export function keepUnhandled(info: DebugInfo, failure: Failure): void {
  const value: unknown = failure.value;
  if (value instanceof Error) void value.stack;
  info.failResult = failure;
}

/** @internal Note that a Failure was delivered to promise code, so it is not "unhandled". */
export function markObserved(failure: Failure): void {
  observed.add(failure);
}

/** @internal A stack trace of the caller's caller, headed by `title`. */
export function stackHere(title: string): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, stackHere);
  const frames = (holder.stack ?? "").split("\n").slice(2).join("\n");
  return `${title}:\n${frames}`;
}

/**
 * Turn Deferred debug mode on or off. In debug mode every Deferred records where it was made and
 * first fired; `AlreadyCalledError` and the unhandled-error log show both. It costs two stack
 * captures per Deferred: keep it for development.
 * @param on - whether to record.
 */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/** Whether Deferred debug mode is on; see `setDebugging`. */
export function getDebugging(): boolean {
  return debugging;
}

/** @internal Fast check for the constructor. */
export function isDebugging(): boolean {
  return debugging;
}
