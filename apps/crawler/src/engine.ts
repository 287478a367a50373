/**
 * `ExecutionEngine`: drives one spider's crawl. It takes requests from the scheduler while
 * fewer than N are downloading, hands each 2xx response to its callback, schedules what the
 * callback yields, and fires its Deferred when nothing is left (Scrapy's `ExecutionEngine`).
 * @packageDocumentation
 */
import {
  Deferred,
  type Failure,
  type IDelayedCall,
  type IReactorTime,
  Logger,
} from "@twisted-ts/core";
import type { IDownloader } from "./downloader.js";
import { Request, type Response } from "./http.js";
import { Scheduler } from "./scheduler.js";
import type { Spider, SpiderOutput, SpiderResult } from "./spider.js";

const log = new Logger({ namespace: "crawler.engine" });

/** How many requests may download at once when not told (Scrapy's `CONCURRENT_REQUESTS` is 16; the seed's N is 5). */
export const DEFAULT_CONCURRENT_REQUESTS = 5;

/** How many redirects a request may follow (Scrapy's `REDIRECT_MAX_TIMES`). */
export const DEFAULT_MAX_REDIRECTS = 20;

/** What `new ExecutionEngine(spider, downloader, options)` takes besides those. */
export interface EngineOptions {
  /** The clock the engine schedules its next step on (and timestamps its stats with). */
  clock: Pick<IReactorTime, "callLater" | "seconds">;
  /** At most this many requests download at once; {@link DEFAULT_CONCURRENT_REQUESTS} by default. */
  concurrentRequests?: number;
  /** The most redirects a request follows; {@link DEFAULT_MAX_REDIRECTS} by default. */
  maxRedirects?: number;
  /** The scheduler; a new {@link Scheduler} by default. */
  scheduler?: Scheduler;
}

/** The numbers of a crawl, as Scrapy's stats collector keeps them. */
export interface CrawlStats {
  /** Requests handed to the downloader. */
  requests: number;
  /** Responses received (any status). */
  responses: number;
  /** Responses by status code. */
  readonly statusCounts: Map<number, number>;
  /** Items the spider yielded. */
  items: number;
  /** Downloads that failed (connection refused, timeout, …). */
  downloadErrors: number;
  /** Callbacks that threw. */
  spiderExceptions: number;
  /** Redirects followed. */
  redirects: number;
  /** Requests the duplicate filter dropped. */
  duplicates: number;
  /** The most requests downloading at once, ever. */
  maxInFlight: number;
  /** When the crawl started, in seconds on the engine's clock. */
  startTime: number;
  /** When it finished, or undefined while it runs. */
  finishTime: number | undefined;
  /** Why it finished: "finished" or "shutdown". */
  finishReason: string | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function isIterable(value: unknown): value is Iterable<SpiderOutput> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
  );
}

/**
 * Runs a spider: at most `concurrentRequests` downloads at once, FIFO from the scheduler.
 * Each step runs from the clock (`callLater(0)`), so a burst of synchronous answers never
 * recurses, and a fake clock steps it in tests.
 *
 * A response is handled as Scrapy's default middlewares would: a 3xx with `Location` is
 * followed (as a new request through the scheduler, up to `maxRedirects`); any other status
 * outside 2xx is counted and dropped (the callback is not called); a 2xx goes to the request's
 * callback or the spider's `parse`. A failed download goes to the request's errback, else to
 * the spider's `downloadFailed`.
 */
export class ExecutionEngine {
  /** The scheduler. */
  readonly scheduler: Scheduler;
  /** The download limit. */
  readonly concurrentRequests: number;
  /** The redirect limit. */
  readonly maxRedirects: number;
  /** The stats, updated as the crawl goes. */
  readonly stats: CrawlStats;
  /** How many requests are downloading now. */
  inFlight = 0;
  /** How many callbacks (or their promises) are still running. */
  processing = 0;
  /** Whether the engine is taking new requests (between `open` and `close`). */
  running = false;
  private readonly clock: Pick<IReactorTime, "callLater" | "seconds">;
  private nextCall: IDelayedCall | undefined = undefined;
  private finished: Deferred<CrawlStats> | undefined = undefined;

