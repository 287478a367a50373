/**
 * `SMTPClient`: Twisted's SMTP client state machine (HELO, MAIL, RCPT, DATA, RSET, QUIT), with
 * the ESMTP transaction extensions its subclass turns on (PIPELINING, CHUNKING, SIZE,
 * 8BITMIME, SMTPUTF8).
 * @packageDocumentation
 */
import { FileSender, type FileSource, LineReceiver, ProducerStoppedError } from "@twisted-ts/basic";
import type { Failure, IDelayedCall, IReactorTime } from "@twisted-ts/core";
import {
  SMTPClientError,
  SMTPConnectError,
  SMTPProtocolError,
  SMTPTimeoutError,
  SMTPUTF8RequiredError,
} from "../errors.js";
import { BdatTransfer } from "./bdat.js";
import { DataEncoder } from "./encoder.js";
import { LineLog } from "./lineLog.js";
import { mailParameters, sizeLimitOf } from "./mailParams.js";
import { describeMessage, type MessageData, type MessageInfo } from "./message.js";
import { PipelinedTransaction } from "./pipelining.js";
import { quoteaddr, type RecipientResult } from "./quote.js";

/** A handler of a complete reply: the code and the text (continuation lines joined by "\n"). */
export type ReplyHandler = (code: number, resp: string) => void;

/** Reply codes that mean success: 250 and 251 (Twisted's `SUCCESS`). */
export const SUCCESS: readonly number[] = [250, 251];

/** Any code: the handler sorts it out. */
const ANY = "any" as const;

const EMPTY = Buffer.alloc(0);

/**
 * An SMTP client: Twisted's `twisted.mail.smtp.SMTPClient`, a state machine over the server's
 * replies. Subclass it and implement `getMailFrom`, `getMailTo`, `getMailData` and `sentMail`
 * (or use `SMTPSenderFactory`, which does).
 *
 * The session: greeting 220 → `HELO identity` → `MAIL FROM:<from>` → one `RCPT TO:<to>` per
 * recipient, each result kept → `DATA` when at least one was accepted (otherwise `sentMail` is
 * told "No recipients accepted") → the body, line endings made CRLF and dot-stuffed, then
 * `.` → `sentMail(code, resp, numOk, addresses, log)` → `RSET`, and the loop starts again at
 * `getMailFrom()`; `null` there sends QUIT. Multi-line replies are joined with "\n"; a reply
 * that does not start with a number is an {@link SMTPProtocolError}. `sendError` closes the
 * connection at once for a fatal error and sends QUIT first otherwise. With `timeout` set,
 * a server silent for that many seconds gives an {@link SMTPTimeoutError}.
 *
 * When `extensions` lists them (an `ESMTPClient` fills it from EHLO), the transaction also uses
 * PIPELINING (MAIL, the RCPTs and DATA in one write, the replies matched in order), CHUNKING
 * (BDAT instead of DATA, with PIPELINING only), SIZE (`SIZE=` declared when the size is known,
 * and a message larger than the server's limit refused locally with 552), 8BITMIME
 * (`BODY=8BITMIME` when the body has 8-bit bytes or is a stream) and SMTPUTF8 (declared when
 * an address needs it; without it such a message fails with {@link SMTPUTF8RequiredError}).
 *
 * Differences from Twisted: the body is sent through {@link DataEncoder}, which dot-stuffs the
 * first line and lines cut across chunks, and keeps CRLF as CRLF (Twisted misses both and
 * sends CR CR LF); a body that fails to read is never terminated (the connection is dropped,
 * so no truncated message is delivered); replies are strings (UTF-8); the clock for the
 * timeout is the `clock` field; `getMailData` may return a string, bytes or a stream.
 */
