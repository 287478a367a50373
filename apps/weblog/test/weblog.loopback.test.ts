import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IPv4Address } from "@twisted-ts/core";
import { runProcess, spawnAndWaitForLine } from "@twisted-ts/testing-helpers";
import { describe, expect, it } from "vitest";
import { makeService } from "../src/weblog.js";
import { combined } from "./fakeFiles.js";
import { LineClient, onCleanup, testReactor } from "./helpers.js";

const app = fileURLToPath(new URL("..", import.meta.url));
const main = ["--import", "tsx", "--conditions=@twisted-ts/source", "src/main.ts"];

/** A fresh access log in a temp directory, with one line in it already. */
function tempLog(): string {
  const path = join(mkdtempSync(join(tmpdir(), "weblog-")), "access.log");
  writeFileSync(path, combined("10.9.9.9", "/already-there-before-the-server-started"));
  return path;
}

/** The request of each `<hit/>` line. */
function requests(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const m = /^<hit .*request="([^"]*)"/.exec(line);
    return m === null ? [] : [m[1] as string];
  });
}

/**
 * The weblog service on a free port of 127.0.0.1, polling every 20 ms and sending every 50 ms,
 * following `log`; stopped after the test.
 */
async function startService(log: string) {
  const service = makeService({
    logfile: log,
    listen: "tcp:0:interface=127.0.0.1",
    reactor: testReactor(),
    pollInterval: 0.02,
    sendInterval: 0.05,
  });
  service.privilegedStartService();
  service.startService();
  onCleanup(async () => {
    if (service.running) await service.stopService();
  });
  await service.factory.whenStarted();
  const listening = service.listener.listeningPort;
  if (listening === undefined) throw new Error("not listening");
  return { service, port: (listening.getHost() as IPv4Address).port };
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe("the weblog server over loopback", () => {
  it("streams appended, truncated and rotated logs' hits to two clients", async () => {
    const log = tempLog();
    const { service, port } = await startService(log);
    const clients = [await LineClient.connect(port), await LineClient.connect(port)];
    for (const client of clients) expect(await client.waitForLines(1)).toEqual(["<hits>"]);

    const expectBoth = async (expected: string[]) => {
      for (const client of clients) {
        await client.waitForLines(1 + expected.length);
        expect(requests(client.lines)).toEqual(expected);
      }
    };

    appendFileSync(log, combined("10.0.0.1", "/one") + combined("10.0.0.2", "/two"));
    await expectBoth(["GET /one HTTP/1.0", "GET /two HTTP/1.0"]);

    const partial = combined("10.0.0.3", "/partial");
    appendFileSync(log, partial.slice(0, 30));
    await sleep(150);
    expect(clients[0]?.lines).toHaveLength(3);
    appendFileSync(log, partial.slice(30));
    await expectBoth(["GET /one HTTP/1.0", "GET /two HTTP/1.0", "GET /partial HTTP/1.0"]);

    truncateSync(log, 0);
    appendFileSync(log, combined("1.1.1.1", "/t"));
    await expectBoth([
      "GET /one HTTP/1.0",
      "GET /two HTTP/1.0",
      "GET /partial HTTP/1.0",
      "GET /t HTTP/1.0",
    ]);

    appendFileSync(log, combined("10.0.0.4", "/just-before-rotation"));
    renameSync(log, `${log}.1`);
    writeFileSync(log, combined("10.0.0.5", "/rotated"));
    await expectBoth([
      "GET /one HTTP/1.0",
      "GET /two HTTP/1.0",
      "GET /partial HTTP/1.0",
      "GET /t HTTP/1.0",
      "GET /just-before-rotation HTTP/1.0",
      "GET /rotated HTTP/1.0",
    ]);
    expect(service.factory.follower.counts).toMatchObject({ truncations: 1, rotations: 1 });

    await service.stopService();
    for (const client of clients) {
      await client.waitForEnd();
      expect(client.lines.at(-1)).toBe("</hits>");
    }
  });

  it("starts at the end of the log: a client sees none of what was there before", async () => {
    const log = tempLog();
    const { service, port } = await startService(log);
    const client = await LineClient.connect(port);
    await client.waitForLines(1);
    await sleep(150);
    appendFileSync(log, combined("10.0.0.1", "/new"));
    await client.waitForLines(2);
    expect(requests(client.lines)).toEqual(["GET /new HTTP/1.0"]);
    expect(service.factory.lastSeq).toBe(1);
  });
});

describe("src/main.ts, run as a program", () => {
  it("streams a new hit, and ends the stream with </hits> on SIGTERM", async () => {
    const log = tempLog();
    const { spawned, match } = await spawnAndWaitForLine(
      process.execPath,
      [...main, log, "--port", "0", "--poll", "0.05", "--send", "0.1"],
      /port=(\d+)\)/,
      { cwd: app },
    );
    onCleanup(() => spawned.stop());
    expect(spawned.stdout()).toContain(`weblog following ${log}`);
    const client = await LineClient.connect(Number(match[1]));
    await client.waitForLines(1);
    appendFileSync(log, combined("203.0.113.7", "/from-the-process"));
    const [, hit] = await client.waitForLines(2);
    expect(hit).toBe(
      '<hit host="203.0.113.7" time="10/Oct/2000:13:55:36 -0700" request="GET /from-the-process HTTP/1.0" status="200" bytes="1234" referer="http://example.com/" agent="Mozilla/5.0"/>',
    );
    await spawned.stop();
    expect(spawned.child.exitCode).toBe(0);
    await client.waitForEnd();
    expect(client.lines).toEqual(["<hits>", hit, "</hits>"]);
  });

  it("refuses a missing log file with a usage message", async () => {
    const r = await runProcess(process.execPath, [...main, "/no/such/access.log"], { cwd: app });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("weblog: /no/such/access.log: no such file");
    expect(r.stderr).toContain("usage: weblog <logfile> [--port 8020]");
  });
});
