/**
 * `ESMTPClient`: EHLO, STARTTLS and AUTH on top of `SMTPClient`.
 * @packageDocumentation
 */
import type { TLSOptions } from "@twisted-ts/core";
import {
  AUTHDeclinedError,
  AUTHRequiredError,
  AuthenticationError,
  EHLORequiredError,
  SMTPTLSError,
  TLSRequiredError,
} from "../errors.js";
import type { IClientAuthentication } from "./authenticators.js";
import { SMTPClient, SUCCESS } from "./smtpClient.js";

/** A transport that can switch to TLS in place (core's TCP `Connection` can). */
interface StartTLSTransport {
  startTLS(options: TLSOptions): void;
}

function canStartTLS(transport: unknown): transport is StartTLSTransport {
  return (
    typeof transport === "object" &&
    transport !== null &&
    typeof (transport as Partial<StartTLSTransport>).startTLS === "function"
  );
}

/**
 * Whether a transport is already encrypted (a `connectSSL` connection, or after STARTTLS).
 * @param transport - the transport.
 */
export function isSecureTransport(transport: unknown): boolean {
  return (
    typeof transport === "object" &&
    transport !== null &&
    (transport as { secure?: unknown }).secure === true
  );
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * An ESMTP client: Twisted's `twisted.mail.smtp.ESMTPClient`. It greets with EHLO and reads the
 * extensions the server offers into `extensions`; then:
 * - **STARTTLS** when the server offers it and `context` (TLS options) is set, then EHLO
 *   again. With `requireTransportSecurity`, a server without STARTTLS fails with
 *   {@link TLSRequiredError}; a connection that is already TLS counts as secure.
 * - **AUTH** with the first registered authenticator whose mechanism the server offers, when
 *   `secret` is set (PLAIN sends its response inline; other mechanisms answer 334 challenges
 *   until 235; a challenge that is not base64 is answered `*`). With
 *   `requireAuthentication` and no mechanism in common: {@link AUTHRequiredError}.
 * - **HELO fallback**: when EHLO is refused, HELO is tried only with `heloFallback` and when
 *   neither authentication nor (on a plain connection) TLS is required; otherwise
 *   {@link EHLORequiredError}.
 * Then the transaction runs as in {@link SMTPClient}, with PIPELINING, CHUNKING, SIZE,
 * 8BITMIME and SMTPUTF8 when offered.
 *
 * Differences from Twisted: `context` is Node TLS options (`ca`, `servername`, …) for the
 * transport's `startTLS`; anything the server sent after its 220 to STARTTLS and before the
 * handshake is thrown away, and the extensions are forgotten until the new EHLO (RFC 3207
 * §4.2); a failed `startTLS` stops there (Twisted sent EHLO anyway); the extension keywords are
 * upper-cased.
 */
export class ESMTPClient extends SMTPClient {
  /** Fall back to HELO when EHLO is refused (unless auth or TLS is required). */
  heloFallback = true;
  /** Refuse to send without authenticating. Overrides `heloFallback`. */
  requireAuthentication = false;
  /** Refuse to send on a connection that is not encrypted. Overrides `heloFallback`. */
  requireTransportSecurity = false;
  /** The TLS options for STARTTLS, or undefined to never start TLS. */
  context: TLSOptions | undefined;
  /** The password for AUTH, or undefined to never authenticate. */
  secret: Buffer | undefined;
  /** The SASL mechanisms, in order of preference. */
  readonly authenticators: IClientAuthentication[] = [];
  /** Whether the connection is encrypted. */
  _tlsMode = false;
  private authinfo: IClientAuthentication | undefined = undefined;

  /**
   * @param secret - the password for AUTH (a string is UTF-8), or null/undefined for none.
   * @param contextFactory - TLS options for STARTTLS, or undefined for none.
   * @param identity - the name for EHLO/HELO.
   * @param logsize - how many lines `log` keeps.
   */
  constructor(
    secret: string | Uint8Array | null | undefined,
    contextFactory: TLSOptions | undefined,
    identity: string,
    logsize?: number,
  ) {
    super(identity, logsize);
    this.secret =
      secret === null || secret === undefined
        ? undefined
        : typeof secret === "string"
          ? Buffer.from(secret, "utf8")
          : Buffer.from(secret);
    this.context = contextFactory;
  }

  /**
   * Add a SASL mechanism; they are tried in the order registered, so register the strongest
   * first.
   * @param auth - the mechanism.
   */
  registerAuthenticator(auth: IClientAuthentication): void {
    this.authenticators.push(auth);
  }

  /** Note whether the connection is already TLS, then wait for the greeting (to send EHLO). */
  override connectionMade(): void {
    this._tlsMode = isSecureTransport(this.transport);
    super.connectionMade();
    this._okresponse = (code, resp) => this.esmtpState_ehlo(code, resp);
  }

  // ------------------------------------------------------------------ failures

  /** EHLO was refused and HELO will not do: {@link EHLORequiredError}. */
  esmtpEHLORequired(): void {
    this.sendError(
      new EHLORequiredError(
        502,
        "Server does not support ESMTP, which authentication or TLS needs",
        { log: this.log.str() },
      ),
    );
  }

  /** No mechanism in common: {@link AUTHRequiredError}. */
  esmtpAUTHRequired(): void {
    const names = this.authenticators.map((a) => a.getName().toUpperCase()).join(", ");
    this.sendError(
      new AUTHRequiredError(
        502,
        `Server does not support Client Authentication schemes [${names}]`,
        { log: this.log.str() },
      ),
    );
  }

  /** TLS is required and not offered: {@link TLSRequiredError}. */
  esmtpTLSRequired(): void {
    this.sendError(
      new TLSRequiredError(502, "Server does not support secure communication via TLS / SSL", {
        log: this.log.str(),
      }),
    );
  }

  /**
   * STARTTLS was refused or failed: {@link SMTPTLSError}.
   * @param code - the reply code.
   */
  esmtpTLSFailed(code = -1): void {
    this.sendError(
      new SMTPTLSError(code, "Could not complete the SSL/TLS handshake", { log: this.log.str() }),
    );
  }

  /**
   * The credentials were refused: {@link AUTHDeclinedError}.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  esmtpAUTHDeclined(code: number, resp: string): void {
    this.sendError(new AUTHDeclinedError(code, resp, { log: this.log.str() }));
  }

  /** The challenge was not base64: {@link AuthenticationError} 501. */
  esmtpAUTHMalformedChallenge(): void {
    this.sendError(
      new AuthenticationError(
        501,
        "Login failed because the SMTP Server returned a malformed Authentication Challenge",
        { log: this.log.str() },
      ),
    );
  }

  /**
   * AUTH itself was refused: {@link AuthenticationError}.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  esmtpAUTHServerError(code: number, resp: string): void {
    this.sendError(new AuthenticationError(code, resp, { log: this.log.str() }));
  }

  // ------------------------------------------------------------------ states

  /**
   * Send EHLO (after the greeting, and again after STARTTLS).
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  esmtpState_ehlo(_code: number, _resp: string): void {
    this._expected = SUCCESS;
    this._okresponse = (code, resp) => this.esmtpState_serverConfig(code, resp);
    this._failresponse = () => this.esmtpEHLORequired();
    const needTLS = this._tlsMode ? false : this.requireTransportSecurity;
    if (this.heloFallback && !this.requireAuthentication && !needTLS) {
      this._failresponse = (code, resp) => this.smtpState_helo(code, resp);
    }
    this.sendLine(`EHLO ${this.identity}`);
  }

  /**
   * EHLO accepted: read the extensions, then STARTTLS, AUTH or MAIL.
   * @param code - the reply code.
   * @param resp - the reply text: the greeting line, then one extension per line.
   */
  esmtpState_serverConfig(code: number, resp: string): void {
    const items = new Map<string, string | null>();
    for (const line of resp.split("\n").slice(1)) {
      const match = /^\s*(\S+)(?:\s+(.*?))?\s*$/.exec(line);
      if (match === null) continue;
      items.set((match[1] as string).toUpperCase(), match[2] ?? null);
    }
    this.extensions = items;
    this.tryTLS(code, resp, items);
  }

  /**
   * STARTTLS when possible, then authenticate; fail when TLS is required and impossible.
   * @param code - the reply code.
   * @param resp - the reply text.
   * @param items - the extensions.
   */
  tryTLS(code: number, resp: string, items: ReadonlyMap<string, string | null>): void {
    const hasTLS = this._tlsMode;
    const canTLS =
      this.context !== undefined && items.has("STARTTLS") && canStartTLS(this.transport);
    const mustTLS = this.requireTransportSecurity;
    if (hasTLS || !(canTLS || mustTLS)) {
      this.authenticate(code, resp, items);
    } else if (canTLS) {
      this._expected = [220];
      this._okresponse = (c, r) => this.esmtpState_starttls(c, r);
      this._failresponse = (c) => this.esmtpTLSFailed(c);
      this.sendLine("STARTTLS");
    } else {
      this.esmtpTLSRequired();
    }
  }

  /**
   * STARTTLS accepted: start TLS on the transport, then EHLO again.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  esmtpState_starttls(code: number, resp: string): void {
    // Bytes the server sent after its 220 are not covered by TLS: drop them (CVE-2011-0411).
    this.clearLineBuffer();
    this.extensions = new Map();
    try {
      const transport = this.transport;
      if (!canStartTLS(transport) || this.context === undefined) {
        throw new Error("the transport cannot start TLS");
      }
      transport.startTLS(this.context);
      this._tlsMode = true;
    } catch {
      this.esmtpTLSFailed(451);
      return;
    }
    this.esmtpState_ehlo(code, resp);
  }

  /**
   * AUTH with the first registered mechanism the server offers; then MAIL.
   * @param code - the reply code.
   * @param resp - the reply text.
   * @param items - the extensions.
   */
  authenticate(code: number, resp: string, items: ReadonlyMap<string, string | null>): void {
    const offered = items.get("AUTH");
    const secret = this.secret;
    if (secret !== undefined && offered !== undefined && offered !== null) {
      const schemes = new Set(offered.split(/\s+/).map((s) => s.toUpperCase()));
      for (const auth of this.authenticators) {
        const name = auth.getName().toUpperCase();
        if (!schemes.has(name)) continue;
        this.authinfo = auth;
        if (name === "PLAIN") {
          this._okresponse = (c, r) => this.smtpState_from(c, r);
          this._failresponse = (c, r) => this._esmtpState_plainAuth(c, r);
          this._expected = [235];
          const initial = auth.challengeResponse(secret, 1).toString("base64");
          this.sendAuthLine(`AUTH ${name} ${initial}`, `AUTH ${name} <secret>`);
        } else {
          this._expected = [334];
          this._okresponse = (c, r) => this.esmtpState_challenge(c, r);
          this._failresponse = (c, r) => this.esmtpAUTHServerError(c, r);
          this.sendLine(`AUTH ${name}`);
        }
        return;
      }
    }
    if (this.requireAuthentication) this.esmtpAUTHRequired();
    else this.smtpState_from(code, resp);
  }

  /**
   * The inline PLAIN response was refused: try once more without the authorisation identity.
   * @param _code - the reply code.
   * @param _resp - the reply text.
   */
  _esmtpState_plainAuth(_code: number, _resp: string): void {
    this._okresponse = (c, r) => this.smtpState_from(c, r);
    this._failresponse = (c, r) => this.esmtpAUTHDeclined(c, r);
    this._expected = [235];
    const auth = this.authinfo;
    if (auth === undefined || this.secret === undefined) return;
    const response = auth.challengeResponse(this.secret, 2).toString("base64");
    this.sendAuthLine(`AUTH PLAIN ${response}`, "AUTH PLAIN <secret>");
  }

  /**
   * A 334 challenge: answer it.
   * @param _code - the reply code.
   * @param resp - the challenge, base64.
   */
  esmtpState_challenge(_code: number, resp: string): void {
    this.authResponse(resp);
  }

  /**
   * After a response: 235 means authenticated (go on to MAIL), 334 is another challenge.
   * @param code - the reply code.
   * @param resp - the reply text.
   */
  smtpState_maybeAuthenticated(code: number, resp: string): void {
    if (code === 235) {
      this.authinfo = undefined;
      this.smtpState_from(code, resp);
    } else {
      this.authResponse(resp);
    }
  }

  private authResponse(challenge: string): void {
    const auth = this.authinfo;
    const secret = this.secret;
    if (auth === undefined || secret === undefined) return;
    this._failresponse = (c, r) => this.esmtpAUTHDeclined(c, r);
    const text = challenge.trim();
    if (!STRICT_BASE64.test(text)) {
      this.sendLine("*");
      this._expected = "any";
      this._okresponse = () => this.esmtpAUTHMalformedChallenge();
      this._failresponse = this._okresponse;
      return;
    }
    const response = auth.challengeResponse(secret, Buffer.from(text, "base64"));
    this._expected = [235, 334];
    this._okresponse = (c, r) => this.smtpState_maybeAuthenticated(c, r);
    this.sendAuthLine(response.toString("base64"), "<secret>");
  }

  /** Send a line holding credentials, logging `shown` instead of the line itself. */
  private sendAuthLine(line: string, shown: string): void {
    if (this.debug) this.log.append(`>>> ${shown}`);
    this.transport?.write(`${line}\r\n`);
  }
}
