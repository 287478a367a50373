/**
 * `Spider`: where the crawl starts (`start_urls`) and how each page is read (`parse`), as in
 * Scrapy. A spider yields more `Request`s to follow and items (plain objects) it scraped.
 * @packageDocumentation
 */
import type { Failure } from "@twisted-ts/core";
import { Request, type Response } from "./http.js";

/** A scraped item: any plain object. */
export type Item = Readonly<Record<string, unknown>>;

/** What a callback yields: more requests to schedule, or items. */
export type SpiderOutput = Request | Item;

/**
 * What a callback returns: an iterable of outputs (a generator, usually), a promise or
 * Deferred of one (for a callback that must wait), or nothing.
 */
export type SpiderResult =
  | Iterable<SpiderOutput>
  | PromiseLike<Iterable<SpiderOutput> | undefined>
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback with no return statement is typed void.
  | void;

/**
 * The base of spiders: Scrapy's `scrapy.Spider`. Subclass it, set `name` and `start_urls`, and
 * write `parse` as a generator:
 *
 * ```ts
 * class Titles extends Spider {
 *   override name = "titles";
 *   override start_urls = ["http://127.0.0.1:8080/"];
 *   override *parse(response: Response) {
 *     yield { url: response.url, title: /<title>(.*?)<\/title>/.exec(response.text)?.[1] };
 *     for (const href of extractLinks(response.text)) yield response.follow(href);
 *   }
 * }
 * ```
 *
 * `start_urls` keeps Scrapy's spelling: a spider ported from the seed renames nothing.
 */
export abstract class Spider {
  /** The spider's name, for logs and stats. */
  abstract readonly name: string;
  /** Where the crawl starts; each becomes a `Request` handled by `parse`. */
  start_urls: readonly string[] = [];
  /** The items scraped so far (the engine appends to it through `itemScraped`). */
  readonly items: Item[] = [];

  /**
   * The first requests: one per `start_urls` entry, with `dontFilter` (as Scrapy's). Override
   * to start differently.
   * @returns the requests.
   */
  *startRequests(): Iterable<Request> {
    for (const url of this.start_urls) yield new Request(url, { dontFilter: true });
  }

  /**
   * Read a page: yield the requests to follow and the items found.
   * @param response - a 2xx response.
   * @returns the outputs.
   */
  abstract parse(response: Response): SpiderResult;

  /**
   * Called for every item a callback yields; keeps it in `items` by default. Scrapy's item
   * pipelines, in one method.
   * @param item - the item.
   * @param _response - the response it came from (undefined for an item an errback yielded).
   */
  itemScraped(item: Item, _response: Response | undefined): void {
    this.items.push(item);
  }

  /**
   * Called when a request fails to download and has no errback of its own; does nothing by
   * default (the engine counts and logs the failure).
   * @param _failure - why.
   * @param _request - the request.
   */
  downloadFailed(_failure: Failure, _request: Request): void {}

  /**
   * Called once the crawl is over.
   * @param _reason - "finished", or "shutdown" when stopped early.
   */
  closed(_reason: string): void {}
}
