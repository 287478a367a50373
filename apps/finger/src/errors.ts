/**
 * The errors of apps/finger. Each has a stable `code` and, through core's `TwistedError`, a
 * `Symbol.for` brand, so `instanceof` works across copies.
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error the finger app raises. */
export class FingerAppError extends TwistedError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_APP";
}

/** The options given to `makeService` (or `twist finger`) do not make sense together. */
export class FingerUsageError extends FingerAppError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_APP_USAGE";
}

/**
 * What an RPC error response says went wrong, as a stable code:
 * - `parse-error`: the netstring or its JSON could not be read;
 * - `invalid-request`: the JSON is not a request object (`id`, `method`, `params`);
 * - `method-not-found`: no such method (there are `getUser` and `getUsers`);
 * - `invalid-params`: wrong number or type of parameters, or a user name too long;
 * - `too-large`: the request, or its answer, crosses a size limit;
 * - `busy`: too many requests are in flight on this connection;
 * - `internal-error`: the finger service failed.
 */
export type FingerRPCErrorCode =
  | "parse-error"
  | "invalid-request"
  | "method-not-found"
  | "invalid-params"
  | "too-large"
  | "busy"
  | "internal-error";

/** The base of the RPC layer's errors. */
export class FingerRPCError extends FingerAppError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_RPC";
}

/**
 * The server answered a call with an error response: PB's `RemoteError`. `remoteCode` says
 * which, `message` is the server's text.
 */
export class FingerRPCRemoteError extends FingerRPCError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_RPC_REMOTE";
  /** The error code the server sent. */
  readonly remoteCode: FingerRPCErrorCode;

  /**
   * @param remoteCode - the code from the error response.
   * @param message - the server's message.
   */
  constructor(remoteCode: FingerRPCErrorCode, message: string) {
    super(message);
    this.remoteCode = remoteCode;
  }
}

/** The peer broke the RPC protocol (bad netstring, bad JSON, an answer to no call, too big). */
export class FingerRPCProtocolError extends FingerRPCError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_RPC_PROTOCOL";
}

/** A call got no answer within the client's `timeout` (seconds). */
export class FingerRPCTimeoutError extends FingerRPCError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_RPC_TIMEOUT";
  /** The timeout that passed, in seconds. */
  readonly timeout: number;

  /** @param timeout - the timeout, in seconds. */
  constructor(timeout: number) {
    super(`no RPC answer within ${timeout} s`);
    this.timeout = timeout;
  }
}

/** The connection closed while calls were in flight, or a call was made on a closed one. */
export class FingerRPCConnectionLost extends FingerRPCError {
  /** The stable code. */
  static override readonly code: string = "ERR_FINGER_RPC_CONNECTION_LOST";
}
