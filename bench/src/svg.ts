/**
 * The results as a horizontal bar chart in hand-written SVG (no dependency), so a reader can look
 * rather than read: one group per comparison, ours and the baseline as two bars on a shared scale,
 * the ratio beside the title, and the target as a dashed line where the issue sets one.
 * @packageDocumentation
 */
import type { ComparisonResult, SideResult } from "./harness.js";
import type { Environment } from "./results.js";
import { formatRatio, targetLabel } from "./table.js";

const WIDTH = 960;
const MARGIN = 24;
const LABEL_WIDTH = 220;
const VALUE_WIDTH = 170;
const BAR_LEFT = MARGIN + LABEL_WIDTH;
const BAR_SPACE = WIDTH - BAR_LEFT - VALUE_WIDTH - MARGIN;
const BAR_HEIGHT = 28;
const BAR_GAP = 8;
const GROUP_HEADING = 30;
const GROUP_GAP = 26;
const HEADER_HEIGHT = 78;
const LEGEND_HEIGHT = 30;

const COLOURS = {
  ours: "#2563eb",
  baseline: "#9ca3af",
  met: "#15803d",
  missed: "#b91c1c",
  none: "#374151",
  text: "#111827",
  muted: "#6b7280",
  target: "#d97706",
  grid: "#e5e7eb",
};

/** "12.3M", "4.56k", "7.89": a figure in three significant digits. */
export function compactValue(value: number): string {
  const units: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (value >= size) return `${(value / size).toPrecision(3)}${suffix}`;
  }
  return value.toPrecision(3);
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function text(
  x: number,
  y: number,
  content: string,
  attrs: Record<string, string | number> = {},
): string {
  const rendered = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
  return `<text x="${x}" y="${y}"${rendered}>${escapeXml(content)}</text>`;
}

function ratioColour(result: ComparisonResult): string {
  if (result.target?.met === undefined) return COLOURS.none;
  return result.target.met ? COLOURS.met : COLOURS.missed;
}

function ratioLabel(result: ComparisonResult): string {
  if (result.ratio === undefined) return "ours/baseline n/a: baseline unavailable";
  const ratio = `ours/baseline ${formatRatio(result.ratio)} ±${(result.ratioRme ?? 0).toFixed(1)}%`;
  if (!result.target) return ratio;
  const verdict = result.target.met ? "met" : "not met";
  const limit = result.limit === undefined ? "" : ` (limit: ${formatRatio(result.limit.ratio)})`;
  return `${ratio} · target ${targetLabel(result)}: ${verdict}${limit}`;
}

/** The length a side's bar stands for: 0 when it was not measured. */
function barValue(side: SideResult): number {
  return side.unavailable === undefined ? side.value : 0;
}

