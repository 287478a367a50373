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

// ---------------------------------------------------------------- client (src/client/**)

/** What every {@link SMTPClientError} carries besides its message. */
export interface SMTPClientErrorOptions {
  /** The session log up to the error (the client's `LineLog`, as text). */
  log?: string | undefined;
  /** The per-recipient results `[address, code, response]`, when there are any. */
  addresses?: readonly (readonly [string, number, string])[] | undefined;
  /** Whether the connection cannot go on (it is closed without QUIT). */
  isFatal?: boolean | undefined;
  /** Whether a sender factory should try the delivery again. */
  retry?: boolean | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * An error of the SMTP client: Twisted's `SMTPClientError`. The server's reply code is
 * `smtpCode` (`code` is the stable error code every twisted-ts error has) and its text `resp`.
 * A fatal error closes the connection at once; a non-fatal one sends QUIT first. `retry` tells a
 * sender factory that another attempt may succeed.
 *
 * Differences from Twisted: Twisted's `code` is `smtpCode` here; `resp` and `log` are strings.
 */
export class SMTPClientError extends SMTPError {
  static override readonly code: string = "ERR_SMTP_CLIENT";
  /** The reply code from the server (-1 when the error is not a reply). */
  readonly smtpCode: number;
  /** The reply text from the server, or a description. */
  readonly resp: string;
  /** The session log up to the error, or undefined. */
  readonly log: string | undefined;
  /** The per-recipient results `[address, code, response]`, or undefined. */
  readonly addresses: readonly (readonly [string, number, string])[] | undefined;
  /** Whether the connection is closed without QUIT. */
  readonly isFatal: boolean;
  /** Whether a sender factory should try again. */
  readonly retry: boolean;

  /**
   * @param smtpCode - the reply code, or -1.
   * @param resp - the reply text, or a description.
   * @param options - log, addresses, isFatal (false), retry (false), cause.
   */
  constructor(smtpCode: number, resp: string, options: SMTPClientErrorOptions = {}) {
    const head = smtpCode > 0 ? `${String(smtpCode).padStart(3, "0")} ${resp}` : resp;
    super(options.log ? `${head}\n${options.log}\n` : head, { cause: options.cause });
    this.smtpCode = smtpCode;
    this.resp = resp;
    this.log = options.log;
    this.addresses = options.addresses;
    this.isFatal = options.isFatal ?? (new.target as typeof SMTPClientError).defaultFatal;
    this.retry = options.retry ?? (new.target as typeof SMTPClientError).defaultRetry;
  }

  /** `isFatal` when the constructor is not told. */
  static readonly defaultFatal: boolean = false;
  /** `retry` when the constructor is not told. */
  static readonly defaultRetry: boolean = false;
}

/** An ESMTP-specific client error: Twisted's `ESMTPClientError`. */
export class ESMTPClientError extends SMTPClientError {
  static override readonly code: string = "ERR_SMTP_ESMTP_CLIENT";
}

/** The server does not speak ESMTP, which authentication needs: Twisted's `EHLORequiredError`. */
export class EHLORequiredError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_EHLO_REQUIRED";
}

/** No authentication mechanism in common: Twisted's `AUTHRequiredError`. */
export class AUTHRequiredError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_AUTH_REQUIRED";
}

/** TLS is required and the server does not offer it: Twisted's `TLSRequiredError`. */
export class TLSRequiredError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_TLS_REQUIRED";
}

/** The server refused the credentials: Twisted's `AUTHDeclinedError`. */
export class AUTHDeclinedError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_AUTH_DECLINED";
}

/** Authentication went wrong otherwise (a malformed challenge, …): Twisted's `AuthenticationError`. */
export class AuthenticationError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_AUTHENTICATION";
}

/** STARTTLS could not be completed: Twisted's `SMTPTLSError` (`TLSError` in the client). */
export class SMTPTLSError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_TLS";
}

/** An address needs SMTPUTF8 and the server does not offer it (RFC 6531). */
export class SMTPUTF8RequiredError extends ESMTPClientError {
  static override readonly code: string = "ERR_SMTP_SMTPUTF8_REQUIRED";
}

/** The connection failed or the greeting was refused: fatal, retried. Twisted's `SMTPConnectError`. */
export class SMTPConnectError extends SMTPClientError {
  static override readonly code: string = "ERR_SMTP_CONNECT";
  static override readonly defaultFatal: boolean = true;
  static override readonly defaultRetry: boolean = true;
}

