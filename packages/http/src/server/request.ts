/**
 * `Request`: one request and its response, after Twisted's `http.Request` and `server.Request`.
 * @packageDocumentation
 */
import {
  ConnectionLost,
  Deferred,
  Failure,
  type IAddress,
  type IPullProducer,
  type IPushProducer,
  Logger,
  type WriteData,
} from "@twisted-ts/core";
import { MalformedRequest, RequestStateError } from "../errors.js";
import { Headers } from "../headers.js";
import { CACHED, type Cached, type CookieOptions, type IRequest, type IResource } from "../iweb.js";
import { RequestContent } from "./body.js";
import type { ChannelRequest, HTTPChannel } from "./channel.js";
import { checkETag, checkLastModified } from "./conditional.js";
import { formatCookie, parseCookies } from "./cookies.js";
import { httpDateNow } from "./dates.js";
import { isBodyless, responseHead } from "./head.js";
import { type FormPart, parseFormBody } from "./multipart.js";
import { processRequest } from "./process.js";
import type { Session } from "./session.js";
import type { Site } from "./site.js";
import { responsePhrase } from "./status.js";
import { parseQueryString, quoteSegment } from "./urls.js";

const log = new Logger({ namespace: "twisted-ts.web.server" });
const EMPTY = Buffer.alloc(0);
const LAST_CHUNK = Buffer.from("0\r\n\r\n", "latin1");
const CRLF = Buffer.from("\r\n", "latin1");
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole latin-1 range is the point.
const NON_LATIN1 = /[^\u0000-\u00ff]/u;

/**
 * Transforms a response body as it is written: what `EncodingResourceWrapper` installs
 * (Twisted's `iweb._IRequestEncoder`).
 */
export interface IRequestEncoder {
  /**
   * @param data - body bytes the resource wrote.
   * @returns the bytes to send (maybe empty).
   */
  encode(data: Buffer): Buffer;
  /** @returns the last bytes to send, when the response finishes. */
  finish(): Buffer;
}

/** Whether a value is one of the byte types a body may be. */
function toBytes(data: WriteData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("Request.write takes bytes or a string");
}

/**
 * One HTTP request and its response: Twisted's `server.Request` (with `http.Request` folded
 * in), implementing {@link IRequest}. The channel builds one per request through the site's
 * `requestFactory`, fills in the headers and body, then calls `requestReceived`, which parses
 * the arguments and calls `process` (traversal and render).
 *
 * Writing: the first `write` sends the status line and headers (with `Server`, `Date`, a
 * default `Content-Type: text/html` unless 204, 304 or `Content-Length: 0`, and
 * `Transfer-Encoding: chunked` on HTTP/1.1 without a `Content-Length`, except for HEAD, 204 and
 * 304, which send no body). `write` after `finish` and `finish` after the connection was lost
 * throw {@link RequestStateError}; `write` after the loss is ignored; a second `finish` logs a
 * warning.
 *
 * Differences from Twisted: strings instead of bytes (header bytes are latin-1; a header value
 * with characters above U+00FF is sent as UTF-8); the status line always says HTTP/1.1 (RFC
 * 9110 §6.2); `notifyFinish` after the response finished returns a fired Deferred (Twisted's
 * never fires); form bodies are merged into `args` after the query's values.
 */
