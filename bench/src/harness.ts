/**
 * The bench harness: runs our code and its named baseline side by side with tinybench, in one
 * `Bench` and one process, and turns tinybench's statistics into a `ComparisonResult`.
 *
 * Numbers are printed and written to `bench/results/`; nothing here asserts on them.
 * @packageDocumentation
 */
import { Bench, type Task } from "tinybench";

/** One side of a comparison: a named function that tinybench calls once per sample. */
export interface Side {
  /** What is measured, e.g. "Deferred" or "Promise". */
  name: string;
  /** The code under measurement; return a Promise to have tinybench await it inside the timing. */
  fn: () => unknown;
  /** Whether `fn` is asynchronous; when omitted, tinybench detects it. */
  async?: boolean;
}

/**
 * Which way is better for a benchmark's figure: "higher" for a rate (ops/s, MB/s), "lower" for a
 * cost (bytes per connection).
 */
export type Better = "higher" | "lower";

/**
 * The goal an issue sets for a benchmark: the ratio ours/baseline must be at least `ratio` (when
 * higher is better) or at most `ratio` (when lower is better).
 */
export interface Target {
  /** The bound on ours/baseline, e.g. 2 for "at least twice as fast", 1.2 for "at most 1.2×". */
  ratio: number;
  /** The goal in words, as the issue states it. */
  description: string;
}

/** Per-comparison tinybench settings, for benchmarks whose single call is long (a big batch). */
export interface RunOptions {
  /** Minimum samples per task (tinybench `iterations`); default 64. */
  iterations?: number;
  /** Time budget per task in ms; default `BENCH_TIME_MS` or 1000. */
  time?: number;
  /** Minimum warmup calls per task; default 16. */
  warmupIterations?: number;
  /** Warmup time budget per task in ms; default 250, whatever `time` is, so the JIT has settled. */
  warmupTime?: number;
}

/**
 * A benchmark from an issue, timed with tinybench: our code against the baseline the issue names.
 * (A benchmark that measures something else, or whose load runs in another process, is a
 * `CustomBenchmark`; see `custom.ts`.)
 */
export interface Comparison {
  kind?: "tinybench";
  /** The benchmark id, e.g. "P8a". */
  id: string;
  /** A one-line description of what is measured. */
  title: string;
  ours: Side;
  baseline: Side;
  target?: Target;
  /**
   * How many operations one call of `fn` performs (the same on both sides); ops/s is calls/s
   * times this. Default 1. Use it when a call is a batch, so the figures stay per operation.
   */
  opsPerCall?: number;
  /** What one operation is, for the table and chart, e.g. "chain"; default "op". */
  unit?: string;
  options?: RunOptions;
}

/** The measured figures of one side. */
export interface SideResult {
  name: string;
  /**
   * The figure, in the comparison's `metric`: for a tinybench comparison, operations per second
   * (tinybench's mean throughput in calls/s × `opsPerCall`); for a custom one, the median of its
   * repetitions.
   */
  value: number;
  /** Relative margin of error of `value`, in percent (95% confidence). */
  rme: number;
  /** How many calls (tinybench) or repetitions (custom) were measured. */
  samples: number;
  /** Mean time of one call of `fn`, in milliseconds (tinybench comparisons only). */
  meanLatencyMs?: number;
  /** Each repetition's figure, in the order measured (custom benchmarks only). */
  runs?: number[];
  /** Side figures that help read the main one, e.g. "server CPU µs/round trip" (medians). */
  details?: Record<string, number>;
  /** Why this side could not be measured (its peer is not installed); `value` is then NaN. */
  unavailable?: string;
}

/** What one comparison produced. */
export interface ComparisonResult {
  id: string;
  title: string;
  /** What one operation is, e.g. "chain" or "round trip". */
  unit: string;
  /** What `value` measures, e.g. "chains/s", "MB/s", "B/connection". */
  metric: string;
  /** Whether a higher or a lower figure is better; the ratio's target reads the same way. */
  better: Better;
  /** Operations per call of a tinybench function (tinybench comparisons only). */
  opsPerCall?: number;
  ours: SideResult;
  baseline: SideResult;
  /**
   * ours.value / baseline.value: above 1 means ours is faster (a rate) or costs more (a cost).
   * Absent when the baseline is unavailable.
   */
  ratio?: number;
  /** Relative margin of error of the ratio, in percent (the two sides' errors combined). */
  ratioRme?: number;
  /** The target, and whether it was met (absent when the baseline is unavailable). */
  target?: Target & { met?: boolean };
  /**
   * The limit (raw node:net), measured in the same run, against this comparison's baseline:
   * how far the limit itself gets. A target above `ratio` here asks for more than the limit
   * reaches; aim at the limit instead.
   */
  limit?: { name: string; value: number; ratio: number };
}

