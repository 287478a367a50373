/**
 * `twisted.internet.task`: scheduling helpers. `Clock` (fake time for tests), `DelayedCall`,
 * `LoopingCall`, `deferLater`, and the `Cooperator` with `coiterate`/`cooperate`.
 * @packageDocumentation
 */
export type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
export { Clock } from "./clock.js";
export { type CooperativeIterator, CooperativeTask } from "./cooperativeTask.js";
export {
  Cooperator,
  type CooperatorOptions,
  type CooperatorScheduler,
  coiterate,
  cooperate,
  type TerminationPredicateFactory,
} from "./cooperator.js";
export { getDefaultClock, setDefaultClock } from "./defaultClock.js";
export { deferLater } from "./deferLater.js";
export { DelayedCall, type DelayedCallOwner } from "./delayedCall.js";
export { LoopingCall } from "./loopingCall.js";
export { type ReactOptions, type ReactReactor, react } from "./react.js";
