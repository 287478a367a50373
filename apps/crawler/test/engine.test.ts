import { Clock, type Failure } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { Downloader } from "../src/downloader.js";
import { ExecutionEngine } from "../src/engine.js";
import { Request, type Response } from "../src/http.js";
import { Spider, type SpiderOutput, type SpiderResult } from "../src/spider.js";
import { FakeAgent } from "./helpers.js";

/** A spider whose pages link to the URLs named in their bodies, one per line. */
class LinesSpider extends Spider {
  override name = "lines";
  readonly parsed: string[] = [];
  constructor(urls: readonly string[]) {
    super();
    this.start_urls = urls;
  }
  override *parse(response: Response): Generator<SpiderOutput> {
    this.parsed.push(response.url);
    yield { url: response.url };
    for (const line of response.text.split("\n")) if (line !== "") yield response.follow(line);
  }
}

function setUp(spider: Spider, concurrentRequests?: number) {
  const clock = new Clock();
  const agent = new FakeAgent();
  const engine = new ExecutionEngine(spider, new Downloader(agent, { clock }), {
    clock,
    ...(concurrentRequests === undefined ? {} : { concurrentRequests }),
  });
  return { clock, agent, engine };
}

const urls = (n: number) => Array.from({ length: n }, (_, i) => `http://a.test/${i}`);

