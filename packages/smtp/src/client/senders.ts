/**
 * `SMTPSender`, `ESMTPSender` and their factories: send one message, with retries.
 * @packageDocumentation
 */
import { hostname } from "node:os";
import { checkServerIdentity as checkIdentity, type PeerCertificate } from "node:tls";
import {
  ClientFactory,
  ConnectionDone,
  type Deferred,
  type Failure,
  type IAddress,
  type IConnector,
  type IReactorTime,
  type TLSOptions,
} from "@twisted-ts/core";
import { Address } from "../address.js";
import { SMTPClientError, SMTPConnectError, SMTPDeliveryError } from "../errors.js";
import {
  CramMD5ClientAuthenticator,
  LOGINAuthenticator,
  PLAINAuthenticator,
} from "./authenticators.js";
import { ESMTPClient } from "./esmtpClient.js";
import {
  type MessageData,
  type MessageInfo,
  type MessageInput,
  RewindableMessage,
} from "./message.js";
import type { RecipientResult } from "./quote.js";
import { SMTPClient, SUCCESS } from "./smtpClient.js";

/** What a sender's Deferred fires with: `[numOk, [[address, code, resp], …]]`. */
export type SendResult = [numOk: number, addresses: RecipientResult[]];

/** The protocol a sender factory builds: an SMTPClient that sends the factory's one message. */
export type SenderProtocol = SMTPSender | ESMTPSender;

/** The shared half of SMTPSender and ESMTPSender: Twisted's `SenderMixin`. */
const senderMixin = {
  getMailFrom(p: SenderProtocol): string | null {
    if (p.done) return null;
    p.done = true;
    return p.senderFactory.fromEmail.toString();
  },
  getMailData(p: SenderProtocol): MessageData {
    return p.senderFactory.file.open();
  },
  describeMail(p: SenderProtocol, fallback: MessageInfo): MessageInfo {
    const known = p.senderFactory.file.describe();
    return { size: known.size ?? fallback.size, eightBit: known.eightBit ?? fallback.eightBit };
  },
  sendError(p: SenderProtocol, exc: Error): void {
    const factory = p.senderFactory;
    // Retry (when the connection closes) only for a retryable or 4xx error while retries are
    // left; otherwise this is the final answer.
    const retryable =
      exc instanceof SMTPClientError && (exc.retry || (exc.smtpCode >= 400 && exc.smtpCode < 500));
    if (factory.retries <= 0 || !retryable) {
      factory.sendFinished = true;
      factory.fire(exc);
    }
  },
  sentMail(
    p: SenderProtocol,
    code: number,
    resp: string,
    numOk: number,
    addresses: readonly RecipientResult[],
    log: string,
  ): void {
    const factory = p.senderFactory;
    factory.sendFinished = true;
    if (SUCCESS.includes(code)) {
      factory.fire([numOk, [...addresses]]);
      return;
    }
    const errlog = addresses
      .filter(([, acode]) => !SUCCESS.includes(acode))
      .map(([addr, acode, aresp]) => `${addr}: ${String(acode).padStart(3, "0")} ${aresp}`);
    errlog.push(log);
    factory.fire(new SMTPDeliveryError(code, resp, { log: errlog.join("\n"), addresses }));
  },
};

/**
 * An SMTPClient that sends its factory's one message and reports to the factory: Twisted's
 * `SMTPSender`.
 */
export class SMTPSender extends SMTPClient {
  /** Whether the message has been offered (the next `getMailFrom` gives null). */
  done = false;
  /** The factory that built it. */
  senderFactory!: SMTPSenderFactory;

  /** @returns the factory's sender once, then null. */
  override getMailFrom(): string | null {
    return senderMixin.getMailFrom(this);
  }

  /** @returns the factory's recipients. */
  override getMailTo(): Iterable<string> {
    return this.senderFactory.toEmail;
  }

  /** @returns the factory's message, from its start. */
  override getMailData(): MessageData {
    return senderMixin.getMailData(this);
  }

  /** @inheritDoc */
  override describeMail(data: MessageData): MessageInfo {
    return senderMixin.describeMail(this, super.describeMail(data));
  }