export class Request implements IRequest, ChannelRequest {
  /** The method, e.g. `"GET"`. */
  method = "GET";
  /** The request target as sent. */
  uri = "";
  /** `uri` without its query string (for an absolute-form target, its path). */
  path = "";
  /** `HTTP/1.0` or `HTTP/1.1`. */
  clientproto = "HTTP/1.1";
  /** The query arguments, merged with a form body. */
  args = new Map<string, string[]>();
  /**
   * The parts of a `multipart/form-data` POST body, with their file names, types and raw
   * bytes (their values, decoded as UTF-8, are also in `args`, as Twisted puts them there).
   */
  parts: FormPart[] = [];
  /** The path segments already traversed. */
  prepath: string[] = [];
  /** The path segments still to traverse. */
  postpath: string[] = [];
  /** The `prepath` when the site took the request (the site's own mount point). */
  sitepath: string[] = [];
  private rawRequestHeaders: string[] = [];
  private parsedRequestHeaders: Headers | undefined = undefined;
  /** The response's headers. */
  responseHeaders = new Headers();
  /** The response code. */
  code = 200;
  /** The response's reason phrase. */
  codeMessage = "OK";
  /** Body bytes written so far. */
  sentLength = 0;
  /** Whether `finish` was called. */
  finished = false;
  /** Whether the headers went out. */
  startedWriting = false;
  /** Whether the response body is sent chunked. */
  chunked = false;
  /** The `Set-Cookie` values to send. */
  cookies: string[] = [];
  /** The modification time given to `setLastModified`, in seconds, if any. */
  lastModified: number | undefined = undefined;
  /** The entity tag given to `setETag`, if any. */
  etag: string | undefined = undefined;
  /** The session, once `getSession` has been called. */
  session: Session | undefined = undefined;
  /** The body encoder installed by an encoding resource, if any. */
  encoder: IRequestEncoder | undefined = undefined;
  /** The producer registered with `registerProducer`, if any. */
  producer: IPushProducer | IPullProducer | undefined = undefined;
  private body: RequestContent | undefined = undefined;
  private receivedCookies: Map<string, string> | undefined = undefined;
  private disconnected = false;
  private notifications: Deferred<void>[] = [];
  private lossReason: Failure | undefined = undefined;

  /**
   * @param channel - the connection.
   * @param site - the site that handles it.
   */
  constructor(
    readonly channel: HTTPChannel,
    readonly site: Site,
  ) {}