describe("ExecutionEngine", () => {
  it("never has more than N requests in flight, and starts the next as one finishes", () => {
    const { clock, agent, engine } = setUp(new LinesSpider(urls(12)), 3);
    const done = engine.open();
    expect(agent.requests).toHaveLength(0); // nothing until the clock turns
    clock.advance(0);
    expect(agent.requests).toHaveLength(3);
    expect(engine.inFlight).toBe(3);
    clock.advance(0);
    expect(agent.requests).toHaveLength(3);
    const [first] = agent.waiting();
    if (first === undefined) throw new Error("no request");
    agent.respond(first, 200, "");
    expect(agent.requests).toHaveLength(3); // the next waits for the clock
    clock.advance(0);
    expect(agent.requests).toHaveLength(4);
    while (agent.waiting().length > 0) {
      for (const request of agent.waiting()) agent.respond(request, 200, "");
      clock.advance(0);
      expect(agent.pending).toBeLessThanOrEqual(3);
    }
    expect(agent.requests).toHaveLength(12);
    expect(agent.maxPending).toBe(3);
    expect(engine.stats.maxInFlight).toBe(3);
    expect(done.called).toBe(true);
  });

  it("defaults to 5 requests in flight", () => {
    const { clock, agent, engine } = setUp(new LinesSpider(urls(20)));
    engine.open();
    clock.advance(0);
    expect(engine.concurrentRequests).toBe(5);
    expect(agent.requests).toHaveLength(5);
  });

  it("schedules what parse yields, once per URL, and fires with the stats when nothing is left", async () => {
    const spider = new LinesSpider(["http://a.test/"]);
    const { clock, agent, engine } = setUp(spider, 2);
    const done = engine.open();
    const pages: Record<string, string> = {
      "http://a.test/": "/a\n/b\n/a",
      "http://a.test/a": "/b\n/\n/c",
      "http://a.test/b": "/a",
      "http://a.test/c": "",
    };
    for (let turn = 0; turn < 10 && !done.called; turn += 1) {
      clock.advance(0);
      for (const request of agent.waiting()) agent.respond(request, 200, pages[request.uri] ?? "");
    }
    const stats = await done;
    expect(agent.requests.map((r) => r.uri)).toEqual([
      "http://a.test/",
      "http://a.test/a",
      "http://a.test/b",
      "http://a.test/c",
    ]);
    expect(spider.items).toHaveLength(4);
    expect(stats.items).toBe(4);
    expect(stats.duplicates).toBe(4); // /a again, /b from /a, / from /a, /a from /b
    expect(stats.statusCounts.get(200)).toBe(4);
    expect(stats.finishReason).toBe("finished");
    expect(engine.idle).toBe(true);
  });

  it("follows a redirect through the scheduler and does not parse non-2xx responses", async () => {
    const spider = new LinesSpider(["http://a.test/"]);
    const { clock, agent, engine } = setUp(spider);
    const done = engine.open();
    clock.advance(0);
    const [home] = agent.waiting();
    if (home === undefined) throw new Error("no request");
    agent.respond(home, 200, "/old\n/missing");
    clock.advance(0);
    const [old, missing] = agent.waiting();
    if (old === undefined || missing === undefined) throw new Error("no requests");
    agent.respond(old, 301, "", { location: "/new" });
    agent.respond(missing, 404, "/never-followed");
    clock.advance(0);
    const [moved] = agent.waiting();
    expect(moved?.uri).toBe("http://a.test/new");
    if (moved === undefined) throw new Error("no request");
    agent.respond(moved, 200, "");
    clock.advance(0);
    const stats = await done;
    expect(spider.parsed).toEqual(["http://a.test/", "http://a.test/new"]);
    expect([...stats.statusCounts].sort()).toEqual([
      [200, 2],
      [301, 1],
      [404, 1],
    ]);
    expect(stats.redirects).toBe(1);
  });

  it("stops following after maxRedirects", async () => {
    const clock = new Clock();
    const agent = new FakeAgent();
    const engine = new ExecutionEngine(
      new LinesSpider(["http://a.test/0"]),
      new Downloader(agent, { clock }),
      { clock, maxRedirects: 2 },
    );
    const done = engine.open();
    for (let n = 0; n < 6 && !done.called; n += 1) {
      clock.advance(0);
      for (const request of agent.waiting())
        agent.respond(request, 302, "", { location: `/${n + 1}` });
    }
    expect((await done).redirects).toBe(2);
    expect(agent.requests).toHaveLength(3);
  });

  it("counts a failed download, calls the request's errback, and carries on", async () => {
    const failures: string[] = [];
    class ErrbackSpider extends Spider {
      override name = "errback";
      override *startRequests() {
        yield new Request("http://a.test/down", {
          errback: (failure: Failure, request: Request) => {
            failures.push(`${request.url}: ${failure.getErrorMessage()}`);
            return [new Request("http://a.test/up")];
          },
        });
      }
      override parse(): SpiderResult {
        return [{ ok: true }];
      }
    }
    const spider = new ErrbackSpider();
    const { clock, agent, engine } = setUp(spider);
    const done = engine.open();
    clock.advance(0);
    const [down] = agent.waiting();
    if (down === undefined) throw new Error("no request");
    agent.fail(down, new Error("connection refused"));
    clock.advance(0);
    const [up] = agent.waiting();
    if (up === undefined) throw new Error("no request");
    agent.respond(up, 200, "");
    clock.advance(0);
    const stats = await done;
    expect(failures).toEqual(["http://a.test/down: connection refused"]);
    expect(stats.downloadErrors).toBe(1);
    expect(spider.items).toEqual([{ ok: true }]);
  });

  it("times a download out after the downloader's timeout, in seconds", async () => {
    const clock = new Clock();
    const agent = new FakeAgent();
    const spider = new LinesSpider(["http://a.test/slow"]);
    const engine = new ExecutionEngine(spider, new Downloader(agent, { clock, timeout: 2.5 }), {
      clock,
    });
    const done = engine.open();
    clock.advance(0);
    clock.advance(2.4);
    expect(done.called).toBe(false);
    clock.advance(0.1);
    clock.advance(0);
    const stats = await done;
    expect(stats.downloadErrors).toBe(1);
    expect(spider.parsed).toEqual([]);
  });

  it("counts a callback that throws and keeps crawling", async () => {
    class Broken extends Spider {
      override name = "broken";
      override start_urls = ["http://a.test/1", "http://a.test/2"];
      override *parse(response: Response): Generator<SpiderOutput> {
        if (response.url.endsWith("1")) throw new Error("bad page");
        yield { fine: response.url };
      }
    }
    const spider = new Broken();
    const { clock, agent, engine } = setUp(spider);
    const done = engine.open();
    clock.advance(0);
    for (const request of agent.waiting()) agent.respond(request, 200, "");
    clock.advance(0);
    const stats = await done;
    expect(stats.spiderExceptions).toBe(1);
    expect(spider.items).toEqual([{ fine: "http://a.test/2" }]);
  });

  it("waits for a callback that returns a promise before finishing", async () => {
    let release: (value: SpiderOutput[]) => void = () => undefined;
    class Waiting extends Spider {
      override name = "waiting";
      override start_urls = ["http://a.test/"];
      override parse(): SpiderResult {
        return new Promise<SpiderOutput[]>((resolve) => {
          release = resolve;
        });
      }
    }
    const { clock, agent, engine } = setUp(new Waiting());
    const done = engine.open();
    clock.advance(0);
    for (const request of agent.waiting()) agent.respond(request, 200, "");
    clock.advance(0);
    expect(done.called).toBe(false);
    expect(engine.processing).toBe(1);
    release([new Request("http://a.test/next")]);
    await Promise.resolve();
    clock.advance(0);
    expect(agent.requests.map((r) => r.uri)).toEqual(["http://a.test/", "http://a.test/next"]);
  });

  it("finishes at once with no start URLs, and after the downloads in flight when closed", async () => {
    const empty = setUp(new LinesSpider([]));
    const emptyDone = empty.engine.open();
    empty.clock.advance(0);
    expect((await emptyDone).requests).toBe(0);

    const { clock, agent, engine } = setUp(new LinesSpider(urls(10)), 2);
    const done = engine.open();
    clock.advance(0);
    engine.close();
    expect(done.called).toBe(false);
    for (const request of agent.waiting()) agent.respond(request, 200, "");
    clock.advance(0);
    const stats = await done;
    expect(stats.finishReason).toBe("shutdown");
    expect(agent.requests).toHaveLength(2);
  });

  it("sends the User-Agent and the request's headers", () => {
    const clock = new Clock();
    const agent = new FakeAgent();
    class WithHeaders extends Spider {
      override name = "headers";
      override *startRequests() {
        yield new Request("http://a.test/", { headers: { accept: "text/html" } });
      }
      override parse(): SpiderResult {
        return undefined;
      }
    }
    const engine = new ExecutionEngine(
      new WithHeaders(),
      new Downloader(agent, { clock, userAgent: "test-bot" }),
      { clock },
    );
    engine.open();
    clock.advance(0);
    const headers = agent.requests[0]?.headers;
    expect(headers?.getRawHeaders("user-agent")).toEqual(["test-bot"]);
    expect(headers?.getRawHeaders("accept")).toEqual(["text/html"]);
  });

  it("refuses a limit below 1", () => {
    const clock = new Clock();
    const downloader = new Downloader(new FakeAgent(), { clock });
    expect(
      () => new ExecutionEngine(new LinesSpider([]), downloader, { clock, concurrentRequests: 0 }),
    ).toThrow(RangeError);
  });
});
