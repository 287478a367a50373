import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

/** A child process started by a test, with what it printed so far. */
export interface Spawned {
  /** The child. */
  child: ChildProcessWithoutNullStreams;
  /** Everything on stdout so far. */
  stdout(): string;
  /** Everything on stderr so far. */
  stderr(): string;
  /** Kill it (SIGTERM) and wait for it to exit. */
  stop(): Promise<void>;
}

/** The process groups still running, killed when the test process exits. */
const groups = new Set<(signal: NodeJS.Signals) => void>();
process.once("exit", () => {
  for (const kill of groups) kill("SIGKILL");
});

/**
 * Start a process (in a process group of its own) and wait until a line of its stdout matches
 * `ready`.
 * @returns the process and the match.
 */
export function spawnAndWaitForLine(
  command: string,
  args: readonly string[],
  ready: RegExp,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ spawned: Spawned; match: RegExpMatchArray }> {
  // Its own process group, so stop() reaches the whole tree: `npx tsx …` is npm, then tsx, then
  // node, and npm does not pass SIGTERM on (the grandchild outlived the test otherwise).
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
  });
  let out = "";
  let err = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  groups.add(killGroup);
  const spawned: Spawned = {
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      killGroup("SIGTERM");
      await exited;
      groups.delete(killGroup);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void spawned.stop();
      reject(
        new Error(
          `${command} did not print ${String(ready)} in time; stdout: ${out}; stderr: ${err}`,
        ),
      );
    }, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      err += d;
    });
    child.stdout.on("data", (d: string) => {
      out += d;
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ spawned, match });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!ready.test(out))
        reject(new Error(`${command} exited (${code}) early; stdout: ${out}; stderr: ${err}`));
    });
  });
}

/**
 * Run a process to completion.
 * @returns its exit code and output.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} timed out; stdout: ${stdout}; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}
