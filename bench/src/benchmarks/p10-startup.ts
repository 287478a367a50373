/**
 * Benchmark P10: start-up cost. How long from `spawn` until a freshly started server has answered
 * its first TCP connection.
 *
 * - ours: the built `twist` command, `node packages/twist/dist/cli.js qotd --listen
 *   tcp:PORT:interface=127.0.0.1 --quote hi`. Built, because `bin/twist.mjs` without `dist/`
 *   runs the sources through tsx, which would time tsx's compiler, not twist. Built, `twist`
 *   imports `@twisted-ts/core`'s and (found through qotd's package.json `exports`, `import`
 *   condition) `@twisted-ts/qotd`'s `dist/` as well. `start` builds the three packages first
 *   when a `dist/` entry is missing or older than its sources.
 * - baseline: a bare Node server, `node -e` with
 *   `net.createServer(s => s.end("hi\r\n")).listen(PORT, "127.0.0.1")`: the least a Node program
 *   that answers the same bytes (`hi` CRLF, then close, as QOTD does) can start with.
 *
 * Each measurement picks a free port, starts the child, and connects to 127.0.0.1:PORT over and
 * over (1 ms apart) until a connection is accepted and the whole answer has arrived; the figure is
 * the time from just before `spawn` to that moment. Then the child is stopped by its pid and
 * waited for. Target: ours ≤ 2× the baseline.
 * @packageDocumentation
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CustomBenchmark, CustomSide, Measurement } from "../custom.js";
import { benchFile, processCpuSeconds } from "../processes.js";

/** The repository root (bench/..). */
const ROOT = benchFile("..");
/** What both servers answer. */
const ANSWER = "hi\r\n";
/** Time between connection attempts while the server is not listening yet. */
const RETRY_MS = 1;
/** Give up on a child that has not answered after this long. */
const DEADLINE_MS = 30_000;

/** The packages `twist qotd` runs from, with the `dist/` files it loads. */
const PACKAGES = [
  { name: "@twisted-ts/core", dir: "packages/core", outputs: ["dist/index.js"] },
  { name: "@twisted-ts/qotd", dir: "packages/qotd", outputs: ["dist/plugin.js", "dist/index.js"] },
  { name: "@twisted-ts/twist", dir: "packages/twist", outputs: ["dist/cli.js", "dist/index.js"] },
] as const;

/** The newest modification time (ms) of a package's build inputs: `src/**` and its configs. */
function newestInput(dir: string): number {
  let newest = 0;
  const src = join(dir, "src");
  const files = [
    ...readdirSync(src, { recursive: true, encoding: "utf8" }).map((f) => join(src, f)),
    ...["package.json", "tsup.config.ts", "tsconfig.json", "tsconfig.build.json"].map((f) =>
      join(dir, f),
    ),
  ];
  for (const file of files) {
    try {
      newest = Math.max(newest, statSync(file).mtimeMs);
    } catch {
      // A config the package does not have.
    }
  }
  return newest;
}

/** The packages whose `dist/` entry files are missing or older than their sources. */
function stalePackages(): string[] {
  return PACKAGES.filter((pkg) => {
    const dir = join(ROOT, pkg.dir);
    const inputs = newestInput(dir);
    return pkg.outputs.some((out) => {
      try {
        return statSync(join(dir, out)).mtimeMs < inputs;
      } catch {
        return true;
      }
    });
  }).map((pkg) => pkg.name);
}

/**
 * Build core, qotd and twist (`pnpm --filter … build`: tsup, in dependency order) when any of
 * their `dist/` entries is missing or stale.
 * @throws Error with the build's output when it fails.
 */
async function ensureBuilt(): Promise<void> {
  const stale = stalePackages();
  if (stale.length === 0) return;
  process.stdout.write(
    `(${stale.join(", ")} not built or stale: building ${PACKAGES.map((p) => p.name).join(", ")}) `,
  );
  const args = [...PACKAGES.flatMap((pkg) => ["--filter", pkg.name]), "build"];
  const child = spawn("pnpm", args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`pnpm ${args.join(" ")} exited with ${code}:\n${output}`);
  const still = stalePackages();
  if (still.length > 0) throw new Error(`still not built after pnpm build: ${still.join(", ")}`);
}

