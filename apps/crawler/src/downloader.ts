/**
 * `Downloader`: fetches a crawler `Request` with an HTTP agent and reads the whole body into a
 * `Response` (Scrapy's downloader and its HTTP handler, in miniature).
 * @packageDocumentation
 */
import type { Deferred, IReactorTime } from "@twisted-ts/core";
import { Headers, type IAgent, type IResponse, readBody } from "@twisted-ts/http";
import { type Request, Response } from "./http.js";

/** Something that turns a request into a response: the engine's view of the downloader. */
export interface IDownloader {
  /**
   * Download a request.
   * @param request - the request.
   * @returns a Deferred of the response (any status), or a Failure when it could not be had.
   */
  fetch(request: Request): Deferred<Response>;
}

/** The `User-Agent` sent unless a request sets its own. */
export const DEFAULT_USER_AGENT = "twisted-ts-crawler/0.0 (+https://github.com/twisted/twisted)";

/** What `new Downloader(agent, options)` takes besides the agent. */
export interface DownloaderOptions {
  /** The clock for `timeout`. */
  clock: Pick<IReactorTime, "callLater">;
  /** Give up on a download after this many seconds (Scrapy's `DOWNLOAD_TIMEOUT`); 30 by default. */
  timeout?: number;
  /** The most body bytes read (more fails the download); 10 MiB by default. */
  maxSize?: number;
  /** The `User-Agent`; {@link DEFAULT_USER_AGENT} by default. */
  userAgent?: string;
}

/**
 * Downloads with an `IAgent` (an `Agent` with a persistent `HTTPConnectionPool`, in the
 * crawler). Redirects are not followed here: the engine schedules them as new requests, so
 * they pass the duplicate filter and count against the concurrency limit, as Scrapy's
 * redirect middleware does.
 */
export class Downloader implements IDownloader {
  /** The timeout of a download, in seconds. */
  readonly timeout: number;
  /** The most body bytes read. */
  readonly maxSize: number;
  /** The `User-Agent` sent. */
  readonly userAgent: string;
  private readonly clock: Pick<IReactorTime, "callLater">;

  /**
   * @param agent - makes the HTTP requests.
   * @param options - clock, timeout, size limit, user agent.
   */
  constructor(
    readonly agent: IAgent,
    options: DownloaderOptions,
  ) {
    this.clock = options.clock;
    this.timeout = options.timeout ?? 30;
    this.maxSize = options.maxSize ?? 10 * 1024 * 1024;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  /**
   * Download a request and read its body.
   * @param request - the request.
   * @returns a Deferred of the response; it fails with the agent's error, or with
   *   `TimeoutError` after `timeout` seconds.
   */
  fetch(request: Request): Deferred<Response> {
    const headers = new Headers();
    headers.setRawHeaders("user-agent", [this.userAgent]);
    for (const [name, value] of Object.entries(request.headers))
      headers.setRawHeaders(name, [value]);
    return this.agent
      .request(request.method, request.url, headers)
      .addCallback((response: IResponse) =>
        readBody(response, { maxSize: this.maxSize }).addCallback(
          (body: Buffer) =>
            new Response(request.url, response.code, response.headers, body, request),
        ),
      )
      .addTimeout(this.timeout, this.clock);
  }
}
