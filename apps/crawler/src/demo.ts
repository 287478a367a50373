/**
 * The demo: the crawler against a site it serves itself, so it needs no internet.
 *
 * 1. Writes a 30-page site (links between pages, four links to missing pages, one redirect) to
 *    a temporary directory and serves it with `File` on 127.0.0.1 and a free port, each
 *    response held back `--delay` seconds (0.1 by default) as if the site were far away.
 * 2. Crawls it from "/" with a `CrawlerProcess`, at most `--concurrency` requests in flight
 *    (5 by default), showing a progress line on standard error.
 * 3. The reactor stops by itself when the crawl is done (a `DeferredList`); then it prints the
 *    pages found with their titles, the status counts and the most requests seen in flight.
 *
 *   pnpm --filter crawler demo [--concurrency N] [--delay SECONDS]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type IPv4Address, reactor } from "@twisted-ts/core";
import { Site } from "@twisted-ts/http";
import { CrawlerProcess } from "./crawler.js";
import { demoSiteResource, writeDemoSite } from "./demoSite.js";
import { DEFAULT_CONCURRENT_REQUESTS } from "./engine.js";
import { ProgressReporter, processSnapshot } from "./progress.js";
import { summaryLines } from "./report.js";
import { type PageItem, SiteSpider } from "./spiders.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { concurrency: { type: "string" }, delay: { type: "string" } },
});
const concurrency = Number(values.concurrency ?? DEFAULT_CONCURRENT_REQUESTS);
const delay = Number(values.delay ?? 0.1);
if (!Number.isInteger(concurrency) || concurrency < 1 || !(delay >= 0)) {
  process.stderr.write("usage: demo [--concurrency N (≥ 1)] [--delay SECONDS (≥ 0)]\n");
  process.exit(64);
}

const dir = mkdtempSync(join(tmpdir(), "crawler-demo-"));
writeDemoSite(dir);
const site = new Site(demoSiteResource(dir, delay, reactor), { accessLog: () => undefined });
const port = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
const base = `http://127.0.0.1:${(port.getHost() as IPv4Address).port}`;
console.log(`Serving ${dir} at ${base}/ (File, ${delay} s per response)`);
console.log(`Crawling ${base}/ with at most ${concurrency} requests in flight...`);

const crawlers = new CrawlerProcess(reactor, { concurrentRequests: concurrency });
const spider = new SiteSpider([`${base}/`], "demo");
crawlers.crawl(spider);
const progress = new ProgressReporter(() => processSnapshot(crawlers), {
  stream: process.stderr,
  clock: reactor,
  // The crawl takes about a second: a line every quarter second when not on a terminal.
  interval: process.stderr.isTTY === true ? 0.1 : 0.25,
});
reactor.callWhenRunning(() => progress.start());
crawlers.join().addBoth(() => progress.stop());

await crawlers.start();
rmSync(dir, { recursive: true, force: true });

const stats = crawlers.crawlers[0]?.stats;
if (stats === undefined) throw new Error("the crawl did not start");
for (const line of summaryLines(spider.items as PageItem[], stats, concurrency)) console.log(line);
console.log("The reactor stopped by itself once the crawl was done.");
process.exitCode = stats.maxInFlight <= concurrency ? 0 : 1;
