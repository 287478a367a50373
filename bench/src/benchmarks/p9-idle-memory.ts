/**
 * Benchmark P9: server memory per idle connection.
 *
 * A client process (`bench/clients/idle.mjs`) opens 10,000 TCP connections to the server and
 * leaves them idle. The figure is the growth of the bench process's `heapUsed + external`
 * (after forced garbage collections) from before the first connection to when the server has
 * accepted them all, divided by 10,000. Only the server's side counts: the client sockets live
 * in the other process (which also keeps 10,000 + 10,000 descriptors under `ulimit -n`).
 *
 * - ours: a `Reactor` and a `Protocol` that does nothing (`Idle`), i.e. a `net.Socket` plus our
 *   `Connection` transport, the protocol and what the port keeps for them;
 * - raw node:net: a `net.Socket` with an "error" and a "data" listener (shared functions), the
 *   least a server that reads and survives a reset needs.
 * Target: ours ≤ 1.2× raw node:net.
 * @packageDocumentation
 */
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Failure } from "@twisted-ts/core";
import { Protocol } from "@twisted-ts/core";
import type { CustomBenchmark, CustomSide } from "../custom.js";
import { collectGarbage } from "../harness.js";
import { benchFile, startPeer } from "../processes.js";
import { type BenchServer, oursServer, rawServer } from "../servers.js";

const CONNECTIONS = 10_000;

/** Connections accepted and closed so far, by each server (counted without per-socket state). */
const counts = {
  ours: { opened: 0, closed: 0 },
  raw: { opened: 0, closed: 0 },
};

/** A protocol that does nothing but be counted (on its prototype: nothing per connection). */
class Idle extends Protocol {
  override connectionMade(): void {
    counts.ours.opened++;
  }

  override connectionLost(reason?: Failure): void {
    super.connectionLost(reason);
    counts.ours.closed++;
  }
}

const ignore = (): void => {};

const raw = rawServer("net.Socket", (socket: Socket) => {
  counts.raw.opened++;
  socket.on("error", ignore);
  socket.on("data", ignore);
});

/** The raw server counts closes through `server.getConnections` (no listener per socket). */
async function rawOpenConnections(): Promise<number> {
  const server = raw.server();
  if (server === undefined) return 0;
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Wait until `done()` is true, polling every 5 ms, for at most `seconds`. */
async function until(what: string, done: () => boolean | Promise<boolean>, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`P9: timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** `heapUsed + external` (and RSS) after collecting garbage until it settles. */
async function settledMemory(): Promise<{ heapUsed: number; external: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await sleep(10); // let weak callbacks and finalizers run between collections
  }
  collectGarbage();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heapUsed, external, rss };
}

function idleSide(
  key: "ours" | "raw",
  server: BenchServer,
  openNow: () => number | Promise<number>,
): CustomSide {
  let port = 0;
  return {
    key,
    name: server.name,
    start: async () => {
      port = await server.start();
    },
    measure: async () => {
      const count = counts[key];
      const before = await settledMemory();
      const openedBefore = count.opened;
      const client = await startPeer(process.execPath, [
        benchFile("clients/idle.mjs"),
        String(port),
        String(CONNECTIONS),
      ]);
      try {
        await until("the server to accept every connection", () => {
          return count.opened - openedBefore >= CONNECTIONS;
        });
        const after = await settledMemory();
        const per = (field: "heapUsed" | "external" | "rss"): number =>
          (after[field] - before[field]) / CONNECTIONS;
        client.send("close");
        await until("the server to close every connection", async () => (await openNow()) === 0);
        return {
          value: per("heapUsed") + per("external"),
          details: {
            "heap B/connection": per("heapUsed"),
            "external B/connection": per("external"),
            "RSS B/connection (noisy)": per("rss"),
          },
        };
      } finally {
        await client.stop();
      }
    },
    stop: () => server.stop(),
  };
}

/** P9. */
export const benchmark: CustomBenchmark = {
  kind: "custom",
  id: "P9",
  title: `memory per idle connection (${CONNECTIONS.toLocaleString("en-US")} connections)`,
  unit: "connection",
  metric: "B/connection",
  better: "lower",
  repetitions: 3,
  sides: [
    idleSide("ours", oursServer("twisted-ts Protocol", Idle), () => {
      return counts.ours.opened - counts.ours.closed;
    }),
    idleSide("raw", raw, rawOpenConnections),
  ],
  comparisons: [
    {
      id: "P9",
      title: `server memory per idle connection (${CONNECTIONS.toLocaleString("en-US")})`,
      ours: "ours",
      baseline: "raw",
      target: { ratio: 1.2, description: "at most 1.2× a raw net.Socket" },
    },
  ],
};
