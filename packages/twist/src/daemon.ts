/**
 * `--daemon`: run in the background. The command starts a detached copy of itself (a new
 * session, standard streams on /dev/null) and waits until the copy reports over IPC that its
 * service has started, or why it could not; then it exits (0 on success), leaving the copy
 * running. Twisted forks twice and reports through a status pipe; Node cannot fork, so the copy
 * is a new process that parses the same command line.
 * @packageDocumentation
 */
import { spawn } from "node:child_process";
import { isStartReport } from "./ipc.js";

/** The environment variable that tells the detached copy it is the daemon. */
export const DAEMON_CHILD_ENV = "TWIST_DAEMON_CHILD";

/** Whether this process is the detached copy started by `startDaemon`. */
export function isDaemonChild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DAEMON_CHILD_ENV] === "1";
}

/** How the daemon's start went. */
export interface DaemonStart {
  /** The exit code for the command: 0 once the daemon has started. */
  readonly code: number;
  /** The daemon's process id. */
  readonly pid: number | undefined;
  /** Why it did not start. */
  readonly error: string | undefined;
}

/**
 * Start the detached copy of this command and wait for its report.
 * @param args - the command's arguments (the copy gets the same ones).
 * @returns how it went.
 */
export function startDaemon(args: readonly string[]): Promise<DaemonStart> {
  const script = process.argv[1] ?? "";
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "ipc"],
    env: { ...process.env, [DAEMON_CHILD_ENV]: "1" },
  });
  return new Promise<DaemonStart>((resolve) => {
    const done = (result: DaemonStart) => {
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(result);
    };
    child.on("message", (message: unknown) => {
      if (!isStartReport(message)) return;
      if (message.twist === "started") done({ code: 0, pid: message.pid, error: undefined });
      else done({ code: 1, pid: message.pid, error: message.message });
    });
    child.once("error", (error) => done({ code: 1, pid: child.pid, error: error.message }));
    child.once("exit", (code, signal) =>
      done({
        code: 1,
        pid: child.pid,
        error: `the daemon exited (${signal ?? `code ${code}`}) before it started`,
      }),
    );
  });
}
