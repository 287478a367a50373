/**
 * `Process`: a child process and the pipes to it, Twisted's `process.Process`, over
 * `node:child_process`.
 * @packageDocumentation
 */
import { type ChildProcess, type IOType, type StdioOptions, spawn } from "node:child_process";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { ProcessDone, ProcessExitedAlready, ProcessTerminated } from "../errors.js";
import { Failure } from "../failure.js";
import type {
  ChildFDTarget,
  IProcessProtocol,
  IProcessTransport,
  ProcessSignal,
  SpawnProcessOptions,
} from "../interfaces/process.js";
import type { IPullProducer, IPushProducer, WriteData } from "../interfaces/transport.js";
import { Logger } from "../logger/index.js";
import type { ReactorBase, ShutdownResource } from "./base.js";
import { toChunk } from "./connection.js";

const log = new Logger({ namespace: "twisted-ts.internet.process" });

/** The signal names Twisted translates, as Node spells them. */
const SIGNALS: Readonly<Record<string, NodeJS.Signals>> = {
  HUP: "SIGHUP",
  STOP: "SIGSTOP",
  INT: "SIGINT",
  KILL: "SIGKILL",
  TERM: "SIGTERM",
};

/** One parent-side pipe: `"r"` (we read) or `"w"` (we write). */
interface Pipe {
  readonly kind: "r" | "w";
  readonly stream: Readable | Writable;
}

/**
 * A running child process: the `IProcessTransport` handed to the protocol. Output from each
 * `"r"` pipe goes to `childDataReceived`; `write` goes to stdin. `processExited` is called when
 * the process exits, and `processEnded` once it has exited AND every pipe is closed, so all
 * output has been delivered first.
 *
 * Differences from Twisted: `ProcessTerminated.signal` is Node's signal name ("SIGTERM"), not
 * its number; a program that cannot be started (ENOENT, EACCES, a missing working directory)
 * raises from `spawnProcess` (as Twisted's posix_spawn path does) instead of exiting with
 * status 1; descriptors 0–2 left out of `childFDs` are attached to /dev/null, not closed. At
 * reactor shutdown the child is not killed (as in Twisted): the pipes to it are closed and it no
 * longer keeps Node alive.
 */
export class Process implements IProcessTransport, ShutdownResource {
  /** The child's process id; null once it has exited. */
  pid: number | null;
  /** The exit status: null until exit, then the exit code, or null when a signal ended it. */
  status: number | null = null;
  private readonly child: ChildProcess;
  private readonly pipes = new Map<number, Pipe>();
  private proto: IProcessProtocol | undefined;
  private reason: Failure | undefined;
  private producer: IPushProducer | IPullProducer | undefined;
  private streamingProducer = false;
  private producerPaused = false;

  /**
   * Start the program and connect the protocol (`makeConnection`, now).
   * @param reactor - the reactor (for shutdown tracking).
   * @param protocol - the process protocol.
   * @param executable - the program.
   * @param args - the argument vector, program name first.
   * @param options - `env`, `path`, `uid`, `gid`, `childFDs`.
   * @throws Error with the system `code` when the program cannot be started.
   */
  constructor(
    private readonly reactor: ReactorBase,
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ) {
    const childFDs = options.childFDs ?? { 0: "w", 1: "r", 2: "r" };
    const env = options.env === undefined ? {} : (options.env ?? process.env);
    const child = spawn(executable, args.slice(1), {
      argv0: args[0] ?? executable,
      env,
      stdio: stdioFor(childFDs),
      ...(options.path === undefined ? {} : { cwd: options.path }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    this.child = child;
    child.on("error", (error) => {
      if (this.pid !== null) log.failure("Error from process {pid}", error, { pid: this.pid });
    });
    if (child.pid === undefined) {
      this.pid = null;
      for (const stream of child.stdio) stream?.on("error", () => {}).destroy();
      throw whyNotStarted(executable, options.path, env.PATH);
    }
    this.pid = child.pid;
    this.proto = protocol;
    for (const [fd, target] of Object.entries(childFDs)) {
      const stream = child.stdio[Number(fd)];
      if ((target === "r" || target === "w") && stream !== null && stream !== undefined) {
        this.attach(Number(fd), target, stream);
      }
    }
    child.on("exit", (code, signal) => this.processEnded(code, signal));
    reactor.resources.add(this);
    try {
      protocol.makeConnection(this);
    } catch (error) {
      log.failure("Unhandled error in connectionMade of {protocol}", error, {
        protocol: nameOf(protocol),
      });
    }
  }

  private attach(fd: number, kind: "r" | "w", stream: Readable | Writable): void {
    this.pipes.set(fd, { kind, stream });
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") {
        log.failure("Error on pipe {fd} of process {pid}", error, { fd, pid: this.pid });
      }
    });
    stream.on("close", () => this.childConnectionLost(fd));
    if (kind === "r") {
      stream.on("data", (data: Buffer) => this.childDataReceived(fd, data));
    } else {
      // A "w" pipe above fd 0 is a duplex socket: read (and drop) so its end is noticed.
      if ("resume" in stream && fd > 0) (stream as Readable).resume();
      stream.on("drain", () => this.onDrain());
    }
  }

