/**
 * The crawler's parts, for programs and tests that build their own crawl.
 * @packageDocumentation
 */
export {
  Crawler,
  CrawlerProcess,
  type CrawlerProcessReactor,
  type CrawlerReactor,
  type CrawlerSettings,
} from "./crawler.js";
export {
  DEFAULT_USER_AGENT,
  Downloader,
  type DownloaderOptions,
  type IDownloader,
} from "./downloader.js";
export {
  type CrawlStats,
  DEFAULT_CONCURRENT_REQUESTS,
  DEFAULT_MAX_REDIRECTS,
  type EngineOptions,
  ExecutionEngine,
} from "./engine.js";
export { type Callback, type Errback, Request, type RequestOptions, Response } from "./http.js";
export { decodeEntities, extractLinks, extractTitle } from "./links.js";
export {
  type ProgressOptions,
  ProgressReporter,
  type ProgressSnapshot,
  type ProgressStream,
  processSnapshot,
  progressLine,
} from "./progress.js";
export { requestFingerprint, Scheduler } from "./scheduler.js";
export { type Item, Spider, type SpiderOutput, type SpiderResult } from "./spider.js";
export { type PageItem, SiteSpider } from "./spiders.js";
