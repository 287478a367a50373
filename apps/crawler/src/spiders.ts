/**
 * `SiteSpider`: the crawler's stock spider. It stays on the start URLs' origins, yields one
 * item per page (its URL and title) and follows every link.
 * @packageDocumentation
 */
import type { Response } from "./http.js";
import { extractLinks, extractTitle } from "./links.js";
import { type Item, Spider, type SpiderOutput } from "./spider.js";

/** The item `SiteSpider` yields for each page. */
export interface PageItem extends Item {
  /** The page's URL. */
  readonly url: string;
  /** Its `<title>`, or "" when it has none. */
  readonly title: string;
  /** How many links it has. */
  readonly links: number;
}

/**
 * Crawls a site: every HTML page reachable from `start_urls` on the same origins (scheme, host
 * and port; Scrapy's `allowed_domains`, stricter), each yielding a {@link PageItem}.
 */
export class SiteSpider extends Spider {
  /** The spider's name. */
  override readonly name: string = "site";
  /** The origins links may lead to; those of `start_urls`. */
  readonly allowedOrigins: ReadonlySet<string>;

  /**
   * @param startUrls - where to start.
   * @param name - the spider's name.
   */
  constructor(startUrls: readonly string[], name = "site") {
    super();
    this.name = name;
    this.start_urls = [...startUrls];
    this.allowedOrigins = new Set(startUrls.map((url) => new URL(url).origin));
  }

  /**
   * One item for the page, then a request for each link on an allowed origin.
   * @param response - the page.
   * @returns the outputs.
   */
  override *parse(response: Response): Generator<SpiderOutput> {
    const type = response.headers.getRawHeaders("content-type")?.[0] ?? "";
    if (type !== "" && !/html/i.test(type)) return;
    const html = response.text;
    const links = extractLinks(html);
    const item: PageItem = {
      url: response.url,
      title: extractTitle(html) ?? "",
      links: links.length,
    };
    yield item;
    for (const href of links) {
      let url: URL;
      try {
        url = new URL(href, response.url);
      } catch {
        continue;
      }
      if (this.allowedOrigins.has(url.origin)) yield response.follow(url.href);
    }
  }
}