  private childDataReceived(fd: number, data: Buffer): void {
    const protocol = this.proto;
    if (protocol === undefined) return;
    try {
      protocol.childDataReceived(fd, data);
    } catch (error) {
      log.failure("Unhandled error in childDataReceived of {protocol}", error, {
        protocol: nameOf(protocol),
      });
    }
  }

  private childConnectionLost(fd: number): void {
    if (!this.pipes.delete(fd)) return;
    if (fd === 0 && this.producer !== undefined) {
      const producer = this.producer;
      this.producer = undefined;
      this.reactor.safeCall("stopProducing", () => producer.stopProducing(), []);
    }
    const protocol = this.proto;
    if (protocol !== undefined) {
      try {
        protocol.childConnectionLost(fd);
      } catch (error) {
        log.failure("Unhandled error in childConnectionLost of {protocol}", error, {
          protocol: nameOf(protocol),
        });
      }
    }
    this.maybeCallProcessEnded();
  }

  /** The process exited: `processExited` now, `processEnded` once the pipes are closed too. */
  private processEnded(code: number | null, signal: NodeJS.Signals | null): void {
    this.status = code;
    this.pid = null;
    const reason =
      signal !== null
        ? new Failure(new ProcessTerminated(null, signal))
        : code !== 0
          ? new Failure(new ProcessTerminated(code, null))
          : new Failure(new ProcessDone(0));
    this.reason = reason;
    const protocol = this.proto;
    if (protocol !== undefined) {
      try {
        protocol.processExited(reason);
      } catch (error) {
        log.failure("while calling processExited:", error);
      }
    }
    this.maybeCallProcessEnded();
  }

  private maybeCallProcessEnded(): void {
    if (this.pipes.size > 0 || this.reason === undefined || this.proto === undefined) return;
    const protocol = this.proto;
    this.proto = undefined;
    this.reactor.resources.delete(this);
    try {
      protocol.processEnded(this.reason);
    } catch (error) {
      log.failure("while calling processEnded:", error);
    }
  }

  /** @inheritDoc */
  write(data: WriteData): void {
    const chunk = toChunk(data);
    if (this.pipes.get(0)?.kind === "w") this.writeTo(0, chunk);
  }

  /** @inheritDoc */
  writeSequence(data: readonly WriteData[]): void {
    const chunks = data.map(toChunk);
    for (const chunk of chunks) this.write(chunk);
  }

  /** @inheritDoc */
  writeToChild(childFD: number, data: WriteData): void {
    const chunk = toChunk(data);
    if (this.pipes.get(childFD)?.kind !== "w") {
      throw new RangeError(`no open "w" pipe to child fd ${childFD}`);
    }
    this.writeTo(childFD, chunk);
  }

  private writeTo(fd: number, chunk: Uint8Array | string): void {
    const stream = this.pipes.get(fd)?.stream as Writable;
    if (stream.writableEnded || stream.destroyed || chunk.length === 0) return;
    const producer = fd === 0 ? this.producer : undefined;
    if (producer !== undefined && !this.streamingProducer) {
      // A pull producer is asked for the next chunk each time the pipe's buffer empties.
      stream.write(chunk, () => {
        if (this.producer === producer && stream.writableLength === 0) {
          this.reactor.safeCall("resumeProducing", () => producer.resumeProducing(), []);
        }
      });
      return;
    }
    if (!stream.write(chunk) && producer !== undefined && !this.producerPaused) {
      this.producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    }
  }

  private onDrain(): void {
    const producer = this.producer;
    if (producer === undefined || !this.streamingProducer || !this.producerPaused) return;
    this.producerPaused = false;
    (producer as IPushProducer).resumeProducing();
  }

  /** @inheritDoc */
  closeChildFD(childFD: number): void {
    const pipe = this.pipes.get(childFD);
    if (pipe === undefined) return;
    if (pipe.kind === "w") {
      const stream = pipe.stream as Writable;
      if (!stream.writableEnded) stream.end();
    } else {
      pipe.stream.destroy();
    }
  }

