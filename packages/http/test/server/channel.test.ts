/**
 * HTTPChannel: pipelining, persistence, 100-continue, timeouts, back-pressure, chunked bodies.
 */
import { describe, expect, it } from "vitest";
import { type IRequest, NOT_DONE_YET, type RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { connect, Hello, parseResponses } from "./helpers.js";

/** Holds every request until the test finishes it. */
class Later extends Resource {
  override isLeaf = true;
  readonly pending: IRequest[] = [];
  render_GET(request: IRequest): RenderResult {
    this.pending.push(request);
    return NOT_DONE_YET;
  }
  render_POST(request: IRequest): RenderResult {
    this.pending.push(request);
    return NOT_DONE_YET;
  }
}

const PIPELINE =
  "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
  "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
  "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n" +
  "GET /4?q=1 HTTP/1.1\r\nHost: a\r\n\r\n";

const EXPECTED = ["hello /1", "hello", "abcde", "hello /4?q=1"];

describe("HTTPChannel pipelining", () => {
  it("answers pipelined requests in order when fed at once", () => {
    const c = connect();
    c.feed(PIPELINE);
    expect(parseResponses(c.out()).map((r) => r.body)).toEqual(EXPECTED);
    expect(c.transport.disconnecting).toBe(false);
  });

  it("answers pipelined requests in order when fed byte by byte", () => {
    const c = connect();
    const bytes = Buffer.from(PIPELINE, "latin1");
    for (let i = 0; i < bytes.length; i++) c.feed(bytes.subarray(i, i + 1));
    expect(parseResponses(c.out()).map((r) => r.body)).toEqual(EXPECTED);
  });

  it("answers at every chunk size", () => {
    const bytes = Buffer.from(PIPELINE, "latin1");
    for (let size = 1; size <= bytes.length; size += 7) {
      const c = connect();
      for (let i = 0; i < bytes.length; i += size) c.feed(bytes.subarray(i, i + size));
      expect(parseResponses(c.out()).map((r) => r.body)).toEqual(EXPECTED);
    }
  });

  it("handles one request at a time, in order, even when they finish out of order", () => {
    const root = new Later();
    const c = connect(root);
    c.feed("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(root.pending.map((r) => r.uri)).toEqual(["/1"]);
    root.pending[0]?.write("one");
    root.pending[0]?.finish();
    expect(root.pending.map((r) => r.uri)).toEqual(["/1", "/2"]);
    root.pending[1]?.finish();
    expect(parseResponses(c.out()).map((r) => r.body)).toEqual(["one", ""]);
  });

  it("pauses the transport when more than 16 KiB is buffered behind a request", () => {
    const root = new Later();
    const c = connect(root);
    c.feed("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    const next = "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    c.feed(next.repeat(700));
    expect(c.transport.producerState).toBe("paused");
    root.pending[0]?.finish();
    // the next request is handled (and held), and reading resumed
    expect(root.pending.length).toBe(2);
    expect(c.transport.producerState).toBe("producing");
  });

  it("does not pause below the limit", () => {
    const root = new Later();
    const c = connect(root, { pipelineBufferSize: 100_000 });
    c.feed("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    c.feed("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n".repeat(300));
    expect(c.transport.producerState).toBe("producing");
  });

  it("resumes reading after the held request finishes", () => {
    const root = new Later();
    const c = connect(root);
    c.feed("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    c.feed(`GET /2 HTTP/1.1\r\nHost: a\r\nX: ${"y".repeat(16 * 1024)}\r\n\r\n`);
    expect(c.transport.producerState).toBe("paused");
    root.pending[0]?.finish();
    expect(c.transport.producerState).toBe("producing");
  });
});

describe("HTTPChannel persistence", () => {
  it("keeps HTTP/1.1 open", () => {
    const c = connect();
    c.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(c.transport.disconnecting).toBe(false);
    expect(parseResponses(c.out())[0]?.headers.has("connection")).toBe(false);
  });

  it("closes HTTP/1.1 with Connection: close, and echoes it", () => {
    const c = connect();
    c.feed(
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    const responses = parseResponses(c.out());
    expect(responses.length).toBe(1);
    expect(responses[0]?.headers.get("connection")).toEqual(["close"]);
    expect(c.transport.disconnecting).toBe(true);
  });

  it("closes HTTP/1.0 even with keep-alive", () => {
    const c = connect();
    c.feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    expect(c.transport.disconnecting).toBe(true);
    expect(c.out()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it("sends an HTTP/1.0 body raw, then closes", () => {
    const root = new Later();
    const c = connect(root);
    c.feed("GET / HTTP/1.0\r\n\r\n");
    root.pending[0]?.write("abc");
    root.pending[0]?.finish();
    expect(c.out()).not.toMatch(/chunked/i);
    expect(c.out().endsWith("\r\n\r\nabc")).toBe(true);
    expect(c.transport.disconnecting).toBe(true);
  });

  it("tolerates one leading empty line", () => {
    const c = connect();
    c.feed("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(parseResponses(c.out())[0]?.status).toBe(200);
  });

  it("sets TCP_NODELAY", () => {
    const c = connect();
    expect(c.transport.tcpNoDelay).toBe(true);
  });
});

describe("HTTPChannel 100-continue", () => {
  it("sends 100 Continue before reading the body on HTTP/1.1", () => {
    const c = connect();
    c.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    expect(c.out()).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    c.feed("abc");
    const responses = parseResponses(c.out());
    expect(responses.map((r) => r.status)).toEqual([100, 200]);
    expect(responses[1]?.body).toBe("abc");
  });

  it("does not send it on HTTP/1.0", () => {
    const c = connect();
    c.feed("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    expect(c.out()).toBe("");
  });

  it("answers 413 instead of 100 when the body is too large", () => {
    const c = connect(new Hello(), { maxBodySize: 2 });
    c.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    expect(c.out()).toBe("HTTP/1.1 413 Request Entity Too Long\r\n\r\n");
  });
});

describe("HTTPChannel chunked bodies", () => {
  it("accepts extensions and trailers, and drops the trailers", () => {
    const c = connect();
    c.feed(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n" +
        '4 ; name="quoted;value"\r\nwiki\r\n5;a;b=c\r\npedia\r\n0\r\nX-T: 1\r\nY-T: 2\r\n\r\n',
    );
    expect(parseResponses(c.out())[0]?.body).toBe("wikipedia");
  });

  it("refuses a chunked body over maxBodySize with 413", () => {
    const c = connect(new Hello(), { maxBodySize: 4 });
    c.feed(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
    );
    expect(c.out()).toBe("HTTP/1.1 413 Request Entity Too Long\r\n\r\n");
  });

  it("refuses an oversized chunk-size line even when split", () => {
    const c = connect();
    c.feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    for (let i = 0; i < 1100; i++) c.feed("a");
    expect(c.out()).toBe("HTTP/1.1 400 Bad Request\r\n\r\n");
  });

  it("refuses trailers over maxTrailersSize", () => {
    const c = connect(new Hello(), { maxTrailersSize: 100 });
    c.feed(
      `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${"a".repeat(200)}\r\n\r\n`,
    );
    expect(c.out()).toBe("HTTP/1.1 400 Bad Request\r\n\r\n");
  });

  it("accepts upper-case hex sizes", () => {
    const c = connect();
    c.feed(
      `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n${"x".repeat(10)}\r\n0\r\n\r\n`,
    );
    expect(parseResponses(c.out())[0]?.body).toBe("x".repeat(10));
  });
});

describe("HTTPChannel timeouts", () => {
  it("closes an idle connection after 60 s, then aborts it 15 s later", () => {
    const c = connect();
    c.clock.advance(59);
    expect(c.transport.disconnecting).toBe(false);
    c.clock.advance(1);
    expect(c.transport.disconnecting).toBe(true);
    expect(c.transport.disconnected).toBe(false);
    c.clock.advance(15);
    expect(c.transport.disconnected).toBe(true);
  });

  it("restarts the idle timeout when bytes arrive", () => {
    const c = connect();
    c.clock.advance(50);
    c.feed("GET / HTTP/1.1\r\n");
    c.clock.advance(50);
    expect(c.transport.disconnecting).toBe(false);
  });

  it("suspends the idle timeout while a request is handled", () => {
    const root = new Later();
    const c = connect(root);
    c.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    c.clock.advance(600);
    expect(c.transport.disconnecting).toBe(false);
    root.pending[0]?.finish();
    c.clock.advance(60);
    expect(c.transport.disconnecting).toBe(true);
  });

  it("uses the site's timeout", () => {
    const c = connect(new Hello(), { timeout: 5 });
    c.clock.advance(5);
    expect(c.transport.disconnecting).toBe(true);
  });

  it("answers 408 when a request takes longer than requestTimeout to arrive", () => {
    const c = connect(new Hello(), { requestTimeout: 10, timeout: 100 });
    c.feed("GET / HTTP/1.1\r\n");
    for (let i = 0; i < 5; i++) {
      c.clock.advance(2);
      c.feed("X: y\r\n");
    }
    expect(c.out()).toBe("HTTP/1.1 408 Request Time-out\r\n\r\n");
    expect(c.transport.disconnecting).toBe(true);
  });

  it("cancels the timers when the connection is lost", () => {
    const c = connect();
    c.channel.connectionLost();
    expect(c.clock.getDelayedCalls().length).toBe(0);
  });
});
