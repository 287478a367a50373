import { StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataEncoder, normalizeLineEndings, SMTPClient } from "../../src/index.js";
import { drain, feed, record, unstuff } from "./helpers.js";

/** Encode `message` cut at `cuts`, the DATA way. */
function encodeInChunks(message: Buffer, cuts: number[]): Buffer {
  const encoder = new DataEncoder(true);
  const points = [...new Set(cuts.map((c) => c % (message.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const point of [...points, message.length]) {
    out.push(encoder.encode(message.subarray(start, point)));
    start = point;
  }
  out.push(encoder.end());
  return Buffer.concat(out);
}

/** Bodies rich in the bytes that matter: CR, LF, dots. */
const body = fc
  .array(fc.constantFrom("\r", "\n", "\r\n", ".", "..", "a", "é", " ", ".\r\n", "\n.\n"), {
    maxLength: 60,
  })
  .map((parts) => Buffer.from(parts.join(""), "utf8"));
const anyBody = fc.oneof(
  body,
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);

describe("DataEncoder", () => {
  it("stuffs a dot on the first line", () => {
    expect(encodeInChunks(Buffer.from(".hidden\n"), []).toString()).toBe("..hidden\r\n.\r\n");
  });

  it("stuffs a dot that starts a chunk after a line ending", () => {
    const message = Buffer.from("line\n.dot\n");
    expect(encodeInChunks(message, [5]).toString()).toBe("line\r\n..dot\r\n.\r\n");
  });

  it("keeps CRLF as CRLF and turns bare LF and bare CR into CRLF", () => {
    expect(encodeInChunks(Buffer.from("a\r\nb\nc\rd"), []).toString()).toBe(
      "a\r\nb\r\nc\r\nd\r\n.\r\n",
    );
  });

  it("keeps a CRLF split across two chunks as one line ending", () => {
    expect(encodeInChunks(Buffer.from("a\r\n.b"), [2]).toString()).toBe("a\r\n..b\r\n.\r\n");
  });

  it("ends an empty body with the terminator alone", () => {
    expect(encodeInChunks(Buffer.alloc(0), []).toString()).toBe(".\r\n");
  });

  it("gives the normalised message back after unstuffing, whatever the chunking", () => {
    fc.assert(
      fc.property(anyBody, fc.array(fc.nat(), { maxLength: 8 }), (message, cuts) => {
        const wire = encodeInChunks(message, cuts).toString("latin1");
        expect(wire.endsWith("\r\n.\r\n") || wire === ".\r\n").toBe(true);
        const content = wire.slice(0, wire.length - 3);
        expect(unstuff(content)).toBe(normalizeLineEndings(message).toString("latin1"));
      }),
      { numRuns: 500 },
    );
  });

  it("never sends the end-of-data sequence early, and no bare CR or LF", () => {
    fc.assert(
      fc.property(anyBody, fc.array(fc.nat(), { maxLength: 8 }), (message, cuts) => {
        const wire = encodeInChunks(message, cuts).toString("latin1");
        const framed = `\r\n${wire}`; // DATA's own CRLF comes first
        expect(framed.indexOf("\r\n.\r\n")).toBe(framed.length - 5);
        expect(/\r(?!\n)|(?<!\r)\n/.test(wire)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same wire bytes through the client, for a stream in any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.array(fc.nat(), { maxLength: 6 }), async (message, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (message.length + 1)))].sort(
          (a, b) => a - b,
        );
        async function* chunks(): AsyncGenerator<Buffer> {
          let start = 0;
          for (const point of [...points, message.length]) {
            yield message.subarray(start, point);
            start = point;
          }
        }
        const client = new SMTPClient("me");
        record(client, [{ from: "a@x.example", to: ["b@y.example"], data: chunks() }]);
        const transport = new StringTransport();
        client.makeConnection(transport);
        feed(client, "220 hi\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
        transport.clear();
        await drain(transport);
        expect(transport.value().toString("latin1")).toBe(
          encodeInChunks(message, []).toString("latin1"),
        );
      }),
      { numRuns: 100 },
    );
  });
});
