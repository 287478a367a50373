/**
 * The smuggling suite: each malformed or ambiguous request gets a bare 400 (or its limit's
 * code) and the connection is closed, and the request pipelined after it is never processed.
 */
import { describe, expect, it } from "vitest";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { connect } from "./helpers.js";

class Recorder extends Resource {
  override isLeaf = true;
  readonly seen: string[] = [];
  render_GET(request: IRequest): RenderResult {
    this.seen.push(`${request.method} ${request.uri}`);
    return "ok";
  }
  render_POST(request: IRequest): RenderResult {
    this.seen.push(`${request.method} ${request.uri}`);
    return "ok";
  }
}

const NEXT = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

/** [name, request bytes, expected status]. */
const CASES: [string, string, number][] = [
  [
    "CL and TE together",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    400,
  ],
  [
    "TE then CL",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    400,
  ],
  [
    "two identical CLs",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
    400,
  ],
  [
    "two different CLs",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
    400,
  ],
  ["CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", 400],
  ["negative CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400],
  ["plus CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", 400],
  ["hex CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x1\r\n\r\nx", 400],
  ["empty CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400],
  ["CL with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400],
  ["TE identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400],
  ["TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400],
  [
    "TE chunked twice",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    400,
  ],
  [
    "TE gzip, chunked",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    400,
  ],
  [
    "TE with a junk coding",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    400,
  ],
  ["space before colon", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400],
  ["tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 0\r\n\r\n", 400],
  ["obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400],
  ["obs-fold with a tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400],
  [
    "folded TE",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
    400,
  ],
  ["NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 400],
  ["bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rX-B: c\r\n\r\n", 400],
  ["bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n", 400],
  ["bare LF after a header", "GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400],
  ["bare CR line endings", "GET / HTTP/1.1\rHost: a\r\r\n\r\n", 400],
  ["header without a colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400],
  ["empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400],
  ["non-token header name", "GET / HTTP/1.1\r\nHost: a\r\nX(A): v\r\n\r\n", 400],
  ["two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
  ["no Host on 1.1", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400],
  ["lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400],
  ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400],
  ["HTTP/0.9 request", "GET /\r\n\r\n", 400],
  ["two spaces in the request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["tab in the request line", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["trailing space in the request line", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400],
  ["non-token method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["space in the target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["non-ASCII target", "GET /\xe9 HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["relative target", "GET a HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  ["two leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400],
  [
    "chunk size with 0x",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk size negative",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk size empty",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk size with a space",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk size overflowing",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk without CRLF",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy0\r\n\r\n",
    400,
  ],
  [
    "chunk size line with a bare LF",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk extension with a control byte",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\x01\r\nx\r\n0\r\n\r\n",
    400,
  ],
  [
    "chunk size line too long",
    `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;${"a".repeat(1100)}\r\nx\r\n0\r\n\r\n`,
    400,
  ],
  [
    "trailer with a bare LF",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n",
    400,
  ],
  [
    "body over maxBodySize",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n",
    413,
  ],
  ["request line too long", `GET /${"a".repeat(20000)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
  ["headers too large", `GET / HTTP/1.1\r\nHost: a\r\nX-A: ${"b".repeat(17000)}\r\n\r\n`, 431],
  ["too many headers", `GET / HTTP/1.1\r\nHost: a\r\n${"X-A: b\r\n".repeat(501)}\r\n`, 431],
];

describe("smuggling and malformed requests", () => {
  it("has at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, request, status] of CASES) {
    it(`answers ${status} and closes: ${name}`, () => {
      const root = new Recorder();
      const c = connect(root);
      c.feed(request + NEXT);
      const out = c.out();
      expect(out.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
      expect(out.endsWith("\r\n\r\n")).toBe(true);
      expect(out.split("HTTP/1.1").length).toBe(2);
      expect(c.transport.disconnecting).toBe(true);
      expect(root.seen).toEqual([]);
    });

    it(`answers ${status} when fed byte by byte: ${name}`, () => {
      const root = new Recorder();
      const c = connect(root);
      const bytes = Buffer.from(request + NEXT, "latin1");
      for (let i = 0; i < bytes.length; i++) c.feed(bytes.subarray(i, i + 1));
      expect(c.out().startsWith(`HTTP/1.1 ${status} `)).toBe(true);
      expect(c.transport.disconnecting).toBe(true);
      expect(root.seen).toEqual([]);
    });
  }

  it("refuses a duplicate Content-Length in the second of two pipelined requests", () => {
    const root = new Recorder();
    const c = connect(root);
    c.feed(
      "GET /first HTTP/1.1\r\nHost: a\r\n\r\n" +
        "POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx" +
        NEXT,
    );
    expect(root.seen).toEqual(["GET /first"]);
    expect(c.out()).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*HTTP\/1\.1 400 Bad Request\r\n\r\n$/);
    expect(c.transport.disconnecting).toBe(true);
  });

  it("leaves other connections of the site untouched", () => {
    const root = new Recorder();
    const bad = connect(root);
    const good = connect(root, {}, { site: bad.site, clock: bad.clock });
    bad.feed("GET / HTTP/1.1\r\nHost: a\r\nX: \0\r\n\r\n");
    good.feed("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(bad.out()).toBe("HTTP/1.1 400 Bad Request\r\n\r\n");
    expect(good.out()).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(good.transport.disconnecting).toBe(false);
    expect(root.seen).toEqual(["GET /fine"]);
  });
});
