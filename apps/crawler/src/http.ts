/**
 * The crawler's `Request` and `Response`: what a spider asks for and what it is handed back
 * (Scrapy's `scrapy.http.Request` and `Response`, in miniature).
 * @packageDocumentation
 */
import type { Failure } from "@twisted-ts/core";
import type { Headers } from "@twisted-ts/http";
import type { SpiderResult } from "./spider.js";

/** A spider's callback: parses a response into more requests and items. */
export type Callback = (response: Response) => SpiderResult;

/** A spider's errback: called when a request could not be downloaded. */
export type Errback = (failure: Failure, request: Request) => SpiderResult;

/** What `new Request(url, options)` takes besides the URL. */
export interface RequestOptions {
  /** The method; "GET" by default. */
  method?: string;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>;
  /** Parses the response; the spider's `parse` when absent. */
  callback?: Callback | undefined;
  /** Called with the Failure when the download fails (not for 4xx/5xx responses). */
  errback?: Errback | undefined;
  /** Anything the spider wants to carry from request to response. */
  meta?: Readonly<Record<string, unknown>>;
  /** Schedule it even when the same URL was seen before (the scheduler's duplicate filter skips it). */
  dontFilter?: boolean;
}

/**
 * A page to fetch: Scrapy's `Request`. The URL is parsed and normalised at once (the fragment
 * is dropped, as it never reaches the server), so an invalid URL throws here, in the spider
 * that made it.
 */
export class Request {
  /** The absolute URL, without a fragment. */
  readonly url: string;
  /** The method. */
  readonly method: string;
  /** Extra request headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The callback, if not the spider's `parse`. */
  readonly callback: Callback | undefined;
  /** The errback, if any. */
  readonly errback: Errback | undefined;
  /** Data carried to the response (`response.meta`). */
  readonly meta: Readonly<Record<string, unknown>>;
  /** Whether the duplicate filter lets it through even when seen before. */
  readonly dontFilter: boolean;

  /**
   * @param url - an absolute `http:` or `https:` URL.
   * @param options - method, headers, callback, errback, meta, dontFilter.
   * @throws TypeError for a URL that is not absolute http(s).
   */
  constructor(url: string, options: RequestOptions = {}) {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TypeError(`not an http(s) URL: ${url}`);
    }
    parsed.hash = "";
    this.url = parsed.href;
    this.method = (options.method ?? "GET").toUpperCase();
    this.headers = { ...options.headers };
    this.callback = options.callback;
    this.errback = options.errback;
    this.meta = { ...options.meta };
    this.dontFilter = options.dontFilter ?? false;
  }

  /**
   * A copy with some fields replaced (Scrapy's `Request.replace`).
   * @param changes - the fields to change; `url` too.
   * @returns the new request.
   */
  replace(changes: RequestOptions & { url?: string }): Request {
    return new Request(changes.url ?? this.url, {
      method: changes.method ?? this.method,
      headers: changes.headers ?? this.headers,
      callback: changes.callback ?? this.callback,
      errback: changes.errback ?? this.errback,
      meta: changes.meta ?? this.meta,
      dontFilter: changes.dontFilter ?? this.dontFilter,
    });
  }

  /** @returns `<GET http://…>`, as Scrapy prints a request. */
  toString(): string {
    return `<${this.method} ${this.url}>`;
  }
}

/** A downloaded page: Scrapy's `Response`, with the whole body read. */
export class Response {
  /**
   * @param url - the URL fetched (the request's).
   * @param status - the status code.
   * @param headers - the response headers.
   * @param body - the body.
   * @param request - the request it answers.
   */
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: Headers,
    readonly body: Buffer,
    readonly request: Request,
  ) {}

  /** The request's `meta`. */
  get meta(): Readonly<Record<string, unknown>> {
    return this.request.meta;
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return this.body.toString("utf8");
  }

  /**
   * Resolve a (possibly relative) link against this response's URL.
   * @param href - the link.
   * @returns the absolute URL.
   */
  urljoin(href: string): string {
    return new URL(href, this.url).href;
  }

  /**
   * A request for a link of this page (Scrapy's `response.follow`).
   * @param href - the link, relative or absolute.
   * @param options - as for `new Request`.
   * @returns the request.
   */
  follow(href: string, options: RequestOptions = {}): Request {
    return new Request(this.urljoin(href), options);
  }

  /** @returns `<200 http://…>`, as Scrapy prints a response. */
  toString(): string {
    return `<${this.status} ${this.url}>`;
  }
}
