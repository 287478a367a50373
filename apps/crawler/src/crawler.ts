/**
 * `Crawler` (one spider's crawl, with its agent, downloader and engine) and `CrawlerProcess`
 * (several crawls on the reactor, which it stops once every crawl is done, through a
 * `DeferredList`), as in Scrapy.
 * @packageDocumentation
 */
import {
  type Deferred,
  DeferredList,
  type IReactorCore,
  type IReactorTime,
} from "@twisted-ts/core";
import { Agent, type AgentReactor, HTTPConnectionPool, type IAgent } from "@twisted-ts/http";
import { Downloader } from "./downloader.js";
import { type CrawlStats, DEFAULT_CONCURRENT_REQUESTS, ExecutionEngine } from "./engine.js";
import type { Spider } from "./spider.js";

/** What a crawler needs of a reactor: TCP and TLS to connect, and time. */
export type CrawlerReactor = AgentReactor & IReactorTime;

/** A crawl's settings (Scrapy's settings of the same meaning, in camelCase). */
export interface CrawlerSettings {
  /** At most this many requests download at once; 5 by default. */
  concurrentRequests?: number;
  /** Give up on a download after this many seconds; 30 by default. */
  downloadTimeout?: number;
  /** The most redirects a request follows; 20 by default. */
  maxRedirects?: number;
  /** The `User-Agent` sent. */
  userAgent?: string;
  /**
   * The agent to download with. By default an `Agent` over a persistent `HTTPConnectionPool`
   * that keeps up to `concurrentRequests` idle connections per host; its cached connections
   * are closed when the crawl ends.
   */
  agent?: IAgent;
}

/**
 * One spider's crawl: Scrapy's `Crawler`. `crawl()` builds the downloader and the engine and
 * returns a Deferred that fires with the stats when the spider has nothing left to do.
 */
export class Crawler {
  /** The engine, once `crawl()` was called. */
  engine: ExecutionEngine | undefined = undefined;
  /** The connection pool the crawler made, if it made its agent. */
  pool: HTTPConnectionPool | undefined = undefined;

  /**
   * @param spider - the spider to run.
   * @param reactor - the reactor to connect and schedule with.
   * @param settings - limits and the agent.
   */
  constructor(
    readonly spider: Spider,
    readonly reactor: CrawlerReactor,
    readonly settings: CrawlerSettings = {},
  ) {}

  /** The stats so far, once crawling. */
  get stats(): CrawlStats | undefined {
    return this.engine?.stats;
  }

  /**
   * Start crawling.
   * @returns a Deferred of the stats, fired when the crawl is over (after the pool's cached
   *   connections are closed).
   * @throws Error when already crawling.
   */
  crawl(): Deferred<CrawlStats> {
    if (this.engine !== undefined) throw new Error("crawling already taking place");
    const concurrency = this.settings.concurrentRequests ?? DEFAULT_CONCURRENT_REQUESTS;
    let agent = this.settings.agent;
    if (agent === undefined) {
      const pool = new HTTPConnectionPool(this.reactor);
      pool.maxPersistentPerHost = concurrency;
      this.pool = pool;
      agent = new Agent(this.reactor, { pool });
    }
    const downloader = new Downloader(agent, {
      clock: this.reactor,
      ...(this.settings.downloadTimeout === undefined
        ? {}
        : { timeout: this.settings.downloadTimeout }),
      ...(this.settings.userAgent === undefined ? {} : { userAgent: this.settings.userAgent }),
    });
    const engine = new ExecutionEngine(this.spider, downloader, {
      clock: this.reactor,
      concurrentRequests: concurrency,
      ...(this.settings.maxRedirects === undefined
        ? {}
        : { maxRedirects: this.settings.maxRedirects }),
    });
    this.engine = engine;
    return engine.open().addCallback((stats: CrawlStats) => {
      const pool = this.pool;
      if (pool === undefined) return stats;
      return pool.closeCachedConnections().addCallback(() => stats);
    });
  }

  /** Stop early: no new requests; the crawl's Deferred fires once the downloads in progress end. */
  stop(): void {
    this.engine?.close("shutdown");
  }
}

/** What a crawler process needs of a reactor: a crawler's, plus running and stopping. */
export type CrawlerProcessReactor = CrawlerReactor &
  Pick<IReactorCore, "run" | "stop" | "running" | "callWhenRunning">;

/**
 * Several crawls in one process: Scrapy's `CrawlerProcess`. Add crawls with `crawl(spider)`,
 * then `start()` runs the reactor until every crawl is done: a `DeferredList` of their
 * Deferreds stops the reactor when it fires.
 *
 * ```ts
 * const process = new CrawlerProcess(reactor, { concurrentRequests: 5 });
 * process.crawl(new MySpider());
 * await process.start();  // returns once the reactor has stopped by itself
 * ```
 */
export class CrawlerProcess {
  /** The crawlers, in the order added. */
  readonly crawlers: Crawler[] = [];
  private readonly crawls: Deferred<CrawlStats>[] = [];
  private joined: DeferredList<CrawlStats> | undefined = undefined;

  /**
   * @param reactor - the reactor to run (the global one in an app).
   * @param settings - the settings every crawl gets unless `crawl` is given its own.
   */
  constructor(
    readonly reactor: CrawlerProcessReactor,
    readonly settings: CrawlerSettings = {},
  ) {}

  /**
   * Start a crawl (it begins downloading once the reactor runs).
   * @param spider - the spider.
   * @param settings - settings for this crawl, over the process's.
   * @returns a Deferred of its stats.
   */
  crawl(spider: Spider, settings: CrawlerSettings = {}): Deferred<CrawlStats> {
    const crawler = new Crawler(spider, this.reactor, { ...this.settings, ...settings });
    this.crawlers.push(crawler);
    const d = crawler.crawl();
    this.crawls.push(d);
    return d;
  }

  /**
   * A Deferred that fires when every crawl added so far is done: a `DeferredList` (with
   * `consumeErrors`) of their Deferreds, so one crawl's failure does not hide the others.
   * @returns the list; its result pairs each crawl's success with its stats or Failure.
   */
  join(): DeferredList<CrawlStats> {
    return new DeferredList(this.crawls, { consumeErrors: true });
  }

  /**
   * Run the reactor until every crawl is done, then stop it.
   * @param stopAfterCrawl - stop the reactor when the crawls are done (true by default).
   * @returns the reactor's `run()` promise: it settles once the reactor has stopped.
   */
  start(stopAfterCrawl = true): Promise<void> {
    this.reactor.callWhenRunning(() => {
      const joined = this.join();
      this.joined = joined;
      if (stopAfterCrawl) {
        joined.addBoth(() => {
          if (this.reactor.running) this.reactor.stop();
        });
      }
    });
    return this.reactor.run();
  }

  /** Stop every crawl early (their Deferreds then fire, and `start` stops the reactor). */
  stop(): void {
    for (const crawler of this.crawlers) crawler.stop();
  }

  /** The list `start` waits on, once the reactor runs. */
  get joinedList(): DeferredList<CrawlStats> | undefined {
    return this.joined;
  }
}
