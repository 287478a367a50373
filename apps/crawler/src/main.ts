/**
 * `pnpm --filter crawler crawl URL… [--concurrency N] [--timeout SECONDS]`: crawl sites from
 * these URLs, staying on their origins, and print the pages found with their titles.
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import { reactor } from "@twisted-ts/core";
import { CrawlerProcess } from "./crawler.js";
import { DEFAULT_CONCURRENT_REQUESTS } from "./engine.js";
import { ProgressReporter, processSnapshot } from "./progress.js";
import { summaryLines } from "./report.js";
import { type PageItem, SiteSpider } from "./spiders.js";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { concurrency: { type: "string" }, timeout: { type: "string" } },
  allowPositionals: true,
});
const concurrency = Number(values.concurrency ?? DEFAULT_CONCURRENT_REQUESTS);
const timeout = Number(values.timeout ?? 30);
if (
  positionals.length === 0 ||
  !Number.isInteger(concurrency) ||
  concurrency < 1 ||
  !(timeout > 0)
) {
  process.stderr.write("usage: crawl URL... [--concurrency N] [--timeout SECONDS]\n");
  process.exit(64);
}

const crawlers = new CrawlerProcess(reactor, {
  concurrentRequests: concurrency,
  downloadTimeout: timeout,
});
const spiders = positionals.map((url, i) => new SiteSpider([url], `site${i + 1}`));
for (const spider of spiders) crawlers.crawl(spider);
const progress = new ProgressReporter(() => processSnapshot(crawlers), {
  stream: process.stderr,
  clock: reactor,
});
reactor.callWhenRunning(() => progress.start());
crawlers.join().addBoth(() => progress.stop());
await crawlers.start();

spiders.forEach((spider, i) => {
  const stats = crawlers.crawlers[i]?.stats;
  if (stats === undefined) return;
  console.log(`== ${spider.start_urls.join(" ")}`);
  for (const line of summaryLines(spider.items as PageItem[], stats, concurrency))
    console.log(line);
});
