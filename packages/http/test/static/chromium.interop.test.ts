import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianPackages, runProcess } from "@twisted-ts/testing-helpers";
import { testReactor } from "@twisted-ts/testing-helpers/loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { File, Site } from "../../src/index.js";
import { type Fixture, makeFixture } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";

let fixture: Fixture;
beforeAll(() => {
  // The independent peer: Debian's Chromium. A missing peer fails the run, never skips.
  ensureDebianPackages(["chromium"]);
  fixture = makeFixture();
}, 600_000);
afterAll(() => fixture?.cleanup());

/** Serves the fixture root with our Site on 127.0.0.1, port 0; returns the base URL. */
function serve(): string {
  const file = new File(fixture.root, { listDirectories: true });
  const port = testReactor().listenTCP(0, new Site(file), { interface: "127.0.0.1" });
  return `http://127.0.0.1:${(port.getHost() as { port: number }).port}`;
}

/** Loads a URL in headless Chromium and returns the serialised DOM. */
async function dumpDOM(url: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), "twisted-ts-chromium-"));
  try {
    const result = await runProcess(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--dump-dom",
        url,
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    return result.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe("static File in headless Chromium", () => {
  it("renders an HTML page with its title", async () => {
    const dom = await dumpDOM(`${serve()}/page.html`);
    expect(dom).toContain("<title>Static Page</title>");
    expect(dom).toMatch(/<p id="x">hi<\/p>/);
  });

  it("renders the directory listing with escaped names and no injected markup", async () => {
    const dom = await dumpDOM(`${serve()}/listed/`);
    expect(dom).toContain("<title>Directory listing for /listed/</title>");
    const rows = [...dom.matchAll(/<tr class="(odd|even)">/g)].map((m) => m[1]);
    expect(rows).toEqual(["odd", "even", "odd", "even", "odd", "even"]);
    expect(dom).toContain("&lt;img src=x onerror=alert(1)&gt;.txt");
    expect(dom).not.toMatch(/<img/);
    expect(dom).toContain('href="javascript%3Aalert%281%29"');
    expect(dom).toContain('<a href="adir/">adir/</a>');
    expect(dom).not.toContain(".hidden");
  });

  it("follows the directory redirect to the index page", async () => {
    const dom = await dumpDOM(`${serve()}/sub`);
    expect(dom).toContain("sub index");
  });
});
