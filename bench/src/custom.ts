/**
 * Custom benchmarks: figures that tinybench cannot take by timing a function. A load client in
 * another process (so the server under test has its event loop to itself), a server in another
 * language, a memory probe. Each side measures itself and returns a figure; the harness repeats
 * the measurements, interleaving the sides, and reports them in the same table, JSON and chart
 * as the tinybench comparisons, with the ratio and target.
 * @packageDocumentation
 */
import {
  type Better,
  type ComparisonResult,
  collectGarbage,
  type SideResult,
  type Target,
  withRatio,
} from "./harness.js";

/** One measurement of one side. */
export interface Measurement {
  /** The figure, in the benchmark's `metric`. */
  value: number;
  /** Side figures that help read it, by label (e.g. "server CPU µs/round trip"). */
  details?: Record<string, number>;
}

/**
 * Thrown by a side's `start` when what it needs is not there (an interpreter, a library): the
 * side is reported as unavailable, with this message, and the rest of the benchmark still runs.
 */
export class Unavailable extends Error {
  override name = "Unavailable";
}

/** One server (or implementation) under measurement. */
export interface CustomSide {
  /** How the benchmark's comparisons name this side, e.g. "ours", "raw", "twisted". */
  key: string;
  /** What it is, for the table, e.g. "twisted-ts Echo" or "node:net echo". */
  name: string;
  /** Set it up (start a server) before the first measurement. May throw `Unavailable`. */
  start?: () => Promise<void>;
  /** Measure once. */
  measure: () => Promise<Measurement>;
  /** Tear it down after the last measurement (also after a failure). */
  stop?: () => Promise<void>;
}

/** One ratio a custom benchmark reports, by side keys. */
export interface CustomComparison {
  /** The id for this ratio, e.g. "P1a". */
  id: string;
  title: string;
  ours: string;
  baseline: string;
  target?: Target;
  /** The side that is the real bar (raw node:net): its ratio to `baseline` is reported too. */
  limit?: string;
}

/**
 * A benchmark that measures its sides itself, `repetitions` times each, interleaved (side order
 * rotates every round, so drift on the machine falls on every side alike). Each side's figure is
 * the median of its repetitions; its ± is the 95% confidence half-width of their mean. A ratio is
 * paired: the median of the per-round ratios (ours and the baseline measured back to back), with
 * the 95% margin of their mean, which cancels the slow drift a shared machine has.
 */
export interface CustomBenchmark {
  kind: "custom";
  /** The benchmark id, e.g. "P1". */
  id: string;
  title: string;
  /** What one operation is, e.g. "round trip". */
  unit: string;
  /** What a figure measures, e.g. "round trips/s", "MB/s", "B/connection". */
  metric: string;
  better: Better;
  repetitions: number;
  sides: CustomSide[];
  comparisons: CustomComparison[];
}

/** Two-sided 95% Student t quantiles for 1…10 degrees of freedom. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The 95% confidence half-width of the mean, in percent of the mean; 0 for one value. */
export function relativeMarginOfError(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const t = T95[n - 2] ?? 1.96;
  return ((t * Math.sqrt(variance / n)) / Math.abs(mean)) * 100;
}

function summarise(side: CustomSide, runs: readonly Measurement[]): SideResult {
  const result: SideResult = {
    name: side.name,
    value: median(runs.map((m) => m.value)),
    rme: relativeMarginOfError(runs.map((m) => m.value)),
    samples: runs.length,
    runs: runs.map((m) => m.value),
  };
  const labels = new Set(runs.flatMap((m) => Object.keys(m.details ?? {})));
  if (labels.size > 0) {
    const details: Record<string, number> = {};
    for (const label of labels) {
      details[label] = median(runs.flatMap((m) => m.details?.[label] ?? []));
    }
    result.details = details;
  }
  return result;
}

/**
 * Run a custom benchmark for the comparisons chosen (by default all of them): start the sides
 * they need, measure them round by round, stop them, and compute each comparison's ratio.
 * @param onProgress - told after each measurement (for a progress line).
 * @throws whatever a side throws, other than `Unavailable` from its `start`.
 */
export async function runCustom(
  benchmark: CustomBenchmark,
  chosen: readonly CustomComparison[] = benchmark.comparisons,
  onProgress: (side: CustomSide, measurement: Measurement) => void = () => {},
): Promise<ComparisonResult[]> {
  const needed = new Set(chosen.flatMap((c) => [c.ours, c.baseline, c.limit ?? []].flat()));
  const sides = benchmark.sides.filter((s) => needed.has(s.key));
  const unavailable = new Map<string, string>();
  const started: CustomSide[] = [];
  const runs = new Map<string, Measurement[]>(sides.map((s) => [s.key, []]));
  try {
    for (const side of sides) {
      try {
        await side.start?.();
        started.push(side);
      } catch (error) {
        if (!(error instanceof Unavailable)) throw error;
        unavailable.set(side.key, error.message);
      }
    }
    for (let round = 0; round < benchmark.repetitions; round++) {
      for (let i = 0; i < started.length; i++) {
        const side = started[(i + round) % started.length]!;
        collectGarbage();
        const measurement = await side.measure();
        runs.get(side.key)!.push(measurement);
        onProgress(side, measurement);
      }
    }
  } finally {
    for (const side of started.reverse()) await side.stop?.();
  }

  const resultOf = (key: string): SideResult => {
    const side = sides.find((s) => s.key === key);
    if (side === undefined) throw new Error(`${benchmark.id}: no side "${key}"`);
    const reason = unavailable.get(key);
    if (reason !== undefined)
      return { name: side.name, value: Number.NaN, rme: 0, samples: 0, unavailable: reason };
    return summarise(side, runs.get(key)!);
  };
  /** The ratio a/b round by round (both were measured in every round), as median and margin. */
  const paired = (a: string, b: string): { ratio: number; rme: number } | undefined => {
    const top = runs.get(a);
    const bottom = runs.get(b);
    if (!top?.length || top.length !== bottom?.length) return undefined;
    const ratios = top.map((m, i) => m.value / bottom[i]!.value);
    return { ratio: median(ratios), rme: relativeMarginOfError(ratios) };
  };
  return chosen.map((comparison) => {
    const result: ComparisonResult = {
      id: comparison.id,
      title: comparison.title,
      unit: benchmark.unit,
      metric: benchmark.metric,
      better: benchmark.better,
      ours: resultOf(comparison.ours),
      baseline: resultOf(comparison.baseline),
    };
    withRatio(result, comparison.target, paired(comparison.ours, comparison.baseline));
    if (comparison.limit !== undefined && result.ratio !== undefined) {
      const limit = resultOf(comparison.limit);
      const ratio = paired(comparison.limit, comparison.baseline)?.ratio;
      if (limit.unavailable === undefined && ratio !== undefined) {
        result.limit = { name: limit.name, value: limit.value, ratio };
      }
    }
    return result;
  });
}