function group(result: ComparisonResult, top: number): string[] {
  const out: string[] = [];
  const baseline = barValue(result.baseline);
  const targetValue = result.target && baseline > 0 ? result.target.ratio * baseline : 0;
  const scale =
    BAR_SPACE / Math.max(barValue(result.ours), baseline, targetValue, Number.MIN_VALUE);
  out.push(
    text(MARGIN, top + 16, `${result.id}  ${result.title}`, {
      "font-weight": 600,
      "font-size": 14,
      fill: COLOURS.text,
    }),
    text(WIDTH - MARGIN, top + 16, ratioLabel(result), {
      "text-anchor": "end",
      "font-size": 13,
      "font-weight": 600,
      fill: ratioColour(result),
    }),
  );
  const bars: [string, SideResult, string][] = [
    ["ours (twisted-ts)", result.ours, COLOURS.ours],
    ["baseline", result.baseline, COLOURS.baseline],
  ];
  bars.forEach(([role, side, colour], i) => {
    const y = top + GROUP_HEADING + i * (BAR_HEIGHT + BAR_GAP);
    const width = Math.max(1, barValue(side) * scale);
    const figure =
      side.unavailable === undefined
        ? `${compactValue(side.value)} ${result.metric} ±${side.rme.toFixed(1)}%`
        : "unavailable";
    const middle = y + BAR_HEIGHT / 2 + 4;
    out.push(
      text(BAR_LEFT - 10, y + 12, side.name, {
        "text-anchor": "end",
        "font-size": 13,
        fill: COLOURS.text,
      }),
      text(BAR_LEFT - 10, y + 25, role, {
        "text-anchor": "end",
        "font-size": 11,
        fill: COLOURS.muted,
      }),
      `<rect x="${BAR_LEFT}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" rx="3" fill="${colour}"><title>${escapeXml(`${side.name}: ${side.unavailable ?? `${side.value.toFixed(2)} ${result.metric} ±${side.rme.toFixed(1)}%`}`)}</title></rect>`,
      text(BAR_LEFT + width + 8, middle, figure, { "font-size": 12, fill: COLOURS.text }),
    );
  });
  if (result.target && targetValue > 0) {
    const x = (BAR_LEFT + targetValue * scale).toFixed(1);
    const y1 = top + GROUP_HEADING - 4;
    const y2 = top + GROUP_HEADING + 2 * BAR_HEIGHT + BAR_GAP + 4;
    out.push(
      `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2}" stroke="${COLOURS.target}" stroke-width="2" stroke-dasharray="5 3"><title>${escapeXml(`target: ${result.target.description}`)}</title></line>`,
      text(Number(x), y2 + 12, `target ${targetLabel(result)} baseline`, {
        "text-anchor": "middle",
        "font-size": 11,
        fill: COLOURS.target,
      }),
    );
  }
  return out;
}

function groupHeight(result: ComparisonResult): number {
  return GROUP_HEADING + 2 * BAR_HEIGHT + BAR_GAP + (result.target ? 16 : 0) + GROUP_GAP;
}

/** The whole chart as an SVG document. */
export function renderSvg(results: readonly ComparisonResult[], env: Environment): string {
  const body: string[] = [];
  body.push(
    text(MARGIN, 30, "twisted-ts benchmarks: ours vs the baseline each issue names", {
      "font-size": 18,
      "font-weight": 700,
      fill: COLOURS.text,
    }),
    text(
      MARGIN,
      52,
      `Node ${env.node} · ${env.cpu} (${env.cpuCount} CPUs) · ${env.platform}/${env.arch} · ${env.date.slice(0, 16).replace("T", " ")} UTC`,
      { "font-size": 12, fill: COLOURS.muted },
    ),
    text(
      MARGIN,
      68,
      "Bars: each group's figure on its own scale (ops/s, MB/s: longer is better; B/connection, ms: shorter is better).",
      { "font-size": 12, fill: COLOURS.muted },
    ),
  );
  let top = HEADER_HEIGHT;
  for (const result of results) {
    body.push(
      `<line x1="${MARGIN}" y1="${top}" x2="${WIDTH - MARGIN}" y2="${top}" stroke="${COLOURS.grid}"/>`,
    );
    body.push(...group(result, top + 8));
    top += groupHeight(result);
  }
  const legendY = top + 8;
  body.push(
    `<rect x="${MARGIN}" y="${legendY}" width="14" height="14" rx="2" fill="${COLOURS.ours}"/>`,
    text(MARGIN + 20, legendY + 12, "ours (twisted-ts)", { "font-size": 12, fill: COLOURS.text }),
    `<rect x="${MARGIN + 150}" y="${legendY}" width="14" height="14" rx="2" fill="${COLOURS.baseline}"/>`,
    text(MARGIN + 170, legendY + 12, "baseline", { "font-size": 12, fill: COLOURS.text }),
    `<line x1="${MARGIN + 260}" y1="${legendY}" x2="${MARGIN + 260}" y2="${legendY + 14}" stroke="${COLOURS.target}" stroke-width="2" stroke-dasharray="5 3"/>`,
    text(MARGIN + 268, legendY + 12, "target (ours must reach it; ≤ targets: stay within it)", {
      "font-size": 12,
      fill: COLOURS.text,
    }),
  );
  const height = top + LEGEND_HEIGHT + MARGIN / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