  /**
   * @param spider - the spider to run.
   * @param downloader - fetches requests.
   * @param options - clock, limits and scheduler.
   * @throws RangeError for a `concurrentRequests` below 1.
   */
  constructor(
    readonly spider: Spider,
    readonly downloader: IDownloader,
    options: EngineOptions,
  ) {
    this.clock = options.clock;
    this.concurrentRequests = options.concurrentRequests ?? DEFAULT_CONCURRENT_REQUESTS;
    if (!Number.isInteger(this.concurrentRequests) || this.concurrentRequests < 1) {
      throw new RangeError(
        `concurrentRequests must be a whole number ≥ 1, not ${this.concurrentRequests}`,
      );
    }
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.scheduler = options.scheduler ?? new Scheduler();
    this.stats = {
      requests: 0,
      responses: 0,
      statusCounts: new Map(),
      items: 0,
      downloadErrors: 0,
      spiderExceptions: 0,
      redirects: 0,
      duplicates: 0,
      maxInFlight: 0,
      startTime: 0,
      finishTime: undefined,
      finishReason: undefined,
    };
  }

  /**
   * Start the crawl: schedule the spider's start requests and begin downloading on the next
   * turn of the clock.
   * @returns a Deferred that fires with the stats once the crawl is over.
   * @throws Error when already opened.
   */
  open(): Deferred<CrawlStats> {
    if (this.finished !== undefined) throw new Error("the engine was already opened");
    const finished = new Deferred<CrawlStats>();
    this.finished = finished;
    this.running = true;
    this.stats.startTime = this.clock.seconds();
    try {
      for (const request of this.spider.startRequests()) this.schedule(request);
    } catch (error) {
      this.stats.spiderExceptions += 1;
      log.failure("Error in {spider}'s start requests", error, { spider: this.spider.name });
    }
    this.scheduleNext();
    return finished;
  }

  /**
   * Stop taking requests; the Deferred of `open` fires once the downloads in progress are done.
   * @param reason - recorded in the stats; "shutdown" by default.
   */
  close(reason = "shutdown"): void {
    if (!this.running) return;
    this.running = false;
    this.stats.finishReason = reason;
    this.maybeFinish();
  }

  /**
   * Put a request in the scheduler (counting it when the duplicate filter drops it).
   * @param request - the request.
   * @returns whether it was queued.
   */
  schedule(request: Request): boolean {
    const queued = this.scheduler.enqueueRequest(request);
    if (!queued) this.stats.duplicates += 1;
    return queued;
  }

