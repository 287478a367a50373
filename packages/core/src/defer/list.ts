/**
 * Waiting on several Deferreds at once: `DeferredList`, `gatherResults` and `race`.
 * @packageDocumentation
 */
import { FailureGroup, FirstError } from "../errors.js";
import { Failure } from "../failure.js";
import { Logger } from "../logger/index.js";
import { Deferred } from "./deferred.js";

const log = new Logger({ namespace: "twisted-ts.defer" });

/**
 * What one member of a `DeferredList` ended with: `[true, result]` for a success,
 * `[false, failure]` for a failure. The two shapes are told apart by the first element, so
 * `if (ok)` narrows the second.
 *
 * @typeParam T - the members' result type.
 */
export type DeferredListResultItem<T> =
  | [success: true, result: T]
  | [success: false, failure: Failure];

/**
 * What a `DeferredList` fires with (without `fireOnOneCallback`): one
 * {@link DeferredListResultItem} per member, in input order, whatever order they fired in.
 *
 * @typeParam T - the members' result type.
 */
export type DeferredListResult<T> = DeferredListResultItem<T>[];

/**
 * What a `DeferredList` with `fireOnOneCallback` fires with when a member succeeds: that
 * member's result and its position in the input.
 *
 * @typeParam T - the members' result type.
 */
export type DeferredListSingleResult<T> = [result: T, index: number];

/** The options of a {@link DeferredList}; all default to false. */
export interface DeferredListOptions {
  /**
   * Fire as soon as one member succeeds, with {@link DeferredListSingleResult}
   * (`[result, index]`), without waiting for the others. If every member fails instead, the
   * list fires with the whole {@link DeferredListResult} (unless `fireOnOneErrback` is set).
   */
  readonly fireOnOneCallback?: boolean;
  /**
   * Errback as soon as one member fails, with a `FirstError` that holds the member's Failure
   * (`subFailure`) and its position (`index`), without waiting for the others.
   */
  readonly fireOnOneErrback?: boolean;
  /**
   * Once a member's failure has been recorded, leave that member with `undefined` instead of
   * its Failure, so errbacks added to it later see a success and it is not logged as an
   * "Unhandled error in Deferred". `fireOnOneErrback` still sees the failure.
   */
  readonly consumeErrors?: boolean;
}

/** Options that say `fireOnOneCallback: true`. */
export interface FiresOnOneCallback {
  /** Fire with the first success. */
  readonly fireOnOneCallback: true;
}

/** Options that say `fireOnOneErrback: true`. */
export interface FiresOnOneErrback {
  /** Fail with the first failure. */
  readonly fireOnOneErrback: true;
}

/** Options that say `fireOnOneCallback` is false or absent. */
export interface NeverFiresOnOneCallback {
  /** Absent, or false. */
  readonly fireOnOneCallback?: false | undefined;
}

/**
 * What a `DeferredList<T, O>` fires with, worked out from its options type `O`: the list of
 * `[success, value]` pairs; with `fireOnOneCallback: true`, `[result, index]` — or the list,
 * when every member may fail without `fireOnOneErrback: true`.
 *
 * @typeParam T - the members' result type.
 * @typeParam O - the options' type.
 */
export type DeferredListOutcome<T, O extends DeferredListOptions> = O extends FiresOnOneCallback
  ? O extends FiresOnOneErrback
    ? DeferredListSingleResult<T>
    : DeferredListSingleResult<T> | DeferredListResult<T>
  : [Extract<keyof O, "fireOnOneCallback">] extends [never]
    ? DeferredListResult<T>
    : O extends NeverFiresOnOneCallback
      ? DeferredListResult<T>
      : DeferredListSingleResult<T> | DeferredListResult<T>;

/** The result type of a Deferred type: `number` for `Deferred<number>`. */
export type DeferredResult<D> = D extends Deferred<infer U> ? U : never;

/**
 * The results of a tuple (or array) of Deferreds, position by position:
 * `[Deferred<number>, Deferred<string>]` gives `[number, string]`.
 */
export type DeferredResults<Ds extends readonly Deferred<unknown>[]> = {
  -readonly [K in keyof Ds]: DeferredResult<Ds[K]>;
};

/**
 * What `race` fires with for a tuple (or array) of Deferreds: `[index, result]`, where the
 * result's type is the one of the Deferred at that index.
 */
export type RaceResult<Ds extends readonly Deferred<unknown>[]> = {
  [K in keyof Ds]: [
    index: K extends `${infer N extends number}` ? N : number,
    result: DeferredResult<Ds[K]>,
  ];
}[number];

