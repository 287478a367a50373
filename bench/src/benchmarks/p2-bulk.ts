/**
 * Benchmark P2: a bulk stream through an echo server.
 *
 * One client (`bench/clients/bulk.mjs`, plain Node, in its own process, the same for both
 * servers) writes 256 MiB in 64 KiB chunks, waiting for "drain" when its socket buffer is full,
 * and reads all of it back; the figure is MB/s (1 MB = 1e6 bytes) from the first write to the
 * last byte read. Ours is a `Reactor` and an `Echo` protocol; the baseline is the raw node:net
 * echo `socket.on("data", d => socket.write(d))`; both servers run in the bench process. The
 * client is a separate process so the server has a CPU and its event loop to itself, as P1's.
 * Target: ours ≥ 0.9× raw node:net.
 * @packageDocumentation
 */
import type { CustomBenchmark, CustomSide } from "../custom.js";
import { runClient } from "../processes.js";
import { type BenchServer, Echo, oursServer, rawEchoConnection, rawServer } from "../servers.js";

const MIB = 256;
const CHUNK_KIB = 64;

interface BulkResult {
  bytes: number;
  seconds: number;
  megabytesPerSec: number;
}

function isBulkResult(value: unknown): value is BulkResult {
  const v = value as Partial<BulkResult> | null;
  return typeof v?.megabytesPerSec === "number" && typeof v.bytes === "number";
}

/** A side that streams through `server` with the bulk client. */
function bulkSide(key: string, server: BenchServer): CustomSide {
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
      const result = await runClient("clients/bulk.mjs", [port, MIB, CHUNK_KIB]);
      if (!isBulkResult(result)) throw new Error(`bulk.mjs said ${JSON.stringify(result)}`);
      const cpu = server.cpuSeconds() - cpuBefore;
      return {
        value: result.megabytesPerSec,
        details: { "server CPU ns/byte": (cpu / result.bytes) * 1e9 },
      };
    },
    stop: () => server.stop(),
  };
}

/** P2. */
export const benchmark: CustomBenchmark = {
  kind: "custom",
  id: "P2",
  title: `bulk stream through echo (${MIB} MiB)`,
  unit: "MB",
  metric: "MB/s",
  better: "higher",
  repetitions: 11,
  sides: [
    bulkSide("ours", oursServer("twisted-ts Echo", Echo)),
    bulkSide("raw", rawServer("node:net echo", rawEchoConnection)),
  ],
  comparisons: [
    {
      id: "P2",
      title: `bulk stream through echo (${MIB} MiB, ${CHUNK_KIB} KiB writes)`,
      ours: "ours",
      baseline: "raw",
      target: { ratio: 0.9, description: "at least 0.9× a raw node:net echo" },
    },
  ],
};
