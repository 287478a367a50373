/**
 * The errors of `@twisted-ts/core`, in Twisted's hierarchy (`twisted.internet.error`,
 * `twisted.internet.defer`, `twisted.internet.task`).
 *
 * Every class has a stable `code` and carries a `Symbol.for` brand listing the codes of its class
 * chain, so `instanceof` and `Class.is(value)` recognise an error made by another copy of this
 * package (an ESM and a CJS copy loaded side by side, or two installed versions).
 *
 * @packageDocumentation
 */

import type { Failure } from "./failure.js";

const BRAND: unique symbol = Symbol.for("twisted-ts.error.codes") as never;
const codeCache = new WeakMap<Function, readonly string[]>();

function codesOf(ctor: Function): readonly string[] {
  let codes = codeCache.get(ctor);
  if (codes === undefined) {
    const found: string[] = [];
    for (
      let c: unknown = ctor;
      typeof c === "function" && c !== Error;
      c = Object.getPrototypeOf(c)
    ) {
      if (Object.hasOwn(c, "code")) found.push((c as unknown as { code: string }).code);
    }
    codes = Object.freeze(found);
    codeCache.set(ctor, codes);
  }
  return codes;
}

/**
 * The base of every error twisted-ts raises. Subclasses set a static `code`; instances expose it
 * as `error.code`. `instanceof` works across copies of the package through a `Symbol.for` brand.
 */
export class TwistedError extends Error {
  /** The stable, machine-readable code of this class of error. */
  static readonly code: string = "ERR_TWISTED";

  /** The codes of this error's class and all its ancestors, most specific first. */
  declare readonly [BRAND]: readonly string[];

  /**
   * @param message - what went wrong, for people.
   * @param options - the standard `cause` option.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, BRAND, {
      value: codesOf(new.target),
      enumerable: false,
    });
    Object.defineProperty(this, "name", {
      value: new.target.name,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  /** The stable code of this error, e.g. `"ERR_CONNECTION_DONE"`. */
  get code(): string {
    return (this.constructor as typeof TwistedError).code;
  }

  /** Recognises instances made by any copy of this package, through the brand. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value === "object" && value !== null && BRAND in value) {
      const codes = (value as { [BRAND]: unknown })[BRAND];
      if (Array.isArray(codes))
        return codes.includes((this as unknown as typeof TwistedError).code);
    }
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /**
   * A type guard equivalent to `instanceof`, usable where a function is wanted
   * (`errors.filter(ConnectionLost.is)` needs a bound form: `(e) => ConnectionLost.is(e)`).
   */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return value instanceof this;
  }
}

// ---------------------------------------------------------------- twisted.internet.defer

/** A Deferred (or a DelayedCall-like object) was fired twice. */
export class AlreadyCalledError extends TwistedError {
  static override readonly code: string = "ERR_ALREADY_CALLED";
}

/** A Deferred was cancelled (`Deferred.cancel()`) before it had a result. */
export class CancelledError extends TwistedError {
  static override readonly code: string = "ERR_CANCELLED";
  constructor(message = "Deferred was cancelled", options?: ErrorOptions) {
    super(message, options);
  }
}

/** `ensureDeferred` was given something that is neither a Deferred, a Promise nor a coroutine. */
export class NotACoroutineError extends TwistedError {
  static override readonly code: string = "ERR_NOT_A_COROUTINE";
}

/**
 * The first failure among the members of a `DeferredList` with `fireOnOneErrback`, or of
 * `gatherResults`: which member failed (`index`) and how (`subFailure`).
 */
export class FirstError extends TwistedError {
  static override readonly code: string = "ERR_FIRST_ERROR";
  /** The Failure of the member that failed first. */
  readonly subFailure: Failure;
  /** The position of that member in the input list. */
  readonly index: number;
  /**
   * @param subFailure - the member's Failure.
   * @param index - the member's position in the list.
   */
  constructor(subFailure: Failure, index: number) {
    super(`FirstError[#${index}, ${subFailure.getErrorMessage()}]`, {
      cause: subFailure.value,
    });
    this.subFailure = subFailure;
    this.index = index;
  }
}

/** Every member of a `race` failed; `failures` holds their Failures in input order. */
export class FailureGroup extends TwistedError {
  static override readonly code: string = "ERR_FAILURE_GROUP";
  /** The members' Failures, in input order. */
  readonly failures: readonly Failure[];
  /** @param failures - the members' Failures, in input order. */
  constructor(failures: readonly Failure[]) {
    super(`all ${failures.length} Deferreds failed`);
    this.failures = failures;
  }
}

/** `DeferredQueue.put` would exceed the queue's `size`, or `get` its `backlog`. */
export class QueueOverflow extends TwistedError {
  static override readonly code: string = "ERR_QUEUE_OVERFLOW";
}

/** `DeferredQueue.get` would exceed the queue's backlog of waiting getters. */
export class QueueUnderflow extends TwistedError {
  static override readonly code: string = "ERR_QUEUE_UNDERFLOW";
}

