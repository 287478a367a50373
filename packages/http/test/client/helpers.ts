/**
 * Shared fixtures for the client's unit tests: an Agent on a MemoryReactorClock whose
 * connections are completed by hand with StringTransports, and canned responses.
 */
import { ConnectionDone, Deferred, Failure, IPv4Address } from "@twisted-ts/core";
import { MemoryReactorClock, StringTransport } from "@twisted-ts/core/testing";
import { Agent, type AgentOptions } from "../../src/client/agent.js";
import type { IAgent, IBodyProducer, IResponse, RequestOptions } from "../../src/client/iweb.js";
import type { HTTP11ClientProtocol } from "../../src/client/protocol.js";
import { ClientRequest } from "../../src/client/request.js";
import { Response } from "../../src/client/response.js";
import { Headers } from "../../src/headers.js";

/** An Agent on a fake reactor. */
export function makeAgent(options: AgentOptions = {}): {
  reactor: MemoryReactorClock;
  agent: Agent;
} {
  const reactor = new MemoryReactorClock();
  return { reactor, agent: new Agent(reactor, options) };
}

/** A connection completed by hand. */
export interface Connected {
  protocol: HTTP11ClientProtocol;
  transport: StringTransport;
  /** Feed server bytes. */
  feed(data: string | Buffer): void;
  /** Lose the connection, as the socket would. */
  lose(reason?: unknown): void;
}

/** Complete the `index`th TCP connection attempt (the last by default). */
export function connect(reactor: MemoryReactorClock, index = -1, ssl = false): Connected {
  const list = ssl ? reactor.sslClients : reactor.tcpClients;
  const record = list.at(index);
  if (record === undefined) throw new Error("no connection attempt");
  const factory = record[2];
  const protocol = factory.buildProtocol(
    new IPv4Address("TCP", "127.0.0.1", 80),
  ) as HTTP11ClientProtocol;
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  return {
    protocol,
    transport,
    feed: (data) =>
      protocol.dataReceived(typeof data === "string" ? Buffer.from(data, "latin1") : data),
    lose: (reason) => protocol.connectionLost(new Failure(reason ?? new ConnectionDone())),
  };
}

/** The outcome of a Deferred, observed synchronously. */
export function outcome<T>(d: Deferred<T>): { result?: T; failure?: Failure; fired: boolean } {
  const seen: { result?: T; failure?: Failure; fired: boolean } = { fired: false };
  d.addCallbacks(
    (r: T) => {
      seen.fired = true;
      seen.result = r;
    },
    (f: Failure) => {
      seen.fired = true;
      seen.failure = f;
    },
  );
  return seen;
}

/** A canned response whose body is delivered by hand. */
export function cannedResponse(
  code: number,
  headers: Record<string, string[]> = {},
  uri = "http://example.com/",
  method = "GET",
): {
  response: Response;
  body(data: string | Buffer): void;
  finish(reason?: Failure): void;
  aborted: () => boolean;
} {
  let aborted = false;
  const request = new ClientRequest(
    method,
    "/",
    new Headers({ host: ["example.com"] }),
    undefined,
    false,
    uri,
  );
  const response = new Response(
    ["HTTP", 1, 1],
    code,
    "Phrase",
    new Headers(headers),
    "unknown",
    request,
    {
      pause: () => {},
      resume: () => {},
      abort: () => {
        aborted = true;
      },
    },
  );
  return {
    response,
    body: (data) => response.bodyDataReceived(typeof data === "string" ? Buffer.from(data) : data),
    finish: (reason) => response.bodyDataFinished(reason),
    aborted: () => aborted,
  };
}

/** One request a {@link FakeAgent} received. */
export interface FakeCall {
  method: string;
  uri: string;
  headers: Headers | undefined;
  bodyProducer: IBodyProducer | undefined;
  deferred: Deferred<IResponse>;
}

/** An agent that records requests and lets the test answer them. */
export class FakeAgent implements IAgent {
  readonly calls: FakeCall[] = [];

  request(
    method: string,
    uri: string,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
    _options?: RequestOptions,
  ): Deferred<IResponse> {
    const deferred = new Deferred<IResponse>();
    this.calls.push({ method, uri, headers, bodyProducer, deferred });
    return deferred;
  }

  /** Answer the last request with a response whose (empty) body is complete. */
  answer(code: number, headers: Record<string, string[]> = {}, body = ""): Response {
    const call = this.calls.at(-1);
    if (call === undefined) throw new Error("no request");
    const canned = cannedResponse(code, headers, call.uri, call.method);
    if (body !== "") canned.body(body);
    canned.finish();
    call.deferred.callback(canned.response);
    return canned.response;
  }
}
