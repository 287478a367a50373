/**
 * Child processes for the custom benchmarks: load clients (`bench/clients/*.mjs`, plain Node) and
 * peer servers in other languages. A load client runs in its own process so the server under test
 * does not share its event loop (or its CPU time) with the load.
 * @packageDocumentation
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** `bench/`, whether this runs bundled from `dist/` or from `src/`. */
const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The path of a file in `bench/clients/` or `bench/servers/`, e.g. `clients/pingpong.mjs`. */
export function benchFile(relativePath: string): string {
  return join(BENCH_DIR, relativePath);
}

/**
 * Run a load client to its end and return the JSON it printed last.
 * @param script - e.g. `clients/pingpong.mjs`.
 * @param args - its arguments.
 * @throws Error with the client's stderr when it exits with an error or prints no JSON.
 */
export async function runClient(
  script: string,
  args: readonly (string | number)[],
): Promise<unknown> {
  const child = spawn(process.execPath, [benchFile(script), ...args.map(String)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const last = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) {
    throw new Error(`${script} exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  }
  return JSON.parse(last);
}

/** A child process that prints one line when it is ready, then runs until told to stop. */
export interface Peer {
  readonly child: ChildProcess;
  /** The first line it printed. */
  readonly firstLine: string;
  /** Total CPU time (user + system) it has used so far, in seconds; NaN if unknown. */
  cpuSeconds(): number;
  /** Send a line to its stdin. */
  send(line: string): void;
  /** Stop it (SIGTERM, then SIGKILL after `graceMs`) and wait until it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start a child process and wait for its first line on stdout (a port number, "ready", …).
 * @throws Error (with its stderr) when it exits or errs before printing a line.
 */
export async function startPeer(command: string, args: readonly string[]): Promise<Peer> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const firstLine = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("error", reject);
    child.once("close", (code) =>
      reject(new Error(`${command} exited with ${code} before it was ready: ${stderr.trim()}`)),
    );
  });
  return {
    child,
    firstLine,
    cpuSeconds: () => processCpuSeconds(child.pid),
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    stop: async (graceMs = 2000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Clock ticks per second of `/proc/<pid>/stat`'s times: 100 on every Linux Node runs on. */
const CLOCK_TICKS = 100;

/**
 * Total CPU time (user + system) of a process, in seconds, from `/proc/<pid>/stat` (10 ms
 * resolution); NaN where there is no `/proc`.
 */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return ticks / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) this process has used so far, in seconds. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