  /** Whether nothing is downloading, processing or waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.processing === 0 && !this.scheduler.hasPendingRequests();
  }

  private scheduleNext(): void {
    if (this.nextCall?.active() === true) return;
    this.nextCall = this.clock.callLater(0, () => {
      this.nextCall = undefined;
      this.nextRequest();
    });
  }

  private nextRequest(): void {
    while (this.running && this.inFlight < this.concurrentRequests) {
      const request = this.scheduler.nextRequest();
      if (request === undefined) break;
      this.download(request);
    }
    if (this.running && this.idle) this.close("finished");
    this.maybeFinish();
  }

  private maybeFinish(): void {
    const finished = this.finished;
    if (this.running || this.inFlight > 0 || this.processing > 0 || finished === undefined) return;
    if (finished.called) return;
    this.nextCall?.cancel();
    this.nextCall = undefined;
    this.stats.finishTime = this.clock.seconds();
    this.stats.finishReason ??= "finished";
    try {
      this.spider.closed(this.stats.finishReason);
    } catch (error) {
      log.failure("Error in {spider}.closed", error, { spider: this.spider.name });
    }
    finished.callback(this.stats);
  }

  private download(request: Request): void {
    this.inFlight += 1;
    this.stats.requests += 1;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    let fetching: Deferred<Response>;
    try {
      fetching = this.downloader.fetch(request);
    } catch (error) {
      fetching = new Deferred<Response>();
      fetching.errback(error);
    }
    fetching.addCallbacks(
      (response: Response) => {
        this.inFlight -= 1;
        this.handleResponse(response);
      },
      (failure: Failure) => {
        this.inFlight -= 1;
        this.handleFailure(failure, request);
      },
    );
    fetching.addBoth(() => this.scheduleNext());
  }

  private handleResponse(response: Response): void {
    const stats = this.stats;
    stats.responses += 1;
    stats.statusCounts.set(response.status, (stats.statusCounts.get(response.status) ?? 0) + 1);
    const location = response.headers.getRawHeaders("location")?.[0];
    if (response.status >= 300 && response.status < 400 && location !== undefined) {
      this.followRedirect(response, location);
      return;
    }
    if (response.status < 200 || response.status >= 300) {
      log.debug("Ignoring response {response}: HTTP status code is not handled", {
        response: String(response),
      });
      return;
    }
    const callback = response.request.callback ?? ((r: Response) => this.spider.parse(r));
    this.runCallback(() => callback(response), response, `${this.spider.name} callback`);
  }

  private followRedirect(response: Response, location: string): void {
    const request = response.request;
    const times = typeof request.meta.redirectTimes === "number" ? request.meta.redirectTimes : 0;
    if (times >= this.maxRedirects) {
      log.warn("Discarding {request}: max redirections reached", { request: String(request) });
      return;
    }
    let target: Request;
    try {
      const method = response.status === 303 ? "GET" : request.method;
      target = request.replace({
        url: response.urljoin(location),
        method,
        meta: { ...request.meta, redirectTimes: times + 1 },
        dontFilter: false,
      });
    } catch (error) {
      log.failure("Bad redirect from {request}", error, { request: String(request) });
      return;
    }
    this.stats.redirects += 1;
    this.schedule(target);
  }

  private handleFailure(failure: Failure, request: Request): void {
    this.stats.downloadErrors += 1;
    log.warn("Error downloading {request}: {error}", {
      request: String(request),
      error: failure.getErrorMessage(),
    });
    const errback = request.errback;
    if (errback === undefined) {
      try {
        this.spider.downloadFailed(failure, request);
      } catch (error) {
        this.stats.spiderExceptions += 1;
        log.failure("Error in {spider}.downloadFailed", error, { spider: this.spider.name });
      }
      return;
    }
    this.runCallback(() => errback(failure, request), undefined, `${this.spider.name} errback`);
  }

  private runCallback(
    call: () => SpiderResult,
    response: Response | undefined,
    what: string,
  ): void {
    let result: SpiderResult;
    try {
      result = call();
    } catch (error) {
      this.spiderError(error, what);
      return;
    }
    if (!isThenable(result)) {
      this.collect(result, response, what);
      return;
    }
    this.processing += 1;
    Promise.resolve(result).then(
      (outputs) => {
        this.processing -= 1;
        this.collect(outputs, response, what);
        this.scheduleNext();
      },
      (error: unknown) => {
        this.processing -= 1;
        this.spiderError(error, what);
        this.scheduleNext();
      },
    );
  }

  private collect(outputs: unknown, response: Response | undefined, what: string): void {
    if (outputs === undefined || outputs === null) return;
    if (!isIterable(outputs)) {
      this.spiderError(new TypeError(`${what} returned something that is not iterable`), what);
      return;
    }
    try {
      for (const output of outputs) {
        if (output instanceof Request) this.schedule(output);
        else {
          this.stats.items += 1;
          this.spider.itemScraped(output, response);
        }
      }
    } catch (error) {
      this.spiderError(error, what);
    }
  }

  private spiderError(error: unknown, what: string): void {
    this.stats.spiderExceptions += 1;
    log.failure("Error in {what}", error, { what });
  }
}
