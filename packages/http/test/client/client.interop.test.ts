import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEBIAN_PYTHON,
  ensureDebianPackages,
  type Spawned,
  spawnAndWaitForLine,
} from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/client/agent.js";
import { ContentDecoderAgent, GzipDecoder } from "../../src/client/contentDecoder.js";
import { CookieAgent, CookieJar } from "../../src/client/cookies.js";
import { getPage } from "../../src/client/getPage.js";
import { HTTPConnectionPool } from "../../src/client/pool.js";
import { readBody } from "../../src/client/readBody.js";
import { RedirectAgent } from "../../src/client/redirect.js";
import { WebError } from "../../src/errors.js";
import { Headers } from "../../src/headers.js";

const here = dirname(fileURLToPath(import.meta.url));
const BIG = Buffer.alloc(3 * 1024 * 1024 + 17, "t");

let twisted: Spawned;
let base: string;

beforeAll(async () => {
  ensureDebianPackages(["python3-twisted"]);
  const dir = mkdtempSync(join(tmpdir(), "twisted-web-"));
  const staticDir = join(dir, "static");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, "hello.txt"), "hello from twisted\n");
  writeFileSync(join(staticDir, "big.bin"), BIG);
  const { spawned, match } = await spawnAndWaitForLine(
    DEBIAN_PYTHON,
    [join(here, "fixtures", "twisted_web.py"), staticDir, join(dir, "twistd.log")],
    /PORT (\d+)/,
  );
  twisted = spawned;
  base = `http://127.0.0.1:${match[1]}`;
});

afterAll(async () => {
  await twisted?.stop();
});

describe("Agent against Twisted 22.4's web server (interop)", () => {
  it("fetches a static file with Agent and readBody", async () => {
    const reactor = testReactor();
    const response = await new Agent(reactor).request("GET", `${base}/static/hello.txt`);
    expect(response.code).toBe(200);
    expect(response.headers.getHeader("server")).toMatch(/TwistedWeb/);
    expect(response.headers.getHeader("accept-ranges")).toBe("bytes");
    expect((await readBody(response)).toString()).toBe("hello from twisted\n");
  });

  it("reuses a persistent connection for several requests, including a big file", async () => {
    const reactor = testReactor();
    const pool = new HTTPConnectionPool(reactor);
    onCleanup(() => pool.closeCachedConnections().asPromise());
    const agent = new Agent(reactor, { pool });
    const big = await readBody(await agent.request("GET", `${base}/static/big.bin`));
    expect(big.equals(BIG)).toBe(true);
    expect(pool.cachedConnectionCount(`http:${base.slice(5)}`)).toBe(1);
    for (let i = 0; i < 3; i++) {
      await readBody(await agent.request("GET", `${base}/static/hello.txt`));
    }
    // Two connections would both have been kept (maxPersistentPerHost is 2): one was reused.
    expect(pool.cachedConnectionCount(`http:${base.slice(5)}`)).toBe(1);
  });

  it("asks for a byte range and gets a 206", async () => {
    const reactor = testReactor();
    const response = await new Agent(reactor).request(
      "GET",
      `${base}/static/hello.txt`,
      new Headers({ range: ["bytes=0-4"] }),
    );
    expect(response.code).toBe(206);
    expect((await readBody(response)).toString()).toBe("hello");
  });

  it("gets a HEAD response without a body", async () => {
    const reactor = testReactor();
    const response = await new Agent(reactor).request("HEAD", `${base}/static/hello.txt`);
    expect(response.length).toBe(19);
    expect((await readBody(response)).length).toBe(0);
  });

  it("follows Twisted's redirects with RedirectAgent", async () => {
    const reactor = testReactor();
    const agent = new RedirectAgent(new Agent(reactor));
    const response = await agent.request("GET", `${base}/redirect`);
    expect(response.code).toBe(200);
    expect(response.previousResponse?.code).toBe(302);
    expect((await readBody(response)).toString()).toBe("hello from twisted\n");
    const directory = await agent.request("GET", `${base}/static`);
    // Twisted 22.4 redirects a directory without its trailing slash with a 302.
    expect(directory.previousResponse?.code).toBe(302);
    expect((await readBody(directory)).toString()).toContain("Directory listing for /static/");
  });

  it("keeps Twisted's cookies with CookieAgent", async () => {
    const reactor = testReactor();
    const agent = new CookieAgent(new Agent(reactor), new CookieJar());
    await readBody(await agent.request("GET", `${base}/setcookie`));
    expect((await readBody(await agent.request("GET", `${base}/echocookie`))).toString()).toBe(
      "session=twisted",
    );
  });

  it("decodes Twisted's gzip encoding", async () => {
    const reactor = testReactor();
    const agent = new ContentDecoderAgent(new Agent(reactor), [["gzip", GzipDecoder]]);
    const response = await agent.request("GET", `${base}/gzip`);
    expect((await readBody(response)).toString()).toBe("zipped ".repeat(500));
  });

  it("getPage follows a redirect and reports Twisted's 404 as a WebError", async () => {
    const reactor = testReactor();
    expect((await getPage(`${base}/redirect`, { reactor })).toString()).toBe(
      "hello from twisted\n",
    );
    const error = await getPage(`${base}/nope`, { reactor })
      .asPromise()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebError);
    expect((error as WebError).status).toBe(404);
    expect((error as WebError).response?.toString()).toContain("No Such Resource");
  });

  it("getPage posts data, and a 303 answer is fetched with GET", async () => {
    const reactor = testReactor();
    const body = await getPage(`${base}/method`, { reactor, method: "POST", postdata: "x=1" });
    expect(body.toString()).toBe("GET");
  });
});
