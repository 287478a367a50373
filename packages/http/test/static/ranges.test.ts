import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { File, parseRangeHeader, resolveRange } from "../../src/index.js";
import {
  DATA,
  eventually,
  type Fixture,
  get,
  MTIME,
  makeFixture,
  RecordingFileSystem,
} from "./fixture.js";

let fixture: Fixture;
beforeAll(() => {
  fixture = makeFixture();
});
afterAll(() => fixture.cleanup());

const ETAG = `"40-${(MTIME * 1000).toString(16)}"`;
const DATE = new Date(MTIME * 1000).toUTCString();

/** Requests data.bin (64 bytes: 0…63) with a Range header. */
function range(value: string, headers: Record<string, string> = {}, method = "GET") {
  return get(new File(fixture.root), "/data.bin", {
    method,
    headers: { range: value, ...headers },
  });
}

/** Splits a multipart/byteranges body into its parts. */
function parseMultipart(body: Buffer, boundary: string): { headers: string[]; data: Buffer }[] {
  const text = body.toString("latin1");
  expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
  const pieces = text.split(`\r\n--${boundary}`).slice(1, -1);
  return pieces.map((piece) => {
    const end = piece.indexOf("\r\n\r\n");
    return {
      headers: piece.slice(2, end).split("\r\n"),
      data: Buffer.from(piece.slice(end + 4), "latin1"),
    };
  });
}

describe("File single ranges", () => {
  it.each([
    ["bytes=0-9", 0, 9],
    ["bytes=10-", 10, 63],
    ["bytes=-10", 54, 63],
    ["bytes=60-1000", 60, 63],
    ["bytes=63-63", 63, 63],
    ["bytes=0-0", 0, 0],
    ["BYTES = 5-6", 5, 6],
    ["bytes=-64", 0, 63],
    ["bytes=-100", 0, 63],
    ["bytes=0-", 0, 63],
    ["bytes= 3-4 ,", 3, 4],
  ])("answers %s with 206 and bytes %i-%i", async (value, start, end) => {
    const { request, body, header } = await range(value);
    expect(request.code).toBe(206);
    expect(header("content-range")).toBe(`bytes ${start}-${end}/64`);
    expect(header("content-length")).toBe(String(end - start + 1));
    expect(header("content-type")).toBe("application/octet-stream");
    expect(body.equals(DATA.subarray(start, end + 1))).toBe(true);
  });

  it.each(["bytes=64-", "bytes=100-200", "bytes=-0", "bytes=64-64"])(
    "answers the unsatisfiable %s with 416 and bytes */64",
    async (value) => {
      const fileSystem = new RecordingFileSystem();
      const { request, body, header } = await get(
        new File(fixture.root, { fileSystem }),
        "/data.bin",
        {
          headers: { range: value },
        },
      );
      expect(request.code).toBe(416);
      expect(header("content-range")).toBe("bytes */64");
      expect(header("content-length")).toBe("0");
      expect(body.length).toBe(0);
      await eventually(() => fileSystem.openFds.size === 0);
    },
  );

  it("answers any range of an empty file with 416", async () => {
    for (const value of ["bytes=0-", "bytes=-5"]) {
      const { request, header } = await get(new File(fixture.root), "/empty.txt", {
        headers: { range: value },
      });
      expect(request.code).toBe(416);
      expect(header("content-range")).toBe("bytes */0");
    }
  });

  it.each([
    "items=0-5",
    "bytes=5-2",
    "bytes=abc",
    "bytes=",
    "bytes=-",
    "bytes=1-2-3",
    "bytes 0-5",
    "bytes=0x1-5",
    "bytes=+1-5",
    "bytes=1-99999999999999999999",
  ])("ignores the invalid %s and sends the whole file", async (value) => {
    const { request, body, header } = await range(value);
    expect(request.code).toBe(200);
    expect(header("content-range")).toBeUndefined();
    expect(body.equals(DATA)).toBe(true);
  });

  it("ignores Range on HEAD", async () => {
    const { request, header, body } = await range("bytes=0-9", {}, "HEAD");
    expect(request.code).toBe(200);
    expect(header("content-length")).toBe("64");
    expect(body.length).toBe(0);
  });

  it("ignores a Range with more specs than maxRanges", async () => {
    const many = `bytes=${Array.from({ length: 101 }, (_, i) => `${i % 60}-${i % 60}`).join(",")}`;
    expect((await range(many)).request.code).toBe(200);
    const file = new File(fixture.root, { maxRanges: 2 });
    const limited = await get(file, "/data.bin", { headers: { range: "bytes=0-1,2-3,4-5" } });
    expect(limited.request.code).toBe(200);
  });
});

