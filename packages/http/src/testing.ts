/**
 * `@twisted-ts/http/testing`: test doubles for resources, after Twisted's
 * `twisted.web.test.requesthelper`: {@link DummyRequest}, an in-memory request that records
 * what a resource writes, and {@link renderRequest}, which traverses a resource tree and renders
 * it into one, without a socket.
 *
 * ```ts
 * import { DummyRequest, renderRequest } from "@twisted-ts/http/testing";
 * const request = new DummyRequest(["hello"]);
 * const body = await renderRequest(root, request);
 * expect(request.code).toBe(200);
 * expect(body.toString()).toBe("hello");
 * ```
 * @packageDocumentation
 */
import { STATUS_CODES } from "node:http";
import {
  ConnectionLost,
  Deferred,
  type IAddress,
  type IProducer,
  type IPullProducer,
  type IPushProducer,
  IPv4Address,
  type IReactorTime,
} from "@twisted-ts/core";
import { Headers } from "./headers.js";
import {
  CACHED,
  type Cached,
  type CookieOptions,
  type IRequest,
  type IResource,
  NOT_DONE_YET,
  type RequestBody,
} from "./iweb.js";
import { evaluatePreconditions } from "./static/conditional.js";

/** The version of the testing helpers' contract. */
export const TESTING_VERSION = 1;

/** How {@link DummyRequest} is built: every field is optional. */
export interface DummyRequestOptions {
  /** The method; `"GET"` by default. */
  method?: string;
  /**
   * The request target, e.g. `"/a/b?x=1"`. By default it is built from the postpath
   * (`"/" + segments.map(encodeURIComponent).join("/")`). When the constructor is given no
   * postpath, the postpath is built from this, as the server does: the path is split at `/`
   * and each segment percent-decoded as UTF-8 (bytes that are not UTF-8 become U+FFFD).
   */
  uri?: string;
  /** The protocol version; `"HTTP/1.1"` by default. */
  clientproto?: string;
  /** The request headers: a {@link Headers}, or name → value(s). */
  headers?: Headers | Readonly<Record<string, string | readonly string[]>>;
  /** The request body; empty by default. A string is encoded as UTF-8. */
  body?: Buffer | Uint8Array | string;
  /** What `getClientAddress` returns; `IPv4Address("TCP", "127.0.0.1", 12345)` by default. */
  clientAddress?: IAddress;
  /** What `getHost` returns; `IPv4Address("TCP", "127.0.0.1", 80)` by default. */
  host?: IAddress;
  /** What `isSecure` returns; false by default. */
  secure?: boolean;
  /** The segments already traversed; `[]` by default. */
  prepath?: readonly string[];
  /**
   * The time source exposed as {@link DummyRequest.clock} (seconds); a fixed clock at 0 by
   * default.
   */
  clock?: Pick<IReactorTime, "seconds">;
  /**
   * Whether a registered pull producer is driven to completion by the request itself (the
   * default), as if the transport always drained at once. When false, call
   * {@link DummyRequest.pumpProducer} to drive it step by step.
   */
  autoProduce?: boolean;
}

/** Percent-decodes one path segment as UTF-8 (invalid sequences become U+FFFD). */
function unquoteSegment(segment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(segment.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(segment.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(segment[i] ?? "", "utf8")) bytes.push(b);
    }
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(bytes));
}

/**
 * Splits a request target's path into percent-decoded segments, as the server builds
 * `postpath`: `"/a/b%20c?x"` → `["a", "b c"]`, `"/"` → `[""]`.
 * @param uri - the request target.
 * @returns the segments after the leading `/`.
 */
