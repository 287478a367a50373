import { describe, expect, it } from "vitest";
import { Crawler, CrawlerProcess } from "../src/crawler.js";
import {
  ProgressReporter,
  type ProgressSnapshot,
  processSnapshot,
  progressLine,
} from "../src/progress.js";
import { SiteSpider } from "../src/spiders.js";
import { FakeAgent, fakeProcessReactor } from "./helpers.js";

describe("CrawlerProcess", () => {
  it("stops the reactor once every crawl is done (a DeferredList), and not before", async () => {
    const { clock, reactor } = fakeProcessReactor();
    const agent = new FakeAgent();
    const process = new CrawlerProcess(reactor, { agent, concurrentRequests: 2 });
    const first = process.crawl(new SiteSpider(["http://a.test/"]));
    const second = process.crawl(new SiteSpider(["http://b.test/"]));
    let stopped = false;
    const running = process.start().then(() => {
      stopped = true;
    });
    clock.advance(0);
    expect(agent.requests.map((r) => r.uri)).toEqual(["http://a.test/", "http://b.test/"]);
    const [a, b] = agent.waiting();
    if (a === undefined || b === undefined) throw new Error("no requests");
    agent.respond(a, 200, "<title>A</title>");
    clock.advance(0);
    expect(first.called).toBe(true);
    expect(second.called).toBe(false);
    expect(clock.stopCalls).toBe(0);
    agent.respond(b, 404, "");
    clock.advance(0);
    await running;
    expect(stopped).toBe(true);
    expect(clock.stopCalls).toBe(1);
    expect(process.joinedList?.called).toBe(true);
    expect(process.crawlers.map((c) => c.stats?.responses)).toEqual([1, 1]);
  });

  it("stops the reactor after stop() ends the crawls early, once their downloads finish", async () => {
    const { clock, reactor } = fakeProcessReactor();
    const agent = new FakeAgent();
    const process = new CrawlerProcess(reactor, { agent });
    const crawl = process.crawl(new SiteSpider(["http://a.test/", "http://a.test/2"]));
    const running = process.start();
    clock.advance(0);
    process.stop();
    expect(crawl.called).toBe(false);
    for (const request of agent.waiting()) agent.respond(request, 200, '<a href="/3">');
    clock.advance(0);
    await running;
    expect(clock.stopCalls).toBe(1);
    expect(agent.requests).toHaveLength(2); // /3 was never fetched
    expect(process.crawlers[0]?.stats?.finishReason).toBe("shutdown");
  });

  it("refuses to crawl twice with one Crawler", () => {
    const { reactor } = fakeProcessReactor();
    const crawler = new Crawler(new SiteSpider([]), reactor, { agent: new FakeAgent() });
    crawler.crawl();
    expect(() => crawler.crawl()).toThrow(/already/);
  });
});

const SNAPSHOT: ProgressSnapshot = {
  responses: 25,
  statusCounts: new Map([
    [404, 2],
    [200, 22],
    [302, 1],
  ]),
  items: 22,
  errors: 0,
  inFlight: 3,
  queued: 4,
};

describe("the progress line", () => {
  it("shows the pages, status counts, items, in flight, queued and rate", () => {
    expect(progressLine(SNAPSHOT, 2)).toBe(
      "crawled 25 pages (200×22 302×1 404×2), 22 items, 3 in flight, 4 queued, 12.5 pages/s",
    );
    expect(progressLine({ ...SNAPSHOT, responses: 1, statusCounts: new Map(), errors: 2 }, 0)).toBe(
      "crawled 1 page, 22 items, 3 in flight, 4 queued, 2 errors, 0.0 pages/s",
    );
  });

  it("redraws one line in place on a terminal", () => {
    const { clock } = fakeProcessReactor();
    const written: string[] = [];
    const reporter = new ProgressReporter(() => SNAPSHOT, {
      stream: { isTTY: true, write: (text: string) => written.push(text) },
      clock,
    });
    expect(reporter.interval).toBe(0.1);
    reporter.start();
    clock.advance(0.1);
    clock.advance(0.1);
    reporter.stop();
    expect(written.slice(0, -1).every((w) => w.startsWith("\r\x1b[2Kcrawled 25 pages"))).toBe(true);
    expect(written.slice(0, -1).some((w) => w.includes("\n"))).toBe(false);
    expect(written.at(-1)).toBe("\n");
    expect(reporter.writes).toBe(4);
  });

  it("writes a plain line periodically elsewhere, only when something changed", () => {
    const { clock } = fakeProcessReactor();
    const written: string[] = [];
    let snapshot = SNAPSHOT;
    const reporter = new ProgressReporter(() => snapshot, {
      stream: { write: (text: string) => written.push(text) },
      clock,
    });
    expect(reporter.interval).toBe(1);
    reporter.start();
    clock.advance(1);
    clock.advance(1);
    expect(written).toHaveLength(1);
    snapshot = { ...SNAPSHOT, responses: 30 };
    clock.advance(1);
    reporter.stop();
    expect(written).toHaveLength(3);
    expect(written.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
    expect(written[1]).toMatch(/^crawled 30 pages/);
  });

  it("sums the crawls of a process", () => {
    const { reactor } = fakeProcessReactor();
    const process = new CrawlerProcess(reactor, { agent: new FakeAgent() });
    process.crawl(new SiteSpider(["http://a.test/"]));
    process.crawl(new SiteSpider(["http://b.test/", "http://b.test/x"]));
    expect(processSnapshot(process)).toMatchObject({ responses: 0, inFlight: 0, queued: 3 });
  });
});
