import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ensureDebianPackages,
  localhostCertificate,
  runProcess,
} from "@twisted-ts/testing-helpers";
import { testReactor } from "@twisted-ts/testing-helpers/loopback";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../src/client/agent.js";
import { getPage } from "../../src/client/getPage.js";
import { HTTPConnectionPool } from "../../src/client/pool.js";
import { readBody } from "../../src/client/readBody.js";
import { startTwistWeb, stopTwistWeb } from "./twistWeb.js";

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory with a small site in `public/`. */
function tempSite(): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), "twist-web-loopback-"));
  temporary.push(dir);
  const root = join(dir, "public");
  mkdirSync(join(root, "docs"), { recursive: true });
  mkdirSync(join(root, "bare"));
  writeFileSync(join(root, "index.html"), "<h1>index</h1>");
  writeFileSync(join(root, "home.html"), "<h1>home</h1>");
  writeFileSync(join(root, "hello.txt"), "hello, world\n");
  writeFileSync(join(root, "docs", "a.txt"), "a");
  writeFileSync(join(root, "bare", "b.txt"), "b");
  return { dir, root };
}

beforeAll(() => {
  ensureDebianPackages(["curl"]);
});

describe("twist web, run as a real process", () => {
  it("serves a directory to our Agent, getPage and curl, and stops on SIGTERM", async () => {
    const { dir, root } = tempSite();
    const access = join(dir, "access.log");
    const twist = await startTwistWeb([
      "--listen",
      "tcp:0:interface=127.0.0.1",
      "--path",
      root,
      "--logfile",
      access,
    ]);
    const base = `http://127.0.0.1:${twist.ports[0]}`;
    const reactor = testReactor();

    expect((await getPage(`${base}/hello.txt`, { reactor })).toString()).toBe("hello, world\n");
    const agent = new Agent(reactor, { pool: new HTTPConnectionPool(reactor) });
    const response = await agent.request("GET", `${base}/`);
    expect(response.code).toBe(200);
    expect((await readBody(response)).toString()).toBe("<h1>index</h1>");
    const missing = await agent.request("GET", `${base}/nope`);
    expect(missing.code).toBe(404);
    await readBody(missing);
    const listing = await agent.request("GET", `${base}/bare/`);
    expect(listing.code).toBe(403);
    await readBody(listing);

    const curl = await runProcess("curl", ["-sS", "-i", `${base}/hello.txt`]);
    expect(curl.code).toBe(0);
    expect(curl.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(curl.stdout).toMatch(/\r\nContent-Type: text\/plain/i);
    expect(curl.stdout.endsWith("\r\n\r\nhello, world\n")).toBe(true);
    const range = await runProcess("curl", ["-sS", "-r", "0-4", `${base}/hello.txt`]);
    expect(range.stdout).toBe("hello");

    expect(await stopTwistWeb(twist)).toBe(0);
    const log = readFileSync(access, "utf8");
    expect(log).toMatch(/"GET \/hello\.txt HTTP\/1\.1" 200 13 "-" "curl\//);
    expect(log).toMatch(/"GET \/nope HTTP\/1\.1" 404 /);
    // The access log goes to --logfile, not to the runner's log on standard output.
    expect(twist.stdout()).not.toContain("GET /hello.txt");
    expect(twist.stdout()).toContain("Main loop terminated.");
  });

  it("takes --port, --index and --list-directories, and the runner's own --logfile before web", async () => {
    const { dir, root } = tempSite();
    const runnerLog = join(dir, "twist.log");
    const port = await freeLocalPort();
    const twist = await startTwistWeb(
      ["--port", String(port), "--path", root, "--index", "home.html", "--list-directories"],
      { runnerArgs: ["--logfile", runnerLog], logFile: runnerLog },
    );
    expect(twist.ports).toEqual([port]);
    const base = `http://127.0.0.1:${port}`;
    const index = await runProcess("curl", ["-sS", `${base}/`]);
    expect(index.stdout).toBe("<h1>home</h1>");
    const listing = await runProcess("curl", ["-sS", "-w", "%{http_code}", `${base}/bare/`]);
    expect(listing.stdout).toMatch(/b\.txt[\s\S]*200$/);
    expect(await stopTwistWeb(twist)).toBe(0);
    const log = readFileSync(runnerLog, "utf8");
    expect(log).toContain("Site starting on");
    expect(log).toMatch(/"GET \/bare\/ HTTP\/1\.1" 200/); // no --logfile after web: the global log
  });

  it("serves TLS on an ssl: endpoint", async () => {
    const { dir, root } = tempSite();
    const { key, cert } = localhostCertificate();
    writeFileSync(join(dir, "key.pem"), key);
    writeFileSync(join(dir, "cert.pem"), cert);
    const twist = await startTwistWeb(
      [
        "--listen",
        "tcp:0:interface=127.0.0.1",
        "--listen",
        `ssl:0:interface=127.0.0.1:privateKey=${join(dir, "key.pem")}:certKey=${join(dir, "cert.pem")}`,
        "--path",
        root,
      ],
      { ports: 2 },
    );
    const tlsPort = twist.ports[1];
    const reactor = testReactor();
    const agent = new Agent(reactor, { tls: { ca: cert, servername: "localhost" } });
    const response = await agent.request("GET", `https://localhost:${tlsPort}/hello.txt`);
    expect(response.code).toBe(200);
    expect((await readBody(response)).toString()).toBe("hello, world\n");
    const curl = await runProcess("curl", [
      "-sS",
      "--cacert",
      join(dir, "cert.pem"),
      "--resolve",
      `localhost:${tlsPort}:127.0.0.1`,
      `https://localhost:${tlsPort}/docs/a.txt`,
    ]);
    expect(curl.stdout).toBe("a");
    expect(await stopTwistWeb(twist)).toBe(0);
  });

  it("exits non-zero with a message for a --path that does not exist", async () => {
    const twist = startTwistWeb(["--port", "0", "--path", "/nonexistent/twist-web"]);
    await expect(twist).rejects.toThrow(/no such file or directory/);
  });
});

async function freeLocalPort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === "object" && address !== null ? address.port : 0),
      );
    });
  });
}
