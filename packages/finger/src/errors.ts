/**
 * The errors of `@twisted-ts/finger`. Each class extends core's `TwistedError`, so it has a
 * stable `code` and is recognised by `instanceof` across copies of the package (an ESM and a
 * CJS copy, or two installed versions).
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error this package raises (`ERR_FINGER`). */
export class FingerError extends TwistedError {
  static override readonly code: string = "ERR_FINGER";
}

/**
 * A finger answer (or a file a back end reads) grew past its size cap. The cap is the
 * `limit` field, in bytes.
 */
export class FingerSizeError extends FingerError {
  static override readonly code: string = "ERR_FINGER_SIZE";
  /** The cap that was crossed, in bytes. */
  readonly limit: number;

  /**
   * @param message - what grew too large.
   * @param limit - the cap, in bytes.
   */
  constructor(message: string, limit: number) {
    super(message);
    this.limit = limit;
  }
}

/** A finger client gave up waiting: no complete answer within `timeout` seconds. */
export class FingerTimeoutError extends FingerError {
  static override readonly code: string = "ERR_FINGER_TIMEOUT";
  /** The timeout that expired, in seconds. */
  readonly timeout: number;

  /**
   * @param timeout - the timeout, in seconds.
   */
  constructor(timeout: number) {
    super(`no finger answer within ${timeout} s`);
    this.timeout = timeout;
  }
}

/** A query or setter line that cannot be sent or handled (a bad user name, a CR or LF in it). */
export class FingerQueryError extends FingerError {
  static override readonly code: string = "ERR_FINGER_QUERY";
}

/** A back end failed: a command exited badly, a file could not be read, an HTTP error. */
export class FingerServiceError extends FingerError {
  static override readonly code: string = "ERR_FINGER_SERVICE";
}
