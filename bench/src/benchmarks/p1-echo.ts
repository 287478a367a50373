/**
 * Benchmark P1: echo round trips, 64-byte messages over 16 connections.
 *
 * One load client (`bench/clients/pingpong.mjs`, plain Node, in its own process) drives each
 * server in turn: every connection writes 64 bytes, waits for all 64 to come back, and writes
 * again, for a fixed time after a warmup. The servers:
 * - ours: a `Reactor` and an `Echo` protocol (`this.transport.write(data)`), in the bench process;
 * - raw node:net: `socket.on("data", d => socket.write(d))`, in the bench process;
 * - Twisted 22.4's `twisted.protocols.wire.Echo` under Debian's python3-twisted, in a child.
 * Targets: ours ≥ 0.9× raw node:net (P1a) and ≥ 5× Twisted (P1b). Raw node:net is the real bar:
 * P1b also reports how far raw node:net itself gets against Twisted.
 * @packageDocumentation
 */
import type { CustomBenchmark, CustomSide } from "../custom.js";
import { defaultTimeMs } from "../harness.js";
import { runClient } from "../processes.js";
import {
  type BenchServer,
  Echo,
  oursServer,
  rawEchoConnection,
  rawServer,
  twistedEchoServer,
} from "../servers.js";

const CONNECTIONS = 16;
const MESSAGE_BYTES = 64;
/** Seconds the client runs before it starts counting (the client is a fresh process each time). */
const WARMUP_SECONDS = 0.25;
/** Counted seconds per measurement: 1.5 × the time budget per task (`BENCH_TIME_MS`, 1 s). */
const seconds = (): number => (1.5 * defaultTimeMs()) / 1000;

interface PingPongResult {
  roundTrips: number;
  seconds: number;
  totalRoundTrips: number;
  roundTripsPerSec: number;
}

function isPingPongResult(value: unknown): value is PingPongResult {
  const v = value as Partial<PingPongResult> | null;
  return typeof v?.roundTripsPerSec === "number" && typeof v.totalRoundTrips === "number";
}

/** A side that measures `server` with the ping-pong client. */
function pingPongSide(key: string, server: BenchServer): CustomSide {
  let port = 0;
  return {
    key,
    get name() {
      return server.name;
    },
    start: async () => {
      port = await server.start();
    },
    measure: async () => {
      const cpuBefore = server.cpuSeconds();
      const args = [port, CONNECTIONS, MESSAGE_BYTES, seconds(), WARMUP_SECONDS];
      const result = await runClient("clients/pingpong.mjs", args);
      if (!isPingPongResult(result)) throw new Error(`pingpong.mjs said ${JSON.stringify(result)}`);
      const cpu = server.cpuSeconds() - cpuBefore;
      const details: Record<string, number> = {};
      // Over the client's whole run (warmup included), per round trip: it shows what each server
      // spends even when the client, not the server, is what limits the rate.
      if (Number.isFinite(cpu)) {
        details["server CPU µs/round trip"] = (cpu / result.totalRoundTrips) * 1e6;
      }
      return { value: result.roundTripsPerSec, details };
    },
    stop: () => server.stop(),
  };
}

/** P1 (P1a, P1b). */
export const benchmark: CustomBenchmark = {
  kind: "custom",
  id: "P1",
  title: `echo round trips (${MESSAGE_BYTES} B, ${CONNECTIONS} connections)`,
  unit: "round trip",
  metric: "round trips/s",
  better: "higher",
  repetitions: 7,
  sides: [
    pingPongSide("ours", oursServer("twisted-ts Echo", Echo)),
    pingPongSide("raw", rawServer("node:net echo", rawEchoConnection)),
    pingPongSide("twisted", twistedEchoServer()),
  ],
  comparisons: [
    {
      id: "P1a",
      title: `echo round trips (${MESSAGE_BYTES} B ×${CONNECTIONS}) vs raw node:net`,
      ours: "ours",
      baseline: "raw",
      target: { ratio: 0.9, description: "at least 0.9× a raw node:net echo" },
    },
    {
      id: "P1b",
      title: `echo round trips (${MESSAGE_BYTES} B ×${CONNECTIONS}) vs Twisted`,
      ours: "ours",
      baseline: "twisted",
      target: { ratio: 5, description: "at least 5× Twisted 22.4's echo" },
      limit: "raw",
    },
  ],
};
