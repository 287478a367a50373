/**
 * `@twisted-ts/smtp`: ESMTP for twisted-ts, after `twisted.mail.smtp`: the server with Twisted's
 * delivery model and Maildir, the client and `sendmail`.
 * @packageDocumentation
 */

export { Address, MAX_ADDRESS_LENGTH, User } from "./address.js";
export * from "./client/index.js";
export { AddressError, SMTPError } from "./errors.js";
export * from "./server/index.js";
