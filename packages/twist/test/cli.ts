/**
 * Running the real `twist` command (`node bin/twist.mjs …`, from source) in tests.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach } from "vitest";
import { FIXTURE_PLUGINS, PACKAGE_DIR } from "./helpers.js";

/** The command under test. */
export const BIN = join(PACKAGE_DIR, "bin", "twist.mjs");

/** A running `twist`. */
export interface Twist {
  /** The process (the bin wrapper; signals reach twist through it). */
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written to standard output so far. */
  stdout(): string;
  /** Everything written to standard error so far. */
  stderr(): string;
  /** Wait until standard output (or `stream`) matches. */
  waitFor(
    pattern: RegExp,
    timeoutMs?: number,
    stream?: "stdout" | "stderr",
  ): Promise<RegExpMatchArray>;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
const servers = new Set<Server>();

afterEach(async () => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  running.clear();
  await Promise.all([...servers].map((s) => new Promise((resolve) => s.close(resolve))));
  servers.clear();
});

/** The environment twist runs in: from source, with the fixture plugins on the plugin path. */
export function twistEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TWIST_FROM_SOURCE: "1", TWIST_PLUGIN_PATH: FIXTURE_PLUGINS, ...extra };
}

/**
 * Start `twist` with these arguments.
 * @param args - the command line.
 * @param options - the working directory and extra environment.
 */
export function startTwist(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Twist {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? PACKAGE_DIR,
    env: twistEnv(options.env),
  });
  running.add(child);
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out.stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    out.stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 15_000, stream: "stdout" | "stderr" = "stdout") =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const match = out[stream].match(pattern);
        if (match !== null) return resolve(match);
        if (
          child.exitCode !== null ||
          child.signalCode !== null ||
          Date.now() - started > timeoutMs
        ) {
          return reject(
            new Error(
              `twist ${args.join(" ")}: no ${pattern} in ${stream}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`,
            ),
          );
        }
        setTimeout(check, 10);
      };
      check();
    });
  return { child, stdout: () => out.stdout, stderr: () => out.stderr, waitFor, exited };
}

/** Run `twist` to completion. */
export async function runTwist(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const twist = startTwist(args, options);
  const { code } = await twist.exited;
  return { code, stdout: twist.stdout(), stderr: twist.stderr() };
}

/** Connect to 127.0.0.1:port, send `data` (then half-close), and collect what comes back until the server closes. */
export function ask(port: number, data?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    socket.on("connect", () => {
      if (data !== undefined) socket.end(data);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === "object" && address !== null ? address.port : 0),
      );
    });
  });
}

/** A plain Node echo server on 127.0.0.1 (closed after the test); resolves with its port. */
export function echoServer(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
    servers.add(server);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

/** Occupy a port on 127.0.0.1 (released after the test); resolves with it. */
export function occupiedPort(): Promise<number> {
  return echoServer();
}

/** A log line in Twisted's text format: `<time> [<namespace>#<level>] <message>`. */
export function logLine(namespace: string, level: string, message: string): RegExp {
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d{4} \\[${escapeRegExp(namespace)}#${level}\\] ${escapeRegExp(message)}$`,
    "m",
  );
}