// ---------------------------------------------------------------- DelayedCall

/** `cancel`/`reset`/`delay` on a delayed call that has already run. */
export class AlreadyCalled extends TwistedError {
  static override readonly code: string = "ERR_ALREADY_CALLED_DELAYED";
}

/** `cancel`/`reset`/`delay` on a delayed call that was cancelled. */
export class AlreadyCancelled extends TwistedError {
  static override readonly code: string = "ERR_ALREADY_CANCELLED";
}

// ---------------------------------------------------------------- twisted.internet.task

/** The base of the Cooperator's errors. */
export class SchedulerError extends TwistedError {
  static override readonly code: string = "ERR_SCHEDULER";
}

/** The Cooperator was stopped; its tasks fail with this, and so do tasks added later. */
export class SchedulerStopped extends SchedulerError {
  static override readonly code: string = "ERR_SCHEDULER_STOPPED";
}

/** A cooperative task was stopped with `stop()`. */
export class TaskStopped extends SchedulerError {
  static override readonly code: string = "ERR_TASK_STOPPED";
}

/** A cooperative task has already finished. */
export class TaskDone extends SchedulerError {
  static override readonly code: string = "ERR_TASK_DONE";
}

/** A cooperative task has already failed. */
export class TaskFailed extends SchedulerError {
  static override readonly code: string = "ERR_TASK_FAILED";
}

/** `resume()` on a cooperative task that is not paused. */
export class NotPaused extends SchedulerError {
  static override readonly code: string = "ERR_NOT_PAUSED";
}

// ---------------------------------------------------------------- twisted.internet.error

/** A port could not be bound. */
export class BindError extends TwistedError {
  static override readonly code: string = "ERR_BIND";
}

/** `listenTCP` and friends could not listen: the port is in use, or the address is invalid. */
export class CannotListenError extends BindError {
  static override readonly code: string = "ERR_CANNOT_LISTEN";
  /** The interface that was asked for ("" for all). */
  readonly interface: string;
  /** The port (or socket path) that was asked for. */
  readonly port: number | string;
  /** The underlying system error, when there is one. */
  readonly socketError: unknown;
  /**
   * @param iface - the interface.
   * @param port - the port or path.
   * @param socketError - the system error.
   */
  constructor(iface: string, port: number | string, socketError: unknown) {
    const why = socketError instanceof Error ? socketError.message : String(socketError);
    super(`Couldn't listen on ${iface || "any"}:${port}: ${why}.`, {
      cause: socketError,
    });
    this.interface = iface;
    this.port = port;
    this.socketError = socketError;
  }
}

/** Joining a multicast group failed. */
export class MulticastJoinError extends TwistedError {
  static override readonly code: string = "ERR_MULTICAST_JOIN";
}

/** A datagram was larger than the transport allows. */
export class MessageLengthError extends TwistedError {
  static override readonly code: string = "ERR_MESSAGE_LENGTH";
}

/** The base of connection-establishment failures. */
export class ConnectError extends TwistedError {
  static override readonly code: string = "ERR_CONNECT";
  /** The underlying system error or explanation, when there is one. */
  readonly osError: unknown;
  /**
   * @param message - what went wrong; defaults to the class's description.
   * @param osError - the system error.
   */
  constructor(message?: string, osError?: unknown) {
    super(
      message ?? "An error occurred while connecting",
      osError === undefined ? undefined : { cause: osError },
    );
    this.osError = osError;
  }
}

/** Binding the client side of a connection failed. */
export class ConnectBindError extends ConnectError {
  static override readonly code: string = "ERR_CONNECT_BIND";
}

/** The host name was not found. */
export class UnknownHostError extends ConnectError {
  static override readonly code: string = "ERR_UNKNOWN_HOST";
}

/** A DNS lookup failed (the host name could not be resolved). */
export class DNSLookupError extends ConnectError {
  static override readonly code: string = "ERR_DNS_LOOKUP";
}

/** No route to the host. */
export class NoRouteError extends ConnectError {
  static override readonly code: string = "ERR_NO_ROUTE";
}

/** The peer refused the connection (ECONNREFUSED). */
export class ConnectionRefusedError extends ConnectError {
  static override readonly code: string = "ERR_CONNECTION_REFUSED";
}

/** The TCP connection attempt timed out in the kernel (ETIMEDOUT). */
export class TCPTimedOutError extends ConnectError {
  static override readonly code: string = "ERR_TCP_TIMED_OUT";
}

/** A connection attempt was cancelled before it completed. */
export class ConnectingCancelledError extends ConnectError {
  static override readonly code: string = "ERR_CONNECTING_CANCELLED";
}

/** The base of failures caused by the user (or the program) rather than the network. */
export class UserError extends ConnectError {
  static override readonly code: string = "ERR_USER";
}

/**
 * A user-set timeout expired: a connection attempt's `timeout`, or `Deferred.addTimeout`
 * (where the message is "Deferred timed out after N seconds").
 */
