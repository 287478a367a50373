/**
 * The reverse proxy: Twisted's `proxy.ReverseProxyResource`, with its own small HTTP/1.0
 * client protocol (`ProxyClient`) over the reactor's `connectTCP`.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import {
  ClientFactory,
  type Failure,
  type IAddress,
  type IConnector,
  type IReactorTCP,
  Logger,
} from "@twisted-ts/core";
import type { IRequest, IResource, RenderResult } from "../iweb.js";
import { NOT_DONE_YET } from "../iweb.js";
import { type BodyDecoder, ChunkedDecoder, LengthDecoder } from "../server/chunked.js";
import { quoteSegment } from "../server/urls.js";
import { Resource } from "./resource.js";

const log = new Logger({ namespace: "twisted-ts.web.proxy" });

/** Request headers that are not forwarded (hop-by-hop, or recomputed). */
const DROPPED_REQUEST = new Set([
  "proxy-connection",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
]);
/** Response headers that are not copied back (hop-by-hop). */
const DROPPED_RESPONSE = new Set(["connection", "keep-alive", "transfer-encoding"]);
/** Response headers that replace the local defaults instead of adding to them. */
const REPLACED_RESPONSE = new Set(["server", "date", "content-type"]);
/** Limits for the upstream's chunked bodies. */
const UPSTREAM_LIMITS = {
  maxChunkSizeLineLength: 1024,
  maxTrailersSize: 64 * 1024,
  maxBodySize: Number.MAX_SAFE_INTEGER,
};

/**
 * The client side of the proxy: sends the request upstream with `Connection: close` and copies
 * the response (status, headers, body) into the original request. Twisted's `ProxyClient`.
 */
export class ProxyClient extends LineReceiver {
  private statusSeen = false;
  private decoder: BodyDecoder | undefined = undefined;
  private untilClose = false;
  private done = false;
  private bodyless = false;

  /**
   * @param command - the method.
   * @param rest - the path and query to ask for.
   * @param version - the original request's version (the upstream request is HTTP/1.0).
   * @param headers - the headers to send: name → values.
   * @param data - the body.
   * @param father - the request to answer.
   */
  constructor(
    readonly command: string,
    readonly rest: string,
    readonly version: string,
    readonly headers: Map<string, string[]>,
    readonly data: Buffer,
    readonly father: IRequest,
  ) {
    super();
    this.bodyless = command === "HEAD";
  }

  /** Sends the request. */
  override connectionMade(): void {
    let head = `${this.command} ${this.rest} HTTP/1.0\r\n`;
    for (const [name, values] of this.headers) {
      for (const value of values) head += `${name}: ${value}\r\n`;
    }
    head += "\r\n";
    this.transport?.write(Buffer.from(head, "latin1"));
    if (this.data.length > 0) this.transport?.write(this.data);
    this.father.notifyFinish().addErrback(() => {
      // the client went away: stop talking to the upstream
      this.done = true;
      const t = this.transport as { abortConnection?: () => void } | undefined;
      if (t?.abortConnection !== undefined) t.abortConnection();
      else this.transport?.loseConnection();
      return undefined;
    });
  }

  /**
   * The status line or a header.
   * @param line - the line.
   * @returns true to stop.
   */
  override lineReceived(line: Buffer): boolean {
    const text = line.toString("latin1");
    if (!this.statusSeen) {
      const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(text);
      if (m === null) return this.fail("bad status line from the upstream");
      this.statusSeen = true;
      const code = Number(m[1]);
      this.father.setResponseCode(code, m[2] || undefined);
      if (code === 204 || code === 304 || code < 200) this.bodyless = true;
      return false;
    }
    if (text === "") return this.headersDone();
    const colon = text.indexOf(":");
    if (colon <= 0) return this.fail("bad header from the upstream");
    const name = text.slice(0, colon).trim();
    const value = text.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === "transfer-encoding" && value.toLowerCase().includes("chunked")) {
      this.decoder = new ChunkedDecoder(this.sink, UPSTREAM_LIMITS);
    } else if (lower === "content-length" && this.decoder === undefined && /^\d+$/.test(value)) {
      this.decoder = new LengthDecoder(this.sink, Number(value));
    }
    if (DROPPED_RESPONSE.has(lower)) return false;
    try {
      if (REPLACED_RESPONSE.has(lower)) this.father.responseHeaders.setRawHeaders(name, [value]);
      else this.father.responseHeaders.addRawHeader(name, value);
    } catch {
      return this.fail("bad header name from the upstream");
    }
    return false;
  }

  private readonly sink = {
    dataReceived: (data: Buffer): void => {
      if (!this.done && !this.bodyless) this.father.write(Buffer.from(data));
    },
  };

  private headersDone(): boolean {
    if (this.bodyless) {
      this.handleResponseEnd();
      return true;
    }
    if (this.decoder === undefined) this.untilClose = true;
    this.setRawMode();
    return false;
  }

  /**
   * Body bytes.
   * @param data - the bytes.
   * @returns true to stop.
   */
  override rawDataReceived(data: Buffer): boolean {
    if (this.done) return true;
    if (this.untilClose) {
      this.sink.dataReceived(data);
      return false;
    }
    try {
      const rest = this.decoder?.feed(data);
      if (rest !== undefined) {
        this.handleResponseEnd();
        return true;
      }
    } catch (error) {
      return this.fail(String(error));
    }
    return false;
  }

  /** The response is complete: finish the original request and close. */
  handleResponseEnd(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.father.finish();
    } catch (error) {
      log.debug("Could not finish the proxied request: {error}", { error });
    }
    this.transport?.loseConnection();
  }

  /**
   * The upstream closed: a body read until close ends here.
   * @param reason - why.
   */
  override connectionLost(reason?: Failure): void {
    if (!this.done) {
      if (this.untilClose || this.statusSeen) this.handleResponseEnd();
      else this.fail("the upstream closed before answering");
    }
    super.connectionLost(reason);
  }

  private fail(message: string): boolean {
    log.info("Proxy error: {message}", { message });
    if (!this.done) {
      this.done = true;
      if (!this.father.startedWriting) {
        this.father.setResponseCode(502);
        this.father.setHeader("content-type", "text/html");
        this.father.write("<H1>Bad gateway</H1>");
      }
      try {
        this.father.finish();
      } catch {
        // the client is gone
      }
    }
    this.transport?.loseConnection();
    return true;
  }
}