/** The server did not answer in time: fatal, retried. Twisted's `SMTPTimeoutError`. */
export class SMTPTimeoutError extends SMTPClientError {
  static override readonly code: string = "ERR_SMTP_TIMEOUT";
  static override readonly defaultFatal: boolean = true;
  static override readonly defaultRetry: boolean = true;
}

/** The server's reply made no sense: fatal, not retried. Twisted's `SMTPProtocolError`. */
export class SMTPProtocolError extends SMTPClientError {
  static override readonly code: string = "ERR_SMTP_PROTOCOL";
  static override readonly defaultFatal: boolean = true;
}

/** The message was not delivered to anyone: Twisted's `SMTPDeliveryError`. */
export class SMTPDeliveryError extends SMTPClientError {
  static override readonly code: string = "ERR_SMTP_DELIVERY";
}

// ---- server (written by the server's owner) ----

/**
 * An SMTP reply the server sends instead of going on: Twisted's `SMTPServerError`. Raise it from
 * `validateFrom`, `validateTo`, a message factory or `IMessage.lineReceived` to answer with this
 * code and text.
 *
 * Differences from Twisted: the numeric reply is `replyCode` (every error's `code` is its stable
 * string code), and an optional `enhancedCode` ("5.7.1") is sent when the server announces
 * ENHANCEDSTATUSCODES.
 */
export class SMTPServerError extends SMTPError {
  static override readonly code: string = "ERR_SMTP_SERVER";
  /** The three-digit reply code, e.g. 550. */
  readonly replyCode: number;
  /** The reply text. */
  readonly resp: string;
  /** The RFC 3463 enhanced status code ("5.1.1"), or undefined to use the server's default. */
  readonly enhancedCode: string | undefined;

  /**
   * @param replyCode - the reply code.
   * @param resp - the reply text.
   * @param enhancedCode - an RFC 3463 status code, "x.y.z".
   */
  constructor(replyCode: number, resp: string, enhancedCode?: string) {
    super(`${String(replyCode).padStart(3, "0")} ${resp}`);
    this.replyCode = replyCode;
    this.resp = resp;
    this.enhancedCode = enhancedCode;
  }
}

/** A reply about one address: Twisted's `SMTPAddressError`. */
export class SMTPAddressError extends SMTPServerError {
  static override readonly code: string = "ERR_SMTP_ADDRESS_REPLY";
  /** The address refused, as text. */
  readonly addr: string;

  /**
   * @param addr - the address (anything with a `toString`).
   * @param replyCode - the reply code.
   * @param resp - the reply text.
   * @param enhancedCode - an RFC 3463 status code.
   */
  constructor(
    addr: { toString(): string },
    replyCode: number,
    resp: string,
    enhancedCode?: string,
  ) {
    super(replyCode, resp, enhancedCode);
    this.addr = String(addr);
    this.message = `${String(replyCode).padStart(3, "0")} <${this.addr}>... ${resp}`;
  }
}

/** The recipient is refused (550 by default): Twisted's `SMTPBadRcpt`. */
export class SMTPBadRcpt extends SMTPAddressError {
  static override readonly code: string = "ERR_SMTP_BAD_RCPT";

  /**
   * @param addr - the recipient.
   * @param replyCode - the reply code; 550.
   * @param resp - the reply text; "Cannot receive for specified address".
   * @param enhancedCode - the RFC 3463 code; "5.1.1".
   */
  constructor(
    addr: { toString(): string },
    replyCode = 550,
    resp = "Cannot receive for specified address",
    enhancedCode = "5.1.1",
  ) {
    super(addr, replyCode, resp, enhancedCode);
  }
}

/** The sender is refused (550 by default): Twisted's `SMTPBadSender`. */
export class SMTPBadSender extends SMTPAddressError {
  static override readonly code: string = "ERR_SMTP_BAD_SENDER";

  /**
   * @param addr - the sender.
   * @param replyCode - the reply code; 550.
   * @param resp - the reply text; "Sender not acceptable".
   * @param enhancedCode - the RFC 3463 code; "5.7.1".
   */
  constructor(
    addr: { toString(): string },
    replyCode = 550,
    resp = "Sender not acceptable",
    enhancedCode = "5.7.1",
  ) {
    super(addr, replyCode, resp, enhancedCode);
  }
}
