/**
 * Where the results go: `bench/results/results.json` and `bench/results/results.svg` (both
 * ignored by git), with the machine they were measured on.
 * @packageDocumentation
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ComparisonResult } from "./harness.js";
import { renderSvg } from "./svg.js";

/** The machine and run the figures belong to: ratios only compare within one of these. */
export interface Environment {
  /** `process.version`, e.g. "v20.19.0". */
  node: string;
  /** When the run finished, ISO 8601. */
  date: string;
  /** The CPU model from `os.cpus()`. */
  cpu: string;
  cpuCount: number;
  platform: string;
  arch: string;
  /** The time budget per task in ms (`BENCH_TIME_MS`, default 1000). */
  benchTimeMs: number;
}

/** The shape of `results.json`. */
export interface ResultsFile extends Environment {
  results: ComparisonResult[];
}

/** `bench/results/`, however the process was started. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/** Describe this machine and run. */
export function environment(benchTimeMs: number): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cpuCount: cpus.length,
    platform: process.platform,
    arch: process.arch,
    benchTimeMs,
  };
}

/**
 * Write `results.json` and `results.svg` under `bench/results/`.
 * @returns the paths written.
 */
export async function writeResults(
  results: readonly ComparisonResult[],
  env: Environment,
): Promise<{ json: string; svg: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, "results.json");
  const svg = join(RESULTS_DIR, "results.svg");
  const file: ResultsFile = { ...env, results: [...results] };
  await writeFile(json, `${JSON.stringify(file, null, 2)}\n`);
  await writeFile(svg, renderSvg(results, env));
  return { json, svg };
}
