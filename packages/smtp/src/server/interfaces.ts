/**
 * The delivery interfaces of the SMTP server: Twisted's `IMessage`, `IMessageDelivery` and
 * `IMessageDeliveryFactory`, plus the ESMTP parameters handed to them.
 * @packageDocumentation
 */
import type { Deferred } from "@twisted-ts/core";
import type { Address, User } from "../address.js";

/**
 * One message being received for one recipient: Twisted's `IMessage`. The server calls
 * `lineReceived` for each line (the Received header first), then `eomReceived` at the end, or
 * `connectionLost` when the message is abandoned (connection lost, RSET, a limit crossed).
 */
export interface IMessage {
  /**
   * One line of the message, without its CRLF, already dot-unstuffed.
   * @param line - the line: a view that may be kept (the server never changes it).
   * @throws SMTPServerError to refuse the message: its reply is sent at the end of the data.
   */
  lineReceived(line: Buffer): void;
  /**
   * The message is complete. The server answers 250 only once the result fires, so fire it
   * only when the message is safe (on disk, queued).
   * @returns (a Deferred or a Promise of) anything; a failure answers 550 (or the
   *   SMTPServerError's reply).
   */
  eomReceived(): Deferred<unknown> | PromiseLike<unknown> | unknown;
  /** The message is abandoned: throw away what was kept of it. */
  connectionLost(): void;
}

/** A no-argument function that makes the IMessage for one accepted recipient. */
export type MessageFactory = () => IMessage;

/** The parameters of the `MAIL FROM` command (RFC 1870, 6152, 6531, 3461, 4954). */
export interface MailParameters {
  /** `SIZE=`: the size the client declared, in octets. */
  readonly size?: number | undefined;
  /** `BODY=`: "7BIT" or "8BITMIME". */
  readonly body?: "7BIT" | "8BITMIME" | undefined;
  /** `SMTPUTF8`: the envelope or headers carry UTF-8. */
  readonly smtputf8?: boolean | undefined;
  /** `RET=` (DSN): "FULL" or "HDRS". */
  readonly ret?: "FULL" | "HDRS" | undefined;
  /** `ENVID=` (DSN), xtext-decoded. */
  readonly envid?: string | undefined;
  /** `AUTH=`, xtext-decoded ("<>" when unknown). */
  readonly auth?: string | undefined;
  /** Every parameter as written, upper-cased keys, raw values (`true` for a keyword alone). */
  readonly raw: Readonly<Record<string, string | true>>;
}

/** The `ORCPT=` parameter of RCPT (RFC 3461 §4.2). */
export interface OriginalRecipient {
  /** The address type, e.g. "rfc822". */
  readonly addrType: string;
  /** The original recipient's address, xtext-decoded. */
  readonly address: string;
}

/** The parameters of one `RCPT TO` command (RFC 3461 DSN). */
export interface RcptParameters {
  /** `NOTIFY=`: "NEVER", or some of "SUCCESS", "FAILURE", "DELAY". */
  readonly notify?: readonly ("NEVER" | "SUCCESS" | "FAILURE" | "DELAY")[] | undefined;
  /** `ORCPT=`: the original recipient. */
  readonly orcpt?: OriginalRecipient | undefined;
  /** Every parameter as written, upper-cased keys, raw values. */
  readonly raw: Readonly<Record<string, string | true>>;
}

/** The client's HELO/EHLO argument (null before one) and its IP address. */
export type Helo = readonly [name: string | null, address: string];

/**
 * Decides who may send and receive, and makes the messages: Twisted's `IMessageDelivery`.
 */
export interface IMessageDelivery {
  /**
   * The Received header line put first in every message (with "\n\t" continuations), or null
   * for none.
   * @param helo - the HELO argument and the client's address.
   * @param origin - the sender.
   * @param recipients - the recipients of this copy (one).
   */
  receivedHeader(helo: Helo, origin: Address, recipients: readonly User[]): string | Buffer | null;
  /**
   * Accept or refuse a sender.
   * @param helo - the HELO argument and the client's address.
   * @param origin - the sender (`isNull` for `<>`).
   * @param params - the MAIL parameters (an addition to Twisted's signature).
   * @returns (a Deferred or Promise of) the address; throw or fail with SMTPBadSender or
   *   another SMTPServerError to refuse.
   */
  validateFrom(
    helo: Helo,
    origin: Address,
    params?: MailParameters,
  ): Deferred<Address> | PromiseLike<Address> | Address;
  /**
   * Accept or refuse a recipient.
   * @param user - the recipient, with the HELO, the protocol and the sender.
   * @param params - the RCPT parameters (an addition to Twisted's signature).
   * @returns (a Deferred or Promise of) a function making the recipient's IMessage; throw or
   *   fail with SMTPBadRcpt or another SMTPServerError to refuse.
   */
  validateTo(
    user: User,
    params?: RcptParameters,
  ): Deferred<MessageFactory> | PromiseLike<MessageFactory> | MessageFactory;
}

/** Makes one IMessageDelivery per message: Twisted's `IMessageDeliveryFactory`. */
export interface IMessageDeliveryFactory {
  /** @returns the delivery for the next message. */
  getMessageDelivery(): IMessageDelivery;
}