/** A port on 127.0.0.1 that nothing listens on right now (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

/** Resident set size of a process in bytes, from `/proc/<pid>/status`; NaN without `/proc`. */
function processRssBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * One connection attempt: resolves `true` once the whole answer has arrived, `false` when the
 * connection is refused (or closed before answering); rejects when the answer is wrong.
 */
function tryAnswer(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (received === ANSWER) {
        socket.destroy();
        resolve(true);
      } else if (!ANSWER.startsWith(received)) {
        socket.destroy();
        reject(new Error(`expected ${JSON.stringify(ANSWER)}, got ${JSON.stringify(received)}`));
      }
    });
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(false));
  });
}

/** What one side starts: the arguments to `node` for a server listening on `port`. */
type Command = (port: number) => string[];

/** A side that times `node <command(port)>` from spawn to its first complete answer. */
function startupSide(key: string, name: string, command: Command, setup?: () => Promise<void>) {
  const running = new Set<ChildProcess>();

  /** Stop a child by its pid (SIGTERM, SIGKILL after 2 s) and wait until it has exited. */
  const stopChild = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(child.pid, "SIGTERM");
      const timer = setTimeout(() => {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid, "SIGKILL");
        }
      }, 2000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
  };

  const measure = async (): Promise<Measurement> => {
    const port = await freePort();
    const args = command(port);
    const began = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let output = "";
    const keep = (chunk: string): void => {
      output = (output + chunk).slice(-4000);
    };
    child.stdout?.setEncoding("utf8").on("data", keep);
    child.stderr?.setEncoding("utf8").on("data", keep);
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    child.once("error", () => {
      exited = true;
    });
    try {
      for (;;) {
        if (await tryAnswer(port)) break;
        if (exited) {
          throw new Error(`${name} exited before answering (code ${child.exitCode}): ${output}`);
        }
        if (performance.now() - began > DEADLINE_MS) {
          throw new Error(`${name} did not answer within ${DEADLINE_MS} ms: ${output}`);
        }
        await sleep(RETRY_MS);
      }
      const ms = performance.now() - began;
      return {
        value: ms,
        details: {
          "child CPU ms at answer": processCpuSeconds(child.pid) * 1000,
          "child RSS MB at answer": processRssBytes(child.pid) / 1e6,
        },
      };
    } finally {
      await stopChild(child);
    }
  };

  const side: CustomSide = {
    key,
    name,
    start: async () => {
      await setup?.();
      // One run unmeasured: it checks the command works and warms the file cache for both sides.
      await measure();
    },
    measure,
    stop: async () => {
      await Promise.all([...running].map(stopChild));
    },
  };
  return side;
}

/** `twist qotd`, built: `node packages/twist/dist/cli.js qotd --listen … --quote hi`. */
const twistQotd: Command = (port) => [
  join(ROOT, "packages/twist/dist/cli.js"),
  "qotd",
  "--listen",
  `tcp:${port}:interface=127.0.0.1`,
  "--quote",
  "hi",
];

/** A bare node:net server answering the same bytes. */
const bareNode: Command = (port) => [
  "-e",
  `require("node:net").createServer((s) => s.end(${JSON.stringify(ANSWER)})).listen(${port}, "127.0.0.1")`,
];

/** P10. */
export const benchmark: CustomBenchmark = {
  kind: "custom",
  id: "P10",
  title: "twist startup",
  unit: "start",
  metric: "ms to first answer",
  better: "lower",
  repetitions: 11,
  sides: [
    startupSide("ours", "twist qotd (built, dist/cli.js)", twistQotd, ensureBuilt),
    startupSide("raw", "node -e net.createServer", bareNode),
  ],
  comparisons: [
    {
      id: "P10",
      title: "twist startup: spawn to first QOTD answer vs node -e",
      ours: "ours",
      baseline: "raw",
      target: { ratio: 2, description: "under 2× the time of a bare node -e net server" },
    },
  ],
};
