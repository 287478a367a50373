/**
 * `--workers N`: the primary process of a `node:cluster`. It starts N workers, each running the
 * same command (the same plugin or app, so the same ports, which cluster shares between them),
 * restarts a worker that dies after it has started, and on SIGTERM or SIGINT stops them all.
 * Twisted has no counterpart in twistd; its `procmon` restarts processes the same way (1 second
 * at first, doubling while they keep dying young).
 * @packageDocumentation
 */
import cluster, { type Worker } from "node:cluster";
import { Logger } from "@twisted-ts/core";
import { isStartReport, sendStartReport } from "./ipc.js";
import { beginTwistLogging } from "./logging.js";
import type { TwistOptions } from "./options.js";
import { checkPidfile, removePidfile, writePidfile } from "./pidfile.js";
import {
  defaultLogfile,
  effectiveUmask,
  handleSignals,
  logStartup,
  type RunRole,
} from "./runner.js";

const log = new Logger({ namespace: "twisted-ts.twist.workers" });
const runnerLog = new Logger({ namespace: "twisted-ts.twist" });

/** How long a worker must live for its death to be restarted at once, in seconds. */
export const RESTART_THRESHOLD = 1;
/** The first delay before restarting a worker that died young, in seconds. */
export const MIN_RESTART_DELAY = 1;
/** The longest delay before restarting a worker, in seconds. */
export const MAX_RESTART_DELAY = 60;

/**
 * The delay before restarting a worker, from how long it lived and the delay used last time:
 * none for a worker that lived `RESTART_THRESHOLD` seconds or more, otherwise the last delay
 * doubled (at least `MIN_RESTART_DELAY`, at most `MAX_RESTART_DELAY`).
 * @param livedSeconds - how long the worker ran.
 * @param lastDelay - the delay used for the previous restart of this slot (0 for none).
 * @returns seconds to wait.
 */
export function restartDelay(livedSeconds: number, lastDelay: number): number {
  if (livedSeconds >= RESTART_THRESHOLD) return 0;
  return Math.min(MAX_RESTART_DELAY, Math.max(MIN_RESTART_DELAY, lastDelay * 2));
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  startedAt: number;
  started: boolean;
  delay: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Run the cluster's primary until SIGTERM or SIGINT (or until a worker fails to start).
 * @param options - the runner's options (`workers` is the number of workers).
 * @param args - the command line, given unchanged to each worker.
 * @param role - `daemon` when this primary is the detached daemon (it reports its start).
 * @returns the exit code: 0 after a clean stop, 1 when a worker failed to start.
 */
export async function runPrimary(
  options: TwistOptions,
  args: readonly string[],
  role: Exclude<RunRole, "worker">,
): Promise<number> {
  const count = options.workers ?? 1;
  try {
    if (options.pidfile !== undefined) checkPidfile(options.pidfile);
    const umask = effectiveUmask(options);
    if (umask !== undefined) process.umask(umask);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`twist: ${message}\n`);
    await sendStartReport({ twist: "failed", pid: process.pid, message });
    return 1;
  }
  const logging = beginTwistLogging({
    logfile: defaultLogfile(options),
    level: options.logLevel,
    format: options.logFormat,
  });
  logStartup(role);
  if (options.pidfile !== undefined) writePidfile(options.pidfile);
  log.info("Starting {count} workers.", { count });

  cluster.setupPrimary({
    exec: process.argv[1] ?? "",
    args: [...args],
    execArgv: process.execArgv,
  });

  const slots: Slot[] = [];
  let stopping = false;
  let failed = false;
  let reportedStart = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const stopAll = () => {
    stopping = true;
    for (const slot of slots) {
      if (slot.timer !== undefined) clearTimeout(slot.timer);
      slot.timer = undefined;
      if (slot.worker !== undefined && !slot.worker.isDead()) slot.worker.process.kill("SIGTERM");
    }
    if (slots.every((slot) => slot.worker === undefined)) resolveDone();
  };

  const fork = (slot: Slot) => {
    slot.timer = undefined;
    const worker = cluster.fork();
    slot.worker = worker;
    slot.started = false;
    slot.startedAt = Date.now();
    worker.on("message", (message: unknown) => {
      if (!isStartReport(message)) return;
      if (message.twist === "failed") return; // its exit follows
      slot.started = true;
      log.info("Worker {index} started (pid {pid}).", { index: slot.index, pid: message.pid });
      if (!reportedStart && slots.every((s) => s.started)) {
        reportedStart = true;
        log.info("All {count} workers started.", { count });
        if (role === "daemon") {
          void sendStartReport({ twist: "started", pid: process.pid }).then(() => {
            if (process.connected) process.disconnect();
          });
        }
      }
    });
    worker.on("exit", (code, signal) => {
      slot.worker = undefined;
      const how = signal ?? `code ${code}`;
      if (stopping) {
        if (slots.every((s) => s.worker === undefined)) resolveDone();
        return;
      }
      if (!slot.started) {
        log.error("Worker {index} exited ({how}) before it started; shutting down.", {
          index: slot.index,
          how,
        });
        failed = true;
        if (role === "daemon") {
          void sendStartReport({
            twist: "failed",
            pid: process.pid,
            message: `worker ${slot.index} exited (${how}) before it started; see the log`,
          });
        }
        stopAll();
        return;
      }
      const lived = (Date.now() - slot.startedAt) / 1000;
      slot.delay = restartDelay(lived, slot.delay);
      log.warn("Worker {index} (pid {pid}) died ({how}); restarting it in {delay} s.", {
        index: slot.index,
        pid: worker.process.pid,
        how,
        delay: slot.delay,
      });
      slot.timer = setTimeout(() => fork(slot), slot.delay * 1000);
    });
  };

  const removeSignalHandlers = handleSignals(logging, stopAll);
  process.on("SIGHUP", () => {
    for (const slot of slots) slot.worker?.process.kill("SIGHUP");
  });
  for (let index = 1; index <= count; index++) {
    const slot: Slot = {
      index,
      worker: undefined,
      startedAt: 0,
      started: false,
      delay: 0,
      timer: undefined,
    };
    slots.push(slot);
    fork(slot);
  }
  await done;
  removeSignalHandlers();
  runnerLog.info("Main loop terminated.");
  if (options.pidfile !== undefined) removePidfile(options.pidfile);
  runnerLog.info("Server Shut Down.");
  return failed ? 1 : 0;
}