export class SMTPClient extends LineReceiver {
  /** Whether to record the session in `log`. */
  debug = true;
  /** Seconds to wait for each reply, or null to wait forever. */
  timeout: number | null = null;
  /** What the timeout is scheduled with: the reactor, or a `Clock` in tests. */
  clock: IReactorTime | undefined = undefined;
  /** The name sent with HELO/EHLO. */
  identity: string;
  /** The last lines of the session. */
  readonly log: LineLog;
  /** The results of this transaction's RCPT commands. */
  toAddressesResult: RecipientResult[] = [];
  /** The recipients accepted in this transaction. */
  successAddresses: string[] = [];
  /** The code of the reply being read, or -1. */
  code = -1;
  /** The lines of the reply being read. */
  resp: string[] = [];
  /** The ESMTP extensions the server offered (upper-case keyword → parameters or null). */
  extensions: Map<string, string | null> = new Map();
  /** Use CHUNKING (BDAT) when the server offers it with PIPELINING. */
  useChunking = true;
  /** Use PIPELINING when the server offers it. */
  usePipelining = true;
  /** How many bytes of the body go in each BDAT chunk (and each read): 64 KiB. */
  chunkSize = 2 ** 16;

  /** The sender of this transaction, or null. */
  protected _from: string | null = null;
  /** The codes that go to `_okresponse`; others go to `_failresponse`. */
  protected _expected: readonly number[] | typeof ANY = [220];
  /** The handler of an expected reply. */
  protected _okresponse: ReplyHandler;
  /** The handler of any other reply. */
  protected _failresponse: ReplyHandler;
  /** The message of this transaction. */
  protected _data: MessageData | undefined = undefined;
  /** What is known of it. */
  protected _info: MessageInfo = { size: undefined, eightBit: undefined };
  private toAddresses: Iterator<string> | undefined = undefined;
  private lastAddress: string | undefined = undefined;
  private pipeline: PipelinedTransaction | undefined = undefined;
  private bdat: BdatTransfer | undefined = undefined;
  private sender: FileSender | undefined = undefined;
  private encoder: DataEncoder | undefined = undefined;
  private timeoutCall: IDelayedCall | undefined = undefined;

  /**
   * @param identity - the name for HELO/EHLO (this host's name).
   * @param logsize - how many lines `log` keeps; 10 by default.
   */
  constructor(identity: string, logsize = 10) {
    super();
    this.identity = identity;
    this.log = new LineLog(logsize);
    this._okresponse = (code, resp) => this.smtpState_helo(code, resp);
    this._failresponse = (code, resp) => this.smtpConnectionFailed(code, resp);
  }

  /**
   * Send a line (logged as `>>> line` when `debug`).
   * @param line - the line, without CRLF.
   */
  override sendLine(line: Uint8Array | string): void {
    if (this.debug) this.log.append(`>>> ${line.toString()}`);
    super.sendLine(line);
  }

  /** Start the timeout and wait for the greeting. */
  override connectionMade(): void {
    this.setTimeout(this.timeout);
    this._expected = [220];
    this._okresponse = (code, resp) => this.smtpState_helo(code, resp);
    this._failresponse = (code, resp) => this.smtpConnectionFailed(code, resp);
  }

  /**
   * The connection is gone: stop the timeout and the body transfer.
   * @param reason - why.
   */
  override connectionLost(reason?: Failure): void {
    this.setTimeout(null);
    this.stopSending();
    super.connectionLost(reason);
  }

  // ------------------------------------------------------------------ timeout

  /**
   * Change the reply timeout: seconds restart the countdown, null cancels it.
   * @param period - seconds, or null.
   * @throws Error when `period` is a number and no `clock` is set.
   */
  setTimeout(period: number | null): void {
    this.timeout = period;
    if (this.timeoutCall?.active() === true) this.timeoutCall.cancel();
    this.timeoutCall = undefined;
    if (period === null) return;
    if (this.clock === undefined) {
      throw new Error(`${this.constructor.name}: a timeout needs a clock; set \`clock\``);
    }
    this.timeoutCall = this.clock.callLater(period, () => {
      this.timeoutCall = undefined;
      this.timeoutConnection();
    });
  }

