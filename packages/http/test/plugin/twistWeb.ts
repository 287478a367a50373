/**
 * Running the real `twist web` (the twist package's bin, from source) in tests.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** This package's directory. */
export const HTTP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `twist` command of the workspace. */
export const TWIST_BIN = join(HTTP_DIR, "..", "twist", "bin", "twist.mjs");

/** A running `twist web`. */
export interface TwistWeb {
  /** The process. */
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything on standard output so far. */
  stdout(): string;
  /** Everything on standard error so far. */
  stderr(): string;
  /** The ports it announced ("Site starting on N"), in order. */
  readonly ports: number[];
  /** Resolves with the exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  running.clear();
});

/**
 * Start `twist [runnerArgs] web [args]` and wait until it announced `ports` listening ports.
 * @param args - the plugin's arguments.
 * @param options - the runner's own arguments, the working directory, how many ports to wait
 *   for, and the runner's log file when it is not standard output.
 */
export async function startTwistWeb(
  args: readonly string[],
  options: { runnerArgs?: readonly string[]; cwd?: string; ports?: number; logFile?: string } = {},
): Promise<TwistWeb> {
  const child = spawn(
    process.execPath,
    [TWIST_BIN, ...(options.runnerArgs ?? []), "web", ...args],
    {
      cwd: options.cwd ?? HTTP_DIR,
      env: { ...process.env, TWIST_FROM_SOURCE: "1", TWIST_PLUGIN_PATH: HTTP_DIR },
    },
  );
  running.add(child);
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const wanted = options.ports ?? 1;
  const started = Date.now();
  const log = (): string => {
    if (options.logFile === undefined) return out;
    try {
      return readFileSync(options.logFile, "utf8");
    } catch {
      return "";
    }
  };
  const ports = (): number[] =>
    [...log().matchAll(/Site starting on (\d+)/g)].map((match) => Number(match[1]));
  while (ports().length < wanted) {
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      throw new Error(
        `twist web ${args.join(" ")} did not start\nstdout:\n${out}\nstderr:\n${err}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { child, stdout: () => out, stderr: () => err, ports: ports(), exited };
}

/**
 * Stop it with SIGTERM and wait for it to exit.
 * @returns the exit code.
 */
export async function stopTwistWeb(twist: TwistWeb): Promise<number | null> {
  twist.child.kill("SIGTERM");
  return (await twist.exited).code;
}
