/**
 * The server against independent clients: curl, and Debian's Twisted 22.4 Agent. A missing
 * peer fails the test (the helpers install it).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IPv4Address, Reactor } from "@twisted-ts/core";
import { DEBIAN_PYTHON, ensureDebianPackages, runProcess } from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { Site } from "../../src/server/site.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

class Hello extends Resource {
  override isLeaf = true;
  render_GET(request: IRequest): RenderResult {
    request.setHeader("content-type", "text/plain");
    return `hello ${request.uri}`;
  }
}

class Echo extends Resource {
  override isLeaf = true;
  render_POST(request: IRequest): RenderResult {
    const body = request.content.read();
    const te = request.getHeader("transfer-encoding") ?? "-";
    const args = [...request.args].map(([k, v]) => `${k}=${v.map((x) => x.length).join("|")}`);
    return `${body.length} ${te} ${args.join(",")}`;
  }
}

let reactor: Reactor;
let finished: Promise<void>;
let port: number;
let dir: string;

beforeAll(() => {
  ensureDebianPackages(["curl", "python3-twisted"]);
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  const root = new Resource();
  root.putChild("hello", new Hello());
  root.putChild("echo", new Echo());
  const site = new Site(root, { clock: reactor, accessLog: () => {} });
  port = (reactor.listenTCP(0, site, { interface: "127.0.0.1" }).getHost() as IPv4Address).port;
  dir = mkdtempSync(join(tmpdir(), "twisted-ts-http-interop-"));
}, 600_000);

afterAll(async () => {
  if (reactor?.running) reactor.stop();
  await finished;
});

function curl(...args: string[]) {
  return runProcess("curl", ["-sS", "--max-time", "20", ...args]);
}

describe("our server with curl", () => {
  it("answers HEAD (-I) with headers only", async () => {
    const r = await curl("-I", `http://127.0.0.1:${port}/hello`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toMatch(/\r\nContent-Length: 12\r\n/);
    expect(r.stdout).toMatch(/\r\nServer: TwistedWeb\//);
  });

  it("receives a chunked upload", async () => {
    const file = join(dir, "upload.bin");
    writeFileSync(file, Buffer.alloc(5000, 0x41));
    const r = await curl(
      "-H",
      "Transfer-Encoding: chunked",
      "-H",
      "Content-Type: application/octet-stream",
      "--data-binary",
      `@${file}`,
      `http://127.0.0.1:${port}/echo`,
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("5000 chunked ");
  });

  it("reads a multipart/form-data upload (curl -F) into args", async () => {
    const file = join(dir, "photo.bin");
    writeFileSync(file, Buffer.alloc(3000, 0x42));
    const r = await curl(
      "-F",
      "title=héllo",
      "-F",
      `photo=@${file};type=application/octet-stream`,
      `http://127.0.0.1:${port}/echo`,
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\d+ - title=5,photo=3000$/);
  });

  it("reuses the connection for two URLs in one run", async () => {
    const r = await curl(
      "-v",
      `http://127.0.0.1:${port}/hello`,
      `http://127.0.0.1:${port}/hello?2`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello /hellohello /hello?2");
    expect(r.stderr).toMatch(/Re-using existing connection/);
  });

  it("answers Expect: 100-continue before the body", async () => {
    const file = join(dir, "form.txt");
    writeFileSync(file, `a=${"x".repeat(3000)}`);
    const r = await curl(
      "-v",
      "-H",
      "Expect: 100-continue",
      "-H",
      "Content-Type: application/x-www-form-urlencoded",
      "--data-binary",
      `@${file}`,
      `http://127.0.0.1:${port}/echo`,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/HTTP\/1\.1 100 Continue/);
    expect(r.stdout).toBe("3002 - a=3000");
  });
});

describe("our server with Twisted 22.4's Agent", () => {
  it("serves GET, a form POST, HEAD and a 404 over a persistent pool", async () => {
    const run = await runProcess(DEBIAN_PYTHON, [fixture("twisted_agent_fetch.py"), String(port)]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(String(lines[0]?.twisted)).toMatch(/^22\.4/);
    expect(lines.map((l) => [l.method, l.code, l.body])).toEqual([
      ["GET", 200, "hello /hello?x=1"],
      ["POST", 200, "2006 - a=1,b=2000"],
      ["HEAD", 200, ""],
      ["GET", 404, expect.stringContaining("No Such Resource")],
    ]);
    expect(lines[0]).toMatchObject({ phrase: "OK", version: [1, 1], length: 16 });
    expect(String(lines[0]?.server)).toMatch(/^TwistedWeb\//);
  });
});
