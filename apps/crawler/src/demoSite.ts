/**
 * The demo's web site: 30 generated HTML pages linking to one another, with some links to
 * pages that do not exist (404) and one link through a redirect, written to a directory and
 * served by `@twisted-ts/http`'s `File` (with a `Redirect` child) on 127.0.0.1.
 * @packageDocumentation
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IReactorTime } from "@twisted-ts/core";
import {
  File,
  type IRequest,
  type IResource,
  NOT_DONE_YET,
  Redirect,
  type RenderResult,
} from "@twisted-ts/http";

/** How many pages the site has (besides its index). */
export const PAGE_COUNT = 30;

/** The path that redirects (to the last page, reachable only through it). */
export const REDIRECT_PATH = "/old-page";

const WORDS = [
  "Deferreds",
  "Reactors",
  "Protocols",
  "Factories",
  "Transports",
  "Producers",
  "Consumers",
  "Endpoints",
  "Services",
  "Plugins",
];

/** The path of page `n` (1-based): `/page-07.html`. */
export function pagePath(n: number): string {
  return `/page-${String(n).padStart(2, "0")}.html`;
}

/** The title of page `n`. */
export function pageTitle(n: number): string {
  return `Page ${n}: on ${WORDS[n % WORDS.length]}`;
}

/** The missing pages some pages link to (every 7th page links to one). */
export function missingPaths(): string[] {
  const paths: string[] = [];
  for (let n = 7; n <= PAGE_COUNT; n += 7) paths.push(`/missing-${n}.html`);
  return paths;
}

/** The links of page `n`: the next page, two others, home, and sometimes a 404 or the redirect. */
function linksOf(n: number): string[] {
  const links = ["/"];
  if (n < PAGE_COUNT - 1) links.push(pagePath(n + 1));
  if (n === PAGE_COUNT - 1) links.push(REDIRECT_PATH);
  for (const other of [((n * 7) % (PAGE_COUNT - 1)) + 1, ((n * 3) % (PAGE_COUNT - 1)) + 1]) {
    if (other !== n) links.push(pagePath(other));
  }
  if (n % 7 === 0) links.push(`missing-${n}.html`); // relative, on purpose
  links.push(`${pagePath(n)}#top`); // itself, with a fragment: a duplicate
  return links;
}

function page(title: string, links: readonly string[]): string {
  const items = links.map((href) => `    <li><a href="${href}">${href}</a></li>`).join("\n");
  return `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body id="top">\n  <h1>${title}</h1>\n  <ul>\n${items}\n  </ul>\n</body>\n</html>\n`;
}

/**
 * Write the site's files into `dir`: `index.html` (linking to pages 1 to 5) and the pages.
 * @param dir - an existing directory.
 */
export function writeDemoSite(dir: string): void {
  const home = [1, 2, 3, 4, 5].map(pagePath);
  writeFileSync(join(dir, "index.html"), page("The twisted-ts crawler demo", home));
  for (let n = 1; n <= PAGE_COUNT; n += 1) {
    writeFileSync(join(dir, pagePath(n).slice(1)), page(pageTitle(n), linksOf(n)));
  }
  writeFileSync(join(dir, "robots.txt"), "User-agent: *\nDisallow:\n");
}

/**
 * What a crawl of the site from "/" must find: the URLs fetched (by path) with their status.
 * @returns path → status: 200 for "/" and the pages, 302 for the redirect, 404 for the missing ones.
 */
export function expectedCrawl(): Map<string, number> {
  const expected = new Map<string, number>([["/", 200]]);
  for (let n = 1; n <= PAGE_COUNT; n += 1) expected.set(pagePath(n), 200);
  expected.set(REDIRECT_PATH, 302);
  for (const path of missingPaths()) expected.set(path, 404);
  return expected;
}

/**
 * A resource that renders its wrapped resource `delay` seconds late (children are wrapped as
 * traversal reaches them), to make the demo's site answer like a distant one.
 */
export class DelayedResource implements IResource {
  /**
   * @param inner - the resource to delay.
   * @param delay - seconds.
   * @param clock - schedules the renders.
   */
  constructor(
    readonly inner: IResource,
    readonly delay: number,
    readonly clock: Pick<IReactorTime, "callLater">,
  ) {}

  /** Whether traversal stops here: the wrapped resource's. */
  get isLeaf(): boolean {
    return this.inner.isLeaf;
  }

  /**
   * The wrapped resource's child, delayed too.
   * @param path - the segment.
   * @param request - the request.
   * @returns the delayed child.
   */
  getChildWithDefault(path: string, request: IRequest): IResource {
    return new DelayedResource(
      this.inner.getChildWithDefault(path, request),
      this.delay,
      this.clock,
    );
  }

  /**
   * Adds a child to the wrapped resource.
   * @param path - the segment.
   * @param child - the child.
   */
  putChild(path: string, child: IResource): void {
    this.inner.putChild(path, child);
  }

  /**
   * Renders the wrapped resource after the delay.
   * @param request - the request.
   * @returns NOT_DONE_YET.
   */
  render(request: IRequest): RenderResult {
    this.clock.callLater(this.delay, () => {
      const result = this.inner.render(request);
      if (result === NOT_DONE_YET) return;
      request.write(result);
      request.finish();
    });
    return NOT_DONE_YET;
  }
}

/**
 * The site's root resource: a `File` over `dir` with a `Redirect` at {@link REDIRECT_PATH}
 * (to the last page), delayed by `delay` seconds when it is above 0.
 * @param dir - where `writeDemoSite` wrote the files.
 * @param delay - seconds each response waits; 0 for none.
 * @param clock - schedules the delays.
 * @returns the root resource.
 */
export function demoSiteResource(
  dir: string,
  delay: number,
  clock: Pick<IReactorTime, "callLater">,
): IResource {
  const root = new File(dir);
  root.putChild(REDIRECT_PATH.slice(1), new Redirect(pagePath(PAGE_COUNT)));
  return delay > 0 ? new DelayedResource(root, delay, clock) : root;
}
