import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MalformedRequest } from "../../src/errors.js";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { multipartBoundary, parseMultipart } from "../../src/server/multipart.js";
import type { Request } from "../../src/server/request.js";
import { connect, parseResponses } from "./helpers.js";

const B = "----twisted-ts-7MA4YWxk";

function body(parts: string[], boundary = B): Buffer {
  return Buffer.from(
    `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join("")}--${boundary}--\r\n`,
  );
}

describe("parseMultipart", () => {
  it("reads fields and files, with names, file names, types and raw bytes", () => {
    const parts = parseMultipart(
      body([
        'Content-Disposition: form-data; name="title"\r\n\r\nhéllo wörld',
        'Content-Disposition: form-data; name="upload"; filename="a b.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--not-a-boundary',
        'Content-Disposition: form-data; name="empty"\r\n\r\n',
      ]),
      B,
    );
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ["title", undefined, undefined],
      ["upload", "a b.bin", "application/octet-stream"],
      ["empty", undefined, undefined],
    ]);
    expect(parts[0]?.data.toString("utf8")).toBe("héllo wörld");
    expect(parts[1]?.data).toEqual(Buffer.from("\x00\x01\r\n--not-a-boundary", "latin1"));
    expect(parts[2]?.data.length).toBe(0);
  });

  it("ignores a preamble and an epilogue", () => {
    const parts = parseMultipart(
      Buffer.concat([
        Buffer.from("preamble\r\n"),
        body(['Content-Disposition: form-data; name="x"\r\n\r\n1']),
        Buffer.from("epilogue"),
      ]),
      B,
    );
    expect(parts.map((p) => p.data.toString())).toEqual(["1"]);
  });

  const bad: Array<[string, Buffer]> = [
    ["no opening boundary", Buffer.from("Content-Disposition: form-data; name=x\r\n\r\n1")],
    [
      "no closing boundary",
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="x"\r\n\r\n1`),
    ],
    ["no Content-Disposition", body(["Content-Type: text/plain\r\n\r\n1"])],
    ["a disposition without a name", body(["Content-Disposition: form-data\r\n\r\n1"])],
    [
      "a header without a colon",
      body(['Content-Disposition: form-data; name="x"\r\nbogus\r\n\r\n1']),
    ],
    [
      "no blank line after the headers",
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="x"`),
    ],
    ["a preamble not ending in CRLF", Buffer.from(`junk--${B}\r\n\r\n--${B}--`)],
  ];
  for (const [what, input] of bad) {
    it(`refuses ${what} with a 400`, () => {
      expect(() => parseMultipart(input, B)).toThrow(MalformedRequest);
    });
  }

  it("caps the number of parts and the size of part headers", () => {
    const many = body(
      Array.from(
        { length: 5 },
        (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\n${i}`,
      ),
    );
    expect(() => parseMultipart(many, B, { maxParts: 4 })).toThrow(/too many/);
    const big = body([
      `Content-Disposition: form-data; name="x"\r\nX-Pad: ${"p".repeat(200)}\r\n\r\n1`,
    ]);
    expect(() => parseMultipart(big, B, { maxPartHeaderBytes: 100 })).toThrow(/too long/);
  });

  it("never throws anything but MalformedRequest on random bodies", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const input = Buffer.concat([Buffer.from(`--${B}\r\n`), Buffer.from(bytes)]);
        try {
          parseMultipart(input, B);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedRequest);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds the boundary in the Content-Type, quoted or not, and refuses a bad one", () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(multipartBoundary('multipart/form-data; boundary="a b:c"; charset=x')).toBe("a b:c");
    expect(multipartBoundary("multipart/form-data")).toBeUndefined();
    expect(multipartBoundary(`multipart/form-data; boundary=${"x".repeat(71)}`)).toBeUndefined();
  });
});

class Capture extends Resource {
  override isLeaf = true;
  request: Request | undefined;
  override render(request: IRequest): RenderResult {
    this.request = request as Request;
    return "ok";
  }
}

describe("Request with a multipart/form-data body", () => {
  it("puts the fields in args (after the query's) and the parts in parts", () => {
    const root = new Capture();
    const c = connect(root);
    const payload = body([
      'Content-Disposition: form-data; name="a"\r\n\r\n2',
      'Content-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nfile body',
    ]);
    c.feed(
      `POST /?a=1 HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${payload.length}\r\n\r\n${payload.toString("latin1")}`,
    );
    expect(root.request?.args.get("a")).toEqual(["1", "2"]);
    expect(root.request?.args.get("file")).toEqual(["file body"]);
    expect(root.request?.parts.map((p) => [p.name, p.filename])).toEqual([
      ["a", undefined],
      ["file", "f.txt"],
    ]);
    expect(parseResponses(c.out())[0]?.status).toBe(200);
  });

  it("answers a malformed multipart body with 400 and closes", () => {
    const root = new Capture();
    const c = connect(root);
    const payload = `--${B}\r\nno disposition\r\n\r\nx\r\n--${B}--\r\n`;
    c.feed(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`,
    );
    expect(c.out()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(root.request).toBeUndefined();
  });
});
