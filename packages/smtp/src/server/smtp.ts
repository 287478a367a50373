/**
 * `SMTP`: the SMTP server protocol (RFC 5321), after Twisted's `twisted.mail.smtp.SMTP`.
 * @packageDocumentation
 */
import { hostname } from "node:os";
import { TimeoutMixin } from "@twisted-ts/basic";
import {
  type Deferred,
  DeferredList,
  type Failure,
  type IDelayedCall,
  Logger,
  maybeDeferred,
  Protocol,
} from "@twisted-ts/core";
import { Address, User } from "../address.js";
import { Anonymous } from "../cred/credentials.js";
import { UnauthorizedLogin, UnhandledCredentials } from "../cred/errors.js";
import type { LoginResult, Portal } from "../cred/portal.js";
import { AddressError, SMTPBadRcpt, SMTPBadSender, SMTPServerError } from "../errors.js";
import type {
  Helo,
  IMessage,
  IMessageDelivery,
  IMessageDeliveryFactory,
  MailParameters,
  MessageFactory,
  RcptParameters,
} from "./interfaces.js";
import { splitPath } from "./params.js";
import { ReadResult, SMTPReader } from "./reader.js";

/** What the server is reading: commands, DATA lines, AUTH answers, or BDAT chunk bytes. */
export type SMTPMode = "COMMAND" | "DATA" | "AUTH" | "BDAT";

/** What a command handler returns: nothing, or a Deferred the next command waits for. */
export type CommandResult = Deferred<unknown> | undefined;

/** A command handler, `do_X` or `ext_X`. */
export type CommandHandler = (rest: string) => CommandResult;

/** The host name used when none is set: this machine's name, as Twisted's `DNSNAME`. */
export const DNSNAME: string = hostname() || "localhost";

/** Bytes held while a command is pending, past which the transport is paused. */
const HIGH_WATER = 256 * 1024;

const NULL_SENDER = new Address("<>");

