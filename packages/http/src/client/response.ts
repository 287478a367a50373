/**
 * `Response`: the client's `IResponse` (Twisted's `_newclient.Response`), which buffers body
 * data until `deliverBody` is called.
 * @packageDocumentation
 */
import { Failure } from "@twisted-ts/core";
import { ResponseDone } from "../errors.js";
import type { Headers } from "../headers.js";
import {
  type IBodyProtocol,
  type IClientRequest,
  type IResponse,
  type IResponseBodyTransport,
  UNKNOWN_LENGTH,
  type UnknownLength,
} from "./iweb.js";
import type { HTTPVersion } from "./parser.js";

/** The connection-side controls a response needs. */
export interface ResponseConnection {
  /** Pause reading the socket. */
  pause(): void;
  /** Resume reading the socket. */
  resume(): void;
  /** Abort the connection. */
  abort(): void;
}

/**
 * The body transport handed to a body protocol: it forwards to the connection while the body is
 * being received and does nothing afterwards, so a finished response cannot pause a reused
 * connection.
 */
class BodyTransport implements IResponseBodyTransport {
  /** Set once the body has ended. */
  detached = false;

  constructor(private readonly connection: ResponseConnection) {}

  pauseProducing(): void {
    if (!this.detached) this.connection.pause();
  }

  resumeProducing(): void {
    if (!this.detached) this.connection.resume();
  }

  stopProducing(): void {
    if (!this.detached) this.connection.abort();
  }

  abortConnection(): void {
    this.stopProducing();
  }
}

type ResponseState = "INITIAL" | "CONNECTED" | "DEFERRED_CLOSE" | "FINISHED";

/**
 * A response to a request made by `HTTP11ClientProtocol`: Twisted's `Response`. Body data that
 * arrives before `deliverBody` is kept (and the socket paused) until it is called.
 */
export class Response implements IResponse {
  /** The body length in bytes, or {@link UNKNOWN_LENGTH}. */
  readonly length: number | UnknownLength;
  /** The response that redirected to this one, if any. */
  previousResponse: IResponse | undefined = undefined;
  private state: ResponseState = "INITIAL";
  private buffered: Buffer[] = [];
  private protocol: IBodyProtocol | undefined;
  private reason: Failure | undefined;
  private readonly transport: BodyTransport;

  /**
   * @param version - the status line's version.
   * @param code - the status code.
   * @param phrase - the reason phrase.
   * @param headers - the headers.
   * @param length - the body length, or "unknown".
   * @param request - the request answered.
   * @param connection - pause, resume and abort for the body.
   */
  constructor(
    readonly version: HTTPVersion,
    readonly code: number,
    readonly phrase: string,
    readonly headers: Headers,
    length: number | "unknown",
    readonly request: IClientRequest,
    private readonly connection: ResponseConnection,
  ) {
    this.length = length === "unknown" ? UNKNOWN_LENGTH : length;
    this.transport = new BodyTransport(connection);
  }

  /**
   * Record the response this one follows.
   * @param response - the earlier response.
   */
  setPreviousResponse(response: IResponse): void {
    this.previousResponse = response;
  }

  /**
   * Deliver the body to `protocol`.
   * @param protocol - gets `makeConnection`, the data, then `connectionLost`.
   * @throws Error when a protocol was already given.
   */
  deliverBody(protocol: IBodyProtocol): void {
    if (this.state === "CONNECTED" || this.state === "FINISHED") {
      throw new Error("the response body has already been delivered to a protocol");
    }
    this.protocol = protocol;
    protocol.makeConnection(this.transport);
    const buffered = this.buffered;
    this.buffered = [];
    for (const data of buffered) protocol.dataReceived(data);
    if (this.state === "DEFERRED_CLOSE") {
      this.state = "FINISHED";
      this.transport.detached = true;
      protocol.connectionLost(this.reason ?? new Failure(new ResponseDone()));
      return;
    }
    this.state = "CONNECTED";
    this.connection.resume();
  }

  /**
   * Body bytes from the parser.
   * @param data - the bytes.
   */
  bodyDataReceived(data: Buffer): void {
    if (this.state === "CONNECTED") {
      this.protocol?.dataReceived(data);
    } else if (this.state === "INITIAL") {
      this.buffered.push(data);
      this.connection.pause();
    }
  }

  /**
   * The body has ended.
   * @param reason - ResponseDone, PotentialDataLoss or ResponseFailed; ResponseDone by default.
   */
  bodyDataFinished(reason?: Failure): void {
    const why = reason ?? new Failure(new ResponseDone("response body fully received"));
    if (this.state === "CONNECTED") {
      this.state = "FINISHED";
      this.transport.detached = true;
      this.protocol?.connectionLost(why);
    } else if (this.state === "INITIAL") {
      this.state = "DEFERRED_CLOSE";
      this.reason = why;
    }
  }
}
