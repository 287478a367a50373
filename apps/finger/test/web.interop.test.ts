import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Reactor } from "@twisted-ts/core";
import { ensureDebianPackages } from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FingerApp, makeService } from "../src/service.js";
import { tempDir, until } from "./helpers.js";

let reactor: Reactor;
let finished: Promise<void>;
let app: FingerApp;
let base: string;

const run = promisify(execFile);

/**
 * Run headless Chromium with a fresh profile; resolves with its stdout. Asynchronous: the
 * server under test runs on this process's event loop.
 */
async function chromium(args: readonly string[]): Promise<string> {
  const { stdout } = await run(
    "chromium",
    ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
      .concat(["--disable-component-update", "--no-first-run"])
      .concat([`--user-data-dir=${tempDir("chromium-profile")}`, ...args]),
    { encoding: "utf8", timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

beforeAll(async () => {
  // Under CI=true a missing chromium fails here: it is installed or this throws.
  ensureDebianPackages(["chromium"]);
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  app = makeService(
    {
      users: ["moshez:Happy and well", "glyph:<b>Twisting</b> & <i>turning</i>"],
      finger: "none",
      web: "tcp:0:interface=127.0.0.1",
    },
    reactor,
  );
  app.startService();
  await until(
    () => app.port("web") !== undefined,
    5000,
    () => "the web port",
  );
  base = `http://127.0.0.1:${app.port("web")}`;
}, 600_000);

afterAll(async () => {
  await app?.stopService();
  if (reactor?.running) reactor.stop();
  await finished;
});

describe("the web front end in headless Chromium", () => {
  it("renders a user's page with the status escaped, and takes a screenshot of it", async () => {
    const dom = await chromium(["--dump-dom", `${base}/glyph`]);
    expect(dom).toContain("<title>glyph</title>");
    expect(dom).toContain("<h1>glyph</h1>");
    // The markup in the status is text, not elements.
    expect(dom).toContain("<p>&lt;b&gt;Twisting&lt;/b&gt; &amp; &lt;i&gt;turning&lt;/i&gt;</p>");
    expect(dom).not.toMatch(/<b>|<i>/);

    const png = join(tempDir("screenshot"), "glyph.png");
    await chromium([`--screenshot=${png}`, "--window-size=800,600", `${base}/glyph`]);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(statSync(png).size).toBeGreaterThan(2000);
    // 800 × 600, from the IHDR chunk.
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([800, 600]);
  }, 120_000);

  it("renders the index with a link per user that leads to its page", async () => {
    const dom = await chromium(["--dump-dom", `${base}/`]);
    expect(dom).toContain('<a href="moshez">moshez</a>');
    expect(dom).toContain('<a href="glyph">glyph</a>');
    const page = await chromium(["--dump-dom", `${base}/moshez`]);
    expect(page).toContain("<p>Happy and well</p>");
  }, 120_000);
});
