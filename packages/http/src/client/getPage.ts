/**
 * `getPage` and `downloadPage`: fetch a URL in one call (the helpers Twisted removed in 22.1,
 * rebuilt on `Agent`, `RedirectAgent` and `readBody`).
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import {
  Deferred,
  type Failure,
  type IReactorSSL,
  type IReactorTCP,
  type IReactorTime,
} from "@twisted-ts/core";
import { PartialDownloadError, PotentialDataLoss, ResponseDone, WebError } from "../errors.js";
import { Headers } from "../headers.js";
import { Agent } from "./agent.js";
import { FileBodyProducer } from "./fileBodyProducer.js";
import type { IAgent, IBodyProtocol, IResponse, IResponseBodyTransport } from "./iweb.js";
import { readBody } from "./readBody.js";
import { RedirectAgent } from "./redirect.js";

/** Options of {@link getPage} and {@link downloadPage}. */
export interface GetPageOptions {
  /** The method. `GET` by default. */
  method?: string;
  /** Request headers, as a `Headers` or a name → value record. */
  headers?: Headers | Readonly<Record<string, string>>;
  /** The request body. */
  postdata?: Buffer | string;
  /** Give up after this many seconds (the request is cancelled). */
  timeout?: number;
  /**
   * The agent to use. By default an `Agent` on `reactor` wrapped in a `RedirectAgent`; a given
   * agent is used as it is (wrap it yourself to follow redirects).
   */
  agent?: IAgent;
  /** The reactor for the default agent and the timeout. Required unless `agent` is given and no `timeout` is set. */
  reactor?: IReactorTCP & IReactorSSL & IReactorTime;
  /** Aborting it cancels the request. */
  signal?: AbortSignal;
}

function startRequest(url: string, options: GetPageOptions): Deferred<IResponse> {
  const reactor = options.reactor;
  let agent = options.agent;
  if (agent === undefined) {
    if (reactor === undefined) throw new TypeError("getPage needs a reactor or an agent");
    agent = new RedirectAgent(new Agent(reactor));
  }
  const headers =
    options.headers instanceof Headers
      ? options.headers.copy()
      : new Headers(
          Object.entries(options.headers ?? {}).map(([k, v]): [string, string[]] => [k, [v]]),
        );
  const body =
    options.postdata === undefined
      ? undefined
      : new FileBodyProducer(
          typeof options.postdata === "string" ? Buffer.from(options.postdata) : options.postdata,
        );
  const d = agent.request(options.method ?? "GET", url, headers, body, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return d;
}

function withTimeout<T>(d: Deferred<T>, options: GetPageOptions): Deferred<T> {
  if (options.timeout !== undefined) {
    if (options.reactor === undefined) throw new TypeError("a timeout needs a reactor");
    d.addTimeout(options.timeout, options.reactor);
  }
  return d;
}

/**
 * Fetch a URL's body: the `getPage` Twisted removed in 22.1, as a thin wrapper over `Agent`,
 * `RedirectAgent` and `readBody`. Redirects are followed. A 4xx or 5xx response errbacks with a
 * {@link WebError} whose `status` is the code and `response` the body, as Twisted's `getPage`
 * did. A body that runs to the connection's close without a declared length is accepted.
 *
 * Cookies are not kept between calls; to send cookies, use a `CookieAgent` as `options.agent`
 * (its jar only sends them to the sites that set them, which is why Twisted's `getPage` went).
 * @param url - an absolute http or https URL.
 * @param options - method, headers, body, timeout, agent, reactor.
 * @returns a Deferred of the body; cancelling it aborts the request.
 */
export function getPage(url: string, options: GetPageOptions = {}): Deferred<Buffer> {
  let requested: Deferred<IResponse>;
  try {
    requested = startRequest(url, options);
  } catch (error) {
    const d = new Deferred<Buffer>();
    d.errback(error);
    return d;
  }
  const d = requested.addCallback((response) =>
    readBody(response)
      .addErrback((failure: Failure) => {
        if (failure.value instanceof PartialDownloadError && failure.value.response !== undefined) {
          return failure.value.response;
        }
        return failure;
      })
      .addCallback((body: Buffer) => {
        if (response.code >= 400) throw new WebError(response.code, response.phrase, body);
        return body;
      }),
  ) as Deferred<Buffer>;
  return withTimeout(d, options);
}

/** Streams a body into a Writable, pausing the response while the writable is full. */
class StreamingBodyProtocol implements IBodyProtocol {
  transport: IResponseBodyTransport | undefined;

  constructor(
    private readonly out: Writable,
    private readonly done: Deferred<void>,
    private readonly response: IResponse,
  ) {
    out.on("drain", () => this.transport?.resumeProducing());
    out.on("error", (error) => {
      this.transport?.stopProducing();
      if (!done.called) done.errback(error);
    });
  }

  makeConnection(transport: IResponseBodyTransport): void {
    this.transport = transport;
  }

  dataReceived(data: Buffer): void {
    if (!this.out.write(data)) this.transport?.pauseProducing();
  }

  connectionLost(reason: Failure): void {
    if (this.done.called) return;
    if (reason.check(ResponseDone, PotentialDataLoss) === null) {
      this.out.destroy();
      this.done.errback(reason);
      return;
    }
    const code = this.response.code;
    this.out.end(() => {
      if (this.done.called) return;
      if (code >= 400) this.done.errback(new WebError(code, this.response.phrase));
      else this.done.callback(undefined);
    });
  }
}

/**
 * Fetch a URL into a file (or any Writable), streaming with back-pressure: the `downloadPage`
 * Twisted removed in 22.1. Redirects are followed; a 4xx or 5xx errbacks with a
 * {@link WebError} (the error body is still written).
 * @param url - an absolute http or https URL.
 * @param file - a path, or a Writable (ended when the body is complete).
 * @param options - as for {@link getPage}.
 * @returns a Deferred that fires when the body has been written and the file closed.
 */
export function downloadPage(
  url: string,
  file: string | Writable,
  options: GetPageOptions = {},
): Deferred<void> {
  let requested: Deferred<IResponse>;
  try {
    requested = startRequest(url, options);
  } catch (error) {
    const d = new Deferred<void>();
    d.errback(error);
    return d;
  }
  const d = requested.addCallback((response) => {
    const out = typeof file === "string" ? createWriteStream(file) : file;
    const done = new Deferred<void>(() => {
      protocol.transport?.abortConnection();
      out.destroy();
    });
    const protocol = new StreamingBodyProtocol(out, done, response);
    response.deliverBody(protocol);
    return done;
  }) as Deferred<void>;
  return withTimeout(d, options);
}