function isVerb(verb: string): boolean {
  for (let i = 0; i < verb.length; i++) {
    const c = verb.charCodeAt(i);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return verb.length > 0;
}

/** An RFC 5322 date, `Mon, 23 Nov 2026 13:00:35 +0000`. */
export function rfc822date(date: Date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/**
 * The SMTP server protocol: Twisted's `SMTP` (a line receiver with an idle timeout). Each
 * command is a method found by name, `do_HELO`, `do_MAIL`…; the delivery object decides who
 * may send and receive and makes one `IMessage` per recipient.
 *
 * Commands are read ahead (pipelining): while a command waits for a Deferred (`validateFrom`,
 * `validateTo`, the messages' `eomReceived`), the following input is held, and replies go out
 * in order.
 *
 * Limits, each a field with a default (the factory copies its own onto each protocol):
 * `timeout` (600 s idle), `maxCommandLength` (512 octets with CRLF; AUTH lines may be 12288),
 * `maxRecipients` (100, then 452), `maxErrors` (20 error replies, then 421 and close),
 * `maxMessageSize` (10 MiB; the rest of a bigger message is discarded and 552 sent at its end),
 * (the replies that end a message do not count as errors),
 * `maxDataLineLength` (16384), `maxDataTime` (1800 s for one DATA, then 421 and close).
 *
 * Differences from Twisted: a DATA line past its limit fails the message at its end instead of
 * going back to command mode in the middle of it (which ran the rest of the message as
 * commands); only CRLF.CRLF ends DATA; commands end at LF with an optional CR; NOOP and VRFY
 * exist; a failure of `eomReceived` that is an SMTPServerError gives its own reply; the
 * numeric reply of an SMTPServerError is `replyCode`.
 */
export class SMTP extends TimeoutMixin(Protocol) {
  /** The server's host name, used in the greeting and replies. */
  host: string = DNSNAME;
  /** The idle timeout in seconds (Twisted's `timeout`), or null for none. */
  timeout: number | null = 600;
  /** The portal for anonymous (and, in ESMTP, authenticated) logins, or null. */
  portal: Portal | null = null;
  /** The delivery used for every message, or null. */
  delivery: IMessageDelivery | null = null;
  /** A factory giving one delivery per message, or null. */
  deliveryFactory: IMessageDeliveryFactory | null = null;
  /** Whether to log each message received. */
  noisy = true;
  /** The longest command line, in octets with its CRLF (RFC 5321 §4.5.3.1.4). */
  maxCommandLength = 512;
  /** The longest AUTH command or answer, in octets (RFC 4954 §4). */
  maxAuthLineLength = 12288;
  /** The most recipients of one message. */
  maxRecipients = 100;
  /** The error replies allowed in one session before 421 and close. */
  maxErrors = 20;
  /** The largest message, in octets, or null for no limit. */
  maxMessageSize: number | null = 10 * 1024 * 1024;
  /** The longest line of a message, in octets without its CRLF. */
  maxDataLineLength = 16384;
  /** The longest time one DATA (or BDAT transaction) may take, in seconds, or null. */
  maxDataTime: number | null = 1800;
  /** Whether replies carry RFC 3463 enhanced status codes ("250 2.1.0 …"). */
  enhancedStatusCodes = false;
  /** The current mode. */
  mode: SMTPMode = "COMMAND";
  /** Where events are logged. */
  log: Logger = new Logger({ namespace: "twisted-ts.smtp.server", source: this });
  /** The reader of the incoming bytes. */
  protected readonly reader: SMTPReader = new SMTPReader();
  /** The HELO argument (null before one) and the client's address. */
  protected _helo: Helo = [null, ""];
  /** The sender of the current transaction, once accepted. */
  protected _from: Address | null = null;
  /** The MAIL parameters of the current transaction. */
  protected mailParams: MailParameters = { raw: {} };
  /** The accepted recipients of the current transaction, with their message factories. */
  protected _to: [User, MessageFactory][] = [];
  /** The RCPT parameters of each accepted recipient. */
  protected readonly rcptParams: Map<User, RcptParameters> = new Map();
  /** The messages being received (DATA or BDAT). */
  protected messages: IMessage[] = [];
  /** The recipients of `messages`, in the same order. */
  protected messageRecipients: User[] = [];
  /** Why the message being received is refused, once known. */
  protected datafailed: SMTPServerError | null = null;
  /** Octets of the message received so far. */
  protected dataSize = 0;
  /** How many error replies were sent. */
  protected errorCount = 0;
  /** The logout function of the current login. */
  protected onLogout: (() => void) | null = null;
  private blocked = false;
  private lost = false;
  private countErrors = true;
  private processing = false;
  private paused = false;
  private closing = false;
  private readonly out: string[] = [];
  private inHeader = false;
  private inBody = false;
  private dataTimer: IDelayedCall | undefined;

  /**
   * @param delivery - the delivery for every message.
   * @param deliveryFactory - or a factory of one delivery per message.
   */
  constructor(
    delivery: IMessageDelivery | null = null,
    deliveryFactory: IMessageDeliveryFactory | null = null,
  ) {
    super();
    this.delivery = delivery;
    this.deliveryFactory = deliveryFactory;
  }

  /** @returns the greeting text: `<host> NO UCE NO UBE NO RELAY PROBES`. */
  greeting(): string {
    return `${this.host} NO UCE NO UBE NO RELAY PROBES`;
  }

  /** The client's address as text: its IP, or the address's own text. */
  protected peerHost(): string {
    const peer = this.transport?.getPeer() as { host?: unknown } | undefined;
    return typeof peer?.host === "string" ? peer.host : String(peer);
  }

  /** Send the greeting and start the idle timeout. */
  override connectionMade(): void {
    this.reader.maxLineLength = Math.max(this.maxCommandLength, this.maxAuthLineLength);
    this.reader.maxDataLineLength = this.maxDataLineLength;
    this._helo = [null, this.peerHost()];
    this.sendCode(220, this.greeting());
    if (this.timeout !== null && this.clock !== undefined) this.setTimeout(this.timeout);
  }

  /** Called by the idle timeout: `421 <host> Timeout. Try talking faster next time!`, close. */
  override timeoutConnection(): void {
    this.sendCode(421, `${this.host} Timeout. Try talking faster next time!`, "4.4.2");
    this.flush();
    this.closeConnection();
  }

  /**
   * Send a reply. A multi-line message gives `NNN-` lines and a last `NNN ` line. Every error
   * reply (4xx, 5xx) counts towards `maxErrors`.
   * @param code - the reply code.
   * @param message - the text; "\n" separates lines.
   * @param enhanced - the RFC 3463 code, sent when `enhancedStatusCodes` is on.
   */
  sendCode(code: number, message = "", enhanced?: string): void {
    this.resetTimeout();
    const prefix = this.enhancedStatusCodes && enhanced !== undefined ? `${enhanced} ` : "";
    const lines = message.split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    const num = String(code).padStart(3, "0");
    let text = "";
    for (let i = 0; i < lines.length - 1; i++) text += `${num}-${prefix}${lines[i]}\r\n`;
    text += `${num} ${prefix}${lines[lines.length - 1]}\r\n`;
    this.out.push(text);
    if (!this.processing) this.flush();
    if (
      code >= 400 &&
      code !== 421 &&
      this.countErrors &&
      !this.closing &&
      ++this.errorCount >= this.maxErrors
    ) {
      this.sendCode(421, `${this.host} Too many errors, closing connection`, "4.7.0");
      this.flush();
      this.closeConnection();
    }
  }

  /** Send an SMTPServerError as a reply. */
  protected sendError(error: SMTPServerError, text: string = error.resp): void {
    this.sendCode(error.replyCode, text, error.enhancedCode ?? defaultEnhanced(error.replyCode));
  }

  /** Write the replies queued during this batch of input, in one write. */
  protected flush(): void {
    if (this.out.length === 0) return;
    const text = this.out.length === 1 ? (this.out[0] as string) : this.out.join("");
    this.out.length = 0;
    if (this.transport !== undefined && !this.lost && !this.isDisconnected()) {
      this.transport.write(text);
    }
  }

  private isDisconnected(): boolean {
    return (this.transport as { disconnected?: boolean } | undefined)?.disconnected === true;
  }

  /** Close the connection once the replies are out; read nothing more. */
  protected closeConnection(): void {
    this.closing = true;
    this.reader.reset();
    this.transport?.loseConnection();
  }

  /**
   * Take bytes from the transport: read commands (and message data) until one has to wait.
   * @param data - the bytes; not changed afterwards.
   */
  override dataReceived(data: Buffer): void {
    if (this.closing) return;
    this.resetTimeout();
    this.reader.feed(data);
    this.process();
  }

  /** Read and handle what the reader has, until it needs more or a command waits. */
  protected process(): void {
    if (this.processing) return;
    this.processing = true;
    const reader = this.reader;
    try {
      while (!this.blocked && !this.closing) {
        const result = reader.read();
        if (result === ReadResult.needMore) break;
        switch (result) {
          case ReadResult.line:
            this.wait(this.lineReceived(reader.line));
            break;
          case ReadResult.tooLong:
            this.lineLengthExceeded(reader.line);
            break;
          case ReadResult.dataLine:
            this.dataLineReceived(reader.line);
            break;
          case ReadResult.dataEnd:
            this.wait(this.dataEnd());
            break;
          case ReadResult.dataTooLong:
            this.dataLineTooLong();
            break;
          case ReadResult.chunk:
            this.chunkReceived(reader.line);
            break;
          case ReadResult.chunkEnd:
            this.wait(this.chunkEnd());
            break;
        }
      }
    } finally {
      this.processing = false;
      this.flush();
    }
    this.flowControl();
  }

  private flowControl(): void {
    const transport = this.transport as {
      pauseProducing?: () => void;
      resumeProducing?: () => void;
    };
    if (!this.paused && this.blocked && this.reader.buffered > HIGH_WATER) {
      this.paused = true;
      transport?.pauseProducing?.();
    } else if (this.paused && (!this.blocked || this.reader.buffered < HIGH_WATER / 2)) {
      this.paused = false;
      transport?.resumeProducing?.();
    }
  }

  /** Hold further input until `d` fires (the replies stay in order). */
  private wait(d: CommandResult): void {
    if (d === undefined || this.closing) return;
    let fired = false;
    this.blocked = true;
    d.addBoth(() => {
      fired = true;
      this.blocked = false;
      if (!this.processing) this.process();
      return undefined;
    });
    if (fired) this.blocked = false;
  }

  /**
   * One line in command or AUTH mode (Twisted's `lineReceived` → `state_<mode>`).
   * @param line - the line without its line end.
   * @returns a Deferred when the command completes later.
   */
  lineReceived(line: Buffer): CommandResult {
    if (this.mode === "AUTH") return this.state_AUTH(line.toString("latin1").trim());
    return this.state_COMMAND(line);
  }

  /**
   * A command: the verb (any case) selects `do_VERB` (or `ext_VERB` in ESMTP); a blank line
   * gives `500 Error: bad syntax`, an unknown verb `500 Command not implemented`.
   * @param line - the command line.
   */
  state_COMMAND(line: Buffer): CommandResult {
    const text = line.toString("utf8").trim();
    if (text === "") {
      this.sendSyntaxError();
      return undefined;
    }
    let sp = 0;
    while (sp < text.length && text.charCodeAt(sp) > 0x20) sp++;
    const verb = text.slice(0, sp).toUpperCase();
    if (line.length > this.maxCommandLength - 2 && verb !== "AUTH") {
      this.sendCode(500, "Line too long", "5.5.2");
      return undefined;
    }
    const rest = text.slice(sp).trim();
    const method = this.lookupMethod(verb) ?? this.do_UNKNOWN;
    return method.call(this, rest);
  }

  /**
   * The handler of a verb: `do_<VERB>`.
   * @param verb - the upper-cased verb.
   * @returns the handler, or undefined.
   */
  lookupMethod(verb: string): CommandHandler | undefined {
    if (!isVerb(verb)) return undefined;
    const method = (this as unknown as Record<string, unknown>)[`do_${verb}`];
    return typeof method === "function" ? (method as CommandHandler) : undefined;
  }

  /** A parameter-less `AUTH` answer; SMTP has no AUTH. */
  protected state_AUTH(_response: string): CommandResult {
    this.mode = "COMMAND";
    return undefined;
  }

  /** Reply `500 Error: bad syntax`. */
  sendSyntaxError(): void {
    this.sendCode(500, "Error: bad syntax", "5.5.2");
  }

  /**
   * A command line past the reader's limit: `500 Line too long`.
   * @param _line - the start of the line.
   */
  lineLengthExceeded(_line: Buffer): void {
    if (this.mode === "AUTH") this.mode = "COMMAND";
    this.sendCode(500, "Line too long", "5.5.2");
  }

  /** An unknown verb: `500 Command not implemented`. */
  do_UNKNOWN(_rest: string): CommandResult {
    this.sendCode(500, "Command not implemented", "5.5.1");
    return undefined;
  }

  /** HELO: remember the client's name, reset the transaction, `250 <host> Hello <peer>…`. */
  do_HELO(rest: string): CommandResult {
    const peer = this.peerHost();
    this._helo = [rest, peer];
    this.resetTransaction();
    this.sendCode(250, `${this.host} Hello ${peer}, nice to meet you`);
    return undefined;
  }

  /** QUIT: `221 See you later`, then close. */
  do_QUIT(_rest: string): CommandResult {
    this.sendCode(221, "See you later", "2.0.0");
    this.flush();
    this.closeConnection();
    return undefined;
  }

  /** RSET: forget the transaction, `250 I remember nothing.`. */
  do_RSET(_rest: string): CommandResult {
    this.resetTransaction();
    this.sendCode(250, "I remember nothing.", "2.0.0");
    return undefined;
  }

  /** NOOP: `250 OK` (not in Twisted). */
  do_NOOP(_rest: string): CommandResult {
    this.sendCode(250, "OK", "2.0.0");
    return undefined;
  }

  /** VRFY: `252` (RFC 5321 §3.5.3: the server does not say who exists; not in Twisted). */
  do_VRFY(_rest: string): CommandResult {
    this.sendCode(252, "Cannot VRFY user, but will accept message and attempt delivery", "2.5.2");
    return undefined;
  }

  /** Forget the sender, the recipients and any message in progress. */
  protected resetTransaction(): void {
    this._from = null;
    this._to = [];
    this.mailParams = { raw: {} };
    this.rcptParams.clear();
    this.abortMessages();
  }

  /** Tell each message in progress it is abandoned. */
  protected abortMessages(): void {
    const messages = this.messages;
    this.messages = [];
    this.messageRecipients = [];
    this.cancelDataTimer();
    for (const message of messages) {
      try {
        message.connectionLost();
      } catch (error) {
        this.log.failure("message raised an exception from connectionLost", error);
      }
    }
  }

  /**
   * Parse the MAIL parameters. SMTP ignores them, as Twisted does; ESMTP checks them.
   * @param _params - the parameters text.
   * @returns the parameters.
   * @throws SMTPServerError to refuse them.
   */
  protected parseMailParameters(_params: string): MailParameters {
    return { raw: {} };
  }

  /**
   * Parse the RCPT parameters. SMTP ignores them; ESMTP checks them.
   * @param _params - the parameters text.
   * @returns the parameters.
   * @throws SMTPServerError to refuse them.
   */
  protected parseRcptParameters(_params: string): RcptParameters {
    return { raw: {} };
  }

  /**
   * A check before MAIL (ESMTP: authentication required). Send a reply and return false to
   * refuse.
   */
  protected mayStartTransaction(): boolean {
    return true;
  }

  /** MAIL FROM: check the syntax, then `validateFrom`. */
  do_MAIL(rest: string): CommandResult {
    if (!this.mayStartTransaction()) return undefined;
    if (this._from !== null) {
      this.sendCode(503, "Only one sender per message, please", "5.5.1");
      return undefined;
    }
    this._to = [];
    const parts = splitPath(rest, "FROM");
    if (parts === null) {
      this.sendCode(501, "Syntax error", "5.5.4");
      return undefined;
    }
    let addr: Address;
    let params: MailParameters;
    try {
      addr = parts.path === "<>" ? NULL_SENDER : new Address(parts.path, this.host);
      params = this.parseMailParameters(parts.params);
      this.checkAddress(addr, params);
    } catch (error) {
      if (error instanceof AddressError) this.sendCode(553, error.message, "5.1.7");
      else if (error instanceof SMTPServerError) this.sendError(error);
      else throw error;
      return undefined;
    }
    return maybeDeferred(() => this.validateFrom(this._helo, addr, params)).addCallbacks(
      (from) => {
        this._from = from instanceof Address ? from : addr;
        this.mailParams = params;
        this.sendCode(250, "Sender address accepted", "2.1.0");
      },
      (failure: Failure) => this.ebFromValidate(failure),
    );
  }

  /**
   * A check of an address against the parameters (ESMTP: UTF-8 needs SMTPUTF8).
   * @throws SMTPServerError to refuse it.
   */
  protected checkAddress(_addr: Address, _params: MailParameters | RcptParameters): void {}

  private ebFromValidate(failure: Failure): void {
    const error = failure.value;
    if (error instanceof SMTPBadSender) {
      this.sendError(error, `Cannot receive from specified address <${error.addr}>: ${error.resp}`);
    } else if (error instanceof SMTPServerError) {
      this.sendError(error);
    } else {
      this.log.failure("SMTP sender validation failure", failure);
      this.sendCode(451, "Requested action aborted: local error in processing", "4.3.0");
    }
  }

  /** RCPT TO: check the syntax and limits, then `validateTo`. */
  do_RCPT(rest: string): CommandResult {
    if (this._from === null) {
      this.sendCode(503, "Must have sender before recipient", "5.5.1");
      return undefined;
    }
    const parts = splitPath(rest, "TO");
    if (parts === null || parts.path === "<>") {
      this.sendCode(501, "Syntax error", "5.5.4");
      return undefined;
    }
    if (this._to.length >= this.maxRecipients) {
      this.sendCode(452, "Too many recipients", "4.5.3");
      return undefined;
    }
    let user: User;
    let params: RcptParameters;
    try {
      user = new User(
        new Address(parts.path),
        [this._helo[0] ?? "", this._helo[1]],
        this,
        this._from,
      );
      params = this.parseRcptParameters(parts.params);
      this.checkAddress(user.dest, this.mailParams);
    } catch (error) {
      if (error instanceof AddressError) this.sendCode(553, error.message, "5.1.3");
      else if (error instanceof SMTPServerError) this.sendError(error);
      else throw error;
      return undefined;
    }
    return maybeDeferred(() => this.validateTo(user, params)).addCallbacks(
      (factory) => {
        if (this._from === null) return; // reset meanwhile (cannot happen: input is held)
        this._to.push([user, factory]);
        this.rcptParams.set(user, params);
        this.sendCode(250, "Recipient address accepted", "2.1.5");
      },
      (failure: Failure) => {
        const error = failure.value;
        if (error instanceof SMTPServerError) {
          this.sendError(error);
        } else {
          this.log.failure("SMTP recipient validation failure", failure);
          this.sendCode(451, "Requested action aborted: local error in processing", "4.3.0");
        }
      },
    );
  }

  /**
   * Make one message per accepted recipient, each fed its Received header first.
   * @returns whether the messages were made (otherwise a reply was sent).
   */
  protected startMessages(): boolean {
    const helo = this._helo;
    const origin = this._from as Address;
    const recipients = this._to;
    this._from = null;
    this._to = [];
    this.datafailed = null;
    this.dataSize = 0;
    this.inHeader = this.inBody = false;
    const messages: IMessage[] = [];
    for (const [user, factory] of recipients) {
      try {
        const message = factory();
        const header = this.receivedHeader(helo, origin, [user]);
        if (header !== null && header.length > 0) {
          message.lineReceived(typeof header === "string" ? Buffer.from(header) : header);
        }
        messages.push(message);
      } catch (error) {
        this.messages = messages;
        this.abortMessages();
        if (error instanceof SMTPServerError) {
          this.sendError(error);
        } else {
          this.log.failure("SMTP message factory failure", error);
          this.sendCode(550, "Internal server error", "5.3.0");
        }
        return false;
      }
    }
    this.messages = messages;
    this.messageRecipients = recipients.map(([user]) => user);
    if (this.maxDataTime !== null && this.clock !== undefined) {
      this.dataTimer = this.clock.callLater(this.maxDataTime, () => this.dataTimedOut());
    }
    if (this.noisy) {
      this.log.info("Receiving message for delivery: from={origin} to={to}", {
        origin: origin.toString(),
        to: this.messageRecipients.map(String),
      });
    }
    return true;
  }

  private cancelDataTimer(): void {
    if (this.dataTimer?.active()) this.dataTimer.cancel();
    this.dataTimer = undefined;
  }

  /** The message took longer than `maxDataTime`: 421 and close. */
  protected dataTimedOut(): void {
    this.dataTimer = undefined;
    this.abortMessages();
    this.sendCode(421, `${this.host} Error: timeout exceeded`, "4.4.2");
    this.flush();
    this.closeConnection();
  }

  /** DATA: start the messages and answer `354 Continue`. */
  do_DATA(_rest: string): CommandResult {
    if (this._from === null || this._to.length === 0) {
      this.sendCode(503, "Must have valid receiver and originator", "5.5.1");
      return undefined;
    }
    if (!this.startMessages()) return undefined;
    this.mode = "DATA";
    this.reader.startData();
    this.sendCode(354, "Continue");
    return undefined;
  }

  /**
   * Count the octets of the message; past `maxMessageSize`, the message fails with 552.
   * @param n - octets just received.
   * @returns whether the message is still being kept.
   */
  protected countData(n: number): boolean {
    if (this.datafailed !== null) return false;
    this.dataSize += n;
    if (this.maxMessageSize !== null && this.dataSize > this.maxMessageSize) {
      this.failData(
        new SMTPServerError(552, "Message size exceeds fixed maximum message size", "5.3.4"),
      );
      return false;
    }
    return true;
  }

  /**
   * The message fails: its messages are abandoned and `error` is the reply at its end.
   * @param error - the reply.
   */
  protected failData(error: SMTPServerError): void {
    if (this.datafailed !== null) return;
    this.datafailed = error;
    const messages = this.messages;
    this.messages = [];
    for (const message of messages) {
      try {
        message.connectionLost();
      } catch (e) {
        this.log.failure("message raised an exception from connectionLost", e);
      }
    }
  }

  /**
   * A line of message data (already unstuffed): to every message, with Twisted's blank line
   * between the Received header and a message that comes without headers.
   * @param line - the line.
   */
  dataLineReceived(line: Buffer): void {
    if (!this.countData(line.length + 2)) return;
    this.deliverLine(line);
  }

  /** Give a line to every message. */
  protected deliverLine(line: Buffer): void {
    const messages = this.messages;
    try {
      if (!this.inHeader && !this.inBody) {
        if (line.indexOf(0x3a) !== -1) {
          this.inHeader = true;
        } else if (line.length > 0) {
          for (const message of messages) message.lineReceived(Buffer.alloc(0));
          this.inBody = true;
        }
      }
      if (line.length === 0) this.inBody = true;
      for (let i = 0; i < messages.length; i++) (messages[i] as IMessage).lineReceived(line);
    } catch (error) {
      if (error instanceof SMTPServerError) {
        this.failData(error);
      } else {
        this.log.failure("message raised an exception from lineReceived", error);
        this.failData(
          new SMTPServerError(451, "Requested action aborted: local error in processing", "4.3.0"),
        );
      }
    }
  }

  /** A DATA line past `maxDataLineLength`: the message fails with 500 at its end. */
  protected dataLineTooLong(): void {
    this.failData(new SMTPServerError(500, "Line too long", "5.5.2"));
  }

  /** The end of DATA: the failure's reply, or the outcome of every `eomReceived`. */
  protected dataEnd(): CommandResult {
    this.mode = "COMMAND";
    return this.endMessages();
  }

  /** Finish the messages: wait for every `eomReceived`, then reply. */
  protected endMessages(): CommandResult {
    this.cancelDataTimer();
    const messages = this.messages;
    const users = this.messageRecipients;
    this.messages = [];
    this.messageRecipients = [];
    if (this.datafailed !== null) {
      const failed = this.datafailed;
      this.datafailed = null;
      this.withoutErrorCount(() => this.sendDataFailed(failed, users));
      return undefined;
    }
    if (messages.length === 0) {
      this.messageHandled([], users);
      return undefined;
    }
    return new DeferredList(
      messages.map((m) => maybeDeferred(() => m.eomReceived())),
      { consumeErrors: true },
    ).addCallback((results) => {
      this.withoutErrorCount(() =>
        this.messageHandled(results as readonly [boolean, unknown][], users),
      );
    });
  }

  /** Send replies that do not count towards `maxErrors` (the outcome of a message). */
  private withoutErrorCount(send: () => void): void {
    this.countErrors = false;
    try {
      send();
    } finally {
      this.countErrors = true;
    }
  }

  /**
   * Reply for a message refused while it was received.
   * @param error - the reply.
   * @param _users - its recipients.
   */
  protected sendDataFailed(error: SMTPServerError, _users: readonly User[]): void {
    this.sendError(error);
  }

  /**
   * Reply once every message's `eomReceived` has fired: `250 Delivery in progress`, or
   * `550 Could not send e-mail` (with " (N failures out of M recipients)" for several). When
   * every failure is an SMTPServerError with one code, that code (and, for one recipient, its
   * text) is used.
   * @param results - the DeferredList results, one per recipient.
   * @param _users - the recipients, in the same order.
   */
  messageHandled(results: readonly (readonly [boolean, unknown])[], _users: readonly User[]): void {
    const failures: unknown[] = [];
    for (const [ok, value] of results) {
      if (!ok) {
        failures.push((value as Failure).value);
        this.log.failure("message delivery failed", value);
      }
    }
    if (failures.length === 0) {
      this.sendCode(250, "Delivery in progress", "2.0.0");
      return;
    }
    const first = failures[0];
    const same =
      first instanceof SMTPServerError &&
      failures.every((f) => f instanceof SMTPServerError && f.replyCode === first.replyCode);
    if (same && results.length === 1) {
      this.sendError(first);
      return;
    }
    let msg = "Could not send e-mail";
    if (results.length > 1)
      msg += ` (${failures.length} failures out of ${results.length} recipients)`;
    if (same) this.sendCode(first.replyCode, msg, first.enhancedCode);
    else this.sendCode(550, msg, "5.0.0");
  }

  /** BDAT bytes; SMTP has no CHUNKING. */
  protected chunkReceived(_bytes: Buffer): void {}

  /** The end of a BDAT chunk; SMTP has no CHUNKING. */
  protected chunkEnd(): CommandResult {
    return undefined;
  }

  /**
   * Save the avatar of a login (anonymous, or AUTH in ESMTP).
   * @param result - `[iface, avatar, logout]` from the portal.
   */
  protected cbAnonymousAuthentication(result: LoginResult): void {
    const [iface, avatar, logout] = result;
    if (iface === "IMessageDeliveryFactory") {
      this.deliveryFactory = avatar as IMessageDeliveryFactory;
      this.delivery = null;
    } else if (iface === "IMessageDelivery") {
      this.deliveryFactory = null;
      this.delivery = avatar as IMessageDelivery;
    } else {
      throw new Error(`${iface} is not a supported interface`);
    }
    this.onLogout?.();
    this.onLogout = logout;
  }

  /**
   * Accept or refuse the sender: through the delivery (from the delivery factory if there is
   * one), or after an anonymous login to the portal; otherwise refuse with SMTPBadSender.
   * @param helo - the HELO argument and the client's address.
   * @param origin - the sender.
   * @param params - the MAIL parameters.
   * @returns (a Deferred of) the accepted address.
   */
  validateFrom(
    helo: Helo,
    origin: Address,
    params?: MailParameters,
  ): Deferred<Address> | PromiseLike<Address> | Address {
    if (this.deliveryFactory !== null) this.delivery = this.deliveryFactory.getMessageDelivery();
    const delivery = this.delivery;
    if (delivery !== null) return maybeDeferred(() => delivery.validateFrom(helo, origin, params));
    if (this.portal !== null) {
      return this.portal
        .login(new Anonymous(), null, "IMessageDeliveryFactory", "IMessageDelivery")
        .addCallbacks(
          (result) => this.cbAnonymousAuthentication(result),
          (failure: Failure) => {
            if (failure.check(UnauthorizedLogin)) throw new SMTPBadSender(origin);
            if (failure.check(UnhandledCredentials)) {
              throw new SMTPBadSender(origin, 550, "Unauthenticated senders not allowed");
            }
            return failure;
          },
        )
        .addCallback(() => {
          if (this.delivery === null && this.deliveryFactory === null) {
            throw new SMTPBadSender(origin);
          }
          return maybeDeferred(() => this.validateFrom(helo, origin, params));
        });
    }
    throw new SMTPBadSender(origin);
  }

  /**
   * Accept or refuse a recipient through the delivery; without one, SMTPBadRcpt.
   * @param user - the recipient.
   * @param params - the RCPT parameters.
   * @returns (a Deferred of) the message factory.
   */
  validateTo(
    user: User,
    params?: RcptParameters,
  ): Deferred<MessageFactory> | PromiseLike<MessageFactory> | MessageFactory {
    const delivery = this.delivery;
    if (delivery !== null) return maybeDeferred(() => delivery.validateTo(user, params));
    throw new SMTPBadRcpt(user);
  }

  /**
   * The Received header for one copy: the delivery's, or Twisted's default.
   * @param helo - the HELO argument and the client's address.
   * @param origin - the sender.
   * @param recipients - the recipients of the copy.
   * @returns the header (with "\n\t" continuations), or null.
   */
  receivedHeader(helo: Helo, origin: Address, recipients: readonly User[]): string | Buffer | null {
    if (this.delivery !== null) return this.delivery.receivedHeader(helo, origin, recipients);
    return defaultReceivedHeader(helo, this.hostAddress(), this.withProtocol(), recipients);
  }

  /** The server's own address, for the Received header. */
  protected hostAddress(): string {
    const host = this.transport?.getHost() as { host?: unknown } | undefined;
    return typeof host?.host === "string" ? host.host : this.host;
  }

  /** The "with" keyword of the Received header (RFC 3848): SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP. */
  withProtocol(): string {
    return "SMTP";
  }

  /** Abandon the messages in progress, log out, stop the timers. */
  override connectionLost(reason?: Failure): void {
    this.lost = true;
    this.abortMessages();
    this.closing = true;
    this.reader.reset();
    this.onLogout?.();
    this.onLogout = null;
    if (this.clock !== undefined) this.setTimeout(null);
    super.connectionLost(reason);
  }
}

/**
 * Twisted's default Received header:
 * `Received: from <helo> ([<ip>] helo=<helo>)\n\tby <host> with <proto> (twisted-ts)\n\tfor <rcpt>; <date>`.
 * @param helo - the HELO argument and the client's address.
 * @param byHost - the server's name or address.
 * @param withProto - the "with" keyword.
 * @param recipients - the recipients of the copy.
 * @param date - the date; now by default.
 */
export function defaultReceivedHeader(
  helo: Helo,
  byHost: string,
  withProto: string,
  recipients: readonly User[],
  date: Date = new Date(),
): string {
  const heloStr = helo[0] ? ` helo=${helo[0]}` : "";
  const from = `from ${helo[0] ?? ""} ([${helo[1]}]${heloStr})`;
  const by = `by ${byHost} with ${withProto} (twisted-ts)`;
  const forText = `for ${recipients.map((r) => `<${r.toString()}>`).join(" ")}; ${rfc822date(date)}`;
  return `Received: ${from}\n\t${by}\n\t${forText}`;
}

/** The RFC 3463 code sent with a reply code when none is given. */
export function defaultEnhanced(code: number): string | undefined {
  if (code >= 500) return "5.0.0";
  if (code >= 400) return "4.0.0";
  if (code >= 200 && code < 300) return "2.0.0";
  return undefined;
}
