/**
 * `HTTPChannel`: the HTTP/1.x server connection, after Twisted's `http.HTTPChannel`.
 * @packageDocumentation
 */
import { LineReceiver, TimeoutMixin } from "@twisted-ts/basic";
import {
  ConnectionLost,
  Failure,
  type IDelayedCall,
  type IPullProducer,
  type IPushProducer,
  type IReactorTime,
  type ITCPTransport,
  Logger,
  type WriteData,
} from "@twisted-ts/core";
import { MalformedRequest, RequestLimitExceeded } from "../errors.js";
import { type BodyDecoder, ChunkedDecoder, LengthDecoder } from "./chunked.js";
import { headerTokens, isTokenRange, TOKEN_BYTES } from "./grammar.js";
import { DEFAULT_LIMITS, type HTTPLimits } from "./limits.js";
import { responsePhrase } from "./status.js";

const log = new Logger({ namespace: "twisted-ts.web.http" });
const EMPTY = Buffer.alloc(0);
const HTTP11 = Buffer.from("HTTP/1.1", "latin1");
const HTTP10 = Buffer.from("HTTP/1.0", "latin1");
const LF = Buffer.from("\n", "latin1");
const CONTINUE = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n", "latin1");

/** What the channel needs of the request it builds: Twisted's `http.Request` as seen by it. */
export interface ChannelRequest {
  /**
   * The request's headers, given before `gotLength`.
   * @param raw - name, value, name, value, … as received (names validated, values trimmed).
   */
  receiveHeaders(raw: string[]): void;
  /** Whether the response is finished. */
  readonly finished: boolean;
  /**
   * The body's length is known (`Content-Length`) or not (`null`, chunked).
   * @param length - the length in bytes, or null.
   */
  gotLength(length: number | null): void;
  /**
   * Body bytes arrived.
   * @param data - a view, valid for the call only.
   */
  handleContentChunk(data: Buffer): void;
  /**
   * The whole request has arrived: handle it.
   * @param method - the method.
   * @param uri - the request target.
   * @param version - `HTTP/1.0` or `HTTP/1.1`.
   */
  requestReceived(method: string, uri: string, version: string): void;
  /**
   * The connection was lost before the response was finished.
   * @param reason - why.
   */
  connectionLost(reason: Failure): void;
}

/** Builds the request object for each request: Twisted's `requestFactory`. */
export type RequestFactory = (channel: HTTPChannel) => ChannelRequest;

/**
 * One HTTP/1.x connection on the server: Twisted's `http.HTTPChannel`, a `LineReceiver` (line
 * mode for the request line and headers, raw mode for bodies) with `TimeoutMixin`.
 *
 * Requests are parsed strictly (RFC 9112), with every smuggling vector refused: the request
 * line must be `METHOD SP TARGET SP HTTP/1.x`; header names must be tokens directly followed by
 * `:`; values may hold no control byte but HTAB; obs-fold, a bare CR or bare LF, Content-Length
 * with Transfer-Encoding, two Content-Lengths, a Content-Length that is not all digits, a
 * Transfer-Encoding other than exactly `chunked`, a missing or repeated Host on HTTP/1.1, and a
 * malformed chunk all give a bare `HTTP/1.1 400 Bad Request` and the connection is closed
 * after it. Over a limit: the request line gives 414, the headers 431, the body 413, a
 * chunk-size line or trailers 400, the request timeout 408.
 *
 * Pipelined requests are handled one at a time, in order: once a request has arrived, parsing
 * stops until its response is finished, and the transport is paused when more than
 * `pipelineBufferSize` bytes are waiting. HTTP/1.1 stays open unless `Connection: close`;
 * HTTP/1.0 is never persistent. `Expect: 100-continue` is answered before the body is read.
 * The idle timeout (`timeout`, 60 s) is suspended while a request is handled; when it fires
 * the connection is closed, then aborted `abortTimeout` (15 s) later.
 *
 * Differences from Twisted: obs-fold, a bare LF, `Transfer-Encoding: identity` and a missing
 * Host on HTTP/1.1 are refused (RFC 9112); over-long request lines, headers and bodies get
 * 414, 431 and 413 instead of 400; there is a body size limit and a request timeout.
 */