describe("File multiple ranges", () => {
  it("answers several ranges with a multipart/byteranges 206", async () => {
    const { request, body, header } = await range("bytes=0-1,10-12,-2");
    expect(request.code).toBe(206);
    const type = header("content-type") ?? "";
    const m = /^multipart\/byteranges; boundary="([0-9a-f]+)"$/.exec(type);
    expect(m).not.toBeNull();
    const boundary = m?.[1] ?? "";
    expect(header("content-length")).toBe(String(body.length));
    expect(header("content-range")).toBeUndefined();
    const parts = parseMultipart(body, boundary);
    expect(parts.map((p) => p.headers)).toEqual([
      ["Content-Type: application/octet-stream", "Content-Range: bytes 0-1/64"],
      ["Content-Type: application/octet-stream", "Content-Range: bytes 10-12/64"],
      ["Content-Type: application/octet-stream", "Content-Range: bytes 62-63/64"],
    ]);
    expect(parts.map((p) => [...p.data])).toEqual([
      [0, 1],
      [10, 11, 12],
      [62, 63],
    ]);
  });

  it("leaves unsatisfiable parts out", async () => {
    const { request, body, header } = await range("bytes=100-200,0-1,-0");
    expect(request.code).toBe(206);
    const boundary = /boundary="([^"]+)"/.exec(header("content-type") ?? "")?.[1] ?? "";
    const parts = parseMultipart(body, boundary);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.headers[1]).toBe("Content-Range: bytes 0-1/64");
  });

  it("answers 416 when no part is satisfiable", async () => {
    const { request, header, body } = await range("bytes=100-,200-300");
    expect(request.code).toBe(416);
    expect(header("content-range")).toBe("bytes */64");
    expect(header("content-length")).toBe("0");
    expect(body.length).toBe(0);
  });

  it("uses a fresh boundary each time", async () => {
    const a = (await range("bytes=0-1,2-3")).header("content-type");
    const b = (await range("bytes=0-1,2-3")).header("content-type");
    expect(a).not.toBe(b);
  });
});

describe("File If-Range", () => {
  it.each([
    ["the current ETag", ETAG, 206],
    ["another ETag", '"other"', 200],
    ["the weak form of the ETag", `W/${ETAG}`, 200],
    ["the Last-Modified date", DATE, 206],
    ["another date", new Date((MTIME + 1) * 1000).toUTCString(), 200],
    ["garbage", "whenever", 200],
  ])("with %s answers %i", async (_name, value, code) => {
    const { request, body } = await range("bytes=0-3", { "if-range": value });
    expect(request.code).toBe(code);
    expect(body.length).toBe(code === 206 ? 4 : 64);
  });
});

describe("parseRangeHeader and resolveRange", () => {
  it("parses specs and resolves them against a size", () => {
    expect(parseRangeHeader("bytes=1-2, 5-, -3")).toEqual([
      { first: 1, last: 2 },
      { first: 5, last: undefined },
      { first: undefined, last: 3 },
    ]);
    expect(resolveRange({ first: undefined, last: 100 }, 64)).toEqual({ start: 0, end: 63 });
    expect(resolveRange({ first: 10, last: 5000 }, 64)).toEqual({ start: 10, end: 63 });
    expect(resolveRange({ first: 64, last: undefined }, 64)).toBeUndefined();
    expect(resolveRange({ first: 0, last: 0 }, 0)).toBeUndefined();
  });
});
