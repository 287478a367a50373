/**
 * Helpers for the testing and protocol tests: read a Deferred's result synchronously, as trial's
 * `successResultOf`, `failureResultOf` and `assertNoResult` do.
 */
import type { Deferred } from "../../src/defer/deferred.js";
import { type ErrorType, Failure } from "../../src/failure.js";

type Outcome =
  | { kind: "none" }
  | { kind: "success"; value: unknown }
  | { kind: "failure"; failure: Failure };

function outcomeOf(d: Deferred<unknown>): Outcome {
  let outcome: Outcome = { kind: "none" };
  d.addBoth((result: unknown) => {
    if (Failure.isFailure(result)) {
      outcome = { kind: "failure", failure: result };
      return undefined;
    }
    outcome = { kind: "success", value: result };
    return result;
  });
  return outcome;
}

/** The value `d` has fired with; throws if it has no result yet or failed. */
export function successResultOf<T>(d: Deferred<T>): T {
  const outcome = outcomeOf(d as Deferred<unknown>);
  if (outcome.kind === "none") throw new Error("Deferred has no result");
  if (outcome.kind === "failure") {
    throw new Error(`Deferred failed: ${outcome.failure.getTraceback()}`);
  }
  return outcome.value as T;
}

/** The Failure `d` has failed with (consumed); throws if it has no result, succeeded, or failed
 * with another type than one of `types`. */
export function failureResultOf(d: Deferred<unknown>, ...types: ErrorType[]): Failure {
  const outcome = outcomeOf(d);
  if (outcome.kind === "none") throw new Error("Deferred has no result");
  if (outcome.kind === "success") {
    throw new Error(`Deferred succeeded with ${String(outcome.value)}`);
  }
  if (types.length > 0 && outcome.failure.check(...types) === null) {
    throw new Error(`Deferred failed with the wrong type: ${outcome.failure.getTraceback()}`);
  }
  return outcome.failure;
}
