/**
 * `CookieJar` (a small RFC 6265 store) and `CookieAgent` (Twisted's `client.CookieAgent`).
 * @packageDocumentation
 */
import { isIP } from "node:net";
import type { Deferred, IReactorTime } from "@twisted-ts/core";
import { Headers } from "../headers.js";
import { parseURI } from "./agent.js";
import type { IAgent, IBodyProducer, IResponse, RequestOptions } from "./iweb.js";

/** One stored cookie (RFC 6265 §5.3). */
export interface Cookie {
  /** The name. */
  readonly name: string;
  /** The value. */
  readonly value: string;
  /** The domain, lower case, without a leading dot. */
  readonly domain: string;
  /** Whether only the exact host gets it (no Domain attribute was given). */
  readonly hostOnly: boolean;
  /** The path. */
  readonly path: string;
  /** Whether it is sent over https only. */
  readonly secure: boolean;
  /** Whether it is hidden from scripts (kept for completeness). */
  readonly httpOnly: boolean;
  /** When it expires, in seconds since the epoch; `undefined` for a session cookie. */
  readonly expires: number | undefined;
  /** When it was created, in seconds, for ordering. */
  readonly creation: number;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * Parse a cookie date (RFC 6265 §5.1.1).
 * @param text - the Expires attribute.
 * @returns seconds since the epoch, or `undefined` when it is not a date.
 */
export function parseCookieDate(text: string): number | undefined {
  let time: number[] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  for (const token of text.split(/[\t\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+/)) {
    if (token === "") continue;
    const t = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D.*)?$/.exec(token);
    if (time === undefined && t !== null) {
      time = [Number(t[1]), Number(t[2]), Number(t[3])];
      continue;
    }
    const d = /^(\d{1,2})(?:\D.*)?$/.exec(token);
    if (day === undefined && d !== null) {
      day = Number(d[1]);
      continue;
    }
    const m = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
    if (month === undefined && m !== -1) {
      month = m;
      continue;
    }
    const y = /^(\d{2,4})(?:\D.*)?$/.exec(token);
    if (year === undefined && y !== null) {
      year = Number(y[1]);
      if (year >= 70 && year <= 99) year += 1900;
      else if (year <= 69) year += 2000;
    }
  }
  if (time === undefined || day === undefined || month === undefined || year === undefined) {
    return undefined;
  }
  const [h, mi, s] = time as [number, number, number];
  if (day < 1 || day > 31 || year < 1601 || h > 23 || mi > 59 || s > 59) return undefined;
  return Date.UTC(year, month, day, h, mi, s) / 1000;
}

/**
 * Whether `host` domain-matches `domain` (RFC 6265 §5.1.3).
 * @param host - the request host, lower case.
 * @param domain - the cookie domain, lower case.
 */
export function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return host.endsWith(`.${domain}`) && isIP(host) === 0;
}

/**
 * Whether a request path path-matches a cookie path (RFC 6265 §5.1.4).
 * @param requestPath - the request's path.
 * @param cookiePath - the cookie's path.
 */
export function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function defaultPath(path: string): string {
  if (!path.startsWith("/")) return "/";
  const last = path.lastIndexOf("/");
  return last <= 0 ? "/" : path.slice(0, last);
}

