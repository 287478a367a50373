/**
 * Running one service in this process, in twistd's order: check the pidfile, set the umask,
 * make the service, restore its state, begin logging, write the pidfile, start it with
 * privileges, drop them, start it, run the reactor until a signal, stop it, save its state.
 * @packageDocumentation
 */
import cluster from "node:cluster";
import {
  collectState,
  type IService,
  Logger,
  maybeDeferred,
  type Reactor,
  restoreState,
} from "@twisted-ts/core";
import { announcePorts } from "./announce.js";
import { sendStartReport } from "./ipc.js";
import { beginTwistLogging, type TwistLogging } from "./logging.js";
import type { TwistOptions } from "./options.js";
import { checkPidfile, removePidfile, writePidfile } from "./pidfile.js";
import { resolveIdentity, switchIdentity } from "./privileges.js";
import { readStateFile, writeStateFile } from "./stateFile.js";
import { VERSION } from "./version.js";

const log = new Logger({ namespace: "twisted-ts.twist" });

/** What to run: a plugin's service or an application file's. */
export interface RunTarget {
  /** What the log calls it: `plugin qotd (@twisted-ts/qotd)` or the file's path. */
  readonly label: string;
  /** Make (or import) the service. */
  readonly load: () => Promise<IService>;
}

/** Which process this is: the only one, the detached daemon, or a cluster worker. */
export type RunRole = "foreground" | "daemon" | "worker";

/**
 * Check that `makeService` (or an app file) gave something that can be started and stopped.
 * @throws TypeError when it has no `startService` or `stopService`.
 */
function checkService(service: unknown, what: string): IService {
  const candidate = service as Partial<IService> | null | undefined;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.startService !== "function" ||
    typeof candidate.stopService !== "function"
  ) {
    throw new TypeError(
      `${what} did not give a service (an object with startService and stopService)`,
    );
  }
  return candidate as IService;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The log file used when none is given: standard output, or `twist.log` for a daemon. */
export function defaultLogfile(options: TwistOptions): string | undefined {
  return options.logfile ?? (options.daemon ? "twist.log" : undefined);
}

/** The umask to set: `--umask`, or 077 for a daemon (as twistd), or none. */
export function effectiveUmask(options: TwistOptions): number | undefined {
  return options.umask ?? (options.daemon ? 0o077 : undefined);
}

/**
 * Log the lines twistd starts with.
 * @param role - which process this is.
 */
export function logStartup(role: RunRole): void {
  const as = role === "worker" ? ` as worker ${cluster.worker?.id ?? "?"}` : "";
  log.info("twist {version} ({executable} {nodeVersion}) starting up{as}.", {
    version: VERSION,
    executable: process.execPath,
    nodeVersion: process.versions.node,
    as,
  });
  log.info("reactor class: {reactorClass}.", {
    reactorClass: "@twisted-ts/core Reactor (Node.js event loop)",
  });
}

/**
 * Handle SIGTERM and SIGINT (log "Received SIGTERM, shutting down." and call `stop`, once) and
 * SIGHUP (reopen the log file).
 * @param logging - the log, to reopen.
 * @param stop - what to do on the first SIGTERM or SIGINT.
 * @returns a function that removes the handlers.
 */
export function handleSignals(logging: TwistLogging, stop: () => void): () => void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info("Received {signal}, shutting down.", { signal });
    stop();
  };
  const onHup = () => {
    logging.reopen();
    if (logging.file !== undefined)
      log.info("Reopened log file {path}.", { path: logging.file.path });
  };
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  process.on("SIGHUP", onHup);
  return () => {
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
    process.off("SIGHUP", onHup);
  };
}

/**
 * Run a service in this process until SIGTERM or SIGINT.
 * @param options - the runner's options.
 * @param target - what to run.
 * @param role - which process this is.
 * @param reactor - the (global) reactor.
 * @returns the exit code: 0 after a clean stop, 1 when starting, stopping or saving failed.
 */