  /** The request's headers (built on first use from what the channel received). */
  get requestHeaders(): Headers {
    let headers = this.parsedRequestHeaders;
    if (headers === undefined) {
      headers = new Headers();
      const raw = this.rawRequestHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        headers.addRawHeader(raw[i] as string, raw[i + 1] as string);
      }
      this.parsedRequestHeaders = headers;
    }
    return headers;
  }

  /** Replaces the request's headers. */
  set requestHeaders(headers: Headers) {
    this.parsedRequestHeaders = headers;
  }

  /**
   * The headers as the channel received them; `requestHeaders` is built from them on first use.
   * @param raw - name, value, name, value, …
   */
  receiveHeaders(raw: string[]): void {
    this.rawRequestHeaders = raw;
    this.parsedRequestHeaders = undefined;
  }

  /** The request body. */
  get content(): RequestContent {
    if (this.body === undefined) this.body = new RequestContent(this.site.limits.memoryBodyLimit);
    return this.body;
  }

  /** The cookies the client sent: name → value. Twisted's `received_cookies`. */
  get received_cookies(): Map<string, string> {
    if (this.receivedCookies === undefined) {
      this.receivedCookies = parseCookies(this.requestHeaders.getRawHeaders("cookie", []));
    }
    return this.receivedCookies;
  }

  /**
   * The body's length is known or not: creates the body store (`Site.getContentFile`).
   * @param length - bytes, or null when unknown (chunked).
   */
  gotLength(length: number | null): void {
    this.body = this.site.getContentFile(length);
  }

  /**
   * Appends body bytes.
   * @param data - the bytes.
   */
  handleContentChunk(data: Buffer): void {
    this.content.write(data);
  }

  /**
   * The whole request is here: fills in `method`, `uri`, `path`, `args` (the query, then an
   * `application/x-www-form-urlencoded` or `multipart/form-data` body) and `parts`, then calls
   * `process`.
   * @throws {@link MalformedRequest} for a malformed multipart body (the channel answers 400).
   * @param method - the method.
   * @param uri - the target.
   * @param version - the protocol version.
   */
  requestReceived(method: string, uri: string, version: string): void {
    this.method = method;
    this.uri = uri;
    this.clientproto = version;
    const q = uri.indexOf("?");
    let path = q === -1 ? uri : uri.slice(0, q);
    if (path.charCodeAt(0) !== 47 && path !== "*") {
      // absolute-form: keep the path after the authority
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
      if (m !== null) path = path.slice(m[0].length) || "/";
    }
    this.path = path;
    if (q !== -1) parseQueryString(uri.slice(q + 1), this.args);
    if (method === "POST" && this.body !== undefined && this.body.length > 0) {
      const ctype = this.getHeader("content-type");
      if (ctype !== undefined) this.parts = parseFormBody(ctype, this.body, this.args);
    }
    this.process();
  }

  /** Finds the resource and renders it: Twisted's `server.Request.process`. */
  process(): void {
    processRequest(this);
  }

  /**
   * @param name - a header name.
   * @returns the last value of a request header, or `undefined`.
   */
  getHeader(name: string): string | undefined {
    if (this.parsedRequestHeaders !== undefined) return this.parsedRequestHeaders.getHeader(name);
    // Before anything needs the Headers object, look the raw list up (the hot path).
    const raw = this.rawRequestHeaders;
    const n = name.length;
    let lower: string | undefined;
    for (let i = raw.length - 2; i >= 0; i -= 2) {
      const candidate = raw[i] as string;
      if (candidate.length !== n) continue;
      lower ??= name.toLowerCase();
      if (candidate === name || candidate.toLowerCase() === lower) return raw[i + 1];
    }
    return undefined;
  }

  /**
   * Sets a response header, replacing its values.
   * @param name - the name.
   * @param value - the value; characters above U+00FF are sent as UTF-8.
   */
  setHeader(name: string, value: string): void {
    const v = NON_LATIN1.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value;
    this.responseHeaders.setRawHeaders(name, [v]);
  }

  /**
   * Sets the response code and reason phrase.
   * @param code - the code.
   * @param message - the phrase; the standard one by default.
   * @throws TypeError when `code` is not an integer.
   */
  setResponseCode(code: number, message?: string): void {
    if (!Number.isInteger(code)) throw new TypeError("HTTP response code must be an integer");
    this.code = code;
    this.codeMessage = message ? message.replace(/[\r\n]/g, " ") : responsePhrase(code);
  }

  /**
   * Records the modification time (only a later time replaces the stored one); a GET or HEAD
   * whose `If-Modified-Since` is not older becomes a 304, and a request whose
   * `If-Unmodified-Since` is older becomes a 412.
   * @param when - seconds since the epoch (rounded up).
   * @returns {@link CACHED} when the response is a 304 or 412, else `null`.
   */
  setLastModified(when: number): Cached | null {
    const t = Math.ceil(when);
    if (this.lastModified === undefined || this.lastModified < t) this.lastModified = t;
    const status = checkLastModified(this.requestHeaders, this.method, this.lastModified);
    if (status === null) return null;
    this.setResponseCode(status);
    return CACHED;
  }

  /**
   * Records the entity tag; a matching `If-None-Match` (or `*`) gives 304 for GET and HEAD and
   * 412 otherwise; an `If-Match` that matches nothing gives 412.
   * @param etag - the tag, quotes included.
   * @returns {@link CACHED} when the response is a 304 or 412, else `null`.
   */
  setETag(etag: string): Cached | null {
    this.etag = etag;
    const status = checkETag(this.requestHeaders, this.method, etag);
    if (status === null) return null;
    this.setResponseCode(status);
    return CACHED;
  }

  /** Whether the response may carry no body (HEAD, 1xx, 204, 304). */
  get bodyless(): boolean {
    return isBodyless(this);
  }

  /**
   * Writes body bytes, sending the status line and headers first.
   * @param data - bytes, or a string sent as UTF-8.
   * @throws RequestStateError after `finish`.
   */
  write(data: WriteData): void {
    if (this.finished) {
      throw new RequestStateError(
        "Request.write called on a request after Request.finish was called.",
      );
    }
    if (this.disconnected) return;
    let bytes = toBytes(data);
    if (this.encoder !== undefined) bytes = this.encoder.encode(bytes);
    this.writeEncoded(bytes);
  }

  private writeEncoded(bytes: Buffer): void {
    const channel = this.channel;
    if (!this.startedWriting) {
      this.startedWriting = true;
      const head = responseHead(this);
      if (this.bodyless || bytes.length === 0) {
        channel.write(Buffer.from(head, "latin1"));
        return;
      }
      this.sentLength += bytes.length;
      const prefix = this.chunked ? `${head}${bytes.length.toString(16)}\r\n` : head;
      const suffix = this.chunked ? 2 : 0;
      const out = Buffer.allocUnsafe(prefix.length + bytes.length + suffix);
      out.write(prefix, 0, "latin1");
      bytes.copy(out, prefix.length);
      if (suffix) {
        out[out.length - 2] = 13;
        out[out.length - 1] = 10;
      }
      channel.write(out);
      return;
    }
    if (this.bodyless || bytes.length === 0) return;
    this.sentLength += bytes.length;
    if (this.chunked) channel.writeSequence([`${bytes.length.toString(16)}\r\n`, bytes, CRLF]);
    else channel.write(bytes);
  }

  /**
   * Ends the response: sends the last chunk, logs it, fires `notifyFinish`, removes the body's
   * temporary file and lets the channel go on to the next request.
   * @throws RequestStateError when the connection was lost first.
   */
  finish(): void {
    if (this.disconnected) {
      throw new RequestStateError(
        "Request.finish called on a request after its connection was lost; use Request.notifyFinish to keep track of this.",
      );
    }
    if (this.finished) {
      log.warn("Warning! request.finish called twice.");
      return;
    }
    if (this.encoder !== undefined) {
      const tail = this.encoder.finish();
      this.writeEncoded(tail);
    } else if (!this.startedWriting) {
      this.writeEncoded(EMPTY);
    }
    if (this.chunked) this.channel.write(LAST_CHUNK);
    this.finished = true;
    if (this.producer !== undefined) {
      log.failure("Producer was not unregistered for {uri}", new Failure(new Error("producer")), {
        uri: this.uri,
      });
      this.unregisterProducer();
    }
    try {
      this.site.log(this);
    } catch (error) {
      log.failure("Could not write the access log", new Failure(error));
    }
    this.body?.close();
    for (const d of this.notifications.splice(0)) d.callback(undefined);
    this.channel.requestDone(this);
  }

  /**
   * @returns a Deferred that fires when the response is finished (at once if it is), or
   *   errbacks with the reason when the connection is lost first.
   */
  notifyFinish(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.finished) d.callback(undefined);
    else if (this.disconnected) d.errback(this.lossReason ?? new Failure(new ConnectionLost()));
    else this.notifications.push(d);
    return d;
  }

  /**
   * The connection was lost before `finish`: errbacks `notifyFinish`, stops the producer and
   * removes the body's file. Later `write`s are ignored.
   * @param reason - why.
   */
  connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.lossReason = reason;
    if (this.producer !== undefined) {
      try {
        this.producer.stopProducing();
      } catch (error) {
        log.failure("Producer failed to stop", new Failure(error));
      }
      this.producer = undefined;
    }
    this.body?.close();
    for (const d of this.notifications.splice(0)) d.errback(reason);
  }

  /**
   * Registers the body's producer with the connection (flow control from the transport).
   * @param producer - the producer.
   * @param streaming - true for push, false for pull.
   * @throws Error when one is registered already.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) {
      throw new Error("registering producer while another producer is registered");
    }
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.channel.registerProducer(producer, streaming);
  }

  /** Unregisters the producer. */
  unregisterProducer(): void {
    if (this.producer === undefined) return;
    this.producer = undefined;
    this.channel.unregisterProducer();
  }

  /**
   * Redirects: 302 with `Location`.
   * @param url - where to.
   */
  redirect(url: string): void {
    this.setResponseCode(302);
    this.setHeader("location", url);
  }

  /** @returns the client's address. */
  getClientAddress(): IAddress {
    return this.transport().getPeer();
  }

  /** @returns the server's address for this connection. */
  getHost(): IAddress {
    return this.transport().getHost();
  }

  /** @returns whether the connection is TLS. */
  isSecure(): boolean {
    return (this.channel.transport as { secure?: unknown } | undefined)?.secure === true;
  }

  private transport(): NonNullable<HTTPChannel["transport"]> {
    const t = this.channel.transport;
    if (t === undefined) throw new Error("the request's channel has no transport");
    return t;
  }

  /** @returns the host the client asked for (the Host header without its port), else the
   *  server's address. Twisted's `getRequestHostname`. */
  getRequestHostname(): string {
    const host = this.getHeader("host");
    if (host === undefined) return String((this.getHost() as { host?: unknown }).host ?? "");
    if (host.startsWith("[")) {
      const end = host.indexOf("]");
      return end === -1 ? host : host.slice(0, end + 1);
    }
    const colon = host.indexOf(":");
    return colon === -1 ? host : host.slice(0, colon);
  }

  /**
   * The URL of a list of segments on this server: scheme, host, the port unless the default.
   * @param segments - the path segments.
   * @returns the URL.
   */
  private urlOf(segments: readonly string[]): string {
    const secure = this.isSecure();
    const port = (this.getHost() as { port?: unknown }).port;
    const hostport = typeof port === "number" && port !== (secure ? 443 : 80) ? `:${port}` : "";
    const path = segments.map(quoteSegment).join("/");
    return `http${secure ? "s" : ""}://${this.getRequestHostname()}${hostport}/${path}`;
  }

  /** @returns the URL of the resource being rendered (its `prepath`). */
  prePathURL(): string {
    return this.urlOf(this.prepath);
  }

  /** @returns the URL of the whole request, without its query. */
  URLPath(): string {
    return this.urlOf([...this.prepath, ...this.postpath]);
  }

  /**
   * @param name - a cookie's name.
   * @returns its value, or `undefined`.
   */
  getCookie(name: string): string | undefined {
    return this.received_cookies.get(name);
  }

  /**
   * Adds a `Set-Cookie` header; CR, LF and `;` in every part become spaces.
   * @param name - the name.
   * @param value - the value.
   * @param options - the attributes.
   */
  addCookie(name: string, value: string, options: CookieOptions = {}): void {
    this.cookies.push(formatCookie(name, value, options));
  }

  /**
   * The user's session, made (with its cookie) when there is none: Twisted's `getSession`.
   * The cookie is `TWISTED_SESSION` (`TWISTED_SECURE_SESSION` over TLS), followed by the
   * site path's segments joined with `_`.
   * @returns the session, touched.
   */
  getSession(): Session {
    const secure = this.isSecure();
    const cookieName = [
      secure ? "TWISTED_SECURE_SESSION" : "TWISTED_SESSION",
      ...this.sitepath,
    ].join("_");
    if (this.session === undefined) {
      const uid = this.getCookie(cookieName);
      if (uid !== undefined) this.session = this.site.getSession(uid);
      if (this.session === undefined) {
        this.session = this.site.makeSession();
        this.addCookie(cookieName, this.session.uid, { path: "/", secure });
      }
    }
    this.session.touch();
    return this.session;
  }

  /** @returns the user name of `Authorization: Basic`, or `""`. */
  getUser(): string {
    return this.basicAuth()[0];
  }

  /** @returns the password of `Authorization: Basic`, or `""`. */
  getPassword(): string {
    return this.basicAuth()[1];
  }

  private basicAuth(): [string, string] {
    const header = this.getHeader("authorization");
    if (header === undefined) return ["", ""];
    const sp = header.indexOf(" ");
    if (sp === -1 || header.slice(0, sp).toLowerCase() !== "basic") return ["", ""];
    const decoded = Buffer.from(header.slice(sp + 1).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon === -1 ? [decoded, ""] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }

  /** @returns the current date as an HTTP date, on the site's clock. */
  dateHeader(): string {
    return httpDateNow(this.site.clock);
  }

  /** @returns a readable form, e.g. `<Request at 0x… method=GET uri=/ clientproto=HTTP/1.1>`. */
  toString(): string {
    return `<Request method=${this.method} uri=${this.uri} clientproto=${this.clientproto}>`;
  }

  /** The resource the site found for this request (set by `process`). */
  resource: IResource | undefined = undefined;
}