  /** @inheritDoc */
  closeStdin(): void {
    this.closeChildFD(0);
  }

  /** @inheritDoc */
  closeStdout(): void {
    this.closeChildFD(1);
  }

  /** @inheritDoc */
  closeStderr(): void {
    this.closeChildFD(2);
  }

  /** @inheritDoc */
  loseConnection(): void {
    this.closeStdin();
    this.closeStderr();
    this.closeStdout();
  }

  /** @inheritDoc */
  signalProcess(signal: ProcessSignal): void {
    const which: NodeJS.Signals | number =
      typeof signal === "number" ? signal : (SIGNALS[signal] ?? (signal as NodeJS.Signals));
    if (this.pid === null) throw new ProcessExitedAlready("the process has already exited");
    if (!this.child.kill(which)) throw new ProcessExitedAlready("the process has already exited");
  }

  /** @inheritDoc */
  pauseProducing(): void {
    for (const pipe of this.pipes.values())
      if (pipe.kind === "r") (pipe.stream as Readable).pause();
  }

  /** @inheritDoc */
  resumeProducing(): void {
    for (const pipe of this.pipes.values())
      if (pipe.kind === "r") (pipe.stream as Readable).resume();
  }

  /**
   * Attach a producer to the child's standard input; without one it is stopped at once.
   * @param producer - the producer.
   * @param streaming - true for a push producer, false for a pull producer.
   * @throws Error when a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) {
      throw new Error(
        `Cannot register producer ${String(producer)}: ${String(this.producer)} is registered`,
      );
    }
    const stdin = this.pipes.get(0);
    if (stdin?.kind !== "w") {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (!streaming) producer.resumeProducing();
    else if ((stdin.stream as Writable).writableNeedDrain) {
      this.producerPaused = true;
      (producer as IPushProducer).pauseProducing();
    }
  }

  /** Detach the producer from standard input. */
  unregisterProducer(): void {
    this.producer = undefined;
    this.producerPaused = false;
  }

  /**
   * At reactor shutdown: close the pipes (the protocol hears `childConnectionLost`) and let the
   * child outlive us without keeping Node alive. The child is not signalled.
   */
  closeForShutdown(): void {
    for (const pipe of this.pipes.values()) pipe.stream.destroy();
    this.child.unref();
  }

  /** `<Process pid=123 status=null>`. */
  toString(): string {
    return `<Process pid=${this.pid} status=${this.status}>`;
  }
}

function stdioFor(childFDs: Readonly<Record<number, ChildFDTarget>>): StdioOptions {
  const fds = Object.keys(childFDs).map(Number);
  const length = Math.max(3, ...fds.map((fd) => fd + 1));
  const stdio: (IOType | number)[] = [];
  for (let fd = 0; fd < length; fd++) {
    const target = childFDs[fd];
    stdio.push(target === undefined ? "ignore" : typeof target === "number" ? target : "pipe");
  }
  return stdio;
}

/**
 * Why a spawn failed, as an Error with a system `code`: Node reports the reason only on a later
 * tick, so it is found again here (working directory, then the program on `PATH`).
 */
function whyNotStarted(
  executable: string,
  cwd: string | undefined,
  pathVar: string | undefined,
): Error {
  const fail = (code: string, what: string): Error =>
    Object.assign(new Error(`spawnProcess: cannot run ${executable}: ${what} (${code})`), {
      code,
      path: executable,
    });
  if (cwd !== undefined) {
    try {
      if (!statSync(cwd).isDirectory())
        return fail("ENOTDIR", `working directory ${cwd} is not a directory`);
    } catch {
      return fail("ENOENT", `working directory ${cwd} does not exist`);
    }
  }
  const candidates = executable.includes("/")
    ? [executable]
    : (pathVar ?? "/usr/bin:/bin").split(delimiter).map((dir) => join(dir, executable));
  let found: "none" | "file" | "runnable" = "none";
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isDirectory()) continue;
      found = "file";
      accessSync(candidate, fsConstants.X_OK);
      found = "runnable";
      break;
    } catch {}
  }
  if (found === "none") return fail("ENOENT", "no such file");
  if (found === "file") return fail("EACCES", "permission denied");
  return fail("EPERM", "the system refused to start it");
}

function nameOf(protocol: IProcessProtocol): string {
  const prefix = (protocol as { logPrefix?: () => string }).logPrefix;
  return typeof prefix === "function" ? prefix.call(protocol) : protocol.constructor.name;
}
