/**
 * `RedirectAgent` and `BrowserLikeRedirectAgent`: follow HTTP redirects (Twisted's
 * `client.RedirectAgent`).
 * @packageDocumentation
 */
import { type Deferred, Failure } from "@twisted-ts/core";
import {
  InfiniteRedirection,
  PageRedirect,
  RedirectWithNoLocation,
  ResponseFailed,
} from "../errors.js";
import { Headers } from "../headers.js";
import { parseURI } from "./agent.js";
import type { IAgent, IBodyProducer, IBodyProtocol, IResponse, RequestOptions } from "./iweb.js";

/** The headers dropped when a redirect leaves the origin (scheme, host and port). */
export const SENSITIVE_HEADERS: readonly string[] = [
  "authorization",
  "cookie",
  "cookie2",
  "proxy-authorization",
  "www-authenticate",
];

/** A body protocol that throws the body away, so the connection can be reused. */
const discard: () => IBodyProtocol = () => ({
  makeConnection: () => {},
  dataReceived: () => {},
  connectionLost: () => {},
});

/**
 * Resolve a Location against the URI that answered with it (RFC 3986 §5).
 * @param uri - the request URI.
 * @param location - the Location header.
 */
export function resolveLocation(uri: string, location: string): string {
  return new URL(location, uri).href;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = parseURI(a);
    const y = parseURI(b);
    return x.scheme === y.scheme && x.host === y.host && x.port === y.port;
  } catch {
    return false;
  }
}

/**
 * Follows redirects: Twisted's `RedirectAgent`. 301, 302, 307 and 308 are followed for GET and
 * HEAD only; for other methods the response fails with `ResponseFailed` holding a
 * `PageRedirect`. 303 is followed for any method, as a GET without a body. A relative Location
 * is resolved against the URI that answered. A redirect without Location fails with
 * `RedirectWithNoLocation`; the `redirectLimit`+1st redirect with `InfiniteRedirection` (both
 * inside `ResponseFailed`, whose `response` is the redirect). Crossing to another origin drops
 * Authorization, Cookie, Cookie2, Proxy-Authorization and WWW-Authenticate (and any
 * `sensitiveHeaderNames`). Each final response links to the one before through
 * `previousResponse`.
 *
 * Differences from Twisted: the redirect responses' bodies are read and discarded (so a pooled
 * connection is freed), so `previousResponse.deliverBody` delivers nothing; the next hop is
 * resolved against the URI that redirected, not the first one.
 */
export class RedirectAgent implements IAgent {
  /** Codes followed for GET and HEAD only, keeping the method. */
  protected redirectResponses: readonly number[] = [301, 302, 307, 308];
  /** Codes followed for any method, as a GET. */
  protected seeOtherResponses: readonly number[] = [303];
  private readonly sensitive: Set<string>;

  /**
   * @param agent - the agent that makes each request.
   * @param redirectLimit - how many redirects to follow in a row. 20.
   * @param sensitiveHeaderNames - more headers to drop across origins.
   */
  constructor(
    private readonly agent: IAgent,
    readonly redirectLimit: number = 20,
    sensitiveHeaderNames: readonly string[] = [],
  ) {
    this.sensitive = new Set([
      ...SENSITIVE_HEADERS,
      ...sensitiveHeaderNames.map((n) => n.toLowerCase()),
    ]);
  }

  /**
   * Make a request and follow its redirects.
   * @param method - the method.
   * @param uri - the URI.
   * @param headers - request headers.
   * @param bodyProducer - the body (never sent again on a redirect).
   * @param options - an AbortSignal.
   * @returns a Deferred of the final response.
   */
  request(
    method: string,
    uri: string,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
    options: RequestOptions = {},
  ): Deferred<IResponse> {
    return this.agent
      .request(method, uri, headers, bodyProducer, options)
      .addCallback((response) =>
        this.handleResponse(response, method, uri, headers, 0, options),
      ) as Deferred<IResponse>;
  }

  private handleResponse(
    response: IResponse,
    method: string,
    uri: string,
    headers: Headers | undefined,
    redirectCount: number,
    options: RequestOptions,
  ): IResponse | Deferred<IResponse> {
    if (this.redirectResponses.includes(response.code)) {
      if (method !== "GET" && method !== "HEAD") {
        const location = response.headers.getHeader("location");
        response.deliverBody(discard());
        throw new ResponseFailed(
          [new Failure(new PageRedirect(response.code, location))],
          response,
        );
      }
      return this.handleRedirect(response, method, uri, headers, redirectCount, options);
    }
    if (this.seeOtherResponses.includes(response.code)) {
      return this.handleRedirect(response, "GET", uri, headers, redirectCount, options);
    }
    return response;
  }

  private handleRedirect(
    response: IResponse,
    method: string,
    uri: string,
    headers: Headers | undefined,
    redirectCount: number,
    options: RequestOptions,
  ): Deferred<IResponse> {
    response.deliverBody(discard());
    const locations = response.headers.getRawHeaders("location", []);
    const first = locations[0];
    if (first === undefined || first.trim() === "") {
      throw new ResponseFailed(
        [new Failure(new RedirectWithNoLocation(response.code, uri))],
        response,
      );
    }
    let location: string;
    try {
      location = resolveLocation(uri, first.trim());
    } catch {
      throw new ResponseFailed(
        [new Failure(new RedirectWithNoLocation(response.code, uri))],
        response,
      );
    }
    if (redirectCount >= this.redirectLimit) {
      throw new ResponseFailed(
        [new Failure(new InfiniteRedirection(response.code, location))],
        response,
      );
    }
    let next = headers;
    if (headers !== undefined && !sameOrigin(uri, location)) {
      next = new Headers();
      for (const [name, values] of headers.getAllRawHeaders()) {
        if (!this.sensitive.has(name.toLowerCase())) next.setRawHeaders(name, values);
      }
    }
    if (next?.hasHeader("host")) {
      next = next.copy();
      next.removeHeader("host");
    }
    return this.agent
      .request(method, location, next, undefined, options)
      .addCallback((newResponse) => {
        newResponse.setPreviousResponse(response);
        return this.handleResponse(newResponse, method, location, next, redirectCount + 1, options);
      }) as Deferred<IResponse>;
  }
}

/**
 * Follows redirects as browsers do: Twisted's `BrowserLikeRedirectAgent`. 301, 302 and 303
 * are followed for any method, as a GET without a body; 307 and 308 keep the method and are
 * followed for GET and HEAD only (`PageRedirect` otherwise).
 *
 * Differences from Twisted (the contract's DECIDE on 308): Twisted 22.4 turns 308 into a GET,
 * as it does 301 and 302. Browsers and RFC 9110 §15.4.9 keep the method for 308 (it is the
 * permanent 307), so a POST answered with 308 is not silently replayed as a GET; since the
 * body cannot be sent again, it fails with `PageRedirect`, as 307 does.
 */
export class BrowserLikeRedirectAgent extends RedirectAgent {
  /** Codes followed for GET and HEAD only, keeping the method: 307 and 308. */
  protected override redirectResponses: readonly number[] = [307, 308];
  /** Codes followed for any method, as a GET: 301, 302, 303. */
  protected override seeOtherResponses: readonly number[] = [301, 302, 303];
}
