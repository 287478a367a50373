/**
 * Fakes for the crawler's unit tests: an `IAgent` whose responses the test gives by hand, and
 * a reactor (a `Clock` that can run and stop) for `CrawlerProcess`.
 */
import { Clock, Deferred, Failure } from "@twisted-ts/core";
import {
  Headers,
  type IAgent,
  type IBodyProtocol,
  type IClientRequest,
  type IResponse,
  ResponseDone,
  UNKNOWN_LENGTH,
} from "@twisted-ts/http";
import type { CrawlerProcessReactor } from "../src/crawler.js";

/** One request the fake agent received, waiting for the test to answer it. */
export interface PendingRequest {
  readonly method: string;
  readonly uri: string;
  readonly headers: Headers;
  readonly deferred: Deferred<IResponse>;
}

/** A response whose body is delivered at once. */
export function fakeResponse(
  request: IClientRequest,
  code: number,
  body: string,
  headers: Record<string, string> = { "content-type": "text/html" },
): IResponse {
  const raw: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) raw[name] = [value];
  const response: IResponse = {
    version: ["HTTP", 1, 1],
    code,
    phrase: "",
    headers: new Headers(raw),
    length: UNKNOWN_LENGTH,
    request,
    previousResponse: undefined,
    deliverBody(protocol: IBodyProtocol) {
      protocol.makeConnection({
        pauseProducing: () => undefined,
        resumeProducing: () => undefined,
        stopProducing: () => undefined,
        abortConnection: () => undefined,
      });
      if (body !== "") protocol.dataReceived(Buffer.from(body));
      protocol.connectionLost(new Failure(new ResponseDone("done")));
    },
    setPreviousResponse: () => undefined,
  };
  return response;
}

/** An agent that keeps every request until the test answers it. */
export class FakeAgent implements IAgent {
  /** Every request, in order. */
  readonly requests: PendingRequest[] = [];
  /** How many requests are waiting for an answer now. */
  pending = 0;
  /** The most that waited at once. */
  maxPending = 0;

  request(method: string, uri: string, headers: Headers = new Headers()): Deferred<IResponse> {
    const deferred = new Deferred<IResponse>();
    this.requests.push({ method, uri, headers, deferred });
    this.pending += 1;
    this.maxPending = Math.max(this.maxPending, this.pending);
    return deferred;
  }

  /** The requests not answered yet. */
  waiting(): PendingRequest[] {
    return this.requests.filter((r) => !r.deferred.called);
  }

  /** Answer a request. */
  respond(
    request: PendingRequest,
    code: number,
    body = "",
    headers?: Record<string, string>,
  ): void {
    this.pending -= 1;
    const clientRequest: IClientRequest = {
      method: request.method,
      absoluteURI: request.uri,
      headers: request.headers,
    };
    request.deferred.callback(fakeResponse(clientRequest, code, body, headers));
  }

  /** Fail a request. */
  fail(request: PendingRequest, error: Error): void {
    this.pending -= 1;
    request.deferred.errback(error);
  }
}

/** A Clock that also runs and stops, for `CrawlerProcess`. */
export class FakeRunningReactor extends Clock {
  running = false;
  stopCalls = 0;
  private readonly hooks: (() => unknown)[] = [];
  private resolveRun: (() => void) | undefined = undefined;

  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (this.running) fn(...args);
    else this.hooks.push(() => fn(...args));
  }

  run(): Promise<void> {
    this.running = true;
    const done = new Promise<void>((resolve) => {
      this.resolveRun = resolve;
    });
    for (const hook of this.hooks.splice(0)) hook();
    return done;
  }

  stop(): void {
    if (!this.running) throw new Error("not running");
    this.stopCalls += 1;
    this.running = false;
    this.resolveRun?.();
  }
}

/** The fake reactor, typed as a crawler process wants it (its agent is always a fake). */
export function fakeProcessReactor(): {
  clock: FakeRunningReactor;
  reactor: CrawlerProcessReactor;
} {
  const clock = new FakeRunningReactor();
  return { clock, reactor: clock as unknown as CrawlerProcessReactor };
}
