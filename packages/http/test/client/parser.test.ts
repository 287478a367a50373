import { ConnectionDone, Failure } from "@twisted-ts/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HTTPClientParser, type ResponseLimits } from "../../src/client/parser.js";
import {
  BadResponseVersion,
  ParseError,
  PotentialDataLoss,
  ResponseFailed,
  ResponseHeadersTooLarge,
} from "../../src/errors.js";

interface Parsed {
  code?: number;
  phrase?: string;
  version?: readonly [string, number, number];
  headers?: [string, string[]][];
  length?: number | "unknown";
  body: string;
  rest?: string;
  lossy?: boolean;
  error?: unknown;
  events: string[];
}

function parse(
  chunks: readonly Buffer[],
  method = "GET",
  limits: ResponseLimits = {},
  close = false,
): Parsed {
  const out: Parsed = { body: "", events: [] };
  const parser = new HTTPClientParser(
    method,
    {
      headReceived: (head) => {
        out.events.push("head");
        out.code = head.code;
        out.phrase = head.phrase;
        out.version = head.version;
        out.headers = [...head.headers.getAllRawHeaders()];
        out.length = head.length;
      },
      bodyDataReceived: (data) => {
        out.body += data.toString("latin1");
      },
      finished: (rest, reason) => {
        out.events.push("finished");
        out.rest = rest.toString("latin1");
        out.lossy = reason?.check(PotentialDataLoss) !== null && reason !== undefined;
      },
      failed: (reason) => {
        out.events.push("failed");
        out.error = reason.value;
      },
    },
    limits,
  );
  for (const chunk of chunks) parser.dataReceived(chunk);
  if (close) parser.connectionLost(new Failure(new ConnectionDone()));
  return out;
}

const b = (s: string): Buffer => Buffer.from(s, "latin1");

/** Feed the bytes whole, one byte at a time, and at every chunk size up to 16. */
function everySplit(text: string, method = "GET", close = false): Parsed[] {
  const bytes = b(text);
  const results = [parse([bytes], method, {}, close)];
  for (let size = 1; size <= 16; size++) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    results.push(parse(chunks, method, {}, close));
  }
  return results;
}

function cause(error: unknown): unknown {
  expect(error).toBeInstanceOf(ResponseFailed);
  return (error as ResponseFailed).reasons[0]?.value;
}