export class HTTPChannel extends TimeoutMixin(LineReceiver) {
  /** The limits; `Site.buildProtocol` sets them. */
  limits: HTTPLimits = DEFAULT_LIMITS;
  /** Builds each request; `Site.buildProtocol` sets it. */
  requestFactory: RequestFactory | undefined = undefined;
  /** Whether the connection stays open after the current response. */
  persistent = true;
  /** The request being received or handled, if any. */
  currentRequest: ChannelRequest | undefined = undefined;

  private firstLine = true;
  private leadingEmptySeen = false;
  private method = "";
  private uri = "";
  private version = "";
  private headers: string[] = [];
  private headerCount = 0;
  private headerSize = 0;
  private contentLength = -1;
  private transferEncoding: string | undefined = undefined;
  private hostCount = 0;
  private connectionClose = false;
  private expectContinue = false;
  private decoder: BodyDecoder | undefined = undefined;
  private handling = false;
  private buffered = 0;
  /** Response bytes held while `dataReceived` runs, or null when not batching. */
  private outBatch: WriteData[] | null = null;
  private readPaused = false;
  private closing = false;
  private lastActivity = 0;
  private requestStarted = -1;
  private abortingCall: IDelayedCall | undefined = undefined;
  private requestCall: IDelayedCall | undefined = undefined;

  constructor() {
    super();
    // Split on LF and require the CR: a bare LF is then seen at once, not after a timeout.
    this.delimiter = LF;
  }

  /** Sets TCP_NODELAY where the transport allows, and starts the idle timeout. */
  override connectionMade(): void {
    try {
      (this.transport as Partial<ITCPTransport> | undefined)?.setTcpNoDelay?.(true);
    } catch {
      // not a TCP transport
    }
    this.MAX_LENGTH = this.limits.maxRequestLineLength + 1;
    if (this.clock !== undefined) {
      this.lastActivity = this.clock.seconds();
      this.setTimeout(this.limits.timeout);
    }
  }

  /**
   * Notes activity: the idle countdown starts again from now. (The pending call is not moved:
   * `timeoutConnection` checks the time and waits again when there was activity meanwhile.)
   */
  override resetTimeout(): void {
    if (this.clock !== undefined) this.lastActivity = this.clock.seconds();
  }

  /**
   * Bytes from the peer: restarts the idle timeout, buffers them while a request is handled
   * (pausing the transport beyond `pipelineBufferSize`), and parses them otherwise. Never
   * throws: a parser failure answers 400 and closes.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): undefined {
    if (this.closing) return undefined;
    if (data.length > 0) {
      this.resetTimeout();
      if (this.handling) {
        this.buffered += data.length;
        if (this.buffered > this.limits.pipelineBufferSize) this.pauseReading();
      } else if (this.requestStarted < 0) {
        this.startRequestTimer();
      }
    }
    // Responses written while these bytes are handled (pipelined requests answered at once)
    // go out together, in one write, when they are done.
    const outermost = this.outBatch === null;
    if (outermost) this.outBatch = [];
    try {
      super.dataReceived(data);
    } catch (error) {
      if (error instanceof MalformedRequest) this.badRequest(error);
      else {
        log.failure("Unexpected error while parsing a request", new Failure(error));
        this.badRequest(new MalformedRequest("internal parser error"));
      }
    } finally {
      if (outermost) this.flushOutput();
    }
    return undefined;
  }

  /** Writes what was batched during `dataReceived`, and stops batching. */
  private flushOutput(): void {
    const batch = this.outBatch;
    this.outBatch = null;
    if (batch === null || batch.length === 0) return;
    if (batch.length === 1) this.transport?.write(batch[0] as WriteData);
    else this.transport?.writeSequence(batch);
  }

  /**
   * A line of the request head (the channel splits on LF and checks the CR itself).
   * @param lineWithCR - the line, with its CR.
   * @returns true to stop parsing.
   */
  override lineReceived(lineWithCR: Buffer): boolean {
    if (this.closing) return true;
    const n = lineWithCR.length;
    if (n === 0 || lineWithCR[n - 1] !== 13) throw new MalformedRequest("bare LF");
    // Any other CR is refused by the grammar checks below (it is neither a token byte, nor a
    // target byte, nor allowed in a value).
    const line = lineWithCR.subarray(0, n - 1);
    if (this.firstLine) {
      if (line.length === 0 && !this.leadingEmptySeen) {
        this.leadingEmptySeen = true;
        return false;
      }
      if (this.requestStarted < 0) this.startRequestTimer();
      this.parseRequestLine(line);
      this.firstLine = false;
      this.headerSize = line.length + 2;
      this.MAX_LENGTH = Math.max(1, this.limits.totalHeadersSize - this.headerSize - 1);
      return false;
    }
    this.headerSize += line.length + 2;
    if (this.headerSize > this.limits.totalHeadersSize) {
      throw new RequestLimitExceeded("totalHeadersSize", 431);
    }
    if (line.length === 0) return this.allHeadersReceived();
    this.headerReceived(line);
    this.MAX_LENGTH = Math.max(1, this.limits.totalHeadersSize - this.headerSize - 1);
    return false;
  }