  /** Start the countdown again (on every reply line and every chunk of the body sent). */
  resetTimeout(): void {
    if (this.timeout !== null && this.timeoutCall?.active() === true) {
      this.timeoutCall.reset(this.timeout);
    }
  }

  /** The server took too long: an {@link SMTPTimeoutError} (fatal). */
  timeoutConnection(): void {
    this.sendError(
      new SMTPTimeoutError(-1, "Timeout waiting for SMTP server response", {
        log: this.log.str(),
      }),
    );
  }

  // ------------------------------------------------------------------ replies

  /**
   * One line of a reply: `NNN text` ends it, `NNN-text` continues it.
   * @param line - the line, without CRLF.
   */
  override lineReceived(line: Buffer): void {
    this.resetTimeout();
    const text = line.toString("utf8");
    if (this.debug) this.log.append(`<<< ${text}`);
    if (!/^\d{3}(?:[ -]|$)/.test(text)) {
      this.sendError(
        new SMTPProtocolError(-1, `Invalid response from SMTP server: ${text}`, {
          log: this.log.str(),
        }),
      );
      return;
    }
    this.code = Number(text.slice(0, 3));
    if (text.startsWith("0")) return; // an informational line
    this.resp.push(text.slice(4));
    if (text[3] === "-") return;
    const code = this.code;
    const resp = this.resp.join("\n");
    this.code = -1;
    this.resp = [];
    const expected = this._expected;
    if (expected === ANY || expected.includes(code)) this._okresponse(code, resp);
    else this._failresponse(code, resp);
  }

  /**
   * A reply line longer than `MAX_LENGTH`: an {@link SMTPProtocolError}.
   * @param _line - the line.
   */
  override lineLengthExceeded(_line: Buffer): unknown {
    this.sendError(new SMTPProtocolError(-1, "Reply line too long", { log: this.log.str() }));
    return undefined;
  }

  /**
   * The greeting was not 220: an `SMTPConnectError`.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  smtpConnectionFailed(code: number, resp: string): void {
    this.sendError(new SMTPConnectError(code, resp, { log: this.log.str() }));
  }

  /**
   * MAIL, DATA or the body was refused: the transaction ends (`sentMail` hears the code).
   * @param code - the reply code (negative for a local error).
   * @param resp - the reply text.
   */
  smtpTransferFailed(code: number, resp: string): void {
    if (code < 0) this.sendError(new SMTPProtocolError(code, resp, { log: this.log.str() }));
    else this.smtpState_msgSent(code, resp);
  }

  // ------------------------------------------------------------------ states

