import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IPv4Address } from "@twisted-ts/core";
import { spawnAndWaitForLine } from "@twisted-ts/testing-helpers";
import { describe, expect, it } from "vitest";
import { makeService } from "../src/fibonacci.js";
import { FibonacciSequence } from "../src/sequence.js";
import { LineClient, onCleanup, testReactor } from "./helpers.js";

const app = fileURLToPath(new URL("..", import.meta.url));
const main = ["--import", "tsx", "--conditions=@twisted-ts/source", "src/main.ts"];
const ready = /port=(\d+)\); next after (\d+)/;

/** The first `n` numbers the sequence hands out, as decimal strings. */
function expected(n: number): string[] {
  const sequence = new FibonacciSequence();
  return Array.from({ length: n }, () => sequence.next().toString());
}

/** Start the service on a free port of 127.0.0.1, stopped after the test. */
function startService() {
  const reactor = testReactor();
  const service = makeService({ listen: "tcp:0:interface=127.0.0.1", reactor });
  service.privilegedStartService();
  service.startService();
  onCleanup(async () => {
    if (service.running) await service.stopService();
  });
  const port = service.listener.listeningPort;
  if (port === undefined) throw new Error("not listening");
  return { service, port: (port.getHost() as IPv4Address).port };
}

describe("the Fibonacci server over loopback", () => {
  it("never gives two interleaving clients the same number", async () => {
    const { port } = startService();
    const one = await LineClient.connect(port);
    const two = await LineClient.connect(port);
    const rounds = 60;
    for (let i = 0; i < rounds; i++) {
      one.send("next\n");
      two.send(i % 2 === 0 ? "n\r\n" : "n\n");
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const a = await one.waitForLines(rounds);
    const b = await two.waitForLines(rounds);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(2 * rounds);
    const sorted = [...all].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    expect(sorted).toEqual(expected(2 * rounds));
    // Each client's own numbers increase: the sequence is handed out in order.
    for (const lines of [a, b]) {
      for (let i = 1; i < lines.length; i++) {
        expect(BigInt(lines[i] as string) > BigInt(lines[i - 1] as string)).toBe(true);
      }
    }
  });

  it("closes connected clients when the service stops, and its state has every number", async () => {
    const { service, port } = startService();
    const client = await LineClient.connect(port);
    client.send("\n\n\n");
    await client.waitForLines(3);
    await service.stopService();
    await client.waitForEnd();
    expect(service.getState()).toEqual(["3", "5"]);
  });
});

describe("src/main.ts, run as a program", () => {
  it("saves the sequence on SIGTERM and continues from it after a restart", async () => {
    const state = join(mkdtempSync(join(tmpdir(), "fibonacci-")), "fib.json");
    const args = [...main, "--listen", "tcp:0:interface=127.0.0.1", "--state", state];

    const first = await spawnAndWaitForLine(process.execPath, args, ready, { cwd: app });
    onCleanup(() => first.spawned.stop());
    expect(first.match[2]).toBe("1");
    const client = await LineClient.connect(Number(first.match[1]));
    client.send("1\n2\n3\n4\n5\n");
    expect(await client.waitForLines(5)).toEqual(["2", "3", "5", "8", "13"]);
    await first.spawned.stop();
    expect(first.spawned.child.exitCode).toBe(0);
    expect(first.spawned.stdout()).toContain(`state saved to ${state}`);
    expect(JSON.parse(readFileSync(state, "utf8"))).toEqual({ fibonacci: ["8", "13"] });

    const second = await spawnAndWaitForLine(process.execPath, args, ready, { cwd: app });
    onCleanup(() => second.spawned.stop());
    expect(second.match[2]).toBe("13");
    const again = await LineClient.connect(Number(second.match[1]));
    again.send("more\nmore\n");
    expect(await again.waitForLines(2)).toEqual(["21", "34"]);
    await second.spawned.stop();
    expect(second.spawned.child.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(state, "utf8"))).toEqual({ fibonacci: ["21", "34"] });
  });
});
