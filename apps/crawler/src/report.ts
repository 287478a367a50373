/**
 * The summary the crawler's programs print when a crawl is over.
 * @packageDocumentation
 */
import type { CrawlStats } from "./engine.js";
import type { PageItem } from "./spiders.js";

/**
 * The summary's lines: the pages found with their titles, the status counts, the requests,
 * and the most requests that were in flight at once against the limit.
 * @param items - the pages the spider scraped.
 * @param stats - the crawl's stats.
 * @param limit - the concurrency limit.
 * @returns the lines.
 */
export function summaryLines(
  items: readonly PageItem[],
  stats: CrawlStats,
  limit: number,
): string[] {
  const lines = [`Pages found: ${items.length}`];
  const sorted = [...items].sort((a, b) => a.url.localeCompare(b.url));
  const width = Math.max(0, ...sorted.map((item) => item.url.length));
  for (const item of sorted) lines.push(`  ${item.url.padEnd(width)}  ${item.title}`);
  const codes = [...stats.statusCounts]
    .sort(([a], [b]) => a - b)
    .map(([code, count]) => `${code}: ${count}`)
    .join(", ");
  lines.push(`Status counts: ${codes === "" ? "none" : codes}`);
  const elapsed = (stats.finishTime ?? stats.startTime) - stats.startTime;
  lines.push(
    `Requests: ${stats.requests} (${stats.redirects} redirects followed, ${stats.duplicates} duplicates dropped, ${stats.downloadErrors} download errors) in ${elapsed.toFixed(2)} s`,
  );
  lines.push(`Max concurrency observed: ${stats.maxInFlight} (limit ${limit})`);
  return lines;
}
