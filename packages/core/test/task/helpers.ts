/**
 * Helpers for the task tests: read a Deferred's current result synchronously, as trial's
 * `successResultOf`, `failureResultOf` and `assertNoResult` do, and a fake Cooperator scheduler.
 */
import type { Deferred } from "../../src/defer/index.js";
import { type ErrorType, Failure } from "../../src/failure.js";

type Outcome =
  | { kind: "none" }
  | { kind: "success"; value: unknown }
  | { kind: "failure"; failure: Failure };

function outcomeOf(d: Deferred<unknown>, consume: boolean): Outcome {
  let outcome: Outcome = { kind: "none" };
  d.addBoth((result: unknown) => {
    if (Failure.isFailure(result)) {
      outcome = { kind: "failure", failure: result };
      return consume ? undefined : result;
    }
    outcome = { kind: "success", value: result };
    return result;
  });
  return outcome;
}

/** The value `d` has fired with; fails the test if it has no result or failed. */
export function successResultOf<T>(d: Deferred<T>): T {
  const outcome = outcomeOf(d as Deferred<unknown>, false);
  if (outcome.kind === "none") throw new Error("Deferred has no result");
  if (outcome.kind === "failure") {
    throw new Error(`Deferred failed: ${outcome.failure.getErrorMessage()}`);
  }
  return outcome.value as T;
}

/** The Failure `d` has failed with (consumed); fails the test otherwise or on a wrong type. */
export function failureResultOf(d: Deferred<unknown>, ...types: ErrorType[]): Failure {
  const outcome = outcomeOf(d, true);
  if (outcome.kind === "none") throw new Error("Deferred has no result");
  if (outcome.kind === "success")
    throw new Error(`Deferred succeeded with ${String(outcome.value)}`);
  if (types.length > 0 && outcome.failure.check(...types) === null) {
    throw new Error(`Deferred failed with the wrong error: ${outcome.failure.getErrorMessage()}`);
  }
  return outcome.failure;
}

/** Whether `d` has not fired yet (or waits on another Deferred). */
export function hasNoResult(d: Deferred<unknown>): boolean {
  return outcomeOf(d, false).kind === "none";
}

/** A cancellable unit of work handed to a {@link FakeScheduler}. */
export class FakeDelayedCall {
  cancelled = false;
  constructor(readonly func: () => void) {}
  cancel(): void {
    this.cancelled = true;
  }
}

/** A Cooperator scheduler that queues ticks until `pump()` runs them. */
export class FakeScheduler {
  work: FakeDelayedCall[] = [];
  readonly schedule = (tick: () => void): FakeDelayedCall => {
    const unit = new FakeDelayedCall(tick);
    this.work.push(unit);
    return unit;
  };
  /** Run the work queued so far (not the work it queues). */
  pump(): void {
    const work = this.work;
    this.work = [];
    for (const unit of work) if (!unit.cancelled) unit.func();
  }
}
