/**
 * The results as a plain-text table for the terminal.
 * @packageDocumentation
 */
import type { ComparisonResult, SideResult } from "./harness.js";

/** A figure with thousands separators, and two decimals below 100. */
export function formatValue(value: number): string {
  const digits = value < 100 ? 2 : 0;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A ratio as "2.31×". */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** "≥ 0.90×" or "≤ 1.20×" (by which way is better), or "—" (no target). */
export function targetLabel(result: ComparisonResult): string {
  if (!result.target) return "—";
  return `${result.better === "higher" ? "≥" : "≤"} ${formatRatio(result.target.ratio)}`;
}

/** "yes", "no", "n/a" (the baseline is unavailable) or "—" (no target). */
export function metLabel(result: ComparisonResult): string {
  if (!result.target) return "—";
  if (result.target.met === undefined) return "n/a";
  return result.target.met ? "yes" : "no";
}

/** "1,234 ±2.1%", or "unavailable". */
export function formatSide(side: SideResult): string {
  if (side.unavailable !== undefined) return "unavailable";
  return `${formatValue(side.value)} ±${side.rme.toFixed(1)}%`;
}

/** "2.31× ±3.0%", or "n/a" when a side is unavailable. */
export function formatRatioCell(result: ComparisonResult): string {
  if (result.ratio === undefined) return "n/a";
  return `${formatRatio(result.ratio)} ±${(result.ratioRme ?? 0).toFixed(1)}%`;
}

function detailLines(role: string, side: SideResult): string[] {
  if (side.unavailable !== undefined) return [`  ${role} unavailable: ${side.unavailable}`];
  const details = Object.entries(side.details ?? {});
  if (details.length === 0) return [];
  const text = details.map(([label, value]) => `${label} ${formatValue(value)}`).join(", ");
  return [`  ${role} (${side.name}): ${text}`];
}

/** What each side runs, its side figures, and how far the limit gets against the baseline. */
function notes(r: ComparisonResult): string[] {
  const lines = [
    `${r.id}: ours = ${r.ours.name}, baseline = ${r.baseline.name}; figures in ${r.metric}`,
    ...detailLines("ours", r.ours),
    ...detailLines("baseline", r.baseline),
  ];
  if (r.limit !== undefined) {
    const reach = `${r.limit.name} itself reaches ${formatRatio(r.limit.ratio)} ${r.baseline.name}`;
    const beyond =
      r.target !== undefined && r.limit.ratio < r.target.ratio
        ? `: the target asks for more than the limit reaches, so aim at ${r.limit.name}`
        : "";
    lines.push(`  limit: ${reach} (${formatValue(r.limit.value)} ${r.metric})${beyond}`);
  }
  return lines;
}

/**
 * One row per comparison: id, title, what the figures measure, ours and the baseline (± relative
 * margin of error), the ratio ours/baseline, the target and whether it was met; then what each
 * side runs, its side figures, and the limit where one is named.
 */
export function formatTable(results: readonly ComparisonResult[]): string {
  const header = ["id", "title", "metric", "ours", "baseline", "ratio", "target", "met?"];
  const rows = results.map((r) => [
    r.id,
    r.title,
    r.metric,
    formatSide(r.ours),
    formatSide(r.baseline),
    formatRatioCell(r),
    targetLabel(r),
    metLabel(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Numbers align right; words align left.
  const right = new Set([3, 4, 5]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line), "", ...results.flatMap(notes)].join("\n");
}
