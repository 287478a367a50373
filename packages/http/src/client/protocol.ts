/**
 * `HTTP11ClientProtocol`: one HTTP/1.1 connection that sends a request at a time and reads the
 * response with `HTTPClientParser` (Twisted's `_newclient.HTTP11ClientProtocol`).
 * @packageDocumentation
 */
import {
  ConnectionAborted,
  ConnectionDone,
  Deferred,
  Failure,
  type IReadPausable,
  type ITransport,
  Protocol,
} from "@twisted-ts/core";
import {
  RequestGenerationFailed,
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseBodyTooLarge,
  ResponseFailed,
  ResponseNeverReceived,
} from "../errors.js";
import { HTTPClientParser, type ResponseHead, type ResponseLimits } from "./parser.js";
import type { ClientRequest } from "./request.js";
import { Response } from "./response.js";

/** The states of a connection, in Twisted's names. */
export type ClientProtocolState =
  | "QUIESCENT"
  | "TRANSMITTING"
  | "TRANSMITTING_AFTER_RECEIVING_RESPONSE"
  | "WAITING"
  | "ABORTING"
  | "CONNECTION_LOST"
  | "GENERATION_FAILED";

/** Limits for a connection's responses. */
export interface ClientProtocolLimits extends ResponseLimits {
  /** The most body bytes accepted; more aborts the connection. Unlimited by default. */
  maxBodySize?: number;
}

type Abortable = ITransport & Partial<IReadPausable> & { abortConnection?: () => void };

/**
 * One client connection: Twisted's `HTTP11ClientProtocol`. `request` writes a request and
 * returns a Deferred of the response, which fires when the headers have arrived; the body is
 * then delivered through `Response.deliverBody`. Only one request at a time: `request` on a
 * connection that is not idle fails with `RequestNotSent`.
 *
 * When a response is complete and both sides allow it (HTTP/1.1, no `Connection: close`, the
 * request was persistent, the body was delimited, nothing extra followed), the connection is
 * handed to `quiescentCallback` (the pool) before the body protocol is told `ResponseDone`.
 * Otherwise it is closed.
 *
 * Failures: the head could not be generated → `RequestGenerationFailed`; the connection went
 * while writing → `RequestTransmissionFailed`; it went before any response byte →
 * `ResponseNeverReceived`; a malformed response or a loss mid-response → `ResponseFailed`.
 * Cancelling the Deferred aborts the connection.
 */
export class HTTP11ClientProtocol extends Protocol {
  /** The current state. */
  state: ClientProtocolState = "QUIESCENT";
  private parser: HTTPClientParser | undefined;
  private currentRequest: ClientRequest | undefined;
  private responseDeferred: Deferred<Response> | undefined;
  private response: Response | undefined;
  private bodyBytes = 0;
  private readonly lost = new Deferred<void>();

  /**
   * @param quiescentCallback - called with this protocol when it is idle again and reusable.
   * @param limits - response limits.
   */
  constructor(
    private readonly quiescentCallback: (protocol: HTTP11ClientProtocol) => void = () => {},
    private readonly limits: ClientProtocolLimits = {},
  ) {
    super();
  }

  private get conn(): Abortable {
    return this.transport as Abortable;
  }

  /** @returns a Deferred that fires when the connection has been lost. */
  whenConnectionLost(): Deferred<void> {
    const d = new Deferred<void>();
    this.lost.addBoth(() => {
      d.callback(undefined);
    });
    return d;
  }

  /**
   * Send a request.
   * @param request - the request.
   * @returns a Deferred of the response; cancelling it aborts the connection.
   */
  request(request: ClientRequest): Deferred<Response> {
    if (this.state !== "QUIESCENT" || this.transport === undefined) {
      const d = new Deferred<Response>();
      d.errback(new RequestNotSent());
      return d;
    }
    this.state = "TRANSMITTING";
    this.currentRequest = request;
    this.response = undefined;
    this.bodyBytes = 0;
    let written: Deferred<void>;
    try {
      written = request.writeTo(this.transport);
    } catch (error) {
      this.state = "GENERATION_FAILED";
      this.transport.loseConnection();
      const d = new Deferred<Response>();
      d.errback(new RequestGenerationFailed([new Failure(error)]));
      return d;
    }
    const responseDeferred = new Deferred<Response>(() => this.abort());
    this.responseDeferred = responseDeferred;
    this.parser = new HTTPClientParser(
      request.method,
      {
        headReceived: (head) => this.headReceived(head),
        bodyDataReceived: (data) => this.bodyDataReceived(data),
        finished: (rest, reason) => this.finishResponse(rest, reason),
        failed: (reason) => this.responseFailed(reason),
      },
      this.limits,
    );
    written.addCallbacks(
      () => {
        if (this.state === "TRANSMITTING") this.state = "WAITING";
        else if (this.state === "TRANSMITTING_AFTER_RECEIVING_RESPONSE") this.giveUp();
      },
      (failure: Failure) => {
        if (
          this.state === "TRANSMITTING" ||
          this.state === "TRANSMITTING_AFTER_RECEIVING_RESPONSE"
        ) {
          const first = this.state === "TRANSMITTING";
          this.state = "GENERATION_FAILED";
          this.hardClose();
          if (first) this.fire(new Failure(new RequestGenerationFailed([failure])));
        }
      },
    );
    return responseDeferred;
  }