/**
 * A cookie store following RFC 6265 §5.3 and §5.4: a Set-Cookie is accepted only for a Domain
 * the request host domain-matches (not an IP address, not a bare top-level name), a cookie is
 * sent only to hosts that match its domain (exactly, for host-only cookies) and paths that
 * path-match, Secure cookies only over https, and expired ones never (Max-Age wins over
 * Expires). Times come from the clock, in seconds, so tests can use a `Clock`.
 *
 * This is what keeps cookies from leaking across sites, which is why Twisted removed `getPage`.
 * No public-suffix list is used: a Domain of one label (`com`) is refused, but a multi-label
 * public suffix (`co.uk`) is not recognised.
 */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  /**
   * @param clock - where the current time comes from; wall-clock time by default.
   */
  constructor(
    private readonly clock: Pick<IReactorTime, "seconds"> = { seconds: () => Date.now() / 1000 },
  ) {}

  /** @returns every stored cookie that has not expired. */
  allCookies(): Cookie[] {
    this.evict();
    return [...this.cookies.values()];
  }

  /** Forget every cookie. */
  clear(): void {
    this.cookies.clear();
  }

  private evict(): void {
    const now = this.clock.seconds();
    for (const [key, cookie] of this.cookies) {
      if (cookie.expires !== undefined && cookie.expires <= now) this.cookies.delete(key);
    }
  }

  /**
   * Store a Set-Cookie header received for a URI (ignored when invalid or not allowed).
   * @param uri - the URI the response came from.
   * @param header - the Set-Cookie value.
   */
  setCookie(uri: string, header: string): void {
    let host: string;
    let scheme: string;
    let requestPath: string;
    try {
      const parsed = parseURI(uri);
      host = parsed.host.toLowerCase();
      scheme = parsed.scheme;
      requestPath = parsed.path.split("?")[0] ?? "/";
    } catch {
      return;
    }
    const [pair = "", ...attributes] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq === -1) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (name === "" || hasControl(name + value)) return;
    const now = this.clock.seconds();
    let expires: number | undefined;
    let maxAgeSeen = false;
    let domain = "";
    let path: string | undefined;
    let secure = false;
    let httpOnly = false;
    for (const attribute of attributes) {
      const at = attribute.indexOf("=");
      const key = (at === -1 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
      const val = at === -1 ? "" : attribute.slice(at + 1).trim();
      if (key === "expires" && !maxAgeSeen) {
        const date = parseCookieDate(val);
        if (date !== undefined) expires = date;
      } else if (key === "max-age") {
        if (/^-?\d+$/.test(val)) {
          const seconds = Number(val);
          expires = seconds <= 0 ? Number.NEGATIVE_INFINITY : now + seconds;
          maxAgeSeen = true;
        }
      } else if (key === "domain") {
        domain = val.replace(/^\./, "").toLowerCase();
      } else if (key === "path") {
        path = val.startsWith("/") ? val : undefined;
      } else if (key === "secure") {
        secure = true;
      } else if (key === "httponly") {
        httpOnly = true;
      }
    }
    let hostOnly = true;
    if (domain !== "") {
      if (!domain.includes(".") && domain !== host) return;
      if (!domainMatch(host, domain)) return;
      hostOnly = false;
    } else {
      domain = host;
    }
    if (secure && scheme !== "https") return;
    const cookiePath = path ?? defaultPath(requestPath);
    const key = `${domain};${cookiePath};${name}`;
    const old = this.cookies.get(key);
    if (expires !== undefined && expires <= now) {
      this.cookies.delete(key);
      return;
    }
    this.cookies.set(key, {
      name,
      value,
      domain,
      hostOnly,
      path: cookiePath,
      secure,
      httpOnly,
      expires,
      creation: old?.creation ?? now,
    });
  }

  /**
   * Store every Set-Cookie of a response.
   * @param uri - the request URI.
   * @param headers - the response headers.
   */
  extractCookies(uri: string, headers: Headers): void {
    for (const header of headers.getRawHeaders("set-cookie", [])) this.setCookie(uri, header);
  }

  /**
   * The Cookie header value for a request (RFC 6265 §5.4), longest paths first.
   * @param uri - the request URI.
   * @returns `name=value; name2=value2`, or `undefined` when no cookie applies.
   */
  cookieHeaderFor(uri: string): string | undefined {
    let parsed: ReturnType<typeof parseURI>;
    try {
      parsed = parseURI(uri);
    } catch {
      return undefined;
    }
    this.evict();
    const host = parsed.host.toLowerCase();
    const path = parsed.path.split("?")[0] ?? "/";
    const matching = [...this.cookies.values()].filter(
      (c) =>
        (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)) &&
        pathMatch(path, c.path) &&
        (!c.secure || parsed.scheme === "https"),
    );
    if (matching.length === 0) return undefined;
    matching.sort((a, b) => b.path.length - a.path.length || a.creation - b.creation);
    return matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }
}

/**
 * Sends the jar's cookies with each request and stores the cookies of each response: Twisted's
 * `CookieAgent`. A Cookie header the caller set is kept and the jar's cookies are appended.
 * Put it outside a `RedirectAgent` to handle cookies on the first request only, or inside
 * (`new RedirectAgent(new CookieAgent(agent, jar))`) to handle them on every hop.
 */
export class CookieAgent implements IAgent {
  /**
   * @param agent - the agent that makes the requests.
   * @param cookieJar - where cookies are kept.
   */
  constructor(
    private readonly agent: IAgent,
    readonly cookieJar: CookieJar,
  ) {}

  /**
   * Make a request with cookies.
   * @param method - the method.
   * @param uri - the URI.
   * @param headers - request headers.
   * @param bodyProducer - the body.
   * @param options - an AbortSignal.
   * @returns a Deferred of the response (its cookies already stored).
   */
  request(
    method: string,
    uri: string,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
    options: RequestOptions = {},
  ): Deferred<IResponse> {
    const sent = headers === undefined ? new Headers() : headers.copy();
    const cookies = this.cookieJar.cookieHeaderFor(uri);
    if (cookies !== undefined) {
      const existing = sent.getHeader("cookie");
      sent.setRawHeaders("Cookie", [existing === undefined ? cookies : `${existing}; ${cookies}`]);
    }
    return this.agent.request(method, uri, sent, bodyProducer, options).addCallback((response) => {
      this.cookieJar.extractCookies(uri, response.headers);
      return response;
    }) as Deferred<IResponse>;
  }
}
