import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnAndWaitForLine } from "@twisted-ts/testing-helpers";
import { describe, expect, it } from "vitest";
import { FibonacciSequence } from "../src/sequence.js";
import { LineClient } from "./helpers.js";

const app = fileURLToPath(new URL("..", import.meta.url));
const twist = fileURLToPath(new URL("../../../packages/twist/bin/twist.mjs", import.meta.url));

/** Run the app under `twist --state-file` and wait until it listens. */
async function startUnderTwist(stateFile: string) {
  const { spawned, match } = await spawnAndWaitForLine(
    process.execPath,
    [twist, "--state-file", stateFile, "--app", "src/app.ts"],
    /starting on (\d+)/,
    {
      cwd: app,
      env: { ...process.env, FIB_LISTEN: "tcp:0:interface=127.0.0.1", TWIST_FROM_SOURCE: "1" },
    },
  );
  return { spawned, port: Number(match[1]) };
}

async function take(port: number, n: number): Promise<string[]> {
  const client = await LineClient.connect(port);
  for (let i = 0; i < n; i++) client.send("next\n");
  return client.waitForLines(n);
}

describe("apps/fibonacci under twist --state-file", () => {
  it("continues where it left off after SIGTERM and a restart, handing no number out twice", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "fib-twist-")), "fib.json");
    const first = await startUnderTwist(stateFile);
    let before: string[];
    try {
      before = await take(first.port, 5);
    } finally {
      first.spawned.child.kill("SIGTERM");
      await first.spawned.stop();
    }
    expect(first.spawned.stdout()).toContain("Received SIGTERM, shutting down.");
    expect(first.spawned.child.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toBeTypeOf("object");

    const second = await startUnderTwist(stateFile);
    let after: string[];
    try {
      after = await take(second.port, 5);
    } finally {
      second.spawned.child.kill("SIGTERM");
      await second.spawned.stop();
    }
    const sequence = new FibonacciSequence();
    const expected = Array.from({ length: 10 }, () => sequence.next().toString());
    expect([...before, ...after]).toEqual(expected);
  }, 60_000);
});