/**
 * A Deferred that collects the results of several Deferreds: Twisted's `DeferredList`.
 *
 * By default it fires once every member has fired, with one `[success, value]` pair per member
 * in input order (a member's Failure is a value here: the list itself does not fail). The
 * options make it fire early on the first success (`fireOnOneCallback`) or errback on the
 * first failure (`fireOnOneErrback`, with a `FirstError`). An empty list fires with `[]` at
 * once — except with `fireOnOneCallback`, where it never fires.
 *
 * The list works by adding a callback/errback pair to each member, so callbacks added to a
 * member before the list is made change what the list sees, and callbacks added after see
 * what the list leaves (the member's own result, or `undefined` for a failure with
 * `consumeErrors`). Members that have already fired are collected at once.
 *
 * `cancel()` on a list that has not fired cancels every member; a member whose canceller
 * throws is logged ("Exception raised from user supplied canceller") and the others are still
 * cancelled. Once the list has fired, `cancel()` does nothing.
 *
 * TypeScript infers `T` from members of one type; for members of different types, widen them
 * (`new DeferredList([d1, d2] as Deferred<number | string>[])`), or use {@link gatherResults},
 * which types a tuple position by position.
 *
 * Differences from Twisted: options are an object, not keyword arguments; the result pairs
 * are typed so that `if (ok)` narrows the value; the result type follows the options
 * (`fireOnOneCallback: true` gives `[result, index]`, or the full list if every member can
 * fail).
 *
 * @example
 * ```ts
 * const dl = new DeferredList([getPage(a), getPage(b)], { consumeErrors: true });
 * dl.addCallback((results) => {
 *   for (const [ok, value] of results) console.log(ok ? value : value.getErrorMessage());
 * });
 * ```
 *
 * @typeParam T - the members' result type.
 * @typeParam O - the type of the options, which decides the result type; inferred.
 */
export class DeferredList<T = unknown, const O extends DeferredListOptions = {}> extends Deferred<
  DeferredListOutcome<T, O>
> {
  /** Whether the list fires on the first member that succeeds. */
  readonly fireOnOneCallback: boolean;
  /** Whether the list errbacks on the first member that fails. */
  readonly fireOnOneErrback: boolean;
  /** Whether a failed member is left with `undefined` once the list has its Failure. */
  readonly consumeErrors: boolean;
  /**
   * The results so far, in input order: a member's `[success, value]` pair once it has
   * fired, `undefined` before. When the list fires with the whole list, this is the array it
   * fires with. Read it; do not change it.
   */
  readonly resultList: (DeferredListResultItem<T> | undefined)[];
  /** How many members have fired so far. */
  finishedCount = 0;

  private readonly deferredList: readonly Deferred<T>[];

  /**
   * @param deferredList - the Deferreds to collect; copied, so changing the iterable later
   *   changes nothing.
   * @param options - see {@link DeferredListOptions}.
   */
  constructor(deferredList: Iterable<Deferred<T>>, options?: O) {
    super();
    this.deferredList = Array.from(deferredList);
    this.resultList = this.deferredList.map(() => undefined);
    this.fireOnOneCallback = options?.fireOnOneCallback ?? false;
    this.fireOnOneErrback = options?.fireOnOneErrback ?? false;
    this.consumeErrors = options?.consumeErrors ?? false;
    if (this.deferredList.length === 0 && !this.fireOnOneCallback) {
      this.fire(this.resultList);
    }
    // The flags are set first: members that have already fired call back synchronously.
    this.deferredList.forEach((deferred, index) => {
      deferred.addCallbacks(
        (result: T) => this.memberFired(index, [true, result]),
        (failure: Failure) => this.memberFired(index, [false, failure]),
      );
    });
  }

  /**
   * Cancel every member that has not fired, if the list itself has not fired; otherwise do
   * nothing. A member canceller that throws is logged, not rethrown.
   */
  override cancel(): void {
    if (this.called) return;
    for (const deferred of this.deferredList) {
      try {
        deferred.cancel();
      } catch (error) {
        log.failure("Exception raised from user supplied canceller", Failure.from(error));
      }
    }
  }

  private fire(result: unknown): void {
    (this as Deferred<unknown>).callback(result);
  }

  /** Record a member's outcome, maybe fire the list, and tell the member what to keep. */
  private memberFired(index: number, item: DeferredListResultItem<T>): T | Failure | undefined {
    this.resultList[index] = item;
    this.finishedCount++;
    if (!this.called) {
      if (item[0] && this.fireOnOneCallback) {
        this.fire([item[1], index]);
      } else if (!item[0] && this.fireOnOneErrback) {
        this.errback(new Failure(new FirstError(item[1], index)));
      } else if (this.finishedCount === this.resultList.length) {
        this.fire(this.resultList);
      }
    }
    if (!item[0] && this.consumeErrors) return undefined;
    return item[1];
  }
}

