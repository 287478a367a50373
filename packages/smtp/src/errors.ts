/**
 * The errors of `@twisted-ts/smtp`. Each class extends core's `TwistedError`, so it has a stable
 * `code` and is recognised by `instanceof` across copies of the package.
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error `@twisted-ts/smtp` raises: Twisted's `SMTPError`. */
export class SMTPError extends TwistedError {
  static override readonly code: string = "ERR_SMTP";
}

/** An address could not be parsed: Twisted's `AddressError`. */
export class AddressError extends SMTPError {
  static override readonly code: string = "ERR_SMTP_ADDRESS";
}
