/**
 * Run a program and get what it printed or how it exited, as a Deferred: Twisted's
 * `twisted.internet.utils` (`getProcessOutput`, `getProcessValue`, `getProcessOutputAndValue`).
 * @packageDocumentation
 */
import { Deferred } from "./defer/deferred.js";
import { TwistedError } from "./errors.js";
import type { Failure } from "./failure.js";
import type { IReactorProcess } from "./interfaces/process.js";
import { ProcessProtocol } from "./protocol/processProtocol.js";
import { reactor as globalReactor } from "./reactor/reactor.js";

/** An environment for the helpers: a whole environment, or null to inherit this process's. */
export type ProcessEnv = Readonly<Record<string, string>> | null;

/**
 * `getProcessOutput` saw bytes on the child's standard error (and `errortoo` was false).
 * Twisted's `_UnexpectedErrorOutput`, an `IOError`.
 */
export class UnexpectedErrorOutput extends TwistedError {
  static override readonly code: string = "ERR_UNEXPECTED_ERROR_OUTPUT";
  /** Fails with the process's end reason (`ProcessDone` or `ProcessTerminated`) once it ends. */
  readonly processEnded: Deferred<never>;
  /**
   * @param text - the first bytes seen on standard error.
   * @param processEnded - fails when the process has ended.
   */
  constructor(text: Buffer, processEnded: Deferred<never>) {
    super(`got stderr: ${JSON.stringify(text.toString("latin1"))}`);
    this.processEnded = processEnded;
  }
}

function spawnWith(
  protocol: ProcessProtocol,
  executable: string,
  args: readonly string[],
  env: ProcessEnv | undefined,
  path: string | undefined,
  reactor: IReactorProcess | undefined,
): void {
  (reactor ?? globalReactor).spawnProcess(protocol, executable, [executable, ...args], {
    ...(env === undefined ? {} : { env }),
    ...(path === undefined ? {} : { path }),
  });
}

class BackRelay extends ProcessProtocol {
  private readonly chunks: Buffer[] = [];
  private onProcessEnded: Deferred<never> | undefined;

  constructor(
    private deferred: Deferred<Buffer> | undefined,
    private readonly errortoo: boolean,
  ) {
    super();
  }

  override outReceived(data: Buffer): void {
    this.chunks.push(data);
  }

  override errReceived(data: Buffer): void {
    if (this.errortoo) {
      this.chunks.push(data);
      return;
    }
    const deferred = this.deferred;
    if (deferred === undefined) return;
    this.deferred = undefined;
    this.onProcessEnded = new Deferred<never>();
    deferred.errback(new UnexpectedErrorOutput(data, this.onProcessEnded));
    this.transport?.loseConnection();
  }

  override processEnded(reason: Failure): void {
    if (this.deferred !== undefined) this.deferred.callback(Buffer.concat(this.chunks));
    else this.onProcessEnded?.errback(reason);
  }
}

/**
 * Run a program and get everything it wrote to standard output.
 * @param executable - the program (a path, or a name looked up in `PATH`).
 * @param args - its arguments, WITHOUT the program name (it is added, as in Twisted).
 * @param env - the whole environment; empty when left out (Twisted's `env={}`), this process's
 *   when null.
 * @param path - the working directory; this process's by default.
 * @param reactor - the reactor; the global one by default.
 * @param errortoo - also collect standard error (mixed in). When false, the first bytes on
 *   standard error fail the result with `UnexpectedErrorOutput` and the pipes are closed.
 * @returns a Deferred of the output, fired once the process has ended, whatever its exit status.
 * @throws Error when the program cannot be started.
 */
export function getProcessOutput(
  executable: string,
  args: readonly string[] = [],
  env?: ProcessEnv,
  path?: string,
  reactor?: IReactorProcess,
  errortoo = false,
): Deferred<Buffer> {
  const d = new Deferred<Buffer>();
  spawnWith(new BackRelay(d, errortoo), executable, args, env, path, reactor);
  return d;
}

class ValueGetter extends ProcessProtocol {
  constructor(private readonly deferred: Deferred<number | null>) {
    super();
  }

  override processEnded(reason: Failure): void {
    this.deferred.callback((reason.value as { exitCode: number | null }).exitCode);
  }
}

/**
 * Run a program and get its exit code.
 * @param executable - the program.
 * @param args - its arguments, without the program name.
 * @param env - as for `getProcessOutput`.
 * @param path - the working directory.
 * @param reactor - the reactor; the global one by default.
 * @returns a Deferred of the exit code, or of null when a signal ended the process.
 * @throws Error when the program cannot be started.
 */
export function getProcessValue(
  executable: string,
  args: readonly string[] = [],
  env?: ProcessEnv,
  path?: string,
  reactor?: IReactorProcess,
): Deferred<number | null> {
  const d = new Deferred<number | null>();
  spawnWith(new ValueGetter(d), executable, args, env, path, reactor);
  return d;
}

class EverythingGetter extends ProcessProtocol {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];

  constructor(
    private readonly deferred: Deferred<[Buffer, Buffer, number]>,
    private readonly stdinBytes: Uint8Array | string | undefined,
  ) {
    super();
  }

  override connectionMade(): void {
    if (this.stdinBytes === undefined) return;
    this.transport?.writeToChild(0, this.stdinBytes);
    this.transport?.closeStdin();
  }

  override outReceived(data: Buffer): void {
    this.out.push(data);
  }

  override errReceived(data: Buffer): void {
    this.err.push(data);
  }

  override processEnded(reason: Failure): void {
    const { exitCode, signal } = reason.value as { exitCode: number | null; signal: string | null };
    const out = Buffer.concat(this.out);
    const err = Buffer.concat(this.err);
    if (signal) this.deferred.errback([out, err, signal]);
    else this.deferred.callback([out, err, exitCode ?? 0]);
  }
}

/**
 * Run a program and get its standard output, its standard error and its exit code.
 * @param executable - the program.
 * @param args - its arguments, without the program name.
 * @param env - as for `getProcessOutput`.
 * @param path - the working directory.
 * @param reactor - the reactor; the global one by default.
 * @param stdinBytes - written to the program's standard input, which is then closed.
 * @returns a Deferred of `[out, err, exitCode]`. When a signal ends the process it fails, as in
 *   Twisted, with the array `[out, err, signal]` as the Failure's value (`signal` is the name,
 *   "SIGTERM").
 * @throws Error when the program cannot be started.
 */
export function getProcessOutputAndValue(
  executable: string,
  args: readonly string[] = [],
  env?: ProcessEnv,
  path?: string,
  reactor?: IReactorProcess,
  stdinBytes?: Uint8Array | string,
): Deferred<[Buffer, Buffer, number]> {
  const d = new Deferred<[Buffer, Buffer, number]>();
  spawnWith(new EverythingGetter(d, stdinBytes), executable, args, env, path, reactor);
  return d;
}
