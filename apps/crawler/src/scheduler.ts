/**
 * `Scheduler`: the queue of requests waiting to be downloaded, with a duplicate filter
 * (Scrapy's `Scheduler` with its `RFPDupeFilter`, in miniature).
 * @packageDocumentation
 */
import type { Request } from "./http.js";

/**
 * The fingerprint two requests share when they fetch the same thing: the method and the URL
 * with its query parameters sorted (Scrapy's `request_fingerprint` canonicalises the URL the
 * same way). The fragment is already gone from `request.url`.
 * @param request - the request.
 * @returns the fingerprint.
 */
export function requestFingerprint(request: Request): string {
  const url = new URL(request.url);
  url.searchParams.sort();
  return `${request.method} ${url.href}`;
}

/**
 * Holds requests until the engine has room for them, first in, first out (a breadth-first
 * crawl), and drops a request whose fingerprint it has seen before unless it says
 * `dontFilter`.
 *
 * Differences from Scrapy: no priorities and no disk queue; Scrapy's default order is last in,
 * first out (depth first).
 */
export class Scheduler {
  /** The fingerprints of every request accepted so far. */
  readonly seen = new Set<string>();
  /** How many requests the duplicate filter dropped. */
  duplicates = 0;
  private queue: (Request | undefined)[] = [];
  private head = 0;

  /**
   * Queue a request, unless it is a duplicate.
   * @param request - the request.
   * @returns whether it was queued.
   */
  enqueueRequest(request: Request): boolean {
    const fingerprint = requestFingerprint(request);
    if (!request.dontFilter && this.seen.has(fingerprint)) {
      this.duplicates += 1;
      return false;
    }
    this.seen.add(fingerprint);
    this.queue.push(request);
    return true;
  }

  /** @returns the next request to download, or `undefined` when none is waiting. */
  nextRequest(): Request | undefined {
    if (this.head >= this.queue.length) return undefined;
    const request = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return request;
  }

  /** @returns whether requests are waiting. */
  hasPendingRequests(): boolean {
    return this.head < this.queue.length;
  }

  /** How many requests are waiting. */
  get length(): number {
    return this.queue.length - this.head;
  }
}
