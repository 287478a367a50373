/**
 * The errors of `@twisted-ts/http`. Each class extends core's `TwistedError`, so it has a stable
 * `code` and is recognised by `instanceof` across copies of the package.
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error `@twisted-ts/http` raises. */
export class HTTPError extends TwistedError {
  static override readonly code: string = "ERR_HTTP";
}

/**
 * A resource has no `render_<METHOD>` for the request's method: Twisted's `UnsupportedMethod`.
 * The server answers 405 with `Allow` for GET, HEAD and POST, and 501 for other methods.
 */
export class UnsupportedMethod extends HTTPError {
  static override readonly code: string = "ERR_HTTP_UNSUPPORTED_METHOD";
  /** The methods the resource does support. */
  readonly allowedMethods: readonly string[];

  /** @param allowedMethods - the methods the resource supports. */
  constructor(allowedMethods: readonly string[]) {
    super(`method not allowed; allowed: ${allowedMethods.join(", ")}`);
    this.allowedMethods = allowedMethods;
  }
}
