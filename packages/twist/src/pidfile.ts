/**
 * The pidfile: Twisted's `twisted.application.runner._pidfile` and twistd's `checkPID`.
 * @packageDocumentation
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { AlreadyRunningError, InvalidPidfileError, PidfileError } from "./errors.js";

/**
 * Whether a process with this id exists. A process we may not signal (`EPERM`) exists.
 * @param pid - the process id.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The process id in a pidfile, or `undefined` when there is no file.
 * @param path - the pidfile.
 * @returns the id.
 * @throws InvalidPidfileError when the file holds anything but a positive whole number;
 *   PidfileError when it cannot be read.
 */
export function readPidfile(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PidfileError(path, `cannot read pidfile ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new InvalidPidfileError(
      path,
      `pidfile ${path} contains non-numeric value ${JSON.stringify(trimmed.slice(0, 40))}`,
    );
  }
  return Number(trimmed);
}

/**
 * Check a pidfile before starting, as twistd does: no file is fine; a file naming a live
 * process means another instance runs; a file naming a dead process is stale and is removed.
 * @param path - the pidfile.
 * @param isAlive - how to tell whether a process lives (for tests); `isProcessAlive` by default.
 * @returns `"absent"` or `"stale"` (the stale file has been removed).
 * @throws AlreadyRunningError when the process it names is alive; InvalidPidfileError when it
 *   holds no process id.
 */
export function checkPidfile(
  path: string,
  isAlive: (pid: number) => boolean = isProcessAlive,
): "absent" | "stale" {
  const pid = readPidfile(path);
  if (pid === undefined) return "absent";
  if (pid !== process.pid && isAlive(pid)) throw new AlreadyRunningError(path, pid);
  rmSync(path, { force: true });
  return "stale";
}

/**
 * Write a process id to the pidfile (this process's by default).
 * @param path - the pidfile.
 * @param pid - the id; `process.pid` by default.
 * @throws PidfileError when the file cannot be written.
 */
export function writePidfile(path: string, pid: number = process.pid): void {
  try {
    writeFileSync(path, `${pid}\n`);
  } catch (error) {
    throw new PidfileError(path, `cannot write pidfile ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Remove the pidfile if it still names this process (another instance may have replaced it).
 * Never throws.
 * @param path - the pidfile.
 * @param pid - the id it should hold; `process.pid` by default.
 * @returns whether the file was removed.
 */
export function removePidfile(path: string, pid: number = process.pid): boolean {
  try {
    if (readPidfile(path) !== pid) return false;
    rmSync(path, { force: true });
    return true;
  } catch {
    return false;
  }
}
