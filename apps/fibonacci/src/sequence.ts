/**
 * The Fibonacci sequence as state: two BigInts, moved on by one step per number handed out.
 * @packageDocumentation
 */
import type { StateValue } from "@twisted-ts/core";

const DECIMAL = /^(?:0|[1-9]\d*)$/;

/**
 * The shared Fibonacci generator: the seed's `factory.a, factory.b`, kept as BigInts because the
 * numbers pass 2^53 (the limit of exact integers in a JavaScript number) from the 77th on.
 *
 * Each `next()` hands out `a + b` and moves the pair on (`a, b = b, a + b`). Starting from the
 * seed's `[1, 1]`, that is 2, 3, 5, 8, 13, …: the sequence strictly increases, so no number is
 * ever handed out twice (which 0, 1, 1, 2, … would break at the second 1).
 *
 * Its state is `[a, b]` as decimal strings (JSON has no BigInt), for `getState`/`setState`.
 */
export class FibonacciSequence {
  /** The number before the last one handed out. */
  a: bigint;
  /** The last number handed out (or the seed's second 1 before the first). */
  b: bigint;

  /**
   * @param a - the first number of the pair; 1 by default, as in the seed.
   * @param b - the second; 1 by default.
   * @throws RangeError for a pair that is not a Fibonacci-like step (see `setState`).
   */
  constructor(a = 1n, b = 1n) {
    checkPair(a, b);
    this.a = a;
    this.b = b;
  }

  /**
   * Hand out the next number and move on.
   * @returns `a + b`, exact however large.
   */
  next(): bigint {
    const n = this.a + this.b;
    this.a = this.b;
    this.b = n;
    return n;
  }

  /**
   * The state to keep across a restart.
   * @returns `[a, b]` as decimal strings, ready for `JSON.stringify`.
   */
  getState(): StateValue {
    return [this.a.toString(), this.b.toString()];
  }

  /**
   * Take back a state saved by `getState`.
   * @param state - `[a, b]` as decimal strings.
   * @throws TypeError when it is not two decimal strings; RangeError when `a` is negative, `b`
   *   is not positive, or `a > b`: resuming from such a pair could hand out a number twice, so
   *   a damaged state file stops the start instead of being silently replaced.
   */
  setState(state: StateValue): void {
    if (
      !Array.isArray(state) ||
      state.length !== 2 ||
      !state.every((x): x is string => typeof x === "string" && DECIMAL.test(x))
    ) {
      throw new TypeError(
        `Fibonacci state must be two decimal strings [a, b], got ${JSON.stringify(state)}`,
      );
    }
    const [a, b] = (state as readonly string[]).map((x) => BigInt(x)) as [bigint, bigint];
    checkPair(a, b);
    this.a = a;
    this.b = b;
  }
}

function checkPair(a: bigint, b: bigint): void {
  if (a < 0n || b <= 0n || a > b) {
    throw new RangeError(`not a Fibonacci step: a=${a}, b=${b} (need 0 <= a <= b, b > 0)`);
  }
}
