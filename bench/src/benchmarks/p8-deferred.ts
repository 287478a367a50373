/**
 * Benchmark P8: `Deferred` against native Promises.
 *
 * - P8a: a chain of 10 callbacks that each add 1, fired with 0, result read by a last callback.
 *   A Deferred runs the whole chain synchronously inside `callback()`; the Promise chain needs a
 *   microtask per `.then` and has to be awaited. Target: ours at least 2× the Promise chain.
 * - P8b: creating and firing 1e6 Deferreds against creating and resolving 1e6 Promises.
 * @packageDocumentation
 */
import { Deferred } from "@twisted-ts/core";
import type { Comparison } from "../harness.js";

const CHAIN_LENGTH = 10;
/**
 * Chains per tinybench call. One chain takes well under a microsecond, close to the cost of
 * reading the clock, so each call runs a batch and the figures are divided back per chain
 * (`opsPerCall`). Every Promise chain is still awaited on its own before the next starts.
 */
const CHAINS_PER_CALL = 100;
/** Deferreds (or Promises) made and fired per call in P8b: 1e6, as the issue states. */
const N = 1_000_000;

const inc = (x: number): number => x + 1;

function fail(got: unknown): never {
  throw new Error(`chain produced ${String(got)}, not ${CHAIN_LENGTH}`);
}

function deferredChains(): void {
  for (let n = 0; n < CHAINS_PER_CALL; n++) {
    const d = new Deferred<number>();
    for (let i = 0; i < CHAIN_LENGTH; i++) d.addCallback(inc);
    let out = -1;
    d.addCallback((x) => {
      out = x;
    });
    d.callback(0);
    if (out !== CHAIN_LENGTH) fail(out);
  }
}

async function promiseChains(): Promise<void> {
  for (let n = 0; n < CHAINS_PER_CALL; n++) {
    let p = Promise.resolve(0);
    for (let i = 0; i < CHAIN_LENGTH; i++) p = p.then(inc);
    const out = await p;
    if (out !== CHAIN_LENGTH) fail(out);
  }
}

/** Every object made in P8b is stored here, so it escapes its loop and none is optimised away. */
let sink: unknown;

function checkMade(): void {
  if (sink === undefined) throw new Error("the batch made nothing");
  sink = undefined;
}

function createAndFireDeferreds(): void {
  for (let i = 0; i < N; i++) {
    const d = new Deferred<number>();
    d.callback(i);
    sink = d;
  }
  checkMade();
}

/*
 * The fair Promise counterpart of "create a Deferred, then fire it" is "create a pending Promise,
 * then resolve it": `new Promise((resolve) => resolve(i))`, which, like `new Deferred()` +
 * `callback(i)`, makes a pending object and then settles it. `Promise.resolve(i)` would be the
 * counterpart of `succeed(i)` (born settled) instead. Neither side has anyone waiting on the
 * result: awaiting all 1e6 Promises (`Promise.all`) would add a reaction and a microtask per
 * Promise with nothing to match on the Deferred side; the cost of observing a result is what
 * P8a measures. A settled Promise with no reactions schedules nothing, so this task is
 * synchronous, like ours.
 */
function createAndResolvePromises(): void {
  for (let i = 0; i < N; i++) {
    const p = new Promise<number>((resolve) => resolve(i));
    sink = p;
  }
  checkMade();
}

/** P8a and P8b. */
export const comparisons: Comparison[] = [
  {
    id: "P8a",
    title: "10-callback synchronous chain",
    ours: { name: "Deferred", fn: deferredChains, async: false },
    baseline: { name: "Promise .then ×10, awaited", fn: promiseChains, async: true },
    target: { ratio: 2, description: "Deferred chain at least 2× the native Promise chain" },
    opsPerCall: CHAINS_PER_CALL,
    unit: "chain",
  },
  {
    id: "P8b",
    title: "create + fire 1e6",
    ours: { name: "Deferred", fn: createAndFireDeferreds, async: false },
    baseline: { name: "new Promise(r => r(i))", fn: createAndResolvePromises, async: false },
    // One call is a whole batch of 1e6 (tens of ms or more): few samples, short warmup. The
    // figures are per object made and fired, so they read as "objects per second".
    options: { iterations: 5, warmupIterations: 2 },
    opsPerCall: N,
    unit: "object",
  },
];