  /**
   * A line too long for the current state: 414 for the request line, 431 for a header.
   * @returns true to stop parsing.
   */
  override lineLengthExceeded(_line: Buffer): boolean {
    this.badRequest(
      this.firstLine
        ? new RequestLimitExceeded("maxRequestLineLength", 414)
        : new RequestLimitExceeded("totalHeadersSize", 431),
    );
    return true;
  }

  /**
   * Body bytes, in raw mode.
   * @param data - the bytes.
   * @returns true to stop parsing.
   */
  override rawDataReceived(data: Buffer): boolean {
    if (this.closing) return true;
    const decoder = this.decoder;
    if (decoder === undefined) {
      this.setLineMode(data);
      return false;
    }
    const rest = decoder.feed(data);
    if (rest !== undefined) {
      this.decoder = undefined;
      this.allContentReceived();
      this.setLineMode(rest);
    }
    return this.closing;
  }

  private parseRequestLine(line: Buffer): void {
    const n = line.length;
    const sp1 = line.indexOf(32);
    if (sp1 <= 0 || !isTokenRange(line, 0, sp1)) throw new MalformedRequest("bad method");
    const sp2 = line.indexOf(32, sp1 + 1);
    if (sp2 === -1 || sp2 === sp1 + 1) throw new MalformedRequest("bad request line");
    for (let i = sp1 + 1; i < sp2; i++) {
      const c = line[i] as number;
      if (c < 0x21 || c > 0x7e) throw new MalformedRequest("bad request target");
    }
    if (n !== sp2 + 9) throw new MalformedRequest("bad HTTP version");
    const v = line.subarray(sp2 + 1);
    if (v.equals(HTTP11)) this.version = "HTTP/1.1";
    else if (v.equals(HTTP10)) this.version = "HTTP/1.0";
    else throw new MalformedRequest("bad HTTP version");
    this.method = line.toString("latin1", 0, sp1);
    const uri = line.toString("latin1", sp1 + 1, sp2);
    const c0 = uri.charCodeAt(0);
    if (
      c0 !== 47 && // "/"
      uri !== "*" &&
      this.method !== "CONNECT" &&
      !/^https?:\/\//i.test(uri)
    ) {
      throw new MalformedRequest("bad request target");
    }
    this.uri = uri;
    this.headers = [];
  }

