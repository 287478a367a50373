/**
 * Child processes: Twisted's `IReactorProcess`, `IProcessTransport` and `IProcessProtocol`.
 * @packageDocumentation
 */
import type { Failure } from "../failure.js";
import type { IConsumer, WriteData } from "./transport.js";

/**
 * A signal for `signalProcess`: one of the names Twisted translates (`"HUP"`, `"STOP"`,
 * `"INT"`, `"KILL"`, `"TERM"`), any Node signal name (`"SIGUSR1"`), or a number.
 */
export type ProcessSignal = "HUP" | "STOP" | "INT" | "KILL" | "TERM" | NodeJS.Signals | number;

/**
 * What the parent does with one of the child's file descriptors, in `childFDs`: `"r"` (the
 * parent reads what the child writes there), `"w"` (the parent writes what the child reads
 * there), or a number (the child gets that parent descriptor, which the parent ignores).
 */
export type ChildFDTarget = "r" | "w" | number;

/** The process side of a child process: what the transport calls. Twisted's `IProcessProtocol`. */
export interface IProcessProtocol {
  /**
   * The process has started: set `transport`, then `connectionMade`.
   * @param transport - the process transport.
   */
  makeConnection(transport: IProcessTransport): void;
  /**
   * Bytes arrived from one of the child's descriptors.
   * @param childFD - the child's descriptor (1 is stdout, 2 is stderr).
   * @param data - the bytes, split arbitrarily.
   */
  childDataReceived(childFD: number, data: Buffer): void;
  /**
   * One of the child's descriptors is closed (by the child, or by a `close*` call).
   * @param childFD - the descriptor.
   */
  childConnectionLost(childFD: number): void;
  /**
   * The process has exited; some of its pipes may still be open.
   * @param reason - `ProcessDone` (exit status 0) or `ProcessTerminated` (other status or signal).
   */
  processExited(reason: Failure): void;
  /**
   * The process has exited and every pipe to it is closed: the last call.
   * @param reason - `ProcessDone` or `ProcessTerminated`, as for `processExited`.
   */
  processEnded(reason: Failure): void;
}

/** The parent's handle on a child process: Twisted's `IProcessTransport`. */
export interface IProcessTransport extends IConsumer {
  /** The child's process id; null once it has exited (as in Twisted). */
  readonly pid: number | null;
  /**
   * Write to the child's standard input; data is lost silently when it has none.
   * @param data - bytes, or a string sent as UTF-8.
   * @throws TypeError for any other type.
   */
  write(data: WriteData): void;
  /**
   * Write several chunks to the child's standard input.
   * @param data - the chunks.
   */
  writeSequence(data: readonly WriteData[]): void;
  /**
   * Write to one of the child's descriptors opened with `"w"`.
   * @param childFD - the child's descriptor.
   * @param data - the bytes.
   * @throws RangeError when there is no open `"w"` pipe to that descriptor.
   */
  writeToChild(childFD: number, data: WriteData): void;
  /**
   * Close one of the pipes to the child: a writing pipe after what was written is flushed, a
   * reading pipe at once. Closing a closed descriptor does nothing.
   * @param childFD - the child's descriptor.
   */
  closeChildFD(childFD: number): void;
  /** Close the child's standard input (it then reads end-of-file). */
  closeStdin(): void;
  /** Stop reading the child's standard output and close it. */
  closeStdout(): void;
  /** Stop reading the child's standard error and close it. */
  closeStderr(): void;
  /** Close standard input, output and error. The process is not killed. */
  loseConnection(): void;
  /**
   * Send the child a signal.
   * @param signal - `"TERM"`, `"KILL"`, `"INT"`, `"HUP"`, `"STOP"`, a Node signal name, or a number.
   * @throws ProcessExitedAlready when the process has exited.
   */
  signalProcess(signal: ProcessSignal): void;
  /** Stop reading the child's output pipes until `resumeProducing`. */
  pauseProducing(): void;
  /** Read the child's output pipes again. */
  resumeProducing(): void;
}

/** Options of `spawnProcess`. */
export interface SpawnProcessOptions {
  /**
   * The child's whole environment. Leave it out for an EMPTY environment (Twisted's default
   * on POSIX when `env` is not given); pass `null` to inherit this process's environment
   * (Twisted's `env=None`).
   */
  env?: Readonly<Record<string, string>> | null;
  /** The directory to run in (Twisted's `path`); this process's by default. */
  path?: string;
  /** The user id to run as (needs privileges). */
  uid?: number;
  /** The group id to run as (needs privileges). */
  gid?: number;
  /**
   * The child's descriptors: child fd → `"r"`, `"w"` or a parent fd. By default
   * `{ 0: "w", 1: "r", 2: "r" }`. Descriptors left out are closed in the child (0–2 are
   * attached to /dev/null instead).
   */
  childFDs?: Readonly<Record<number, ChildFDTarget>>;
}

/** Running programs: Twisted's `IReactorProcess`. */
export interface IReactorProcess {
  /**
   * Start a program with its standard streams connected to a process protocol.
   * @param processProtocol - told about output, pipes closing and the exit.
   * @param executable - the program: a path, or a name looked up in `PATH`.
   * @param args - the whole argument vector, program name first (`["ls", "-l"]`), as in Twisted.
   * @param options - `env`, `path` (working directory), `uid`, `gid`, `childFDs`.
   * @returns the process transport (also handed to `processProtocol.makeConnection`).
   * @throws Error (with the system `code`, e.g. ENOENT) when the program cannot be started.
   */
  spawnProcess(
    processProtocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options?: SpawnProcessOptions,
  ): IProcessTransport;
}
