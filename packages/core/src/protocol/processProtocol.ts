/**
 * `ProcessProtocol`: the base class for talking to a child process.
 * @packageDocumentation
 */
import type { Failure } from "../failure.js";
import type { IProcessProtocol, IProcessTransport } from "../interfaces/process.js";

/**
 * The base class of process protocols: Twisted's `twisted.internet.protocol.ProcessProtocol`.
 * Pass an instance to `reactor.spawnProcess`; override what you need:
 *
 * - `connectionMade()`: the process has started; `this.transport` writes to its stdin.
 * - `outReceived(data)` / `errReceived(data)`: bytes from its stdout / stderr (the default
 *   `childDataReceived` dispatches fd 1 and 2 to these).
 * - `inConnectionLost()`, `outConnectionLost()`, `errConnectionLost()`: a standard pipe closed
 *   (the default `childConnectionLost` dispatches fd 0, 1 and 2 to these).
 * - `processExited(reason)`: the process has exited (pipes may still be open).
 * - `processEnded(reason)`: the process has exited AND every pipe is closed: the last call, with
 *   `ProcessDone` for exit status 0 and `ProcessTerminated` (with `exitCode` or `signal`)
 *   otherwise.
 *
 * @example
 * ```ts
 * class Collect extends ProcessProtocol {
 *   out: Buffer[] = [];
 *   override outReceived(data: Buffer): void { this.out.push(data); }
 *   override processEnded(reason: Failure): void { console.log(Buffer.concat(this.out).toString()); }
 * }
 * reactor.spawnProcess(new Collect(), "/bin/ls", ["ls", "-l"], { env: null });
 * ```
 */
export class ProcessProtocol implements IProcessProtocol {
  /** The process transport, from `makeConnection` on. */
  transport: IProcessTransport | undefined = undefined;
  /** Whether `makeConnection` has been called. */
  connected = false;

  /**
   * Attach the transport and call `connectionMade`. `spawnProcess` calls this.
   * @param transport - the process transport.
   */
  makeConnection(transport: IProcessTransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The process has started. Override to write to it. */
  connectionMade(): void {}

  /**
   * Bytes from one of the child's descriptors; fd 1 goes to `outReceived`, fd 2 to
   * `errReceived`, others are ignored. Override to read extra descriptors (`childFDs`).
   * @param childFD - the child's descriptor.
   * @param data - the bytes.
   */
  childDataReceived(childFD: number, data: Buffer): void {
    if (childFD === 1) this.outReceived(data);
    else if (childFD === 2) this.errReceived(data);
  }

  /**
   * Bytes from the child's standard output, split arbitrarily.
   * @param _data - the bytes.
   */
  outReceived(_data: Buffer): void {}

  /**
   * Bytes from the child's standard error, split arbitrarily.
   * @param _data - the bytes.
   */
  errReceived(_data: Buffer): void {}

  /**
   * One of the child's descriptors closed; fd 0, 1 and 2 go to `inConnectionLost`,
   * `outConnectionLost` and `errConnectionLost`.
   * @param childFD - the descriptor.
   */
  childConnectionLost(childFD: number): void {
    if (childFD === 0) this.inConnectionLost();
    else if (childFD === 1) this.outConnectionLost();
    else if (childFD === 2) this.errConnectionLost();
  }

  /** The child's standard input is closed. */
  inConnectionLost(): void {}

  /** The child's standard output is closed. */
  outConnectionLost(): void {}

  /** The child's standard error is closed. */
  errConnectionLost(): void {}

  /**
   * The process has exited; output may still be arriving.
   * @param _reason - `ProcessDone` or `ProcessTerminated`.
   */
  processExited(_reason: Failure): void {}

  /**
   * The process has exited and all its pipes are closed: nothing more will happen.
   * @param _reason - `ProcessDone` (exit status 0) or `ProcessTerminated` (`exitCode`, `signal`).
   */
  processEnded(_reason: Failure): void {}

  /** The prefix for this protocol's log lines: its class name, as in Twisted. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
