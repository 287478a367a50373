/**
 * The errors of `@twisted-ts/memcache`, after Twisted's `twisted.protocols.memcache`
 * (`NoSuchCommand`, `ClientError`, `ServerError`). Each class extends core's `TwistedError`, so
 * it has a stable `code` and is recognised by `instanceof` across copies of the package (an ESM
 * and a CJS copy, or two installed versions).
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error this package raises (`ERR_MEMCACHE`). */
export class MemCacheError extends TwistedError {
  static override readonly code: string = "ERR_MEMCACHE";
}

/**
 * The server answered `ERROR`: it does not know the command that was sent. Twisted's
 * `NoSuchCommand`.
 */
export class NoSuchCommand extends MemCacheError {
  static override readonly code: string = "ERR_MEMCACHE_NO_SUCH_COMMAND";

  /**
   * @param message - what went wrong; "Non-existent command sent." by default.
   */
  constructor(message = "Non-existent command sent.") {
    super(message);
  }
}

/**
 * An invalid client call: refused before anything was sent (a key that is empty, longer than
 * `MAX_KEY_LENGTH` bytes or holding a space or control character, a value longer than the
 * value limit, flags or an expiry that are not integers), or answered by the server with
 * `CLIENT_ERROR <text>`. Twisted's `ClientError`.
 */
export class ClientError extends MemCacheError {
  static override readonly code: string = "ERR_MEMCACHE_CLIENT";
  /** The server's text after `CLIENT_ERROR`, or null when the call was refused locally. */
  readonly reply: string | null;

  /**
   * @param message - what went wrong.
   * @param reply - the server's text, when the server refused the call.
   */
  constructor(message: string, reply: string | null = null) {
    super(message);
    this.reply = reply;
  }
}

/** The server answered `SERVER_ERROR <text>`. Twisted's `ServerError`. */
export class ServerError extends MemCacheError {
  static override readonly code: string = "ERR_MEMCACHE_SERVER";
  /** The server's text after `SERVER_ERROR`. */
  readonly reply: string;

  /**
   * @param reply - the server's text.
   */
  constructor(reply: string) {
    super(`server error: ${reply}`);
    this.reply = reply;
  }
}

/**
 * A command was given to a protocol that is not connected: before the connection was made,
 * after it was lost, or after a timeout dropped it. Twisted fails with `RuntimeError("not
 * connected")`.
 */
export class NotConnectedError extends MemCacheError {
  static override readonly code: string = "ERR_MEMCACHE_NOT_CONNECTED";

  /** A fixed message: "not connected". */
  constructor() {
    super("not connected");
  }
}

/**
 * The server sent something that does not answer the pending command: a reply when nothing was
 * asked, a value for another key, a malformed line, a value longer than the limit, or a line
 * longer than the line limit. Every pending command fails with it and the connection is
 * dropped. Twisted raises `RuntimeError` out of `dataReceived` instead.
 */
export class UnexpectedReplyError extends MemCacheError {
  static override readonly code: string = "ERR_MEMCACHE_UNEXPECTED_REPLY";
}