/**
 * Builds the {@link ProxyClient} of one proxied request, and answers 501 "Gateway error" when
 * the upstream cannot be reached: Twisted's `ProxyClientFactory`.
 */
export class ProxyClientFactory extends ClientFactory<ProxyClient> {
  /**
   * @param command - the method.
   * @param rest - the path and query.
   * @param version - the original version.
   * @param headers - the headers to send.
   * @param data - the body.
   * @param father - the request to answer.
   */
  constructor(
    readonly command: string,
    readonly rest: string,
    readonly version: string,
    readonly headers: Map<string, string[]>,
    readonly data: Buffer,
    readonly father: IRequest,
  ) {
    super();
    this.noisy = false;
  }

  /**
   * @param _addr - the upstream's address.
   * @returns the client protocol.
   */
  override buildProtocol(_addr: IAddress): ProxyClient {
    const p = new ProxyClient(
      this.command,
      this.rest,
      this.version,
      this.headers,
      this.data,
      this.father,
    );
    p.factory = this;
    return p;
  }

  /**
   * The upstream could not be reached: 501 "Gateway error", `<H1>Could not connect</H1>`.
   * @param _connector - the connector.
   * @param _reason - why.
   */
  override clientConnectionFailed(_connector: IConnector, _reason: Failure): void {
    const father = this.father;
    try {
      father.setResponseCode(501, "Gateway error");
      father.responseHeaders.addRawHeader("Content-Type", "text/html");
      father.write("<H1>Could not connect</H1>");
      father.finish();
    } catch {
      // the client is gone
    }
  }
}

/**
 * Relays every request below it to another HTTP server: Twisted's
 * `proxy.ReverseProxyResource`. A request for `/bar` on a proxy made with path `/foo` goes to
 * `/foo/bar` upstream, with the query string kept, `Host` set to the upstream (`:port` unless
 * 80), `Connection: close`, and `Proxy-Connection` dropped. The upstream's status and headers
 * are copied (its `Server`, `Date` and `Content-Type` replace the local ones). When the
 * upstream cannot be reached the answer is 501 "Gateway error".
 *
 * Differences from Twisted: the reactor is a required argument (no global reactor); a request
 * body that came chunked is sent with a `Content-Length`; a malformed upstream answer gives
 * 502.
 */
export class ReverseProxyResource extends Resource {
  /** The client factory class, for subclasses to replace. */
  proxyClientFactoryClass: typeof ProxyClientFactory = ProxyClientFactory;

  /**
   * @param host - the upstream host.
   * @param port - its port.
   * @param path - the upstream path prefix, without a trailing slash (already encoded).
   * @param reactor - what makes the connections.
   */
  constructor(
    readonly host: string,
    readonly port: number,
    readonly path: string,
    readonly reactor: IReactorTCP,
  ) {
    super();
  }

  /**
   * A proxy for the path below: the segment is appended, percent-encoded.
   * @param path - the segment.
   * @param _request - the request.
   * @returns the child proxy.
   */
  override getChild(path: string, _request: IRequest): IResource {
    return new ReverseProxyResource(
      this.host,
      this.port,
      `${this.path}/${quoteSegment(path)}`,
      this.reactor,
    );
  }

  /**
   * Forwards the request and answers it later.
   * @param request - the request.
   * @returns `NOT_DONE_YET`.
   */
  override render(request: IRequest): RenderResult {
    const host = this.port === 80 ? this.host : `${this.host}:${this.port}`;
    request.requestHeaders.setRawHeaders("host", [host]);
    const q = request.uri.indexOf("?");
    const rest = q === -1 ? this.path || "/" : `${this.path || "/"}${request.uri.slice(q)}`;
    const data = request.content.read();
    const headers = new Map<string, string[]>();
    for (const [name, values] of request.requestHeaders.getAllRawHeaders()) {
      if (!DROPPED_REQUEST.has(name.toLowerCase())) headers.set(name, values);
    }
    if (data.length > 0 || request.requestHeaders.hasHeader("content-length")) {
      headers.set("Content-Length", [String(data.length)]);
    }
    headers.set("Connection", ["close"]);
    const factory = new this.proxyClientFactoryClass(
      request.method,
      rest,
      request.clientproto,
      headers,
      data,
      request,
    );
    this.reactor.connectTCP(this.host, this.port, factory);
    return NOT_DONE_YET;
  }
}
