/**
 * Load against our Site from independently written HTTP/1.1 load generators: ApacheBench
 * (`ab`, apache2-utils) with keep-alive, and nghttp2's `h2load --h1` with pipelining. Each
 * run is checked from the tool's own summary: every request completed, none failed, every
 * response 2xx. A missing tool fails the test (the helper installs it).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type IListeningPort, type IPv4Address, Reactor } from "@twisted-ts/core";
import { ensureDebianPackages, runProcess } from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { Site } from "../../src/server/site.js";
import { File } from "../../src/static/file.js";

const REQUESTS = 2000;
const CONCURRENCY = 16;
const STATIC_BODY = Buffer.alloc(4096, "twisted-ts\n");

class Hello extends Resource {
  override isLeaf = true;
  render_GET(request: IRequest): RenderResult {
    request.setHeader("content-type", "text/plain");
    return "Hello, world!\n";
  }
}

let reactor: Reactor;
let finished: Promise<void>;
let listening: IListeningPort;
let base: string;
let dir: string;

beforeAll(() => {
  ensureDebianPackages(["apache2-utils", "nghttp2-client"]);
  dir = mkdtempSync(join(tmpdir(), "http-load-"));
  writeFileSync(join(dir, "page.txt"), STATIC_BODY);
  const root = new Resource();
  root.putChild("hello", new Hello());
  root.putChild("static", new File(dir));
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  // An access log sink that drops lines: the global log would dominate the timings.
  const site = new Site(root, { accessLog: () => undefined, clock: reactor });
  listening = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
  base = `http://127.0.0.1:${(listening.getHost() as IPv4Address).port}`;
});

afterAll(async () => {
  await listening.stopListening();
  reactor.stop();
  await finished;
  rmSync(dir, { recursive: true, force: true });
});

/** The number after `label` in a tool's summary (e.g. "Failed requests:        0"). */
function field(output: string, label: RegExp): number {
  const match = label.exec(output);
  if (match === null) throw new Error(`no ${label} in:\n${output}`);
  return Number(match[1]);
}

/** Run ab and return its summary's numbers. */
async function ab(path: string, extra: readonly string[] = []) {
  const run = await runProcess(
    "ab",
    ["-q", "-n", String(REQUESTS), "-c", String(CONCURRENCY), ...extra, `${base}${path}`],
    { timeoutMs: 30_000 },
  );
  expect(run.code, run.stderr).toBe(0);
  const out = run.stdout;
  return {
    out,
    complete: field(out, /^Complete requests:\s+(\d+)/m),
    failed: field(out, /^Failed requests:\s+(\d+)/m),
    non2xx: /^Non-2xx responses:\s+(\d+)/m.test(out)
      ? field(out, /^Non-2xx responses:\s+(\d+)/m)
      : 0,
    keepAlive: field(out, /^Keep-Alive requests:\s+(\d+)/m),
    documentLength: field(out, /^Document Length:\s+(\d+) bytes/m),
  };
}

/** Run h2load over HTTP/1.1 with `-m` requests pipelined per connection. */
async function h2load(path: string) {
  const run = await runProcess(
    "h2load",
    ["--h1", "-n", String(REQUESTS), "-c", String(CONCURRENCY), "-m", "4", `${base}${path}`],
    { timeoutMs: 30_000 },
  );
  expect(run.code, run.stderr).toBe(0);
  const out = run.stdout;
  const requests =
    /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(
      out,
    );
  const codes = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(out);
  if (requests === null || codes === null) throw new Error(`unexpected h2load output:\n${out}`);
  const [total, , done, succeeded, failed, errored, timeout] = requests.slice(1).map(Number);
  const [ok2xx, , c4xx, c5xx] = codes.slice(1).map(Number);
  return { out, total, done, succeeded, failed, errored, timeout, ok2xx, c4xx, c5xx };
}

describe("ab (ApacheBench) against our Site", () => {
  it("completes 2000 keep-alive requests for a hello-world resource with no failures", async () => {
    const result = await ab("/hello", ["-k"]);
    expect(result.complete).toBe(REQUESTS);
    expect(result.failed).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.documentLength).toBe("Hello, world!\n".length);
    // ab speaks HTTP/1.0 with "Connection: Keep-Alive"; like twisted.web, our server does not
    // keep HTTP/1.0 connections alive (see the channel's docs), so ab opens one per request.
    expect(result.keepAlive).toBe(0);
  });

  it("completes 2000 requests for a static file with no failures", async () => {
    const result = await ab("/static/page.txt", ["-k"]);
    expect(result.complete).toBe(REQUESTS);
    expect(result.failed).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.documentLength).toBe(STATIC_BODY.length);
  });
});

describe("h2load --h1 (pipelined HTTP/1.1) against our Site", () => {
  for (const [what, path] of [
    ["a hello-world resource", "/hello"],
    ["a static file", "/static/page.txt"],
  ] as const) {
    it(`answers 2000 pipelined requests for ${what}, all 2xx`, async () => {
      const result = await h2load(path);
      expect(result.total).toBe(REQUESTS);
      expect(result.done).toBe(REQUESTS);
      expect(result.succeeded).toBe(REQUESTS);
      expect([result.failed, result.errored, result.timeout]).toEqual([0, 0, 0]);
      expect(result.ok2xx).toBe(REQUESTS);
      expect([result.c4xx, result.c5xx]).toEqual([0, 0]);
    });
  }
});