  /**
   * Greeted: send HELO.
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  smtpState_helo(_code: number, _resp: string): void {
    this.sendLine(`HELO ${this.identity}`);
    this._expected = SUCCESS;
    this._okresponse = (code, resp) => this.smtpState_from(code, resp);
  }

  /**
   * Ready for a transaction: ask `getMailFrom()`; null sends QUIT.
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  smtpState_from(_code: number, _resp: string): void {
    this._from = this.getMailFrom();
    this._failresponse = (code, resp) => this.smtpTransferFailed(code, resp);
    if (this._from === null) {
      this._disconnectFromServer();
      return;
    }
    let recipients: string[];
    let mailFrom: string;
    let rcpts: string[];
    try {
      this._data = this.getMailData();
      this._info = this.describeMail(this._data);
      recipients = [...this.getMailTo()];
      mailFrom = quoteaddr(this._from);
      rcpts = recipients.map((r) => quoteaddr(r));
    } catch (error) {
      this.sendError(
        error instanceof SMTPClientError
          ? error
          : new SMTPClientError(-1, `Cannot send this message: ${String(error)}`, {
              log: this.log.str(),
              cause: error,
            }),
      );
      return;
    }
    const checked = mailParameters(this.extensions, this._info, [mailFrom, ...rcpts]);
    if (!checked.ok && checked.reason === "size") {
      // Refused here, as the server would; nothing is sent, and the loop goes on.
      const log = this.log.str();
      this._from = null;
      this.sentMail(checked.code, checked.resp, 0, [], log);
      this.smtpState_from(-1, "");
      return;
    }
    if (!checked.ok) {
      this.sendError(
        new SMTPUTF8RequiredError(checked.code, checked.resp, { log: this.log.str() }),
      );
      return;
    }
    const params = checked.params;
    const mailLine = `MAIL FROM:${mailFrom}${params.length > 0 ? ` ${params.join(" ")}` : ""}`;
    if (this.canPipeline() && recipients.length > 0) {
      this.sendPipelined(mailLine, recipients, rcpts);
      return;
    }
    this.sendLine(mailLine);
    this._expected = [250];
    this._okresponse = (code, resp) => this.smtpState_to(code, resp);
  }

  /** Send QUIT, then close on any reply. */
  _disconnectFromServer(): void {
    this._expected = ANY;
    this._okresponse = (code, resp) => this.smtpState_disconnect(code, resp);
    this._failresponse = this._okresponse;
    this.sendLine("QUIT");
  }

  /**
   * Close the connection (after QUIT's reply, or on a fatal error).
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  smtpState_disconnect(_code: number, _resp: string): void {
    this.stopSending();
    this.transport?.loseConnection();
  }

  /**
   * MAIL accepted: start the RCPT commands.
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  smtpState_to(_code: number, _resp: string): void {
    this.toAddresses = [...this.getMailTo()][Symbol.iterator]();
    this.toAddressesResult = [];
    this.successAddresses = [];
    this._okresponse = (code, resp) => this.smtpState_toOrData(code, resp);
    this._expected = ANY;
    this.lastAddress = undefined;
    this.smtpState_toOrData(0, "");
  }

  /**
   * Record the last RCPT's result, then send the next RCPT, or DATA when all are done.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  smtpState_toOrData(code: number, resp: string): void {
    if (this.lastAddress !== undefined) {
      this.toAddressesResult.push([this.lastAddress, code, resp]);
      if (SUCCESS.includes(code)) this.successAddresses.push(this.lastAddress);
    }
    const next = this.toAddresses?.next();
    if (next === undefined || next.done === true) {
      this.lastAddress = undefined;
      if (this.successAddresses.length === 0) {
        this.smtpState_msgSent(code, "No recipients accepted");
      } else if (this.canChunk()) {
        this.startBdat();
      } else {
        this.sendLine("DATA");
        this._expected = [354];
        this._okresponse = (c, r) => this.smtpState_data(c, r);
      }
      return;
    }
    this.lastAddress = next.value;
    this.sendLine(`RCPT TO:${quoteaddr(next.value)}`);
  }

  /**
   * DATA accepted (354): send the body with a `FileSender` through `transformChunk`, then the
   * terminator.
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  smtpState_data(_code: number, _resp: string): void {
    const transport = this.transport;
    if (transport === undefined) return;
    const sender = new FileSender();
    sender.CHUNK_SIZE = this.chunkSize;
    this.sender = sender;
    this.encoder = new DataEncoder(true);
    this._expected = SUCCESS;
    this._okresponse = (code, resp) => this.smtpState_msgSent(code, resp);
    const d = sender.beginFileTransfer(this.fileSource(), transport, (chunk) =>
      this.transformChunk(chunk),
    );
    d.addCallbacks(
      () => {
        this.finishedFileTransfer();
        return undefined;
      },
      (failure: Failure) => {
        this.transferFailed(failure);
        return undefined;
      },
    );
  }

  /**
   * The transaction is over: tell `sentMail`, then RSET and start again at `getMailFrom`.
   * @param code - the final reply code.
   * @param resp - the final reply text.
   */
  smtpState_msgSent(code: number, resp: string): void {
    if (this._from !== null) {
      this.sentMail(
        code,
        resp,
        this.successAddresses.length,
        this.toAddressesResult,
        this.log.str(),
      );
    }
    this.toAddressesResult = [];
    this._from = null;
    this._data = undefined;
    this.sendLine("RSET");
    this._expected = SUCCESS;
    this._okresponse = (c, r) => this.smtpState_from(c, r);
  }