export async function runService(
  options: TwistOptions,
  target: RunTarget,
  role: RunRole,
  reactor: Reactor,
): Promise<number> {
  const ownsPidfile = options.pidfile !== undefined && role !== "worker";
  const failEarly = async (error: unknown): Promise<number> => {
    process.stderr.write(`twist: ${messageOf(error)}\n`);
    await sendStartReport({ twist: "failed", pid: process.pid, message: messageOf(error) });
    return 1;
  };

  let service: IService;
  let identity: ReturnType<typeof resolveIdentity>;
  try {
    if (ownsPidfile) checkPidfile(options.pidfile as string);
    const umask = effectiveUmask(options);
    if (umask !== undefined) process.umask(umask);
    identity = resolveIdentity(options.uid, options.gid);
    log.info("Loading {what}...", { what: target.label });
    service = checkService(await target.load(), target.label);
    log.info("Loaded.");
    if (options.stateFile !== undefined) {
      const saved = readStateFile(options.stateFile);
      if (saved !== undefined) {
        restoreState(service, saved);
        log.info("Restored state from {path}.", { path: options.stateFile });
      }
    }
  } catch (error) {
    return failEarly(error);
  }

  let logging: TwistLogging;
  try {
    logging = beginTwistLogging({
      logfile: defaultLogfile(options),
      level: options.logLevel,
      format: options.logFormat,
    });
  } catch (error) {
    return failEarly(error);
  }
  logStartup(role);

  let exitCode = 0;
  const fatal = async (what: string, error: unknown): Promise<number> => {
    log.failure(`${what}: {message}`, error, { message: messageOf(error) });
    logging.writeStderr(`twist: ${messageOf(error)}\n`);
    if (ownsPidfile) removePidfile(options.pidfile as string);
    await sendStartReport({ twist: "failed", pid: process.pid, message: messageOf(error) });
    return 1;
  };

  try {
    if (ownsPidfile) writePidfile(options.pidfile as string);
  } catch (error) {
    return fatal("Cannot write the pidfile", error);
  }

  let stopRequested = false;
  const removeSignalHandlers = handleSignals(logging, () => {
    if (reactor.running) reactor.stop();
    else stopRequested = true;
  });
  const ports = announcePorts(reactor);
  try {
    // Every Service has privilegedStartService; a plugin's own object may not.
    if (typeof service.privilegedStartService === "function") service.privilegedStartService();
    try {
      switchIdentity(identity);
    } catch (error) {
      throw new Error(
        `failed to set uid/gid ${String(identity.uid ?? "")}/${String(identity.gid ?? "")} (are you root?): ${messageOf(error)}`,
        { cause: error },
      );
    }
    // A service whose startService returns a Deferred or a promise (that fires once it listens)
    // has started when that fires.
    const started: unknown = service.startService();
    if (isThenable(started)) await started;
    // Ports a cluster worker's primary binds are bound a little later.
    await ports.bound();
  } catch (error) {
    return fatal("Failed to start", error);
  }

  reactor.addSystemEventTrigger("before", "shutdown", () =>
    maybeDeferred(() => service.stopService()).addCallbacks(
      () => {
        if (options.stateFile === undefined) return;
        try {
          writeStateFile(options.stateFile, collectState(service));
          log.info("Saved state to {path}.", { path: options.stateFile });
        } catch (error) {
          log.failure("Cannot save state: {message}", error, { message: messageOf(error) });
          exitCode = 1;
        }
      },
      (failure) => {
        log.failure("Error stopping the application", failure);
        exitCode = 1;
      },
    ),
  );

  const finished = reactor.run({ installSignalHandlers: false });
  if (role !== "foreground") {
    await sendStartReport({ twist: "started", pid: process.pid });
    if (role === "daemon" && process.connected) process.disconnect();
  }
  if (stopRequested && reactor.running) reactor.stop();
  await finished;
  ports.restore();
  log.info("Main loop terminated.");
  removeSignalHandlers();
  if (ownsPidfile) removePidfile(options.pidfile as string);
  log.info("Server Shut Down.");
  return exitCode;
}
