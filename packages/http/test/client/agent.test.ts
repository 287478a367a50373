import {
  CancelledError,
  ConnectingCancelledError,
  ConnectionAborted,
  ConnectionLost,
  Cooperator,
  Deferred,
  Failure,
} from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeHostValue, parseURI } from "../../src/client/agent.js";
import { FileBodyProducer } from "../../src/client/fileBodyProducer.js";
import {
  type IBodyProducer,
  type IResponse,
  type IResponseBodyTransport,
  UNKNOWN_LENGTH,
} from "../../src/client/iweb.js";
import { readBody } from "../../src/client/readBody.js";
import {
  InvalidURI,
  RequestGenerationFailed,
  RequestTransmissionFailed,
  ResponseBodyTooLarge,
  ResponseDone,
  ResponseFailed,
  ResponseNeverReceived,
  SchemeNotSupported,
  WrongBodyLength,
} from "../../src/errors.js";
import { Headers } from "../../src/headers.js";
import { connect, makeAgent, outcome } from "./helpers.js";

/** A producer the test drives by hand. */
class ManualProducer implements IBodyProducer {
  consumer: { write(d: Uint8Array | string): void } | undefined;
  readonly done = new Deferred<void>();
  state = "idle";
  constructor(readonly length: number | typeof UNKNOWN_LENGTH) {}
  startProducing(consumer: { write(d: Uint8Array | string): void }): Deferred<void> {
    this.consumer = consumer;
    this.state = "producing";
    return this.done;
  }
  pauseProducing(): void {
    this.state = "paused";
  }
  resumeProducing(): void {
    this.state = "producing";
  }
  stopProducing(): void {
    this.state = "stopped";
  }
}

