/**
 * `pnpm bench`: run every benchmark (or those `--filter` selects), print the table, write
 * `bench/results/results.json` and `results.svg`. Figures are reported, never asserted: a missed
 * target does not fail the run; only a benchmark that throws does.
 *
 * Usage: `pnpm bench [-- --filter <id-substring>]...`; `BENCH_TIME_MS` sets the time per task.
 * @packageDocumentation
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { benchmark as p1 } from "./benchmarks/p1-echo.js";
import { benchmark as p2 } from "./benchmarks/p2-bulk.js";
import { benchmarks as p3 } from "./benchmarks/p3-framing.js";
import { p4, p5 } from "./benchmarks/p4p5-http.js";
import { comparison as p6 } from "./benchmarks/p6-irc-parse.js";
import { benchmark as p6b } from "./benchmarks/p6b-irc-throughput.js";
import { benchmark as p7 } from "./benchmarks/p7-smtp.js";
import { comparisons as p8 } from "./benchmarks/p8-deferred.js";
import { benchmark as p9 } from "./benchmarks/p9-idle-memory.js";
import { benchmark as p10 } from "./benchmarks/p10-startup.js";
import { type CustomBenchmark, type CustomComparison, runCustom } from "./custom.js";
import { type Comparison, type ComparisonResult, defaultTimeMs, runComparison } from "./harness.js";
import { environment, writeResults } from "./results.js";
import { formatRatioCell, formatSide, formatTable } from "./table.js";

/** A benchmark module's export: tinybench comparisons, or a custom benchmark. */
type Benchmark = Comparison | CustomBenchmark;

/** Every benchmark, in the order they run. Add a module's comparisons here. */
const ALL: readonly Benchmark[] = [p1, p2, ...p3, p4, p5, p6, p6b, p7, ...p8, p9, p10];

/** A benchmark to run, with the comparisons of it that were chosen (custom ones only). */
type Chosen =
  | { kind: "tinybench"; comparison: Comparison }
  | { kind: "custom"; benchmark: CustomBenchmark; comparisons: CustomComparison[] };

/** The ids and titles a benchmark reports: one per comparison. */
function entries(b: Benchmark): { id: string; title: string }[] {
  return b.kind === "custom" ? b.comparisons : [b];
}

const USAGE = `Usage: pnpm bench [-- --filter <id-substring>]... [--list]
  --filter, -f  run only benchmarks whose id contains this (case-insensitive); repeatable
  --list        print the benchmark ids and titles, run nothing
  BENCH_TIME_MS time budget per task in ms (default 1000)`;

function select(filters: readonly string[]): Chosen[] {
  const wanted = filters.map((f) => f.toLowerCase());
  const matches = (id: string): boolean =>
    wanted.length === 0 || wanted.some((f) => id.toLowerCase().includes(f));
  const chosen: Chosen[] = [];
  for (const b of ALL) {
    if (b.kind !== "custom") {
      if (matches(b.id)) chosen.push({ kind: "tinybench", comparison: b });
      continue;
    }
    const comparisons = b.comparisons.filter((c) => matches(c.id));
    if (comparisons.length > 0) chosen.push({ kind: "custom", benchmark: b, comparisons });
  }
  return chosen;
}

/** Run one chosen benchmark, printing a progress line. */
async function runChosen(chosen: Chosen): Promise<ComparisonResult[]> {
  if (chosen.kind === "tinybench") {
    process.stdout.write(`  ${chosen.comparison.id} ${chosen.comparison.title} … `);
    return [await runComparison(chosen.comparison)];
  }
  const b = chosen.benchmark;
  process.stdout.write(`  ${b.id} ${b.title} (${b.repetitions} rounds) `);
  return runCustom(b, chosen.comparisons, () => process.stdout.write("."));
}

async function main(): Promise<number> {
  // `pnpm bench -- --filter P8` may hand us the `--` itself.
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const { values } = parseArgs({
    args,
    options: {
      filter: { type: "string", short: "f", multiple: true },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const chosen = select(values.filter ?? []);
  if (values.list) {
    for (const c of chosen) {
      const listed = c.kind === "tinybench" ? [c.comparison] : c.comparisons;
      for (const e of listed) console.log(`${e.id}\t${e.title}`);
    }
    return 0;
  }
  if (chosen.length === 0) {
    console.error(`No benchmark id matches ${values.filter?.join(", ")}.`);
    console.error(`Known ids: ${ALL.flatMap((b) => entries(b).map((e) => e.id)).join(", ")}`);
    return 2;
  }

  const timeMs = defaultTimeMs();
  console.log(
    `Running ${chosen.length} benchmark(s), ${timeMs} ms per task, Node ${process.version}`,
  );
  const results: ComparisonResult[] = [];
  let failed = 0;
  for (const c of chosen) {
    try {
      const done = await runChosen(c);
      results.push(...done);
      const summary = done.map(
        (r) =>
          `${done.length > 1 ? `${r.id}: ` : ""}${formatSide(r.ours)} vs ${formatSide(r.baseline)} ${r.metric}, ${formatRatioCell(r)}`,
      );
      console.log(summary.join("; "));
    } catch (error) {
      failed++;
      console.log("failed");
      console.error(error);
    }
  }
  if (results.length === 0) return 1;

  console.log(`\n${formatTable(results)}\n`);
  console.log(
    "ratio = ours ÷ baseline: for a rate (/s) above 1 means ours is faster; for a cost (B/connection, ms) below 1 means ours uses less.",
  );
  const paths = await writeResults(results, environment(timeMs));
  console.log(
    `Wrote ${relative(process.cwd(), paths.json)} and ${relative(process.cwd(), paths.svg)}`,
  );
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