  // ------------------------------------------------------------------ the body

  /**
   * One chunk of the body, made ready for the wire: line endings to CRLF, dot-stuffed (see
   * {@link DataEncoder}). Also pushes the timeout back, since the transfer is progress.
   * @param chunk - bytes of the body.
   * @returns the bytes to write.
   */
  transformChunk(chunk: Buffer): Buffer {
    this.resetTimeout();
    return (this.encoder ?? new DataEncoder(true)).encode(chunk);
  }

  /** The body has been sent: write its end (a CRLF if needed, then `.` CRLF). */
  finishedFileTransfer(): void {
    const encoder = this.encoder;
    this.sender = undefined;
    this.encoder = undefined;
    const tail = (encoder ?? new DataEncoder(true)).end();
    if (this.debug) this.log.append(">>> .");
    this.transport?.write(tail);
  }

  private transferFailed(failure: Failure): void {
    this.sender = undefined;
    this.encoder = undefined;
    // The consumer stopped us: the connection is going away, and connectionLost says why.
    if (failure.check(ProducerStoppedError) !== null) return;
    this.sendError(
      new SMTPClientError(-1, `Error reading the message: ${failure.getErrorMessage()}`, {
        log: this.log.str(),
        isFatal: true,
        retry: false,
        cause: failure.value,
      }),
    );
  }

  private fileSource(): FileSource {
    const data = this._data ?? EMPTY;
    return typeof data === "string" ? Buffer.from(data, "utf8") : data;
  }

  /** Stop a body transfer in progress (so that the connection can close). */
  private stopSending(): void {
    this.bdat?.stop();
    this.bdat = undefined;
    const sender = this.sender;
    this.sender = undefined;
    if (sender === undefined || sender.deferred === undefined) return;
    const consumer = sender.consumer;
    sender.stopProducing();
    try {
      consumer?.unregisterProducer();
    } catch {
      // already unregistered
    }
  }

  // ------------------------------------------------------------------ extensions

  /**
   * Describe this transaction's message for SIZE and BODY=; override to tell the size of a
   * stream.
   * @param data - what `getMailData()` returned.
   * @returns its size and whether it has 8-bit bytes, as far as known.
   */
  describeMail(data: MessageData): MessageInfo {
    return describeMessage(data);
  }

  /** The server's SIZE limit: undefined without SIZE, 0 for "no fixed limit". */
  serverSizeLimit(): number | undefined {
    return sizeLimitOf(this.extensions);
  }

  /** Whether MAIL, RCPT and DATA are pipelined (PIPELINING offered and `usePipelining`). */
  canPipeline(): boolean {
    return this.usePipelining && this.extensions.has("PIPELINING");
  }

  /** Whether the body goes in BDAT chunks (CHUNKING and PIPELINING offered, `useChunking`). */
  canChunk(): boolean {
    return this.useChunking && this.extensions.has("CHUNKING") && this.canPipeline();
  }

  private sendPipelined(mailLine: string, recipients: string[], rcpts: string[]): void {
    const withData = !this.canChunk();
    const lines = [mailLine, ...rcpts.map((r) => `RCPT TO:${r}`)];
    if (withData) lines.push("DATA");
    this.toAddressesResult = [];
    this.successAddresses = [];
    this.pipeline = new PipelinedTransaction(recipients, withData);
    this._expected = ANY;
    this._okresponse = (code, resp) => this.pipelinedReply(code, resp);
    this._failresponse = this._okresponse;
    if (this.debug) for (const line of lines) this.log.append(`>>> ${line}`);
    this.transport?.write(Buffer.from(lines.map((line) => `${line}\r\n`).join(""), "utf8"));
  }