/** The default time budget per task, in ms: `BENCH_TIME_MS`, else 1000. */
export function defaultTimeMs(): number {
  const fromEnv = Number(process.env["BENCH_TIME_MS"]);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 1000;
}

/**
 * Run one comparison: both sides as tasks of the same tinybench `Bench` (ours first), each warmed
 * up, then timed for the time budget.
 * @throws Error when either side throws; tinybench's error is the cause.
 */
export async function runComparison(comparison: Comparison): Promise<ComparisonResult> {
  const time = comparison.options?.time ?? defaultTimeMs();
  const bench = new Bench({
    name: comparison.id,
    time,
    iterations: comparison.options?.iterations ?? 64,
    warmup: true,
    warmupTime: comparison.options?.warmupTime ?? 250,
    warmupIterations: comparison.options?.warmupIterations ?? 16,
    timestampProvider: "hrtimeNow",
    throws: true,
    // A garbage collection left over from one task should not be billed to the next.
    setup: collectGarbage,
  });
  bench.addEventListener("warning", (event) => {
    // tinybench's sign that the clock is too coarse for the task: the figures are not to be trusted.
    console.warn(`\n  warning: ${event.task.name}: timer saturated (${event.reason ?? "unknown"})`);
  });
  const ours = `ours: ${comparison.ours.name}`;
  const baseline = `baseline: ${comparison.baseline.name}`;
  bench.add(ours, comparison.ours.fn, taskOptions(comparison.ours));
  bench.add(baseline, comparison.baseline.fn, taskOptions(comparison.baseline));
  await bench.run();

  const opsPerCall = comparison.opsPerCall ?? 1;
  const unit = comparison.unit ?? "op";
  const result: ComparisonResult = {
    id: comparison.id,
    title: comparison.title,
    unit,
    metric: `${unit}s/s`,
    better: "higher",
    opsPerCall,
    ours: sideResult(bench.getTask(ours), comparison.ours.name, opsPerCall),
    baseline: sideResult(bench.getTask(baseline), comparison.baseline.name, opsPerCall),
  };
  return withRatio(result, comparison.target);
}

/**
 * Fill in the ratio ours/baseline, its margin of error and whether the target is met, unless a
 * side is unavailable.
 * @param measured - the ratio and its margin when the caller has a better estimate than the
 *   quotient of the two figures (custom benchmarks pair their sides round by round).
 */
export function withRatio(
  result: ComparisonResult,
  target: Target | undefined,
  measured?: { ratio: number; rme: number },
): ComparisonResult {
  if (result.baseline.unavailable !== undefined || result.ours.unavailable !== undefined) {
    if (target) result.target = { ...target };
    return result;
  }
  const ratio = measured?.ratio ?? result.ours.value / result.baseline.value;
  result.ratio = ratio;
  result.ratioRme = measured?.rme ?? Math.hypot(result.ours.rme, result.baseline.rme);
  if (target) {
    const met = result.better === "higher" ? ratio >= target.ratio : ratio <= target.ratio;
    result.target = { ...target, met };
  }
  return result;
}

function taskOptions(side: Side): { async?: boolean } {
  return side.async === undefined ? {} : { async: side.async };
}

/** Force a garbage collection, when the process runs with `--expose-gc` (`pnpm bench` does). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function sideResult(task: Task | undefined, name: string, opsPerCall: number): SideResult {
  const result = task?.result;
  if (!result) throw new Error(`tinybench lost the task "${name}"`);
  if (result.state === "errored") throw new Error(`"${name}" failed`, { cause: result.error });
  if (result.state !== "completed" && result.state !== "aborted-with-statistics") {
    throw new Error(`"${name}" did not complete (${result.state})`);
  }
  return {
    name,
    value: result.throughput.mean * opsPerCall,
    rme: result.throughput.rme,
    meanLatencyMs: result.latency.mean,
    samples: result.throughput.samplesCount,
  };
}