export class TimeoutError extends UserError {
  static override readonly code: string = "ERR_TIMEOUT";
  /** The timeout that expired, in seconds, when known. */
  readonly timeout: number | undefined;
  /**
   * @param timeout - the timeout in seconds.
   * @param what - what timed out ("Deferred", "connection").
   */
  constructor(timeout?: number, what = "User timeout caused connection failure") {
    super(timeout === undefined ? what : `${what} timed out after ${timeout} seconds`);
    this.timeout = timeout;
  }
}

/** A TLS handshake or record failed. */
export class SSLError extends ConnectError {
  static override readonly code: string = "ERR_SSL";
}

/** The peer's certificate did not verify. */
export class VerifyError extends SSLError {
  static override readonly code: string = "ERR_VERIFY";
}

/** The base of "the connection is over" reasons handed to `connectionLost`. */
export class ConnectionClosed extends TwistedError {
  static override readonly code: string = "ERR_CONNECTION_CLOSED";
}

/** The connection was lost in a non-clean fashion (reset, error, abort). */
export class ConnectionLost extends ConnectionClosed {
  static override readonly code: string = "ERR_CONNECTION_LOST";
  constructor(
    message = "Connection to the other side was lost in a non-clean fashion.",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The connection was aborted locally (`abortConnection`). */
export class ConnectionAborted extends ConnectionLost {
  static override readonly code: string = "ERR_CONNECTION_ABORTED";
  constructor(message = "Connection was aborted locally using ITCPTransport.abortConnection.") {
    super(message);
  }
}

/** The connection was closed cleanly. */
export class ConnectionDone extends ConnectionClosed {
  static override readonly code: string = "ERR_CONNECTION_DONE";
  constructor(message = "Connection was closed cleanly.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** A child process exited with status 0. */
export class ProcessDone extends ConnectionDone {
  static override readonly code: string = "ERR_PROCESS_DONE";
  /** Always 0. */
  readonly exitCode = 0;
  /** Always null. */
  readonly signal = null;
  /** The raw status. */
  readonly status: number;
  /** @param status - the raw status (0). */
  constructor(status = 0) {
    super("A process has ended without apparent errors: process finished with exit code 0.");
    this.status = status;
  }
}

/** A child process exited with a non-zero status or was killed by a signal. */
export class ProcessTerminated extends ConnectionLost {
  static override readonly code: string = "ERR_PROCESS_TERMINATED";
  /** The exit code, or null when a signal ended the process. */
  readonly exitCode: number | null;
  /** The signal that ended the process, or null. */
  readonly signal: string | null;
  /**
   * @param exitCode - the exit code, or null.
   * @param signal - the signal name, or null.
   */
  constructor(exitCode: number | null = null, signal: string | null = null) {
    const why = signal !== null ? `by signal ${signal}` : `with exit code ${exitCode}`;
    super(`A process has ended ${why}.`);
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** A signal was sent to a process that has already exited. */
export class ProcessExitedAlready extends TwistedError {
  static override readonly code: string = "ERR_PROCESS_EXITED_ALREADY";
}

/** `stopConnecting` on a connector that is not connecting. */
export class NotConnectingError extends TwistedError {
  static override readonly code: string = "ERR_NOT_CONNECTING";
}

/** `stopListening` on a port that is not listening. */
export class NotListeningError extends TwistedError {
  static override readonly code: string = "ERR_NOT_LISTENING";
}

/** `stop()` on a reactor that is not running. */
export class ReactorNotRunning extends TwistedError {
  static override readonly code: string = "ERR_REACTOR_NOT_RUNNING";
  constructor(message = "Can't stop reactor that isn't running.") {
    super(message);
  }
}

/** `run()` on a reactor that has already run once. */
export class ReactorNotRestartable extends TwistedError {
  static override readonly code: string = "ERR_REACTOR_NOT_RESTARTABLE";
}

/** `run()` on a reactor that is running. */
export class ReactorAlreadyRunning extends TwistedError {
  static override readonly code: string = "ERR_REACTOR_ALREADY_RUNNING";
}

/** An address of a family the transport does not support. */
export class UnsupportedAddressFamily extends TwistedError {
  static override readonly code: string = "ERR_UNSUPPORTED_ADDRESS_FAMILY";
}

/** An address that is not valid for the operation. */
export class InvalidAddressError extends TwistedError {
  static override readonly code: string = "ERR_INVALID_ADDRESS";
}

/** `startListening` on a port that has already listened. */
export class AlreadyListened extends TwistedError {
  static override readonly code: string = "ERR_ALREADY_LISTENED";
}

/**
 * Thrown (or failed with) by a `react` main function to end the program with a given exit code:
 * Python's `SystemExit`, as Twisted's `react` honours it.
 */
export class SystemExit extends TwistedError {
  static override readonly code: string = "ERR_SYSTEM_EXIT";
  /** The exit code to end with. */
  readonly exitCode: number;
  /** @param exitCode - the exit code (0 for success). */
  constructor(exitCode = 0) {
    super(`exit with code ${exitCode}`);
    this.exitCode = exitCode;
  }
}
