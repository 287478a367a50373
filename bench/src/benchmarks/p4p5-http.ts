/**
 * Benchmarks P4 (hello world) and P5 (a static 1 MB file) over HTTP/1.1.
 *
 * Every server runs in its own process pinned to core 0 (`taskset -c 0`), and the load comes
 * from wrk pinned to core 1, so a server has one core to itself, as the issue asks. wrk runs one
 * thread and 64 connections (16 for P5) for a fixed time; pipelined runs send 16 requests back
 * to back on each connection (`clients/pipeline.lua`). The figure is wrk's requests/s; a run
 * with any socket error or non-2xx answer throws.
 *
 * P4 servers: ours (`Site` + a leaf `Resource`), node:http, fastify 5, and Twisted 22.4's
 * `twisted.web` (Debian's python3-twisted). Targets: ours ≥ 1.0× node:http, ≥ 1.3× node:http
 * pipelined, ≥ 8× twisted.web. P5: ours (`File`) against `send` on node:http (what Express's
 * static middleware uses), target ≥ 1.0×; Twisted's `static.File` is measured for reference.
 * @packageDocumentation
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CustomBenchmark, CustomSide, Measurement } from "../custom.js";
import { Unavailable } from "../custom.js";
import { defaultTimeMs } from "../harness.js";
import { benchFile, type Peer, startPeer } from "../processes.js";

const TWISTED_PYTHON = "/usr/bin/python3";
/** Seconds of load per measurement (3 × the time budget per task, `BENCH_TIME_MS`). */
const seconds = (): number => Math.max(2, Math.round((3 * defaultTimeMs()) / 1000));

/** The directory P5 serves: one 1 MB file of random bytes. */
let staticDir: string | undefined;
function staticRoot(): string {
  if (staticDir === undefined) {
    staticDir = mkdtempSync(join(tmpdir(), "twisted-ts-p5-"));
    writeFileSync(join(staticDir, "file.bin"), randomBytes(1024 * 1024));
  }
  return staticDir;
}

function wrk(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "taskset",
      ["-c", "1", "wrk", ...args],
      { encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`wrk failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Runs wrk against a URL and returns its requests/s, refusing runs with errors. */
async function load(url: string, connections: number, pipelined: boolean): Promise<Measurement> {
  const args = ["-t1", `-c${connections}`, `-d${seconds()}s`];
  if (pipelined) args.push("-s", benchFile("clients/pipeline.lua"));
  const out = await wrk([...args, url]);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (rate === null) throw new Error(`no Requests/sec in wrk's output:\n${out}`);
  if (/Non-2xx or 3xx responses|Socket errors/.test(out)) {
    throw new Error(`wrk saw errors against ${url}:\n${out}`);
  }
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(out);
  const scale: Record<string, number> = { B: 1 / 1e6, KB: 1 / 1e3, MB: 1, GB: 1e3 };
  const details: Record<string, number> = {};
  if (transfer !== null)
    details["MB/s"] = Number(transfer[1]) * (scale[transfer[2] as string] ?? 1);
  return { value: Number(rate[1]), details };
}

/** A side whose server is a child process pinned to core 0. */
function serverSide(
  key: string,
  name: string,
  command: () => [string, string[]],
  path: string,
  connections: number,
  pipelined = false,
): CustomSide {
  let peer: Peer | undefined;
  return {
    key,
    name,
    start: async () => {
      const [cmd, args] = command();
      try {
        peer = await startPeer("taskset", ["-c", "0", cmd, ...args]);
      } catch (error) {
        if (cmd === TWISTED_PYTHON) throw new Unavailable(`Twisted: ${String(error)}`);
        throw error;
      }
    },
    measure: () => load(`http://127.0.0.1:${peer?.firstLine}${path}`, connections, pipelined),
    stop: async () => {
      await peer?.stop();
    },
  };
}

const node =
  (kind: string, dir?: string): (() => [string, string[]]) =>
  () => [
    process.execPath,
    [benchFile("dist/http-server.mjs"), kind, ...(dir === undefined ? [] : [dir])],
  ];
const twisted =
  (kind: string, dir?: string): (() => [string, string[]]) =>
  () => [
    TWISTED_PYTHON,
    [benchFile("servers/twisted_web.py"), kind, ...(dir === undefined ? [] : [dir])],
  ];

/** P4: hello world. */
export const p4: CustomBenchmark = {
  kind: "custom",
  id: "P4",
  title: "HTTP/1.1 hello world, wrk with 64 connections, server on one core",
  unit: "request",
  metric: "requests/s",
  better: "higher",
  repetitions: 3,
  sides: [
    serverSide("ours", "twisted-ts Site", node("ours-hello"), "/", 64),
    serverSide("node", "node:http", node("node-hello"), "/", 64),
    serverSide("fastify", "fastify 5.12.8", node("fastify-hello"), "/", 64),
    serverSide("twisted", "twisted.web 22.4", twisted("hello"), "/", 64),
    serverSide("ours-pipe", "twisted-ts Site, pipelined ×16", node("ours-hello"), "/", 64, true),
    serverSide("node-pipe", "node:http, pipelined ×16", node("node-hello"), "/", 64, true),
  ],
  comparisons: [
    {
      id: "P4a",
      title: "hello world vs node:http",
      ours: "ours",
      baseline: "node",
      target: { ratio: 1, description: "at least node:http" },
    },
    {
      id: "P4b",
      title: "hello world pipelined ×16 vs node:http",
      ours: "ours-pipe",
      baseline: "node-pipe",
      target: { ratio: 1.3, description: "at least 1.3× node:http" },
    },
    {
      id: "P4c",
      title: "hello world vs twisted.web",
      ours: "ours",
      baseline: "twisted",
      target: { ratio: 8, description: "at least 8× twisted.web" },
      limit: "node",
    },
    { id: "P4d", title: "hello world vs fastify", ours: "ours", baseline: "fastify" },
  ],
};

/** P5: a static 1 MB file. */
export const p5: CustomBenchmark = {
  kind: "custom",
  id: "P5",
  title: "static 1 MB file, wrk with 16 connections, server on one core",
  unit: "request",
  metric: "requests/s",
  better: "higher",
  repetitions: 3,
  sides: [
    serverSide(
      "ours",
      "twisted-ts File",
      () => node("ours-static", staticRoot())(),
      "/file.bin",
      16,
    ),
    serverSide(
      "send",
      "send 1.2.1 on node:http",
      () => node("send-static", staticRoot())(),
      "/file.bin",
      16,
    ),
    serverSide(
      "twisted",
      "twisted.web static.File",
      () => twisted("static", staticRoot())(),
      "/file.bin",
      16,
    ),
  ],
  comparisons: [
    {
      id: "P5",
      title: "static 1 MB file vs send",
      ours: "ours",
      baseline: "send",
      target: { ratio: 1, description: "at least send" },
    },
    { id: "P5b", title: "static 1 MB file vs twisted.web", ours: "ours", baseline: "twisted" },
  ],
};
