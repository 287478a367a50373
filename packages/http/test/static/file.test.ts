import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { File, Resource, UnsupportedMethod } from "../../src/index.js";
import { DummyRequest, renderRequest } from "../../src/testing.js";
import {
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

const DATE = new Date(MTIME * 1000).toUTCString();
const EARLIER = new Date((MTIME - 10) * 1000).toUTCString();
const LATER = new Date((MTIME + 10) * 1000).toUTCString();
/** The strong ETag of a fixture file of `size` bytes. */
const etagOf = (size: number, suffix = ""): string =>
  `"${size.toString(16)}-${(MTIME * 1000).toString(16)}${suffix}"`;

describe("File serving", () => {
  it("serves a file with its type, length, validators and Accept-Ranges", async () => {
    const { request, body, header } = await get(new File(fixture.root), "/hello.txt");
    expect(request.code).toBe(200);
    expect(body.toString()).toBe("hello world\n");
    expect(header("content-type")).toBe("text/plain; charset=utf-8");
    expect(header("content-length")).toBe("12");
    expect(header("accept-ranges")).toBe("bytes");
    expect(header("last-modified")).toBe(DATE);
    expect(header("etag")).toBe(etagOf(12));
    expect(header("content-encoding")).toBeUndefined();
  });

  it.each([
    ["/page.html", "text/html; charset=utf-8"],
    ["/data.bin", "application/octet-stream"],
    ["/app.js", "text/javascript; charset=utf-8"],
    ["/only.css", "text/css; charset=utf-8"],
    ["/noext", "text/html; charset=utf-8"],
  ])("types %s as %s", async (path, type) => {
    const { header } = await get(new File(fixture.root), path);
    expect(header("content-type")).toBe(type);
  });

  it("uses the given defaultType for unknown extensions (Twisted's positional form)", async () => {
    const { header } = await get(new File(fixture.root, "application/octet-stream"), "/noext");
    expect(header("content-type")).toBe("application/octet-stream");
  });

  it("serves x.tar.gz as application/x-tar with Content-Encoding gzip", async () => {
    const { header } = await get(new File(fixture.root), "/archive.tar.gz");
    expect(header("content-type")).toBe("application/x-tar");
    expect(header("content-encoding")).toBe("gzip");
  });

  it("serves a single file given as the root", async () => {
    const file = new File(join(fixture.root, "hello.txt"));
    const { body, request } = await get(file, [], { uri: "/x" });
    expect(request.code).toBe(200);
    expect(body.toString()).toBe("hello world\n");
  });

  it("serves an empty file with Content-Length 0", async () => {
    const { request, body, header } = await get(new File(fixture.root), "/empty.txt");
    expect(request.code).toBe(200);
    expect(body.length).toBe(0);
    expect(header("content-length")).toBe("0");
  });

  it("answers 404 File not found. for a missing name, a child of a file, and a missing root", async () => {
    for (const path of ["/missing.txt", "/hello.txt/x", "/hello.txt/", "/sub/missing"]) {
      const { request, body } = await get(new File(fixture.root), path);
      expect(request.code, path).toBe(404);
      expect(body.toString()).toContain("File not found.");
    }
    const gone = await get(new File(join(fixture.root, "nope")), []);
    expect(gone.request.code).toBe(404);
  });

  it("retries a missing name with ignoredExts", async () => {
    expect((await get(new File(fixture.root), "/about")).request.code).toBe(404);
    const file = new File(fixture.root, "text/html", [".txt", ".html"]);
    const { body } = await get(file, "/about");
    expect(body.toString()).toBe("<p>about</p>");
  });

  it("refuses methods other than GET and HEAD with UnsupportedMethod", async () => {
    const request = new DummyRequest(["hello.txt"], { method: "POST" });
    const failure = renderRequest(new File(fixture.root), request).asPromise();
    await expect(failure).rejects.toBeInstanceOf(UnsupportedMethod);
    await expect(failure).rejects.toMatchObject({ allowedMethods: ["GET", "HEAD"] });
  });

  it("answers HEAD with the headers of GET and no body, and closes the file", async () => {
    const fileSystem = new RecordingFileSystem();
    const { request, header } = await get(new File(fixture.root, { fileSystem }), "/data.bin", {
      method: "HEAD",
    });
    expect(request.code).toBe(200);
    expect(request.written).toEqual([]);
    expect(header("content-length")).toBe("64");
    expect(header("etag")).toBe(etagOf(64));
    expect(fileSystem.targets("open")).toHaveLength(1);
    expect(fileSystem.targets("close")).toHaveLength(1);
  });
});

describe("File directories", () => {
  it("serves the first index name for a trailing slash", async () => {
    expect((await get(new File(fixture.root), "/sub/")).body.toString()).toBe("<p>sub index</p>");
    const bare = await get(new File(fixture.root), "/plain/");
    expect(bare.body.toString()).toBe("bare index");
    expect(bare.header("content-type")).toBe("text/html; charset=utf-8");
  });

  it("honours custom indexNames", async () => {
    const file = new File(fixture.root, { indexNames: ["inner.txt"] });
    expect((await get(file, "/sub/")).body.toString()).toBe("inner");
  });

  it("redirects a directory without its trailing slash, keeping the query", async () => {
    const { request, body } = await get(new File(fixture.root), "/sub?a=1&b=2");
    expect(request.code).toBe(302);
    expect(request.responseHeaders.getHeader("location")).toBe("/sub/?a=1&b=2");
    expect(body.toString()).toContain('href="/sub/?a=1&#38;b=2"');
  });

  it("redirects a mounted directory to its slashed URL", async () => {
    const root = new Resource();
    root.putChild("static", new File(fixture.root));
    const { request } = await get(root, "/static");
    expect(request.code).toBe(302);
    expect(request.responseHeaders.getHeader("location")).toBe("/static/");
    expect((await get(root, "/static/hello.txt")).body.toString()).toBe("hello world\n");
  });

  it("answers 403 for a directory without an index when listing is off", async () => {
    const { request, body } = await get(new File(fixture.root), "/empty-dir/");
    expect(request.code).toBe(403);
    expect(body.toString()).toContain("Forbidden");
  });

  it("renders the root directory's index or listing when rendered at /", async () => {
    const { request, body } = await get(new File(fixture.root, { listDirectories: true }), "/");
    expect(request.code).toBe(200);
    expect(body.toString()).toContain("Directory listing for /");
  });
});

describe("File dotfiles", () => {
  it("denies dotfiles with 404 by default", async () => {
    expect((await get(new File(fixture.root), "/.secret")).request.code).toBe(404);
    const denied = new File(fixture.root, { dotfiles: "deny" });
    expect((await get(denied, "/.secret")).request.code).toBe(404);
  });

  it.each(["ignore", "allow"] as const)("serves dotfiles under %s", async (dotfiles) => {
    const { request, body } = await get(new File(fixture.root, { dotfiles }), "/.secret");
    expect(request.code).toBe(200);
    expect(body.toString()).toBe("dot secret");
  });
});

describe("File permissions", () => {
  it("answers 403 when opening fails with EACCES, and opens nothing else", async () => {
    const fileSystem = new RecordingFileSystem();
    fileSystem.deniedOpen.add(join(fixture.root, "hello.txt"));
    const { request, body } = await get(new File(fixture.root, { fileSystem }), "/hello.txt");
    expect(request.code).toBe(403);
    expect(body.toString()).toContain("Forbidden Resource");
    expect(fileSystem.openFds.size).toBe(0);
  });

  it("answers 403 when a directory cannot be searched", async () => {
    const fileSystem = new RecordingFileSystem();
    fileSystem.deniedStat.add(join(fixture.root, "sub"));
    const { request } = await get(new File(fixture.root, { fileSystem }), "/sub/inner.txt");
    expect(request.code).toBe(403);
  });
});

describe("File conditional requests", () => {
  type Case = [string, string, Record<string, string>, number];
  const cases: Case[] = [
    ["a matching If-None-Match", "GET", { "if-none-match": etagOf(12) }, 304],
    ["a matching weak If-None-Match", "GET", { "if-none-match": `W/${etagOf(12)}` }, 304],
    ["If-None-Match *", "GET", { "if-none-match": "*" }, 304],
    ["a listed If-None-Match", "GET", { "if-none-match": `"x", ${etagOf(12)}` }, 304],
    ["a stale If-None-Match", "GET", { "if-none-match": '"stale"' }, 200],
    ["a matching If-None-Match on HEAD", "HEAD", { "if-none-match": etagOf(12) }, 304],
    ["If-Modified-Since equal", "GET", { "if-modified-since": DATE }, 304],
    ["If-Modified-Since later", "GET", { "if-modified-since": LATER }, 304],
    ["If-Modified-Since earlier", "GET", { "if-modified-since": EARLIER }, 200],
    ["If-Modified-Since garbage", "GET", { "if-modified-since": "not a date" }, 200],
    [
      "If-None-Match stale beating If-Modified-Since",
      "GET",
      { "if-none-match": '"stale"', "if-modified-since": LATER },
      200,
    ],
    ["a matching If-Match", "GET", { "if-match": etagOf(12) }, 200],
    ["If-Match *", "GET", { "if-match": "*" }, 200],
    ["a stale If-Match", "GET", { "if-match": '"stale"' }, 412],
    ["a weak If-Match (strong comparison)", "GET", { "if-match": `W/${etagOf(12)}` }, 412],
    ["If-Unmodified-Since earlier", "GET", { "if-unmodified-since": EARLIER }, 412],
    ["If-Unmodified-Since equal", "GET", { "if-unmodified-since": DATE }, 200],
    [
      "If-Match beating If-Unmodified-Since",
      "GET",
      { "if-match": etagOf(12), "if-unmodified-since": EARLIER },
      200,
    ],
    [
      "a failed If-Match before a matching If-None-Match",
      "GET",
      { "if-match": '"stale"', "if-none-match": etagOf(12) },
      412,
    ],
  ];

  it.each(cases)("answers %s (%s) with %i", async (_name, method, headers, code) => {
    const fileSystem = new RecordingFileSystem();
    const { request, body, header } = await get(
      new File(fixture.root, { fileSystem }),
      "/hello.txt",
      { method, headers },
    );
    expect(request.code).toBe(code);
    if (code !== 200) {
      expect(body.length).toBe(0);
      expect(header("etag")).toBe(etagOf(12));
      expect(header("last-modified")).toBe(DATE);
    }
    if (code === 412) expect(header("content-length")).toBe("0");
    if (code === 304) expect(header("content-length")).toBeUndefined();
    await eventually(() => fileSystem.openFds.size === 0);
  });

  it("makes weak ETags on request and omits them when disabled", async () => {
    const weak = await get(new File(fixture.root, { etag: "weak" }), "/hello.txt", {
      headers: { "if-none-match": etagOf(12) },
    });
    expect(weak.header("etag")).toBe(`W/${etagOf(12)}`);
    expect(weak.request.code).toBe(304);
    const none = await get(new File(fixture.root, { etag: false }), "/hello.txt");
    expect(none.header("etag")).toBeUndefined();
  });
});

describe("File precompressed siblings", () => {
  type Case = [string, string | undefined, string, string | undefined];
  const cases: Case[] = [
    ["br, gzip", "br, gzip", "BR-BYTES", "br"],
    ["gzip, deflate", "gzip, deflate", "GZ-BYTES", "gzip"],
    ["gzip preferred by q", "gzip;q=1, br;q=0.5", "GZ-BYTES", "gzip"],
    ["br refused with q=0", "br;q=0, gzip", "GZ-BYTES", "gzip"],
    ["x-gzip", "x-gzip", "GZ-BYTES", "gzip"],
    ["*", "*", "BR-BYTES", "br"],
    ["* refused", "*;q=0", "console.log('plain');\n", undefined],
    ["identity", "identity", "console.log('plain');\n", undefined],
    ["no header", undefined, "console.log('plain');\n", undefined],
  ];

  it.each(cases)("serves app.js for Accept-Encoding %s", async (_name, accept, body, coding) => {
    const headers: Record<string, string> =
      accept === undefined ? {} : { "accept-encoding": accept };
    const result = await get(new File(fixture.root), "/app.js", { headers });
    expect(result.body.toString()).toBe(body);
    expect(result.header("content-encoding")).toBe(coding);
    expect(result.header("content-type")).toBe("text/javascript; charset=utf-8");
    expect(result.header("vary")).toBe("Accept-Encoding");
    expect(result.header("content-length")).toBe(String(Buffer.byteLength(body)));
  });

  it("gives each representation its own ETag", async () => {
    const br = await get(new File(fixture.root), "/app.js", {
      headers: { "accept-encoding": "br" },
    });
    const plain = await get(new File(fixture.root), "/app.js");
    expect(br.header("etag")).toBe(etagOf(8, "-br"));
    expect(plain.header("etag")).not.toBe(br.header("etag"));
  });

  it("falls back to the plain file when only an unaccepted sibling exists", async () => {
    const { body, header } = await get(new File(fixture.root), "/only.css", {
      headers: { "accept-encoding": "br" },
    });
    expect(body.toString()).toBe("body{}");
    expect(header("vary")).toBe("Accept-Encoding");
  });

  it("sends no Vary when there is no sibling, and ignores siblings when disabled", async () => {
    expect((await get(new File(fixture.root), "/hello.txt")).header("vary")).toBeUndefined();
    const off = await get(new File(fixture.root, { precompressed: false }), "/app.js", {
      headers: { "accept-encoding": "br" },
    });
    expect(off.body.toString()).toBe("console.log('plain');\n");
    expect(off.header("vary")).toBeUndefined();
  });

  it("applies a range to the encoded bytes", async () => {
    const { request, body } = await get(new File(fixture.root), "/app.js", {
      headers: { "accept-encoding": "gzip", range: "bytes=0-1" },
    });
    expect(request.code).toBe(206);
    expect(body.toString()).toBe("GZ");
  });
});
