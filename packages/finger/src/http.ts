/**
 * `@twisted-ts/finger/http`: `HTTPFingerService`, the tutorial's back end that looks statuses
 * up on the web. It lives in its own entry point so that the main one does not need
 * `@twisted-ts/http` (an optional peer dependency, needed only here).
 * @packageDocumentation
 */
import { type Deferred, type Failure, succeed } from "@twisted-ts/core";
import { type IAgent, type IResponse, readBody } from "@twisted-ts/http";
import { FingerServiceError } from "./errors.js";
import { type IFingerService, NO_SUCH_USER } from "./interfaces.js";

/** The largest HTTP body read, in bytes (64 KiB). */
export const MAX_HTTP_BODY_SIZE = 65536;

/** Options of `new HTTPFingerService(urlTemplate, agent, options)`. */
export interface HTTPFingerServiceOptions {
  /** A URL whose body lists the users, one a line; without it `getUsers` lists none. */
  usersUrl?: string | undefined;
  /** The largest body read, in bytes; 64 KiB by default. */
  maxSize?: number | undefined;
}

/**
 * Statuses from the web: the tutorial's part 1 step 10, whose factory answered with
 * `client.getPage(prefix + user)`. `getUser(user)` GETs the URL made from `urlTemplate` (each
 * `{user}` replaced by the percent-encoded name; without `{user}`, the name is appended) with
 * `agent` and answers with the body, decoded as UTF-8:
 *
 * - 2xx → the body (at most `maxSize` bytes, or the look-up fails);
 * - 404 or 410 → `"No such user"`;
 * - anything else → fails with `FingerServiceError` (so the finger server answers
 *   `Internal error in server`).
 *
 * ```ts
 * import { Agent } from "@twisted-ts/http";
 * import { HTTPFingerService } from "@twisted-ts/finger/http";
 * const service = new HTTPFingerService("http://127.0.0.1:8000/status/{user}", new Agent(reactor));
 * ```
 *
 * Differences from Twisted: the tutorial concatenates the raw name onto the prefix; here it is
 * percent-encoded, so a query cannot change the URL's path or host.
 */
export class HTTPFingerService implements IFingerService {
  /** The URL template. */
  readonly urlTemplate: string;
  /** The agent the requests go through. */
  readonly agent: IAgent;
  /** The URL that lists the users, if any. */
  readonly usersUrl: string | undefined;
  /** The largest body read, in bytes. */
  readonly maxSize: number;

  /**
   * @param urlTemplate - e.g. `http://example.com/~{user}/status`, or a prefix.
   * @param agent - makes the requests (an `Agent`, or a fake).
   * @param options - a users URL and the size cap.
   */
  constructor(urlTemplate: string, agent: IAgent, options: HTTPFingerServiceOptions = {}) {
    this.urlTemplate = urlTemplate;
    this.agent = agent;
    this.usersUrl = options.usersUrl;
    this.maxSize = options.maxSize ?? MAX_HTTP_BODY_SIZE;
  }

  /**
   * The URL for a user.
   * @param user - the user name.
   * @returns the URL.
   */
  urlFor(user: string): string {
    const encoded = encodeURIComponent(user);
    return this.urlTemplate.includes("{user}")
      ? this.urlTemplate.split("{user}").join(encoded)
      : this.urlTemplate + encoded;
  }

  /**
   * Fetch a user's status.
   * @param user - the user name.
   * @returns a Deferred of the body, or of `"No such user"` for a 404 or 410.
   */
  getUser(user: string): Deferred<string> {
    return this.fetch(this.urlFor(user)).addCallback((body: string | null) => body ?? NO_SUCH_USER);
  }

  /**
   * Fetch the users from `usersUrl`, one a line (blank lines skipped).
   * @returns a Deferred of the names; an empty list without `usersUrl` or for a 404.
   */
  getUsers(): Deferred<string[]> {
    if (this.usersUrl === undefined) return succeed([]);
    return this.fetch(this.usersUrl).addCallback((body: string | null) =>
      (body ?? "")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== ""),
    );
  }

  private fetch(url: string): Deferred<string | null> {
    return this.agent
      .request("GET", url)
      .addCallback((response: IResponse): Deferred<string | null> | null => {
        if (response.code === 404 || response.code === 410) {
          // Discard the body (this also lets the connection go back to the pool).
          readBody(response, { maxSize: this.maxSize }).addErrback((_reason: Failure) => null);
          return null;
        }
        if (response.code < 200 || response.code > 299) {
          readBody(response, { maxSize: this.maxSize }).addErrback((_reason: Failure) => null);
          throw new FingerServiceError(`GET ${url} answered ${response.code} ${response.phrase}`);
        }
        return readBody(response, { maxSize: this.maxSize }).addCallback((body: Buffer) =>
          body.toString("utf8"),
        );
      });
  }
}
