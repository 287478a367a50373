/**
 * The interfaces of the web server: Twisted's `twisted.web.iweb.IRequest` and
 * `twisted.web.resource.IResource`, with strings where Twisted has bytes.
 * @packageDocumentation
 */
import type { Deferred, IAddress, IConsumer, IProducer } from "@twisted-ts/core";
import type { Headers } from "./headers.js";

/**
 * What `render` returns to say "I will write the response myself, later, and call `finish`":
 * Twisted's `server.NOT_DONE_YET`.
 */
export const NOT_DONE_YET: unique symbol = Symbol.for("twisted-ts.web.NOT_DONE_YET");
/** The type of {@link NOT_DONE_YET}. */
export type NotDoneYet = typeof NOT_DONE_YET;

/**
 * What `setLastModified` and `setETag` return when the client's copy is current (the response
 * is then a 304 and the body must not be written): Twisted's `http.CACHED`.
 */
export const CACHED: unique symbol = Symbol.for("twisted-ts.web.CACHED");
/** The type of {@link CACHED}. */
export type Cached = typeof CACHED;

/** What a resource's `render` may return: the body, or {@link NOT_DONE_YET}. */
export type RenderResult = Buffer | Uint8Array | string | NotDoneYet;

/** Options of `IRequest.addCookie` (RFC 6265 attributes). */
export interface CookieOptions {
  /** `Expires`, as an HTTP date string or a Date. */
  expires?: string | Date;
  /** `Domain`. */
  domain?: string;
  /** `Path`. */
  path?: string;
  /** `Max-Age`, in seconds. */
  maxAge?: number;
  /** `Comment` (obsolete, kept for Twisted's signature). */
  comment?: string;
  /** `Secure`. */
  secure?: boolean;
  /** `HttpOnly`. */
  httpOnly?: boolean;
  /** `SameSite`. */
  sameSite?: "Lax" | "Strict" | "None";
}

/** A request's body, in memory or spooled to a temporary file. */
export interface RequestBody {
  /** Its length in bytes. */
  readonly length: number;
  /** @returns the whole body. */
  read(): Buffer;
}

/**
 * One HTTP request and its response, as a resource sees it: Twisted's `IRequest`. Paths and
 * header values are strings: the request line and headers are decoded as latin-1 (so every byte
 * is kept), `path` is the raw path before `?`, and `prepath`/`postpath` hold the
 * percent-decoded (UTF-8) segments.
 */
export interface IRequest extends IConsumer {
  /** The method, e.g. `"GET"`. */
  readonly method: string;
  /** The request target as sent, e.g. `"/a/b?x=1"`. */
  readonly uri: string;
  /** `uri` without its query string. */
  readonly path: string;
  /** The protocol version, e.g. `"HTTP/1.1"`. */
  readonly clientproto: string;
  /** The query arguments, merged with a form body: name → values (blank values kept). */
  readonly args: Map<string, string[]>;
  /** The path segments already traversed. */
  prepath: string[];
  /** The path segments still to traverse. */
  postpath: string[];
  /** The request's headers. */
  readonly requestHeaders: Headers;
  /** The response's headers, until the first `write`. */
  readonly responseHeaders: Headers;
  /** The response code (200 until set). */
  readonly code: number;
  /** The response reason phrase. */
  readonly codeMessage: string;
  /** How many body bytes have been written. */
  readonly sentLength: number;
  /** Whether `finish` has been called. */
  readonly finished: boolean;
  /** Whether the response headers have gone out (the first `write` or `finish`). */
  readonly startedWriting: boolean;
  /** The request body (fully received before the resource is rendered). */
  readonly content: RequestBody;

  /**
   * @param name - a header name, in any case.
   * @returns the last value of a request header, or `undefined`.
   */
  getHeader(name: string): string | undefined;
  /**
   * Sets a response header, replacing any value.
   * @param name - the name.
   * @param value - the value.
   */
  setHeader(name: string, value: string): void;
  /**
   * Sets the response code and, optionally, its reason phrase.
   * @param code - the status code.
   * @param message - the reason phrase; the standard one by default.
   */
  setResponseCode(code: number, message?: string): void;
  /**
   * Records the resource's modification time; if the request's `If-Modified-Since` is not
   * older, the response becomes a 304.
   * @param when - seconds since the epoch.
   * @returns {@link CACHED} when the response is a 304 (write no body), else `null`.
   */
  setLastModified(when: number): Cached | null;
  /**
   * Records the resource's entity tag; a matching `If-None-Match` makes the response a 304
   * (GET, HEAD) or a 412 (other methods).
   * @param etag - the tag, quotes included (e.g. `"\"abc\""` or `"W/\"abc\""`).
   * @returns {@link CACHED} when the client's copy is current, else `null`.
   */
  setETag(etag: string): Cached | null;
  /**
   * Writes body bytes, sending the headers first.
   * @param data - bytes, or a string sent as UTF-8.
   * @throws Error after `finish`.
   */
  write(data: Buffer | Uint8Array | string): void;
  /**
   * Ends the response.
   * @throws Error when the connection was lost first.
   */
  finish(): void;
  /**
   * @returns a Deferred that fires when the response is finished, or errbacks when the
   *   connection is lost first.
   */
  notifyFinish(): Deferred<void>;
  /**
   * Registers a producer that writes the body (flow control from the transport).
   * @param producer - the producer.
   * @param streaming - true for a push producer, false for a pull producer.
   */
  registerProducer(producer: IProducer, streaming: boolean): void;
  /** Unregisters the producer. */
  unregisterProducer(): void;
  /**
   * Redirects with a 302 and a `Location`.
   * @param url - where to.
   */
  redirect(url: string): void;
  /** @returns the client's address. */
  getClientAddress(): IAddress;
  /** @returns the server's address for this connection. */
  getHost(): IAddress;
  /** @returns whether the connection is TLS. */
  isSecure(): boolean;
  /** @returns the URL of the resource being rendered (scheme, host, port and `prepath`). */
  prePathURL(): string;
  /**
   * @param name - a cookie's name.
   * @returns its value from the request's `Cookie` headers, or `undefined`.
   */
  getCookie(name: string): string | undefined;
  /**
   * Adds a `Set-Cookie` response header (name, value and attributes are sanitised).
   * @param name - the cookie's name.
   * @param value - its value.
   * @param options - its attributes.
   */
  addCookie(name: string, value: string, options?: CookieOptions): void;
}

/**
 * A node of the resource tree: Twisted's `IResource`.
 */
export interface IResource {
  /** Whether traversal stops here (the remaining `postpath` is left for `render`). */
  readonly isLeaf: boolean;
  /**
   * The child for a path segment, consulting `putChild` children first: Twisted's
   * `getChildWithDefault`.
   * @param path - the segment (`""` for a trailing slash).
   * @param request - the request.
   */
  getChildWithDefault(path: string, request: IRequest): IResource;
  /**
   * Registers a static child.
   * @param path - the segment (`""` is the child for "/").
   * @param child - the child.
   */
  putChild(path: string, child: IResource): void;
  /**
   * Renders the request: the body, or {@link NOT_DONE_YET} when it will be written later.
   * @param request - the request.
   */
  render(request: IRequest): RenderResult;
}
