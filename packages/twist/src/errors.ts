/**
 * The errors of `@twisted-ts/twist`. Each has a stable `code` and, through core's
 * `TwistedError`, a `Symbol.for` brand, so `instanceof` works across copies of the package.
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error `twist` raises. */
export class TwistError extends TwistedError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST";
}

/**
 * The command line is wrong: an unknown option, a missing value, a plugin that does not exist,
 * an option that does not go with another. `twist` prints the message and exits with 64
 * (`EX_USAGE`), as Twisted's `twist` does.
 */
export class UsageError extends TwistError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_USAGE";
}

/** The base of the pidfile errors: Twisted's `twisted.application.runner._pidfile` errors. */
export class PidfileError extends TwistError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_PIDFILE";
  /** The pidfile's path. */
  readonly path: string;
  /**
   * @param path - the pidfile's path.
   * @param message - what is wrong with it.
   * @param options - the standard `cause` option.
   */
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/** The pidfile names a process that is alive: another instance is running. */
export class AlreadyRunningError extends PidfileError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_ALREADY_RUNNING";
  /** The live process's id. */
  readonly pid: number;
  /**
   * @param path - the pidfile's path.
   * @param pid - the live process it names.
   */
  constructor(path: string, pid: number) {
    super(path, `Another twist server is running, PID ${pid} (pidfile ${path})`);
    this.pid = pid;
  }
}

/** The pidfile holds something other than a process id: Twisted's `InvalidPIDFileError`. */
export class InvalidPidfileError extends PidfileError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_INVALID_PIDFILE";
}

/** The state file cannot be read (not JSON, or not an object) or written. */
export class StateFileError extends TwistError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_STATE_FILE";
}

/** A plugin module cannot be found, imported, or does not export a service maker. */
export class PluginLoadError extends TwistError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_PLUGIN_LOAD";
}

/** An application file cannot be imported, or does not export `application`. */
export class AppLoadError extends TwistError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_TWIST_APP_LOAD";
}