  /** Close (QUIT first when not fatal), then tell the factory unless it will retry. */
  override sendError(exc: Error): void {
    super.sendError(exc);
    senderMixin.sendError(this, exc);
  }

  /** Tell the factory: its Deferred fires with the result or an {@link SMTPDeliveryError}. */
  override sentMail(
    code: number,
    resp: string,
    numOk: number,
    addresses: readonly RecipientResult[],
    log: string,
  ): void {
    senderMixin.sentMail(this, code, resp, numOk, addresses, log);
  }
}

/**
 * An ESMTPClient that sends its factory's one message, with CRAM-MD5, LOGIN and PLAIN
 * registered in that order: Twisted's `ESMTPSender`. It requires authentication and TLS unless
 * told otherwise, and never falls back to HELO by default.
 */
export class ESMTPSender extends ESMTPClient {
  /** Whether the message has been offered (the next `getMailFrom` gives null). */
  done = false;
  /** The factory that built it. */
  senderFactory!: SMTPSenderFactory;
  /** The user name for AUTH. */
  readonly username: string | Uint8Array | null | undefined;

  /**
   * @param username - the user name for AUTH.
   * @param secret - the password.
   * @param contextFactory - TLS options for STARTTLS; when undefined and `tlsHostname` is
   *   given, `{ servername: tlsHostname }` (verify the server against the system's CAs).
   * @param identity - the EHLO name.
   * @param logsize - how many lines `log` keeps.
   * @param tlsHostname - the name to verify the server's certificate against.
   */
  constructor(
    username: string | Uint8Array | null | undefined,
    secret: string | Uint8Array | null | undefined,
    contextFactory: TLSOptions | undefined,
    identity: string,
    logsize?: number,
    tlsHostname?: string,
  ) {
    super(secret, contextFactory ?? defaultTLSOptions(tlsHostname), identity, logsize);
    this.heloFallback = false;
    this.requireAuthentication = true;
    this.requireTransportSecurity = true;
    this.username = username;
    if (username !== null && username !== undefined) {
      this.registerAuthenticator(new CramMD5ClientAuthenticator(username));
      this.registerAuthenticator(new LOGINAuthenticator(username));
      this.registerAuthenticator(new PLAINAuthenticator(username));
    }
  }

  /** @returns the factory's sender once, then null. */
  override getMailFrom(): string | null {
    return senderMixin.getMailFrom(this);
  }

  /** @returns the factory's recipients. */
  override getMailTo(): Iterable<string> {
    return this.senderFactory.toEmail;
  }

  /** @returns the factory's message, from its start. */
  override getMailData(): MessageData {
    return senderMixin.getMailData(this);
  }

  /** @inheritDoc */
  override describeMail(data: MessageData): MessageInfo {
    return senderMixin.describeMail(this, super.describeMail(data));
  }

  /** Close (QUIT first when not fatal), then tell the factory unless it will retry. */
  override sendError(exc: Error): void {
    super.sendError(exc);
    senderMixin.sendError(this, exc);
  }

  /** Tell the factory: its Deferred fires with the result or an {@link SMTPDeliveryError}. */
  override sentMail(
    code: number,
    resp: string,
    numOk: number,
    addresses: readonly RecipientResult[],
    log: string,
  ): void {
    senderMixin.sentMail(this, code, resp, numOk, addresses, log);
  }
}

/** TLS options that verify `name` (as SNI when it is a name; by IP when it is an address). */
function defaultTLSOptions(name: string | undefined): TLSOptions | undefined {
  if (name === undefined) return undefined;
  if (/^[\d.]+$/.test(name) || name.includes(":")) {
    // No SNI for an address (RFC 6066); check the certificate against the address itself.
    return {
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkIdentity(name, cert),
    } as TLSOptions;
  }
  return { servername: name };
}

/** Options of the sender factories beyond Twisted's positional ones. */
export interface SenderFactoryOptions {
  /** The clock for reply timeouts (required when `timeout` is set): the reactor or a `Clock`. */
  clock?: IReactorTime | undefined;
}