describe("Agent", () => {
  it("writes the request line, Host and Connection: close on a non-persistent pool", () => {
    const { reactor, agent } = makeAgent();
    agent.request("GET", "http://example.com/path?q=1#frag");
    expect(reactor.tcpClients[0]?.slice(0, 2)).toEqual(["example.com", 80]);
    const { transport } = connect(reactor);
    expect(transport.value().toString()).toBe(
      "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
    );
  });

  it.each([
    ["http", "example.com", 80, "example.com"],
    ["http", "example.com", 8080, "example.com:8080"],
    ["https", "example.com", 443, "example.com"],
    ["https", "example.com", 80, "example.com:80"],
    ["http", "::1", 80, "[::1]"],
    ["http", "::1", 8080, "[::1]:8080"],
  ])("computes the Host of %s://%s:%i as %s", (scheme, host, port, expected) => {
    expect(computeHostValue(scheme, host, port)).toBe(expected);
  });

  it("connects to an IPv6 literal without brackets and sends them in Host", () => {
    const { reactor, agent } = makeAgent();
    agent.request("GET", "http://[::1]:8080/");
    expect(reactor.tcpClients[0]?.slice(0, 2)).toEqual(["::1", 8080]);
    const { transport } = connect(reactor);
    expect(transport.value().toString()).toContain("Host: [::1]:8080\r\n");
  });

  it("keeps a Host header the caller set", () => {
    const { reactor, agent } = makeAgent();
    agent.request("GET", "http://example.com/", new Headers({ host: ["other.example"] }));
    const { transport } = connect(reactor);
    expect(transport.value().toString()).toContain("Host: other.example\r\n");
    expect(transport.value().toString()).not.toContain("example.com");
  });

  it("fails with SchemeNotSupported for a non-http scheme and InvalidURI for garbage", () => {
    const { agent } = makeAgent();
    expect(outcome(agent.request("GET", "ftp://example.com/")).failure?.value).toBeInstanceOf(
      SchemeNotSupported,
    );
    expect(outcome(agent.request("GET", "not a uri")).failure?.value).toBeInstanceOf(InvalidURI);
    expect(() => parseURI("file:///etc/passwd")).toThrow(SchemeNotSupported);
  });

  it("connects with TLS for https, with the host as servername and the caller's options", () => {
    const { reactor, agent } = makeAgent({ tls: (host) => ({ ca: `ca-for-${host}` }) });
    agent.request("GET", "https://example.com/");
    const record = reactor.sslClients[0];
    expect(record?.slice(0, 2)).toEqual(["example.com", 443]);
    expect(record?.[3]).toEqual({ servername: "example.com", ca: "ca-for-example.com" });
  });

  it("passes connectTimeout and bindAddress to the reactor", () => {
    const { reactor, agent } = makeAgent({ connectTimeout: 5, bindAddress: ["10.0.0.2", 0] });
    agent.request("GET", "http://example.com/");
    expect(reactor.tcpClients[0]?.slice(3)).toEqual([5, ["10.0.0.2", 0]]);
  });

  it("fires with the response once the headers arrive, and readBody gets the body", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\n");
    const response = seen.result as IResponse;
    expect(response.code).toBe(200);
    expect(response.phrase).toBe("OK");
    expect(response.version).toEqual(["HTTP", 1, 1]);
    expect(response.length).toBe(5);
    expect(response.headers.getRawHeaders("x-a")).toEqual(["b"]);
    expect(response.request.method).toBe("GET");
    expect(response.request.absoluteURI).toBe("http://example.com/");
    expect(response.previousResponse).toBeUndefined();
    const body = outcome(readBody(response));
    expect(conn.transport.producerState).toBe("producing");
    conn.feed("hello");
    expect(body.result?.toString()).toBe("hello");
    expect(conn.transport.disconnecting).toBe(true);
  });

  it("keeps body bytes that arrive before deliverBody, pausing the socket", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
    expect(conn.transport.producerState).toBe("paused");
    conn.feed("lo");
    const body = outcome(readBody(seen.result as IResponse));
    expect(body.result?.toString()).toBe("hello");
  });

  it("sends a body of known length with Content-Length", () => {
    const { reactor, agent } = makeAgent();
    const clock = new Clock();
    const producer = new FileBodyProducer(Buffer.from("abc"), new Cooperator({ clock }));
    agent.request("POST", "http://example.com/", undefined, producer);
    const { transport } = connect(reactor);
    clock.advance(1);
    expect(transport.value().toString()).toBe(
      "POST / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
    );
  });

  it("sends a body of unknown length chunked", () => {
    const { reactor, agent } = makeAgent();
    const producer = new ManualProducer(UNKNOWN_LENGTH);
    agent.request("PUT", "http://example.com/", undefined, producer);
    const { transport } = connect(reactor);
    producer.consumer?.write("hello");
    producer.consumer?.write("");
    producer.consumer?.write("!");
    producer.done.callback(undefined);
    expect(transport.value().toString()).toBe(
      "PUT / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n",
    );
    expect(transport.producer).toBeUndefined();
  });

  it("registers the body producer with the transport for flow control", () => {
    const { reactor, agent } = makeAgent();
    const producer = new ManualProducer(3);
    agent.request("POST", "http://example.com/", undefined, producer);
    const { transport } = connect(reactor);
    expect(transport.producer).toBe(producer);
    expect(transport.streaming).toBe(true);
  });

  it("sends Content-Length: 0 for a POST or PUT without a body, and nothing for GET", () => {
    const { reactor, agent } = makeAgent();
    agent.request("POST", "http://example.com/");
    expect(connect(reactor).transport.value().toString()).toContain("Content-Length: 0\r\n");
    agent.request("DELETE", "http://example.com/");
    expect(connect(reactor).transport.value().toString()).not.toContain("Content-Length");
  });

  it("fails with RequestGenerationFailed when the producer writes more than its length", () => {
    const { reactor, agent } = makeAgent();
    const producer = new ManualProducer(2);
    const seen = outcome(agent.request("POST", "http://example.com/", undefined, producer));
    const { transport } = connect(reactor);
    producer.consumer?.write("abc");
    expect(producer.state).toBe("stopped");
    const error = seen.failure?.value as RequestGenerationFailed;
    expect(error).toBeInstanceOf(RequestGenerationFailed);
    expect(error.reasons[0]?.value).toBeInstanceOf(WrongBodyLength);
    expect(transport.disconnected).toBe(true);
  });

  it("fails with RequestGenerationFailed when the producer writes less than its length", () => {
    const { reactor, agent } = makeAgent();
    const producer = new ManualProducer(5);
    const seen = outcome(agent.request("POST", "http://example.com/", undefined, producer));
    connect(reactor);
    producer.consumer?.write("ab");
    producer.done.callback(undefined);
    const error = seen.failure?.value as RequestGenerationFailed;
    expect(error.reasons[0]?.value).toBeInstanceOf(WrongBodyLength);
  });

  it("fails with RequestGenerationFailed for an invalid method, without writing", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GE T", "http://example.com/"));
    const { transport } = connect(reactor);
    expect(seen.failure?.value).toBeInstanceOf(RequestGenerationFailed);
    expect(transport.value().length).toBe(0);
  });

  it("fails with RequestTransmissionFailed when the connection goes while the body is sent", () => {
    const { reactor, agent } = makeAgent();
    const producer = new ManualProducer(10);
    const seen = outcome(agent.request("POST", "http://example.com/", undefined, producer));
    const conn = connect(reactor);
    conn.lose(new ConnectionLost());
    expect(seen.failure?.value).toBeInstanceOf(RequestTransmissionFailed);
    expect(producer.state).toBe("stopped");
  });

  it("fails with ResponseNeverReceived when the connection goes before any response byte", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    connect(reactor).lose(new ConnectionLost());
    const error = seen.failure?.value as ResponseNeverReceived;
    expect(error).toBeInstanceOf(ResponseNeverReceived);
    expect(error.reasons[0]?.value).toBeInstanceOf(ConnectionLost);
  });

  it("fails with ResponseFailed when the connection goes during the head", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nX: ");
    conn.lose(new ConnectionLost());
    expect(seen.failure?.value).toBeInstanceOf(ResponseFailed);
    expect(seen.failure?.value).not.toBeInstanceOf(ResponseNeverReceived);
  });

  it("fails the body with ResponseFailed (holding the response) when a delimited body is cut", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    const body = outcome(readBody(seen.result as IResponse));
    conn.lose(new ConnectionLost());
    const error = body.failure?.value as ResponseFailed;
    expect(error).toBeInstanceOf(ResponseFailed);
    expect(error.response).toBe(seen.result);
  });

  it("fails with ResponseFailed on a malformed response and aborts the connection", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
    expect(seen.failure?.value).toBeInstanceOf(ResponseFailed);
    expect(conn.transport.disconnected).toBe(true);
  });

  it("stops connecting when cancelled before the connection is made", () => {
    const { reactor, agent } = makeAgent();
    const d = agent.request("GET", "http://example.com/");
    const seen = outcome(d);
    d.cancel();
    expect(reactor.connectors[0]?.stoppedConnecting).toBe(true);
    expect(seen.failure?.value).toBeInstanceOf(ConnectingCancelledError);
  });

  it("aborts the connection when cancelled while waiting for the response", () => {
    const { reactor, agent } = makeAgent();
    const d = agent.request("GET", "http://example.com/");
    const seen = outcome(d);
    const conn = connect(reactor);
    d.cancel();
    expect(conn.transport.disconnected).toBe(true);
    expect(seen.failure?.value).toBeInstanceOf(CancelledError);
    conn.lose(new ConnectionAborted());
    expect(seen.failure?.value).toBeInstanceOf(CancelledError);
  });

  it("aborts the connection when the AbortSignal fires", () => {
    const { reactor, agent } = makeAgent();
    const controller = new AbortController();
    const seen = outcome(
      agent.request("GET", "http://example.com/", undefined, undefined, {
        signal: controller.signal,
      }),
    );
    const conn = connect(reactor);
    controller.abort();
    expect(conn.transport.disconnected).toBe(true);
    expect(seen.failure?.value).toBeInstanceOf(CancelledError);
  });

  it("does not connect at all for an already-aborted signal", () => {
    const { reactor, agent } = makeAgent();
    const controller = new AbortController();
    controller.abort();
    const seen = outcome(
      agent.request("GET", "http://example.com/", undefined, undefined, {
        signal: controller.signal,
      }),
    );
    expect(seen.failure?.value).toBeInstanceOf(ConnectingCancelledError);
    expect(reactor.connectors[0]?.stoppedConnecting).toBe(true);
  });

  it("fails with the connection error when connecting fails", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const [, , factory] = reactor.tcpClients[0] ?? [];
    factory?.clientConnectionFailed(
      reactor.connectors[0] as never,
      new Failure(new ConnectionLost("refused")),
    );
    expect(seen.failure?.value).toBeInstanceOf(ConnectionLost);
  });

  it("aborts the connection when the body passes maxBodySize", () => {
    const { reactor, agent } = makeAgent({ maxBodySize: 4 });
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const body = outcome(readBody(seen.result as IResponse));
    conn.feed("3\r\nabc\r\n3\r\ndef\r\n");
    expect(conn.transport.disconnected).toBe(true);
    const error = body.failure?.value as ResponseFailed;
    expect(error.reasons[0]?.value).toBeInstanceOf(ResponseBodyTooLarge);
  });

  it("passes the header limits to the parser", () => {
    const { reactor, agent } = makeAgent({ maxHeaders: 1 });
    const seen = outcome(agent.request("GET", "http://example.com/"));
    connect(reactor).feed("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n");
    expect(seen.failure?.value).toBeInstanceOf(ResponseFailed);
  });

  it("refuses a second request on a busy connection with RequestNotSent", async () => {
    const { reactor, agent } = makeAgent();
    agent.request("GET", "http://example.com/");
    const conn = connect(reactor);
    const { ClientRequest } = await import("../../src/client/request.js");
    const { RequestNotSent } = await import("../../src/errors.js");
    const second = conn.protocol.request(
      new ClientRequest("GET", "/", new Headers({ host: ["x"] }), undefined, false, "http://x/"),
    );
    expect(outcome(second).failure?.value).toBeInstanceOf(RequestNotSent);
  });

  it("lets the body protocol pause, resume and stop the socket, and detaches after the body", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
    let bodyTransport: IResponseBodyTransport | undefined;
    const reasons: Failure[] = [];
    (seen.result as IResponse).deliverBody({
      makeConnection: (t) => {
        bodyTransport = t;
      },
      dataReceived: () => {},
      connectionLost: (reason) => {
        reasons.push(reason);
      },
    });
    bodyTransport?.pauseProducing();
    expect(conn.transport.producerState).toBe("paused");
    bodyTransport?.resumeProducing();
    expect(conn.transport.producerState).toBe("producing");
    conn.feed("done");
    expect(reasons[0]?.check(ResponseDone)).toBe(ResponseDone);
    bodyTransport?.stopProducing();
    expect(conn.transport.disconnected).toBe(false);
  });

  it("aborts the connection when the body protocol stops producing", () => {
    const { reactor, agent } = makeAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const conn = connect(reactor);
    conn.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
    const reasons: Failure[] = [];
    (seen.result as IResponse).deliverBody({
      makeConnection: (t) => t.stopProducing(),
      dataReceived: () => {},
      connectionLost: (reason) => {
        reasons.push(reason);
      },
    });
    expect(conn.transport.disconnected).toBe(true);
    conn.lose(new ConnectionLost());
    expect(reasons[0]?.value).toBeInstanceOf(ResponseFailed);
    const failed = reasons[0]?.value as ResponseFailed;
    expect(failed.reasons[0]?.value).toBeInstanceOf(ConnectionAborted);
  });

  it("never throws whatever bytes the server sends (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.boolean(),
        (chunks, close) => {
          const { reactor, agent } = makeAgent();
          const seen = outcome(agent.request("GET", "http://example.com/"));
          const conn = connect(reactor);
          conn.feed("HTTP/1.1 200 OK\r\n");
          for (const chunk of chunks) conn.feed(Buffer.from(chunk));
          if (close) conn.lose(new ConnectionLost());
          if (close) expect(seen.fired).toBe(true);
          if (seen.result !== undefined) readBody(seen.result).addErrback(() => undefined);
        },
      ),
    );
  });
});