  private headerReceived(line: Buffer): void {
    if (++this.headerCount > this.limits.maxHeaders) {
      throw new RequestLimitExceeded("maxHeaders", 431);
    }
    const n = line.length;
    const c0 = line[0] as number;
    if (c0 === 32 || c0 === 9) throw new MalformedRequest("obs-fold is not accepted");
    let colon = -1;
    for (let i = 0; i < n; i++) {
      const c = line[i] as number;
      if (c === 58) {
        colon = i;
        break;
      }
      if (TOKEN_BYTES[c] === 0) throw new MalformedRequest("bad header name");
    }
    if (colon <= 0) throw new MalformedRequest("bad header line");
    let start = colon + 1;
    let end = n;
    for (let i = start; i < n; i++) {
      const c = line[i] as number;
      if ((c < 32 && c !== 9) || c === 127) throw new MalformedRequest("bad byte in header value");
    }
    while (start < end && (line[start] === 32 || line[start] === 9)) start++;
    while (end > start && (line[end - 1] === 32 || line[end - 1] === 9)) end--;
    const name = line.toString("latin1", 0, colon);
    const value = line.toString("latin1", start, end);
    this.headers.push(name, value);
    switch (colon) {
      case 4:
        if (name.toLowerCase() === "host") this.hostCount++;
        break;
      case 6:
        if (name.toLowerCase() === "expect" && value.toLowerCase() === "100-continue") {
          this.expectContinue = true;
        }
        break;
      case 10:
        if (name.toLowerCase() === "connection" && headerTokens(value).includes("close")) {
          this.connectionClose = true;
        }
        break;
      case 14:
        if (name.toLowerCase() === "content-length") {
          if (this.contentLength !== -1) throw new MalformedRequest("duplicate Content-Length");
          if (value.length === 0 || value.length > 15 || !/^[0-9]+$/.test(value)) {
            throw new MalformedRequest("bad Content-Length");
          }
          this.contentLength = Number(value);
        }
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") {
          this.transferEncoding =
            this.transferEncoding === undefined ? value : `${this.transferEncoding},${value}`;
        }
        break;
    }
  }

  private allHeadersReceived(): boolean {
    const version = this.version;
    if (this.hostCount > 1) throw new MalformedRequest("more than one Host");
    if (this.hostCount === 0 && version === "HTTP/1.1") throw new MalformedRequest("no Host");
    let length: number | null = this.contentLength === -1 ? 0 : this.contentLength;
    const limits = this.limits;
    if (this.transferEncoding !== undefined) {
      if (this.contentLength !== -1) {
        throw new MalformedRequest("Content-Length with Transfer-Encoding");
      }
      const codings = headerTokens(this.transferEncoding);
      if (codings.length !== 1 || codings[0] !== "chunked") {
        throw new MalformedRequest("unsupported Transfer-Encoding");
      }
      length = null;
    } else if (length > limits.maxBodySize) {
      throw new RequestLimitExceeded("maxBodySize", 413);
    }
    this.persistent = version === "HTTP/1.1" && !this.connectionClose;
    const request = this.buildRequest();
    request.receiveHeaders(this.headers);
    this.currentRequest = request;
    request.gotLength(length);
    if (length === 0) {
      this.allContentReceived();
      return this.closing;
    }
    if (this.expectContinue && version === "HTTP/1.1") this.write(CONTINUE);
    const sink = { dataReceived: (data: Buffer) => request.handleContentChunk(data) };
    this.decoder =
      length === null ? new ChunkedDecoder(sink, limits) : new LengthDecoder(sink, length);
    this.setRawMode();
    return false;
  }

  private buildRequest(): ChannelRequest {
    if (this.requestFactory === undefined) {
      throw new Error("HTTPChannel.requestFactory is not set: build channels with a Site");
    }
    return this.requestFactory(this);
  }

  private allContentReceived(): void {
    const request = this.currentRequest as ChannelRequest;
    const { method, uri, version } = this;
    this.resetParser();
    this.requestStarted = -1;
    this.handling = true;
    this.paused = true;
    this.buffered = 0;
    request.requestReceived(method, uri, version);
  }

  private resetParser(): void {
    this.firstLine = true;
    this.leadingEmptySeen = false;
    this.headers = [];
    this.headerCount = 0;
    this.headerSize = 0;
    this.contentLength = -1;
    this.transferEncoding = undefined;
    this.hostCount = 0;
    this.connectionClose = false;
    this.expectContinue = false;
    this.MAX_LENGTH = this.limits.maxRequestLineLength + 1;
  }

  /**
   * Writes response bytes (the request calls it).
   * @param data - the bytes.
   */
  write(data: WriteData): void {
    if (this.outBatch !== null) this.outBatch.push(data);
    else this.transport?.write(data);
  }

  /**
   * Writes several chunks at once (the request calls it).
   * @param data - the chunks.
   */
  writeSequence(data: readonly WriteData[]): void {
    if (this.outBatch !== null) this.outBatch.push(...data);
    else this.transport?.writeSequence(data);
  }

  /**
   * Registers the current request's body producer with the transport.
   * @param producer - the producer.
   * @param streaming - push (true) or pull (false).
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport?.registerProducer(producer, streaming);
  }

  /** Unregisters the current request's producer. */
  unregisterProducer(): void {
    this.transport?.unregisterProducer();
  }

  /**
   * The current request's response is finished: close the connection if it is not persistent,
   * else handle the next pipelined request.
   * @param request - the request.
   */
  requestDone(request: ChannelRequest): void {
    if (request !== this.currentRequest) return;
    this.currentRequest = undefined;
    this.handling = false;
    if (!this.persistent) {
      this.loseConnection();
      return;
    }
    this.resetTimeout();
    this.buffered = 0;
    this.resumeReading();
    this.paused = false;
    this.dataReceived(EMPTY);
  }

  /**
   * Answers a malformed request with a bare status line and closes: Twisted's
   * `_respondToBadRequestAndDisconnect`. Override to log more.
   * @param error - what was wrong; its `status` is the code sent (400 by default).
   */
  badRequest(error: MalformedRequest): void {
    if (this.closing) return;
    log.debug("Malformed request: {message}", { message: error.message });
    const request = this.currentRequest;
    if (request !== undefined && !this.handling) {
      this.currentRequest = undefined;
      request.connectionLost(new Failure(error));
    }
    this.write(`HTTP/1.1 ${error.status} ${responsePhrase(error.status)}\r\n\r\n`);
    this.loseConnection();
  }

  /** Closes the connection after what was written, and stops parsing. */
  loseConnection(): void {
    this.closing = true;
    this.persistent = false;
    this.paused = true;
    this.cancelRequestTimer();
    this.clearLineBuffer();
    this.flushOutput();
    this.transport?.loseConnection();
  }

  /**
   * The idle timeout's call fired: wait again while a request is handled or when there was
   * activity since; otherwise close, then abort after `abortTimeout` seconds.
   */
  override timeoutConnection(): void {
    const period = this.limits.timeout;
    if (period !== null && this.clock !== undefined && !this.closing) {
      const wait = this.handling ? period : this.lastActivity + period - this.clock.seconds();
      if (wait > 0) {
        this.setTimeout(wait);
        this.timeOut = period;
        return;
      }
    }
    log.info("Timing out client: {peer}", { peer: String(this.transport?.getPeer()) });
    const abort = this.limits.abortTimeout;
    if (abort !== null && this.clock !== undefined) {
      this.abortingCall = this.callLater(abort, () => this.forceAbortClient());
    }
    this.loseConnection();
  }

  /** Aborts the connection (the peer did not let it close). */
  forceAbortClient(): void {
    this.abortingCall = undefined;
    log.info("Forcibly timing out client: {peer}", { peer: String(this.transport?.getPeer()) });
    const transport = this.transport as Partial<ITCPTransport> | undefined;
    transport?.abortConnection?.();
  }

  /**
   * The connection ended: cancel the timers and tell the current request.
   * @param reason - why.
   */
  override connectionLost(reason: Failure = new Failure(new ConnectionLost())): void {
    this.closing = true;
    this.setTimeout(null);
    this.cancelRequestTimer();
    if (this.abortingCall?.active()) this.abortingCall.cancel();
    this.abortingCall = undefined;
    const request = this.currentRequest;
    this.currentRequest = undefined;
    if (request !== undefined && !request.finished) request.connectionLost(reason);
    super.connectionLost(reason);
  }

  /**
   * Notes that a request started arriving. One call per connection checks the deadline; it is
   * made again only when it has fired, so a busy keep-alive connection makes few timers.
   */
  private startRequestTimer(): void {
    const period = this.limits.requestTimeout;
    const clock = this.clock;
    if (period === null || clock === undefined) return;
    this.requestStarted = clock.seconds();
    if (this.requestCall === undefined) this.armRequestTimer(period);
  }

  private armRequestTimer(delay: number): void {
    this.requestCall = (this.clock as IReactorTime).callLater(delay, () => {
      this.requestCall = undefined;
      const period = this.limits.requestTimeout;
      if (this.requestStarted < 0 || this.handling || this.closing || period === null) return;
      const left = this.requestStarted + period - (this.clock as IReactorTime).seconds();
      if (left > 0) this.armRequestTimer(left);
      else this.badRequest(new RequestLimitExceeded("requestTimeout", 408));
    });
  }

  private cancelRequestTimer(): void {
    this.requestStarted = -1;
    if (this.requestCall?.active()) this.requestCall.cancel();
    this.requestCall = undefined;
  }

  private pauseReading(): void {
    const transport = this.transport as Partial<ITCPTransport> | undefined;
    if (this.readPaused || transport?.disconnecting === true) return;
    this.readPaused = true;
    transport?.pauseProducing?.();
  }

  private resumeReading(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    const transport = this.transport as Partial<ITCPTransport> | undefined;
    if (transport?.disconnecting !== true) transport?.resumeProducing?.();
  }
}