export function postpathFromURI(uri: string): string[] {
  const path = uri.split("?")[0] ?? "";
  return path.replace(/^\//, "").split("/").map(unquoteSegment);
}

/**
 * An in-memory request: Twisted's `DummyRequest`. It implements every member of
 * {@link IRequest}, records what a resource does with it, and never touches a socket.
 *
 * What it records:
 * - `written`: each chunk passed to `write`, as a `Buffer` (the body, in order; also when the
 *   method is HEAD, so a test can check that nothing was written);
 * - `responseCode` (`undefined` until `setResponseCode`), `responseHeaders`, `cookies`;
 * - `finishCount`: how many times `finish` was called (Twisted's `finished` counter; here
 *   `finished` is the boolean of {@link IRequest});
 * - `producer` and `streamingProducer` while one is registered;
 * - `failures`: the reasons given to {@link DummyRequest.processingFailed}.
 *
 * Producers: a pull producer (`streaming` false) is driven to completion by default: its
 * `resumeProducing` is called again and again until it unregisters, as if the transport were
 * always drained. A producer that writes asynchronously (its `resumeProducing` returns before
 * writing) is pulled again after each `write`. Set `autoProduce: false` to pull by hand with
 * {@link DummyRequest.pumpProducer}. A push producer writes on its own; the test can pause and
 * resume it with {@link DummyRequest.pauseProducer} and {@link DummyRequest.resumeProducer}.
 *
 * Conditional requests: `setLastModified` and `setETag` store the validators, set the
 * `Last-Modified` / `ETag` response headers at once, and evaluate every precondition header
 * the validators known so far allow, in RFC 9110 §13.2.2's order: `If-Match` and
 * `If-Unmodified-Since` fail with 412; a matching `If-None-Match` gives 304 for GET and HEAD and
 * 412 otherwise; `If-Modified-Since` gives 304 (GET and HEAD only). Either call returns
 * `CACHED` when the response is then a 304 or a 412.
 *
 * Differences from Twisted: Twisted's `DummyRequest.finished` is a counter and its
 * `setLastModified` honours `If-Modified-Since` for every method; here `finished` is a boolean
 * (the counter is `finishCount`) and `If-Modified-Since` applies to GET and HEAD only, as
 * RFC 9110 says.
 */
export class DummyRequest implements IRequest {
  /** The method. */
  method: string;
  /** The request target. */
  uri: string;
  /** The protocol version. */
  clientproto: string;
  /** The query arguments, merged with a `application/x-www-form-urlencoded` body. */
  readonly args = new Map<string, string[]>();
  /** The segments already traversed. */
  prepath: string[];
  /** The segments still to traverse. */
  postpath: string[];
  /** The request headers. */
  readonly requestHeaders: Headers;
  /** The response headers. */
  readonly responseHeaders = new Headers();
  /** The response code set with `setResponseCode` (`undefined` until then). */
  responseCode: number | undefined = undefined;
  /** The reason phrase set with `setResponseCode`, if any. */
  responseMessage: string | undefined = undefined;
  /** Every chunk written, in order. */
  readonly written: Buffer[] = [];
  /** How many body bytes have been written. */
  sentLength = 0;
  /** How many times `finish` has been called. */
  finishCount = 0;
  /** Whether a `write` or `finish` has happened. */
  startedWriting = false;
  /** The request body. */
  readonly content: RequestBody;
  /** Each `Set-Cookie` value added with `addCookie`, in order. */
  readonly cookies: string[] = [];
  /** The reasons given to `processingFailed`. */
  readonly failures: unknown[] = [];
  /** The registered producer, or `undefined`. */
  producer: IProducer | undefined = undefined;
  /** Whether the registered producer is a push producer. */
  streamingProducer = false;
  /** The time source (seconds). */
  readonly clock: Pick<IReactorTime, "seconds">;
  /** Whether registered pull producers are driven automatically. */
  autoProduce: boolean;
  /** The reason the connection was lost, once `connectionLost` has been called. */
  lostReason: unknown = undefined;
  /** The modification time given to `setLastModified` (whole seconds), if any. */
  lastModified: number | undefined = undefined;
  /** The entity tag given to `setETag`, if any. */
  etag: string | undefined = undefined;

  private readonly clientAddress: IAddress;
  private readonly hostAddress: IAddress;
  private readonly secure: boolean;
  private finishDeferreds: Deferred<void>[] = [];
  private conditionalCode: number | null = null;
  private pulling = false;
  private pullWaiting = false;
  private producerPaused = false;

  /**
   * @param postpath - the segments to traverse (`["a", "b"]` for `/a/b`; `[""]` for `/`); when
   *   omitted, they come from `options.uri`, or `[]`.
   * @param options - everything else.
   */
  constructor(postpath?: readonly string[], options: DummyRequestOptions = {}) {
    this.method = options.method ?? "GET";
    this.clientproto = options.clientproto ?? "HTTP/1.1";
    if (postpath === undefined) {
      this.uri = options.uri ?? "/";
      this.postpath = options.uri === undefined ? [] : postpathFromURI(options.uri);
    } else {
      this.postpath = [...postpath];
      this.uri = options.uri ?? `/${postpath.map(encodeURIComponent).join("/")}`;
    }
    this.prepath = [...(options.prepath ?? [])];
    const headers = options.headers;
    if (headers instanceof Headers) {
      this.requestHeaders = headers;
    } else {
      this.requestHeaders = new Headers();
      for (const [name, value] of Object.entries(headers ?? {})) {
        this.requestHeaders.setRawHeaders(name, typeof value === "string" ? [value] : value);
      }
    }
    const body =
      options.body === undefined
        ? Buffer.alloc(0)
        : typeof options.body === "string"
          ? Buffer.from(options.body, "utf8")
          : Buffer.from(options.body);
    this.content = { length: body.length, read: () => Buffer.from(body) };
    this.clientAddress = options.clientAddress ?? new IPv4Address("TCP", "127.0.0.1", 12345);
    this.hostAddress = options.host ?? new IPv4Address("TCP", "127.0.0.1", 80);
    this.secure = options.secure ?? false;
    this.clock = options.clock ?? { seconds: () => 0 };
    this.autoProduce = options.autoProduce ?? true;
    this.parseArgs(body);
  }

  private parseArgs(body: Buffer): void {
    const query = this.uri.includes("?") ? this.uri.slice(this.uri.indexOf("?") + 1) : "";
    const add = (text: string): void => {
      for (const [k, v] of new URLSearchParams(text)) {
        const list = this.args.get(k);
        if (list === undefined) this.args.set(k, [v]);
        else list.push(v);
      }
    };
    add(query);
    const type = this.getHeader("content-type") ?? "";
    if (
      this.method === "POST" &&
      type.split(";")[0]?.trim() === "application/x-www-form-urlencoded"
    )
      add(body.toString("latin1"));
  }

  /** `uri` without its query string. */
  get path(): string {
    return this.uri.split("?")[0] ?? "";
  }

  /** The response code: `responseCode`, or 200. */
  get code(): number {
    return this.responseCode ?? 200;
  }

  /** The reason phrase: the one given to `setResponseCode`, or the standard one. */
  get codeMessage(): string {
    return this.responseMessage ?? STATUS_CODES[this.code] ?? "Unknown Status";
  }

  /** Whether `finish` has been called at least once. */
  get finished(): boolean {
    return this.finishCount > 0;
  }

  /** Whether `connectionLost` has been called. */
  get connectionWasLost(): boolean {
    return this.lostReason !== undefined;
  }

  /** @returns every written chunk joined: the response body. */
  writtenBody(): Buffer {
    return Buffer.concat(this.written);
  }

  /**
   * @param name - a header name, in any case.
   * @returns the last value of a request header, or `undefined`.
   */
  getHeader(name: string): string | undefined {
    return this.requestHeaders.getHeader(name);
  }

  /**
   * Sets a response header, replacing any value.
   * @param name - the name.
   * @param value - the value.
   */
  setHeader(name: string, value: string): void {
    this.responseHeaders.setRawHeaders(name, [value]);
  }

  /**
   * Sets the response code and, optionally, its reason phrase.
   * @param code - the status code.
   * @param message - the reason phrase.
   * @throws TypeError when the code is not an integer.
   */
  setResponseCode(code: number, message?: string): void {
    if (!Number.isInteger(code)) throw new TypeError(`bad response code: ${String(code)}`);
    this.responseCode = code;
    this.responseMessage = message;
  }

  /**
   * Records the modification time (rounded up to whole seconds; only a later time replaces an
   * earlier one), sets `Last-Modified`, and evaluates the preconditions (see the class).
   * @param when - seconds since the epoch.
   * @returns `CACHED` when the response is now a 304 or 412, else `null`.
   */
  setLastModified(when: number): Cached | null {
    const seconds = Math.ceil(when);
    if (this.lastModified === undefined || this.lastModified < seconds) {
      this.lastModified = seconds;
    }
    this.setHeader("last-modified", new Date(this.lastModified * 1000).toUTCString());
    return this.evaluate();
  }

  /**
   * Records the entity tag, sets `ETag`, and evaluates the preconditions (see the class).
   * @param etag - the tag, quotes included.
   * @returns `CACHED` when the response is now a 304 or 412, else `null`.
   */
  setETag(etag: string): Cached | null {
    this.etag = etag;
    this.setHeader("etag", etag);
    return this.evaluate();
  }

  private evaluate(): Cached | null {
    const result = evaluatePreconditions(this, {
      etag: this.etag,
      lastModified: this.lastModified,
    });
    if (result !== null) {
      this.conditionalCode = result;
      this.setResponseCode(result);
      return CACHED;
    }
    if (this.conditionalCode !== null && this.responseCode === this.conditionalCode) {
      this.responseCode = undefined;
      this.responseMessage = undefined;
    }
    this.conditionalCode = null;
    return null;
  }

  /**
   * Records body bytes (ignored once the connection is lost).
   * @param data - bytes, or a string (UTF-8).
   * @throws Error after `finish`.
   * @throws TypeError for anything but bytes or a string.
   */
  write(data: Buffer | Uint8Array | string): void {
    if (this.finished) {
      throw new Error("Request.write called on a request after Request.finish was called.");
    }
    if (this.connectionWasLost) return;
    let chunk: Buffer;
    if (typeof data === "string") chunk = Buffer.from(data, "utf8");
    else if (data instanceof Uint8Array) chunk = Buffer.from(data);
    else throw new TypeError("write takes bytes or a string");
    this.startedWriting = true;
    this.written.push(chunk);
    this.sentLength += chunk.length;
    if (this.pullWaiting && this.autoProduce) {
      this.pullWaiting = false;
      queueMicrotask(() => this.pumpPull());
    }
  }

  /**
   * Ends the response: counts the call and fires the `notifyFinish` Deferreds (the first time).
   * @throws Error when the connection was lost first.
   */
  finish(): void {
    if (this.connectionWasLost) {
      throw new Error("Request.finish called on a request after its connection was lost.");
    }
    this.startedWriting = true;
    this.finishCount += 1;
    if (this.finishCount > 1) return;
    const waiting = this.finishDeferreds;
    this.finishDeferreds = [];
    for (const d of waiting) d.callback(undefined);
  }

  /**
   * @returns a Deferred that fires when `finish` is called, or errbacks with the reason given
   *   to `connectionLost` or `processingFailed` (already fired when that has happened).
   */
  notifyFinish(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.finished) d.callback(undefined);
    else if (this.connectionWasLost) d.errback(this.lostReason);
    else this.finishDeferreds.push(d);
    return d;
  }

  /**
   * Simulates the server's handling of an exception in rendering: records the reason, sets
   * the code to 500 and errbacks the pending `notifyFinish` Deferreds with it.
   * @param reason - the error.
   */
  processingFailed(reason: unknown): void {
    this.failures.push(reason);
    this.setResponseCode(500);
    const waiting = this.finishDeferreds;
    this.finishDeferreds = [];
    for (const d of waiting) d.errback(reason);
  }

  /**
   * Simulates the loss of the connection: stops the registered producer (`stopProducing`),
   * errbacks the pending `notifyFinish` Deferreds, and makes later writes no-ops and `finish`
   * an error.
   * @param reason - why; a `ConnectionLost` by default.
   */
  connectionLost(reason: unknown = new ConnectionLost()): void {
    if (this.connectionWasLost) return;
    this.lostReason = reason;
    const producer = this.producer;
    this.producer = undefined;
    producer?.stopProducing();
    const waiting = this.finishDeferreds;
    this.finishDeferreds = [];
    for (const d of waiting) d.errback(reason);
  }

  /**
   * Registers a producer. A pull producer is driven at once unless `autoProduce` is false.
   * @param producer - the producer.
   * @param streaming - true for a push producer, false for a pull producer.
   * @throws Error when a producer is already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.producer !== undefined) {
      throw new Error("registering a producer before the previous one was unregistered");
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (this.connectionWasLost) {
      this.producer = undefined;
      producer.stopProducing();
      return;
    }
    if (!streaming && this.autoProduce) this.pumpPull();
  }

  /** Unregisters the producer. */
  unregisterProducer(): void {
    this.producer = undefined;
    this.pullWaiting = false;
  }

  private pumpPull(): void {
    if (this.pulling) return;
    this.pulling = true;
    try {
      while (this.producer !== undefined && !this.streamingProducer) {
        const before = this.written.length;
        (this.producer as IPullProducer).resumeProducing();
        if (this.producer !== undefined && this.written.length === before) {
          this.pullWaiting = true;
          break;
        }
      }
    } finally {
      this.pulling = false;
    }
  }

  /**
   * Pulls a registered pull producer by hand (for `autoProduce: false`).
   * @param times - how many `resumeProducing` calls at most; 1 by default.
   * @returns how many calls were made (fewer when the producer unregistered).
   */
  pumpProducer(times = 1): number {
    let made = 0;
    while (made < times && this.producer !== undefined) {
      (this.producer as IPullProducer).resumeProducing();
      made += 1;
    }
    return made;
  }

  /** Pauses a registered push producer, as a full transport would. */
  pauseProducer(): void {
    if (this.producer === undefined || !this.streamingProducer || this.producerPaused) return;
    this.producerPaused = true;
    (this.producer as IPushProducer).pauseProducing();
  }

  /** Resumes a push producer paused with `pauseProducer`, as a drained transport would. */
  resumeProducer(): void {
    if (this.producer === undefined || !this.streamingProducer || !this.producerPaused) return;
    this.producerPaused = false;
    (this.producer as IPushProducer).resumeProducing();
  }

  /**
   * Redirects with a 302 and a `Location`.
   * @param url - where to.
   */
  redirect(url: string): void {
    this.setResponseCode(302);
    this.setHeader("location", url);
  }

  /** @returns the client's address (the `clientAddress` option). */
  getClientAddress(): IAddress {
    return this.clientAddress;
  }

  /** @returns the server's address (the `host` option). */
  getHost(): IAddress {
    return this.hostAddress;
  }

  /** @returns the `secure` option. */
  isSecure(): boolean {
    return this.secure;
  }

  /**
   * @returns `scheme://host[:port]/prepath…`: the host from the `Host` header (else the
   *   `host` address), the port from the `host` address (left out when it is the scheme's
   *   default), each prepath segment percent-encoded.
   */
  prePathURL(): string {
    const scheme = this.secure ? "https" : "http";
    const address = this.hostAddress;
    const port = "port" in address ? address.port : undefined;
    const fromHeader = this.getHeader("host")?.replace(/:\d*$/, "");
    const host = fromHeader ?? ("host" in address ? address.host : "localhost");
    const defaultPort = this.secure ? 443 : 80;
    const portPart = port === undefined || port === defaultPort ? "" : `:${port}`;
    return `${scheme}://${host}${portPart}/${this.prepath.map(encodeURIComponent).join("/")}`;
  }

  /**
   * @param name - a cookie's name.
   * @returns its value from the `Cookie` request headers, or `undefined`.
   */
  getCookie(name: string): string | undefined {
    for (const header of this.requestHeaders.getRawHeaders("cookie") ?? []) {
      for (const pair of header.split(";")) {
        const eq = pair.indexOf("=");
        if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
      }
    }
    return undefined;
  }

  /**
   * Adds a `Set-Cookie` response header and records it in `cookies`. CR, LF and `;` are
   * removed from the name, the value and every attribute.
   * @param name - the cookie's name.
   * @param value - its value.
   * @param options - its attributes.
   */
  addCookie(name: string, value: string, options: CookieOptions = {}): void {
    const clean = (s: string): string => s.replace(/[\r\n;]/g, "");
    const parts = [`${clean(name)}=${clean(value)}`];
    if (options.expires !== undefined) {
      const e = options.expires;
      parts.push(`Expires=${clean(typeof e === "string" ? e : e.toUTCString())}`);
    }
    if (options.domain !== undefined) parts.push(`Domain=${clean(options.domain)}`);
    if (options.path !== undefined) parts.push(`Path=${clean(options.path)}`);
    if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.trunc(options.maxAge)}`);
    if (options.comment !== undefined) parts.push(`Comment=${clean(options.comment)}`);
    if (options.secure === true) parts.push("Secure");
    if (options.httpOnly === true) parts.push("HttpOnly");
    if (options.sameSite !== undefined) parts.push(`SameSite=${options.sameSite}`);
    const cookie = parts.join("; ");
    this.cookies.push(cookie);
    this.responseHeaders.addRawHeader("set-cookie", cookie);
  }

  /** `<DummyRequest GET /a/b>`. */
  toString(): string {
    return `<DummyRequest ${this.method} ${this.uri}>`;
  }
}

/**
 * Traverses a resource tree as the server does: moves `postpath` segments to `prepath`
 * through `getChildWithDefault` until a leaf, or until `postpath` is empty.
 * @param resource - the root.
 * @param request - the request; its `prepath` and `postpath` are updated.
 * @returns the resource to render.
 */
export function getChildForRequest(resource: IResource, request: IRequest): IResource {
  let current = resource;
  while (request.postpath.length > 0 && !current.isLeaf) {
    const segment = request.postpath.shift() ?? "";
    request.prepath.push(segment);
    current = current.getChildWithDefault(segment, request);
  }
  return current;
}

/**
 * Traverses and renders a resource into a request, as Twisted's test helper `_render` does
 * (plus traversal): a body returned by `render` is written and the request finished; with
 * {@link NOT_DONE_YET} it waits for `finish`.
 * @param resource - the root of the tree (traversal starts with `request.postpath`).
 * @param request - the request.
 * @returns a Deferred (awaitable) of everything written, which fires when the request is
 *   finished, or errbacks when `render` throws or the request fails (`connectionLost`,
 *   `processingFailed`).
 */
export function renderRequest(resource: IResource, request: DummyRequest): Deferred<Buffer> {
  let result: ReturnType<IResource["render"]>;
  try {
    result = getChildForRequest(resource, request).render(request);
  } catch (error) {
    const d = new Deferred<Buffer>();
    d.errback(error);
    return d;
  }
  if (result !== NOT_DONE_YET) {
    request.write(result);
    request.finish();
  }
  return request.notifyFinish().addCallback(() => request.writtenBody());
}