  private pipelinedReply(code: number, resp: string): void {
    const p = this.pipeline;
    if (p === undefined) return;
    const outcome = p.reply(code, resp);
    this.toAddressesResult = [...p.results];
    this.successAddresses = [...p.accepted];
    if (outcome === undefined) return;
    this.pipeline = undefined;
    this._failresponse = (c, r) => this.smtpTransferFailed(c, r);
    switch (outcome.kind) {
      case "data":
        this.smtpState_data(code, resp);
        return;
      case "bdat":
        this.startBdat();
        return;
      case "emptyData":
        this._expected = ANY;
        this._okresponse = () => this.smtpState_msgSent(outcome.code, outcome.resp);
        this._failresponse = this._okresponse;
        this.sendLine(".");
        return;
      case "done":
        this.smtpState_msgSent(outcome.code, outcome.resp);
    }
  }

  private startBdat(): void {
    const transport = this.transport;
    if (transport === undefined) return;
    const transfer = new BdatTransfer(transport, this.chunkSize, {
      progress: () => this.resetTimeout(),
      log: (line) => {
        if (this.debug) this.log.append(line);
      },
      done: (code, resp) => {
        this.bdat = undefined;
        this._failresponse = (c, r) => this.smtpTransferFailed(c, r);
        this.smtpState_msgSent(code, resp);
      },
      failed: (failure) => {
        this.bdat = undefined;
        this.transferFailed(failure);
      },
    });
    this.bdat = transfer;
    this._expected = ANY;
    this._okresponse = (code, resp) => transfer.reply(code, resp);
    this._failresponse = this._okresponse;
    transfer.start(this.fileSource());
  }

  // ------------------------------------------------------------------ to override

  /**
   * The sender of the next message, or null to end the session (QUIT).
   * @returns an address, or null.
   * @throws Error unless overridden.
   */
  getMailFrom(): string | null {
    throw new Error(`${this.constructor.name}.getMailFrom is not implemented`);
  }

  /**
   * The recipients of the current message.
   * @returns addresses.
   * @throws Error unless overridden.
   */
  getMailTo(): Iterable<string> {
    throw new Error(`${this.constructor.name}.getMailTo is not implemented`);
  }

  /**
   * The current message, headers included: a string, bytes or a stream (read with flow
   * control). Called once per transaction, when MAIL is about to be sent.
   * @returns the message.
   * @throws Error unless overridden.
   */
  getMailData(): MessageData {
    throw new Error(`${this.constructor.name}.getMailData is not implemented`);
  }

  /**
   * Something went wrong. A non-fatal error sends QUIT (then the connection closes); a fatal
   * one closes the connection now. Override it to report the error, and call this.
   * @param exc - the error, usually an {@link SMTPClientError}.
   */
  sendError(exc: Error): void {
    this.stopSending();
    if (exc instanceof SMTPClientError && !exc.isFatal) {
      this._disconnectFromServer();
    } else {
      this.transport?.loseConnection();
    }
  }

  /**
   * A transaction is over. `code` and `resp` are DATA's final reply when some recipients were
   * accepted; otherwise the last RCPT's code and "No recipients accepted".
   * @param _code - the reply code.
   * @param _resp - the reply text.
   * @param _numOk - how many recipients were accepted.
   * @param _addresses - each RCPT's result.
   * @param _log - the session log.
   * @throws Error unless overridden.
   */
  sentMail(
    _code: number,
    _resp: string,
    _numOk: number,
    _addresses: readonly RecipientResult[],
    _log: string,
  ): void {
    throw new Error(`${this.constructor.name}.sentMail is not implemented`);
  }
}
