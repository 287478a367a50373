/**
 * Properties of the channel: any split of a pipelined stream gives the same responses; random
 * bytes never throw out of dataReceived, and get a 400-class answer or nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChunkedDecoder } from "../../src/server/chunked.js";
import { connect } from "./helpers.js";

const STREAM = Buffer.from(
  "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
    "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
    "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n" +
    "HEAD /4 HTTP/1.1\r\nHost: a\r\n\r\n" +
    "GET /5 HTTP/1.0\r\n\r\n",
  "latin1",
);

function feedSplit(data: Buffer, cuts: number[]): string {
  const c = connect();
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    c.feed(data.subarray(at, cut));
    at = cut;
  }
  c.feed(data.subarray(at));
  // Date is fixed (the clock does not move), so outputs compare byte for byte.
  return c.out();
}

describe("HTTPChannel properties", () => {
  const whole = feedSplit(STREAM, []);

  it("gives the same responses for any split of a pipelined stream", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 40 }),
        (cuts) => {
          expect(feedSplit(STREAM, cuts)).toBe(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on random bytes, and answers a bare 4xx or nothing", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const c = connect();
        expect(() => c.feed(Buffer.from(bytes))).not.toThrow();
        const out = c.out();
        if (out !== "") expect(out).toMatch(/^HTTP\/1\.1 4\d\d [^\r\n]+\r\n\r\n$/);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on mutated valid requests", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: STREAM.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 5 }),
        (at, byte, cuts) => {
          const data = Buffer.from(STREAM);
          data[at] = byte;
          expect(() => feedSplit(data, cuts)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decodes a chunked body the same at any split", () => {
    const body = Buffer.from(
      "5;a=b\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX: y\r\n\r\nREST",
      "latin1",
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: body.length }), { maxLength: 20 }), (cuts) => {
        const got: Buffer[] = [];
        const decoder = new ChunkedDecoder(
          { dataReceived: (d) => got.push(Buffer.from(d)) },
          { maxChunkSizeLineLength: 1024, maxTrailersSize: 65536, maxBodySize: 1000 },
        );
        let at = 0;
        let rest: Buffer | undefined;
        for (const cut of [...cuts, body.length].sort((a, b) => a - b)) {
          const r = decoder.feed(body.subarray(at, cut));
          at = cut;
          if (r !== undefined) {
            rest = Buffer.concat([r, body.subarray(at)]);
            break;
          }
        }
        expect(Buffer.concat(got).toString()).toBe("hello world!");
        expect(rest?.toString()).toBe("REST");
      }),
      { numRuns: 300 },
    );
  });
});