/**
 * A factory that sends one message and fires a Deferred with the result: Twisted's
 * `SMTPSenderFactory`. On a lost or failed connection it connects again, up to `retries`
 * times, reading the message from its start again (see {@link RewindableMessage} for what
 * that means for a stream), until the message is sent or refused for good. A connection that
 * closes without a word gives `SMTPConnectError("Unable to connect to server.")`.
 *
 * Differences from Twisted: `retries` counts the retries left (Twisted counts up from
 * `-retries`); the message may be a string, bytes, a stream or a function returning a stream;
 * `clock` comes in the options.
 */
export class SMTPSenderFactory extends ClientFactory<SMTPClient> {
  /** The name sent with HELO/EHLO: this host's name by default. */
  domain: string = hostname();
  /** The sender. */
  readonly fromEmail: Address;
  /** The recipients. */
  readonly toEmail: string[];
  /** How many recipients. */
  readonly nEmails: number;
  /** The message. */
  readonly file: RewindableMessage;
  /** The Deferred told the result. */
  readonly result: Deferred<SendResult>;
  /** Whether the outcome is settled (sent, refused for good, or cancelled): no more retries. */
  sendFinished = false;
  /** The protocol of the current connection, or null. */
  currentProtocol: SenderProtocol | null = null;
  /** How many more times to try after a failure. */
  retries: number;
  /** Seconds to wait for each reply, or null. */
  timeout: number | null;
  /** The clock for `timeout`. */
  clock: IReactorTime | undefined;

  /**
   * @param fromEmail - the sender.
   * @param toEmail - a recipient, or several.
   * @param file - the message (see {@link MessageInput}).
   * @param deferred - fired with `[numOk, addresses]`, or failed with an `SMTPClientError`.
   * @param retries - how many times to try again after a failure; 5 by default.
   * @param timeout - seconds to wait for each reply, or null (the default) to wait forever.
   * @param options - the clock.
   */
  constructor(
    fromEmail: string | Address,
    toEmail: string | Iterable<string>,
    file: MessageInput,
    deferred: Deferred<SendResult>,
    retries = 5,
    timeout: number | null = null,
    options: SenderFactoryOptions = {},
  ) {
    super();
    if (!Number.isInteger(retries) || retries < 0) throw new TypeError("retries: an integer ≥ 0");
    this.fromEmail = new Address(fromEmail);
    this.toEmail = typeof toEmail === "string" ? [toEmail] : [...toEmail];
    this.nEmails = this.toEmail.length;
    this.file = new RewindableMessage(file);
    this.result = deferred;
    this.retries = retries;
    this.timeout = timeout;
    this.clock = options.clock;
    deferred.addBoth((outcome: unknown) => {
      this.currentProtocol = null;
      this.file.dispose();
      return outcome;
    });
  }

  /**
   * Fire the Deferred once (later outcomes are ignored: it may have been cancelled).
   * @param outcome - the result, or an error.
   */
  fire(outcome: SendResult | Error): void {
    if (this.result.called) return;
    if (outcome instanceof Error) this.result.errback(outcome);
    else this.result.callback(outcome);
  }

  /**
   * The connection could not be made: retry or fail.
   * @param connector - the connector.
   * @param reason - why.
   */
  override clientConnectionFailed(connector: IConnector, reason: Failure): void {
    this._processConnectionError(connector, reason);
  }

  /**
   * The connection was lost: retry or fail, unless the outcome is settled.
   * @param connector - the connector.
   * @param reason - why.
   */
  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    this._processConnectionError(connector, reason);
  }

  /**
   * Retry (rewinding the message) while retries are left, else fail with the reason.
   * @param connector - the connector.
   * @param reason - why the connection ended.
   */
  _processConnectionError(connector: IConnector, reason: Failure): void {
    this.currentProtocol = null;
    if (this.sendFinished) return;
    if (this.retries > 0) {
      this.retries--;
      this.file.rewind();
      connector.connect();
      return;
    }
    const value = reason.value;
    if (reason.check(ConnectionDone) !== null) {
      this.fire(new SMTPConnectError(-1, "Unable to connect to server.", { cause: value }));
    } else {
      this.fire(value instanceof Error ? value : new Error(String(value)));
    }
  }

  /**
   * A sender for one connection.
   * @param _addr - the server's address.
   * @returns the protocol.
   */
  override buildProtocol(_addr: IAddress): SMTPSender {
    const p = new SMTPSender(this.domain, this.nEmails * 2 + 2);
    this.setUp(p);
    return p;
  }

  /** Wire a new protocol to this factory. */
  protected setUp(p: SenderProtocol): void {
    p.senderFactory = this;
    p.factory = this;
    p.timeout = this.timeout;
    p.clock = this.clock;
    this.currentProtocol = p;
  }
}

