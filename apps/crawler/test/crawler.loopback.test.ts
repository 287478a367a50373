import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IPv4Address, Reactor } from "@twisted-ts/core";
import { type IRequest, type IResource, type RenderResult, Site } from "@twisted-ts/http";
import { afterEach, describe, expect, it } from "vitest";
import { CrawlerProcess } from "../src/crawler.js";
import {
  demoSiteResource,
  expectedCrawl,
  PAGE_COUNT,
  pagePath,
  pageTitle,
  writeDemoSite,
} from "../src/demoSite.js";
import type { PageItem } from "../src/spiders.js";
import { SiteSpider } from "../src/spiders.js";

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A reactor of the test's own, run without signal handlers. */
class TestReactor extends Reactor {
  override run(): Promise<void> {
    return super.run({ installSignalHandlers: false });
  }
}

/** Counts the requests the server is answering at once. */
class CountingResource implements IResource {
  constructor(
    readonly inner: IResource,
    readonly counter: { active: number; max: number; total: number },
  ) {}
  get isLeaf(): boolean {
    return this.inner.isLeaf;
  }
  getChildWithDefault(path: string, request: IRequest): IResource {
    return new CountingResource(this.inner.getChildWithDefault(path, request), this.counter);
  }
  putChild(path: string, child: IResource): void {
    this.inner.putChild(path, child);
  }
  render(request: IRequest): RenderResult {
    const counter = this.counter;
    counter.active += 1;
    counter.total += 1;
    counter.max = Math.max(counter.max, counter.active);
    request.notifyFinish().addBoth(() => {
      counter.active -= 1;
    });
    return this.inner.render(request);
  }
}

/** Serve the demo site on a fresh reactor, crawl it, and return what happened. */
async function crawlDemoSite(concurrency: number, delay: number) {
  const dir = mkdtempSync(join(tmpdir(), "crawler-loopback-"));
  temporary.push(dir);
  writeDemoSite(dir);
  const reactor = new TestReactor();
  const server = { active: 0, max: 0, total: 0 };
  const root = new CountingResource(demoSiteResource(dir, delay, reactor), server);
  const port = reactor.listenTCP(
    0,
    new Site(root, { accessLog: () => undefined, clock: reactor }),
    {
      interface: "127.0.0.1",
    },
  );
  const base = `http://127.0.0.1:${(port.getHost() as IPv4Address).port}`;
  const process = new CrawlerProcess(reactor, { concurrentRequests: concurrency });
  const spider = new SiteSpider([`${base}/`]);
  process.crawl(spider);
  const timeout = setTimeout(() => {
    if (reactor.running) reactor.stop();
  }, 20_000);
  await process.start(); // returns only once the reactor has stopped
  clearTimeout(timeout);
  const stats = process.crawlers[0]?.stats;
  if (stats === undefined) throw new Error("no stats");
  return { reactor, base, spider, stats, server };
}

describe("the crawler against the demo site, served with File on 127.0.0.1", () => {
  it("visits every page once, with the right statuses and titles, and stops the reactor by itself", async () => {
    const { reactor, spider, stats, server } = await crawlDemoSite(5, 0.02);
    expect(reactor.running).toBe(false);
    expect(stats.finishReason).toBe("finished"); // not the safety timeout
    const items = spider.items as PageItem[];
    const visited = new Map<string, number>();
    expect(stats.requests).toBe(expectedCrawl().size);
    expect(server.total).toBe(expectedCrawl().size);
    for (const item of items) visited.set(new URL(item.url).pathname, 200);
    const expected = expectedCrawl();
    const expectedPages = [...expected].filter(([, code]) => code === 200).map(([path]) => path);
    expect([...visited.keys()].sort()).toEqual(expectedPages.sort());
    expect(Object.fromEntries(stats.statusCounts)).toEqual({ 200: PAGE_COUNT + 1, 302: 1, 404: 4 });
    for (let n = 1; n <= PAGE_COUNT; n += 1) {
      expect(items.find((item) => item.url.endsWith(pagePath(n)))?.title).toBe(pageTitle(n));
    }
    expect(stats.maxInFlight).toBeLessThanOrEqual(5);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(server.max).toBeLessThanOrEqual(5);
    expect(stats.redirects).toBe(1);
    expect(stats.downloadErrors).toBe(0);
  });

  it("keeps the server at no more than N concurrent requests for a smaller N", async () => {
    const { stats, server, reactor } = await crawlDemoSite(2, 0.01);
    expect(reactor.running).toBe(false);
    expect(stats.maxInFlight).toBe(2);
    expect(server.max).toBeLessThanOrEqual(2);
    expect(stats.responses).toBe(expectedCrawl().size);
  });

  it("runs as the demo program: prints the pages, titles, counts and concurrency, then exits", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@twisted-ts/source", "src/demo.ts", "--delay", "0.01"],
      { cwd: APP_DIR },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`Pages found: ${PAGE_COUNT + 1}`);
    expect(stdout).toMatch(/page-30\.html +Page 30: on Deferreds/);
    expect(stdout).toContain("Status counts: 200: 31, 302: 1, 404: 4");
    expect(stdout).toMatch(/Max concurrency observed: [1-5] \(limit 5\)/);
    expect(stdout).toContain("The reactor stopped by itself");
    expect(stderr).toMatch(/^crawled \d+ pages?/m); // the progress lines (not a terminal here)
    expect(stderr).toContain("crawled 36 pages (200×31 302×1 404×4)");
  });
});