/**
 * Wait for all the Deferreds and fire with their results, in input order — or errback with a
 * `FirstError` as soon as one fails: Twisted's `gatherResults`, a `DeferredList` with
 * `fireOnOneErrback` whose result is unpacked.
 *
 * The returned Deferred is cancellable: cancelling it before it fires cancels every member (the
 * first resulting `CancelledError` then arrives as a `FirstError`, unless the members'
 * cancellers fire them with values).
 *
 * Given a tuple, the result is typed position by position:
 * `gatherResults([d1 as Deferred<number>, d2 as Deferred<string>])` is a
 * `Deferred<[number, string]>`.
 *
 * Differences from Twisted: the result of a tuple is typed as a tuple.
 *
 * @param deferredList - the Deferreds to wait for.
 * @param consumeErrors - leave a failed member with `undefined` instead of its Failure, so it
 *   is not logged as unhandled; see {@link DeferredListOptions.consumeErrors}.
 * @returns a Deferred that fires with the members' results, or errbacks with `FirstError`.
 */
export function gatherResults<const Ds extends readonly Deferred<unknown>[]>(
  deferredList: Ds,
  consumeErrors?: boolean,
): Deferred<DeferredResults<Ds>>;
/**
 * Wait for all the Deferreds of an iterable; see the overload for arrays.
 * @param deferredList - the Deferreds to wait for.
 * @param consumeErrors - leave a failed member with `undefined` instead of its Failure.
 * @returns a Deferred that fires with the members' results, or errbacks with `FirstError`.
 */
export function gatherResults<T>(
  deferredList: Iterable<Deferred<T>>,
  consumeErrors?: boolean,
): Deferred<T[]>;
export function gatherResults(
  deferredList: Iterable<Deferred<unknown>>,
  consumeErrors = false,
): Deferred<unknown[]> {
  return new DeferredList(deferredList, {
    fireOnOneErrback: true,
    consumeErrors,
  }).addCallback((results) => results.map((item) => item[1]));
}

/**
 * Fire with the first success among the Deferreds, and cancel the others: Twisted's `race`.
 *
 * The result is `[index, result]` of the first member to succeed; every other member is then
 * cancelled (a member that succeeds later anyway is ignored). If every member fails, it
 * errbacks with a `FailureGroup` holding their Failures in input order. Cancelling the
 * returned Deferred cancels every member. The members' own results are consumed: each is left
 * with `undefined`, so a failed member is not logged as unhandled.
 *
 * An empty list never fires (as in Twisted); cancelling it then gives `CancelledError`.
 *
 * Differences from Twisted: given a tuple, the result is typed per index.
 *
 * @param ds - the competing Deferreds.
 * @returns a Deferred that fires with `[index, result]` or errbacks with `FailureGroup`.
 */
export function race<const Ds extends readonly Deferred<unknown>[]>(
  ds: Ds,
): Deferred<RaceResult<Ds>>;
/**
 * Fire with the first success among the Deferreds of an iterable; see the overload for arrays.
 * @param ds - the competing Deferreds.
 * @returns a Deferred that fires with `[index, result]` or errbacks with `FailureGroup`.
 */
export function race<T>(ds: Iterable<Deferred<T>>): Deferred<[index: number, result: T]>;
export function race(ds: Iterable<Deferred<unknown>>): Deferred<[number, unknown]> {
  const members = Array.from(ds);
  let winner: Deferred<unknown> | undefined;
  const failures: { index: number; failure: Failure }[] = [];

  // Cancelling the race cancels every member: none of their results can go anywhere now.
  const finalResult = new Deferred<[number, unknown]>(() => {
    for (const d of members) d.cancel();
  });

  members.forEach((member, index) => {
    member.addCallbacks(
      (result: unknown) => {
        // A member whose canceller fired it with a success may arrive second: ignore it.
        if (winner !== undefined) return;
        winner = member;
        for (const d of members) {
          if (d !== winner) d.cancel();
        }
        finalResult.callback([index, result]);
      },
      (failure: Failure) => {
        failures.push({ index, failure });
        if (failures.length === members.length) {
          failures.sort((a, b) => a.index - b.index);
          finalResult.errback(new FailureGroup(failures.map((f) => f.failure)));
        }
      },
    );
  });
  return finalResult;
}