  private fire(result: Response | Failure): void {
    const d = this.responseDeferred;
    this.responseDeferred = undefined;
    if (d === undefined || d.called) return;
    if (result instanceof Failure) d.errback(result);
    else d.callback(result);
  }

  private headReceived(head: ResponseHead): void {
    const request = this.currentRequest as ClientRequest;
    this.response = new Response(
      head.version,
      head.code,
      head.phrase,
      head.headers,
      head.length,
      request,
      {
        pause: () => {
          if (this.live()) this.conn.pauseProducing?.();
        },
        resume: () => {
          if (this.live()) this.conn.resumeProducing?.();
        },
        abort: () => this.abort(),
      },
    );
    if (this.state === "TRANSMITTING") this.state = "TRANSMITTING_AFTER_RECEIVING_RESPONSE";
    this.fire(this.response);
  }

  /** Whether the connection is still usable for flow control. */
  private live(): boolean {
    return (
      this.state !== "ABORTING" &&
      this.state !== "CONNECTION_LOST" &&
      this.state !== "GENERATION_FAILED"
    );
  }

  private bodyDataReceived(data: Buffer): void {
    this.bodyBytes += data.length;
    const max = this.limits.maxBodySize;
    if (max !== undefined && this.bodyBytes > max) {
      const response = this.response;
      this.parser = undefined;
      this.abort();
      response?.bodyDataFinished(
        new Failure(new ResponseFailed([new Failure(new ResponseBodyTooLarge(max))], response)),
      );
      return;
    }
    this.response?.bodyDataReceived(data);
  }

  private finishResponse(rest: Buffer, reason: Failure | undefined): void {
    const request = this.currentRequest as ClientRequest;
    const response = this.response as Response;
    this.parser = undefined;
    if (this.state === "WAITING") this.state = "QUIESCENT";
    else if (this.state === "TRANSMITTING") this.state = "TRANSMITTING_AFTER_RECEIVING_RESPONSE";
    const closing = (headers: { getRawHeaders(n: string, d: string[]): string[] }): boolean =>
      headers.getRawHeaders("connection", []).some((v) =>
        v
          .toLowerCase()
          .split(/\s*,\s*/)
          .includes("close"),
      );
    const reusable =
      this.state === "QUIESCENT" &&
      reason === undefined &&
      rest.length === 0 &&
      request.persistent &&
      response.version[1] === 1 &&
      response.version[2] === 1 &&
      !closing(response.headers) &&
      !closing(request.headers);
    if (reusable) {
      this.conn.resumeProducing?.();
      try {
        this.quiescentCallback(this);
      } catch {
        this.transport?.loseConnection();
      }
    } else if (this.state === "QUIESCENT") {
      this.giveUp();
    }
    response.bodyDataFinished(reason);
  }

  private giveUp(): void {
    this.state = "CONNECTION_LOST";
    this.transport?.loseConnection();
  }

  private responseFailed(reason: Failure): void {
    this.parser = undefined;
    if (this.state !== "CONNECTION_LOST" && this.state !== "ABORTING") {
      this.state = "ABORTING";
      this.currentRequest?.stopWriting();
      this.hardClose();
    }
    const response = this.response;
    if (response !== undefined) {
      const value = reason.value;
      const withResponse =
        value instanceof ResponseFailed && value.response === undefined
          ? new Failure(new ResponseFailed(value.reasons, response))
          : reason;
      response.bodyDataFinished(withResponse);
    } else {
      this.fire(reason);
    }
  }

  /** Abort the connection: the pending response (or body) fails with ConnectionAborted. */
  abort(): void {
    if (this.state === "CONNECTION_LOST" || this.state === "ABORTING") return;
    this.state = "ABORTING";
    this.currentRequest?.stopWriting();
    this.hardClose();
  }

  private hardClose(): void {
    const transport = this.conn;
    if (transport === undefined) return;
    if (typeof transport.abortConnection === "function") transport.abortConnection();
    else transport.loseConnection();
  }

  /**
   * Feed the parser.
   * @param data - bytes from the server.
   */
  override dataReceived(data: Buffer): void {
    if (this.parser === undefined) {
      // Bytes with no request outstanding: the server is confused; drop the connection.
      if (this.state === "QUIESCENT") this.giveUp();
      return;
    }
    this.parser.dataReceived(data);
  }

  /**
   * The connection is gone: fail or finish whatever was outstanding.
   * @param reason - why.
   */
  override connectionLost(reason: Failure = new Failure(new ConnectionDone())): void {
    super.connectionLost(reason);
    const state = this.state;
    this.state = "CONNECTION_LOST";
    const why = state === "ABORTING" ? new Failure(new ConnectionAborted()) : reason;
    if (state === "TRANSMITTING") {
      this.currentRequest?.stopWriting();
      this.parser = undefined;
      this.fire(new Failure(new RequestTransmissionFailed([why])));
    } else if (this.parser !== undefined) {
      const parser = this.parser;
      this.currentRequest?.stopWriting();
      if (this.response === undefined && !parser.everReceivedData) {
        this.parser = undefined;
        this.fire(new Failure(new ResponseNeverReceived([why])));
      } else {
        parser.connectionLost(why);
      }
    } else if (this.response === undefined) {
      this.fire(new Failure(new ResponseNeverReceived([why])));
    }
    if (!this.lost.called) this.lost.callback(undefined);
  }
}
