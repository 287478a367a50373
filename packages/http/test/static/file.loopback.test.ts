import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { testReactor } from "@twisted-ts/testing-helpers/loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { File, Site } from "../../src/index.js";
import { DATA, type Fixture, makeFixture } from "./fixture.js";

let fixture: Fixture;
const BIG = randomBytes(3 * 1024 * 1024 + 17);
beforeAll(() => {
  fixture = makeFixture();
  writeFileSync(join(fixture.root, "big.bin"), BIG);
});
afterAll(() => fixture.cleanup());

/** Serves the fixture root with our Site on 127.0.0.1, port 0. */
function serve(): number {
  const port = testReactor().listenTCP(0, new Site(new File(fixture.root)), {
    interface: "127.0.0.1",
  });
  return (port.getHost() as { port: number }).port;
}

/** One request with Node's own client (an independent peer). */
function fetchRaw(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("static File over a real socket", () => {
  it("streams a 3 MiB file intact with its Content-Length", async () => {
    const port = serve();
    const res = await fetchRaw(port, "/big.bin");
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBe(String(BIG.length));
    expect(res.body.equals(BIG)).toBe(true);
  });

  it("answers a range, a multipart range, HEAD and a 304", async () => {
    const port = serve();
    const single = await fetchRaw(port, "/data.bin", { headers: { range: "bytes=-100" } });
    expect(single.status).toBe(206);
    expect(single.headers["content-range"]).toBe("bytes 0-63/64");
    expect(single.body.equals(DATA)).toBe(true);
    const multi = await fetchRaw(port, "/data.bin", { headers: { range: "bytes=0-1,5-6" } });
    expect(multi.status).toBe(206);
    expect(multi.headers["content-type"]).toMatch(/^multipart\/byteranges; boundary="/);
    expect(multi.headers["content-length"]).toBe(String(multi.body.length));
    const head = await fetchRaw(port, "/data.bin", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("64");
    expect(head.body.length).toBe(0);
    const etag = head.headers.etag ?? "";
    const cached = await fetchRaw(port, "/data.bin", { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    const unsatisfiable = await fetchRaw(port, "/data.bin", { headers: { range: "bytes=64-" } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers["content-range"]).toBe("bytes */64");
  });

  it("refuses traversal on the wire", async () => {
    const port = serve();
    for (const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%c0%ae%c0%ae/secret.txt",
      "/outfile",
    ]) {
      const res = await fetchRaw(port, path);
      expect(res.status, path).toBe(404);
      expect(res.body.toString()).not.toContain("TOPSECRET");
    }
  });
});
