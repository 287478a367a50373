/**
 * `twisted.internet.defer` for TypeScript.
 * @packageDocumentation
 */
export { getDebugging, setDebugging } from "./debug.js";
export {
  type Canceller,
  type Chainable,
  Deferred,
  type TimeoutClock,
  type Unwrapped,
} from "./deferred.js";
export { ensureDeferred, fail, maybeDeferred, succeed } from "./helpers.js";
export { type InlineCallbacksGenerator, inlineCallbacks, waitFor } from "./inlineCallbacks.js";
export {
  DeferredList,
  type DeferredListOptions,
  type DeferredListOutcome,
  type DeferredListResult,
  type DeferredListResultItem,
  type DeferredListSingleResult,
  type DeferredResult,
  type DeferredResults,
  type FiresOnOneCallback,
  type FiresOnOneErrback,
  gatherResults,
  type NeverFiresOnOneCallback,
  type RaceResult,
  race,
} from "./list.js";
export { DeferredLock, DeferredSemaphore } from "./locks.js";
export { DeferredQueue } from "./queue.js";
