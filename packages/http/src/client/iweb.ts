/**
 * The client's interfaces: Twisted's `IAgent`, `IResponse`, `IBodyProducer` and `IClientRequest`
 * from `twisted.web.iweb`.
 * @packageDocumentation
 */
import type { Deferred, Failure, IConsumer } from "@twisted-ts/core";
import type { Headers } from "../headers.js";
import type { HTTPVersion } from "./parser.js";

/** The `length` of a body producer that cannot tell its length: the body is sent chunked. */
export const UNKNOWN_LENGTH: unique symbol = Symbol.for("twisted-ts.web.UNKNOWN_LENGTH");
/** The type of {@link UNKNOWN_LENGTH}. */
export type UnknownLength = typeof UNKNOWN_LENGTH;

/**
 * Writes a request body: Twisted's `IBodyProducer`. `startProducing` writes to the consumer and
 * returns a Deferred that fires when the body is complete (or errbacks when it fails); the
 * transport pauses and resumes it for flow control. After `stopProducing` the Deferred must
 * not fire.
 */
export interface IBodyProducer {
  /** The body length in bytes, or {@link UNKNOWN_LENGTH} (then the body is sent chunked). */
  readonly length: number | UnknownLength;
  /**
   * Start writing the body.
   * @param consumer - where the bytes go.
   * @returns a Deferred that fires when the whole body has been written.
   */
  startProducing(consumer: IConsumer): Deferred<void>;
  /** Stop writing for now. */
  pauseProducing(): void;
  /** Write again after `pauseProducing`. */
  resumeProducing(): void;
  /** Stop for good: the request is being abandoned. */
  stopProducing(): void;
}

/** The request a response answers: Twisted's `IClientRequest`. */
export interface IClientRequest {
  /** The method, e.g. `"GET"`. */
  readonly method: string;
  /** The absolute URI requested. */
  readonly absoluteURI: string;
  /** The headers sent (Host included). */
  readonly headers: Headers;
}

/**
 * The transport a body protocol is given by `deliverBody`: flow control for the response body,
 * and a way to give up on it.
 */
export interface IResponseBodyTransport {
  /** Stop reading the body for now (the socket is paused). */
  pauseProducing(): void;
  /** Read again. */
  resumeProducing(): void;
  /** Give up on the body: the connection is aborted and the protocol gets a ResponseFailed. */
  stopProducing(): void;
  /** The same as `stopProducing`: abort the connection at once. */
  abortConnection(): void;
}

/**
 * What `deliverBody` delivers to: a protocol-like object. `makeConnection` first, then each
 * piece of the body to `dataReceived`, then `connectionLost` with `ResponseDone` (complete),
 * `PotentialDataLoss` (the body ran to the connection's close) or `ResponseFailed`.
 */
export interface IBodyProtocol {
  /**
   * Called once, before any data.
   * @param transport - flow control for the body.
   */
  makeConnection(transport: IResponseBodyTransport): void;
  /**
   * A piece of the body.
   * @param data - the bytes.
   */
  dataReceived(data: Buffer): void;
  /**
   * The body has ended.
   * @param reason - a Failure of ResponseDone, PotentialDataLoss or ResponseFailed.
   */
  connectionLost(reason: Failure): void;
}

/** An HTTP response whose body has not necessarily arrived yet: Twisted's `IResponse`. */
export interface IResponse {
  /** The version from the status line, e.g. `["HTTP", 1, 1]`. */
  readonly version: HTTPVersion;
  /** The status code. */
  readonly code: number;
  /** The reason phrase. */
  readonly phrase: string;
  /** The response headers. */
  readonly headers: Headers;
  /** The body length in bytes, or {@link UNKNOWN_LENGTH}. */
  readonly length: number | UnknownLength;
  /** The request this response answers. */
  readonly request: IClientRequest;
  /** The response that redirected to this one (set by `RedirectAgent`), if any. */
  readonly previousResponse: IResponse | undefined;
  /**
   * Deliver the body to a protocol. Call it once; data received before the call is kept.
   * @param protocol - gets the body and then `connectionLost`.
   */
  deliverBody(protocol: IBodyProtocol): void;
  /**
   * Record the response this one follows (used by redirect agents).
   * @param response - the earlier response.
   */
  setPreviousResponse(response: IResponse): void;
}

/** Per-request options, beyond Twisted's four arguments. */
export interface RequestOptions {
  /** Aborting it cancels the request (and aborts its connection). */
  signal?: AbortSignal;
}

/** Something that makes requests: Twisted's `IAgent`. */
export interface IAgent {
  /**
   * Make a request.
   * @param method - the method, e.g. `"GET"`.
   * @param uri - an absolute `http:` or `https:` URI.
   * @param headers - request headers.
   * @param bodyProducer - the request body, if any.
   * @param options - e.g. an AbortSignal.
   * @returns a Deferred of the response, which fires once the headers have arrived.
   */
  request(
    method: string,
    uri: string,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
    options?: RequestOptions,
  ): Deferred<IResponse>;
}