/** Options of `ESMTPSenderFactory` (Twisted's keyword arguments). */
export interface ESMTPSenderFactoryOptions extends SenderFactoryOptions {
  /** How many times to retry; 5 by default. */
  retries?: number | undefined;
  /** Seconds to wait for each reply, or null. */
  timeout?: number | null | undefined;
  /** TLS options for STARTTLS. */
  contextFactory?: TLSOptions | undefined;
  /** Fall back to HELO when EHLO is refused; false by default. */
  heloFallback?: boolean | undefined;
  /** Refuse to send without AUTH; true by default. */
  requireAuthentication?: boolean | undefined;
  /** Refuse to send without TLS; true by default. */
  requireTransportSecurity?: boolean | undefined;
  /** The name the server's certificate must carry, when `contextFactory` is not given. */
  hostname?: string | undefined;
}

/**
 * A sender factory that speaks ESMTP, with STARTTLS and AUTH: Twisted's `ESMTPSenderFactory`.
 * By default it requires both TLS and authentication, and never falls back to HELO.
 */
export class ESMTPSenderFactory extends SMTPSenderFactory {
  /** The user name for AUTH. */
  readonly username: string | Uint8Array | null | undefined;
  /** The password for AUTH. */
  readonly password: string | Uint8Array | null | undefined;
  /** TLS options for STARTTLS. */
  readonly contextFactory: TLSOptions | undefined;
  /** Fall back to HELO. */
  readonly heloFallback: boolean;
  /** Require AUTH. */
  readonly requireAuthentication: boolean;
  /** Require TLS. */
  readonly requireTransportSecurity: boolean;
  /** The name the server's certificate must carry. */
  readonly hostname: string | undefined;

  /**
   * @param username - the user name for AUTH, or null.
   * @param password - the password, or null (then no AUTH).
   * @param fromEmail - the sender.
   * @param toEmail - a recipient, or several.
   * @param file - the message.
   * @param deferred - fired with `[numOk, addresses]`.
   * @param options - retries, timeout, TLS, fallback and requirements.
   */
  constructor(
    username: string | Uint8Array | null | undefined,
    password: string | Uint8Array | null | undefined,
    fromEmail: string | Address,
    toEmail: string | Iterable<string>,
    file: MessageInput,
    deferred: Deferred<SendResult>,
    options: ESMTPSenderFactoryOptions = {},
  ) {
    super(
      fromEmail,
      toEmail,
      file,
      deferred,
      options.retries ?? 5,
      options.timeout ?? null,
      options,
    );
    this.username = username;
    this.password = password;
    this.contextFactory = options.contextFactory;
    this.heloFallback = options.heloFallback ?? false;
    this.requireAuthentication = options.requireAuthentication ?? true;
    this.requireTransportSecurity = options.requireTransportSecurity ?? true;
    this.hostname = options.hostname;
  }

  /**
   * An ESMTP sender for one connection, configured from this factory.
   * @param _addr - the server's address.
   * @returns the protocol.
   */
  override buildProtocol(_addr: IAddress): ESMTPSender {
    const p = new ESMTPSender(
      this.username,
      this.password,
      this.contextFactory,
      this.domain,
      this.nEmails * 2 + 2,
      this.hostname,
    );
    p.heloFallback = this.heloFallback;
    p.requireAuthentication = this.requireAuthentication;
    p.requireTransportSecurity = this.requireTransportSecurity;
    this.setUp(p);
    return p;
  }
}