describe("HTTPClientParser", () => {
  it("parses a Content-Length response at every split", () => {
    const text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    for (const r of everySplit(text)) {
      expect(r.code).toBe(200);
      expect(r.phrase).toBe("OK");
      expect(r.version).toEqual(["HTTP", 1, 1]);
      expect(r.length).toBe(5);
      expect(r.body).toBe("hello");
      expect(r.events).toEqual(["head", "finished"]);
      expect(r.rest).toBe("");
    }
  });

  it("hands back the bytes after a delimited body", () => {
    const r = parse([b("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA")]);
    expect(r.body).toBe("hi");
    expect(r.rest).toBe("EXTRA");
  });

  it("decodes a chunked body with extensions and trailers at every split", () => {
    const text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7 \r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n";
    for (const r of everySplit(text)) {
      expect(r.body).toBe("hello, world");
      expect(r.length).toBe("unknown");
      expect(r.events).toEqual(["head", "finished"]);
    }
  });

  it("reads a body with no length until the connection closes, as potential data loss", () => {
    for (const r of everySplit("HTTP/1.0 200 OK\r\n\r\nall of it", "GET", true)) {
      expect(r.body).toBe("all of it");
      expect(r.version).toEqual(["HTTP", 1, 0]);
      expect(r.lossy).toBe(true);
    }
  });

  it("gives a HEAD response no body but keeps its Content-Length", () => {
    const r = parse([b("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")], "HEAD");
    expect(r.length).toBe(100);
    expect(r.events).toEqual(["head", "finished"]);
    expect(r.body).toBe("");
  });

  it.each([204, 304])("gives a %i response no body", (code) => {
    const r = parse([b(`HTTP/1.1 ${code} X\r\nContent-Length: 10\r\n\r\n`)]);
    expect(r.length).toBe(0);
    expect(r.events).toEqual(["head", "finished"]);
  });

  it("skips 100 Continue and other informational responses", () => {
    const text =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
    for (const r of everySplit(text)) {
      expect(r.code).toBe(201);
      expect(r.headers).toEqual([["Content-Length", ["2"]]]);
      expect(r.body).toBe("ok");
    }
  });

  it("accepts a status line without a reason phrase", () => {
    const r = parse([b("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")]);
    expect(r.code).toBe(200);
    expect(r.phrase).toBe("");
  });

  it("joins folded header lines with a space and strips values", () => {
    const r = parse([b("HTTP/1.1 200 OK\r\nX-Long:  one\r\n  two\r\nContent-Length: 0\r\n\r\n")]);
    expect(r.headers?.[0]).toEqual(["X-Long", ["one two"]]);
  });

  it("accepts repeated identical Content-Length values", () => {
    const r = parse([b("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok")]);
    expect(r.body).toBe("ok");
  });

  it("ends an empty Content-Length body at once", () => {
    const r = parse([b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]);
    expect(r.events).toEqual(["head", "finished"]);
  });

  it.each([
    ["a bad status line", "HTTP/1.1 two hundred\r\n\r\n", ParseError],
    ["garbage", "SSH-2.0-OpenSSH\r\n\r\n", ParseError],
    ["HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", BadResponseVersion],
    ["a two-digit code", "HTTP/1.1 20 OK\r\n\r\n", ParseError],
    ["a header without a colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", ParseError],
    ["space before the colon", "HTTP/1.1 200 OK\r\nName : v\r\n\r\n", ParseError],
    ["a NUL in a value", "HTTP/1.1 200 OK\r\nName: a\0b\r\n\r\n", ParseError],
    ["a continuation first", "HTTP/1.1 200 OK\r\n folded\r\n\r\n", ParseError],
    [
      "Content-Length with Transfer-Encoding",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
      ParseError,
    ],
    [
      "conflicting Content-Lengths",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
      ParseError,
    ],
    ["a negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ParseError],
    ["a signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", ParseError],
    ["a gzip transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ParseError],
    [
      "a negative chunk size",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
      ParseError,
    ],
    [
      "a 0x chunk size",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n",
      ParseError,
    ],
    [
      "a chunk without its CRLF",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n",
      ParseError,
    ],
    [
      "an oversized chunk-size line",
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${"x".repeat(2000)}`,
      ParseError,
    ],
  ])("fails with a typed error on %s", (_what, text, type) => {
    for (const r of everySplit(text)) {
      expect(r.events.at(-1)).toBe("failed");
      expect(cause(r.error)).toBeInstanceOf(type);
    }
  });

  it("fails when there are more headers than maxHeaders", () => {
    const text = `HTTP/1.1 200 OK\r\n${"X: y\r\n".repeat(5)}\r\n`;
    const r = parse([b(text)], "GET", { maxHeaders: 4 });
    expect(cause(r.error)).toBeInstanceOf(ResponseHeadersTooLarge);
    expect(parse([b(text)], "GET", { maxHeaders: 5 }).events).toEqual(["head"]);
  });

  it("fails when the head is larger than maxHeaderBytes, even without a line end", () => {
    const r = parse([b(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(200)}\r\n\r\n`)], "GET", {
      maxHeaderBytes: 100,
    });
    expect(cause(r.error)).toBeInstanceOf(ResponseHeadersTooLarge);
    const partial = parse([b(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(200)}`)], "GET", {
      maxHeaderBytes: 100,
    });
    expect(cause(partial.error)).toBeInstanceOf(ResponseHeadersTooLarge);
  });

  it("fails a delimited body cut short by the connection's loss", () => {
    const r = parse([b("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")], "GET", {}, true);
    expect(r.body).toBe("abc");
    expect(cause(r.error)).toBeInstanceOf(ConnectionDone);
  });

  it("ignores every byte after a failure", () => {
    const r = parse([b("HTTP/9.9 200 OK\r\n\r\n"), b("HTTP/1.1 200 OK\r\n\r\n")]);
    expect(r.events).toEqual(["failed"]);
  });

  it("parses the same at any random split (property)", () => {
    const text =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
    const bytes = b(text);
    const whole = parse([bytes]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 20 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((x, y) => x - y);
          const chunks: Buffer[] = [];
          let last = 0;
          for (const p of points) {
            chunks.push(bytes.subarray(last, p));
            last = p;
          }
          chunks.push(bytes.subarray(last));
          expect(parse(chunks)).toEqual(whole);
        },
      ),
    );
  });

  it("never throws on random bytes (property)", () => {
    const prefix = fc.constantFrom(
      "",
      "HTTP/1.1 200 OK\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 300 }), fc.boolean(), (head, bytes, close) => {
        const r = parse([b(head), Buffer.from(bytes)], "GET", { maxHeaderBytes: 256 }, close);
        if (r.error !== undefined) expect(r.error).toBeInstanceOf(ResponseFailed);
      }),
    );
  });
});
