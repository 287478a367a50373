/**
 * The errors of the small credentials framework: Twisted's `twisted.cred.error`.
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of the credentials errors. */
export class CredError extends TwistedError {
  static override readonly code: string = "ERR_CRED";
}

/** The credentials were refused (wrong password, unknown user): Twisted's `UnauthorizedLogin`. */
export class UnauthorizedLogin extends CredError {
  static override readonly code: string = "ERR_CRED_UNAUTHORIZED_LOGIN";
}

/** No checker of the portal accepts this kind of credentials: Twisted's `UnhandledCredentials`. */
export class UnhandledCredentials extends CredError {
  static override readonly code: string = "ERR_CRED_UNHANDLED_CREDENTIALS";
}

/** The realm offers none of the interfaces asked for. */
export class UnsupportedInterface extends CredError {
  static override readonly code: string = "ERR_CRED_UNSUPPORTED_INTERFACE";
}
