/**
 * `IRCClientV3`: IRCv3 capability negotiation, SASL, batches and labeled responses, between
 * Twisted's commands and Twisted's handlers.
 * @packageDocumentation
 */
import { Deferred, type Failure, fail, Logger, transportOf } from "@twisted-ts/core";
import { IRCCapabilityError, IRCConnectionLostError } from "../errors.js";
import type { IRCMessage, IRCTags } from "../message/message.js";
import { IRCClientCommands } from "./commands.js";
import {
  AuthenticateDecoder,
  createSASLMechanism,
  encodeAuthenticate,
  type SASLMechanism,
} from "./sasl.js";
import { nickOf } from "./shared.js";

const log = new Logger({ namespace: "twisted-ts.words.irc" });

/**
 * The IRCv3 capabilities the client asks for by default: each is handled by `IRCClient`.
 * `sasl` is added when `sasl` credentials are set.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  "account-tag",
  "away-notify",
  "batch",
  "cap-notify",
  "chghost",
  "echo-message",
  "extended-join",
  "labeled-response",
  "message-tags",
  "multi-prefix",
  "server-time",
  "userhost-in-names",
]);

/** The SASL mechanisms the client implements. */
export type SASLMechanismName = "PLAIN" | "EXTERNAL" | "SCRAM-SHA-256";

/** How to log in with SASL during registration. */
export interface SASLCredentials {
  /**
   * The mechanism. By default: SCRAM-SHA-256 when a password is given and the server lists
   * it, else PLAIN with a password, else EXTERNAL (a TLS client certificate).
   */
  mechanism?: SASLMechanismName;
  /** The account name (PLAIN, SCRAM-SHA-256). */
  username?: string;
  /** The password (PLAIN, SCRAM-SHA-256). */
  password?: string;
  /** The identity to act as, when it differs from `username`. */
  authzid?: string;
}

/** The most lines one labeled response or batch may collect before the rest are dropped. */
const MAX_COLLECTED = 10_000;
/** The most batches open at once; an opening beyond it is ignored. */
const MAX_OPEN_BATCHES = 256;
/** The most bytes of capability names gathered from a multi-line `CAP LS`. */
const MAX_CAP_LS = 65_536;

interface Batch {
  readonly type: string;
  readonly params: string[];
  readonly parent: string | undefined;
  readonly label: string | undefined;
  readonly messages: IRCMessage[];
}

interface Pending {
  readonly deferred: Deferred<IRCMessage[]>;
}

/**
 * The IRCv3 layer of `IRCClient`: `CAP LS 302` negotiation of `capabilities`, SASL PLAIN,
 * EXTERNAL and SCRAM-SHA-256, batches, and labeled requests whose reply comes back as a
 * Deferred. See `IRCClient`.
 * @typeParam F - the factory type.
 */
export class IRCClientV3<F = unknown> extends IRCClientCommands<F> {
  /**
   * The capabilities to ask for, when the server offers them; `[]` (with no `sasl`) skips
   * negotiation entirely, as Twisted's client does.
   */
  capabilities: string[] = [...DEFAULT_CAPABILITIES];
  /** SASL credentials to log in with during registration, or `null`. */
  sasl: SASLCredentials | null = null;
  /** Whether a failed SASL login ends the connection (otherwise registration goes on). */
  saslRequired = false;
  /** Seconds a labeled request waits for its reply before it fails with a `TimeoutError`. */
  labelTimeout = 60;
  /** The capabilities the server offers: name → value (`null` when it has none). */
  readonly availableCapabilities = new Map<string, string | null>();
  /** The capabilities enabled on this connection. */
  readonly enabledCapabilities = new Set<string>();
  /** The account we are logged in as (900), or `null`. */
  account: string | null = null;
  /** Whether `CAP LS` was sent and `CAP END` not yet. */
  protected _capNegotiating = false;
  private _capLs = new Map<string, string | null>();
  private _capLsBytes = 0;
  private _capAwaiting = 0;
  private _saslMechanism: SASLMechanism | null = null;
  private _saslDecoder: AuthenticateDecoder | null = null;
  private readonly _batches = new Map<string, Batch>();
  private readonly _labels = new Map<string, Pending>();
  private _labelSerial = 0;

  /** Sends `CAP LS 302` first when there is anything to negotiate, then registers. */
  override connectionMade(): void {
    if (this.performLogin && (this.capabilities.length > 0 || this.sasl !== null)) {
      this._capNegotiating = true;
      this.sendCommand("CAP", ["LS", "302"]);
    }
    super.connectionMade();
  }

  /**
   * Fails every labeled request still waiting, then stops the heartbeat and the queue.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure): void {
    const pending = [...this._labels.values()];
    this._labels.clear();
    this._batches.clear();
    for (const { deferred } of pending) {
      if (!deferred.called) {
        deferred.errback(new IRCConnectionLostError("the connection was lost before the reply"));
      }
    }
    super.connectionLost(reason);
  }

  // ---- callbacks -----------------------------------------------------------------------------

  /**
   * Capability negotiation is over (`CAP END` sent, or the server does not do CAP).
   * @param _enabled - the capabilities enabled.
   */
  capabilitiesNegotiated(_enabled: string[]): void {}
  /** Capabilities were enabled after registration (cap-notify). @param _caps - their names. */
  capabilitiesAdded(_caps: string[]): void {}
  /** The server withdrew capabilities (cap-notify). @param _caps - their names. */
  capabilitiesRemoved(_caps: string[]): void {}
  /** SASL login succeeded. @param _account - the account, when the server said (900). */
  saslSucceeded(_account: string | null): void {}
  /**
   * SASL login failed; registration goes on unless `saslRequired`.
   * @param reason - why, for people.
   */
  saslFailed(reason: string): void {
    log.warn("SASL login failed: {reason}", { reason });
  }
  /**
   * A batch closed (the `batch` capability).
   * @param _reference - its reference tag.
   * @param _type - its type, e.g. `netsplit`, `chathistory`, `labeled-response`.
   * @param _params - its parameters.
   * @param _messages - the messages in it (they were also dispatched as they came).
   */
  batchReceived(
    _reference: string,
    _type: string,
    _params: string[],
    _messages: IRCMessage[],
  ): void {}

  // ---- tags of the message being handled -----------------------------------------------------

  /** The `time` tag of the message being handled (server-time), or `null`. */
  messageTime(): Date | null {
    const time = this.currentMessage?.tags?.time;
    if (typeof time !== "string") return null;
    const date = new Date(time);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  /** The `account` tag of the message being handled (account-tag), or `null`. */
  messageAccount(): string | null {
    const account = this.currentMessage?.tags?.account;
    return typeof account === "string" ? account : null;
  }

  /**
   * Whether a message from this source is the server echoing one of ours (echo-message).
   * @param prefix - the message's source.
   */
  protected isEcho(prefix: string): boolean {
    return this.enabledCapabilities.has("echo-message") && this.isMe(nickOf(prefix));
  }

  // ---- labeled requests ----------------------------------------------------------------------

  /**
   * Sends a command with a `label` tag and gathers the server's reply to it (labeled-response):
   * one message, the messages of a `labeled-response` batch, or `[]` for a bare ACK.
   * @param command - the command.
   * @param params - its parameters.
   * @param tags - more tags, if any.
   * @returns a Deferred of the reply's messages; it fails with {@link IRCCapabilityError}
   *   when the server did not enable labeled-response, a `TimeoutError` after `labelTimeout`
   *   seconds, or {@link IRCConnectionLostError}.
   */
  request(command: string, params: readonly string[] = [], tags?: IRCTags): Deferred<IRCMessage[]> {
    if (!this.enabledCapabilities.has("labeled-response")) {
      return fail(new IRCCapabilityError("labeled-response"));
    }
    const label = `tt${(++this._labelSerial).toString(36)}`;
    const deferred = new Deferred<IRCMessage[]>(() => {
      this._labels.delete(label);
    });
    this.sendCommand(command, params, { ...tags, label });
    this._labels.set(label, { deferred });
    deferred.addTimeout(this.labelTimeout, this.getClock());
    return deferred;
  }

  /**
   * Collects labeled replies and batches, then dispatches the message as usual.
   * @param message - the message.
   */
  override handleMessage(message: IRCMessage): void {
    super.handleMessage(message);
    const tags = message.tags;
    if (tags === undefined) return;
    const inBatch = tags.batch;
    if (typeof inBatch === "string") {
      const batch = this._batches.get(inBatch);
      if (batch !== undefined && batch.messages.length < MAX_COLLECTED) {
        batch.messages.push(message);
      }
      if (batch !== undefined) {
        // A nested batch's lines also count towards the batches around it.
        for (let up = batch.parent; up !== undefined; up = this._batches.get(up)?.parent) {
          const outer = this._batches.get(up);
          if (outer !== undefined && outer.messages.length < MAX_COLLECTED) {
            outer.messages.push(message);
          }
        }
      }
    }
    const label = tags.label;
    if (typeof label === "string" && message.command.toUpperCase() !== "BATCH") {
      const pending = this._labels.get(label);
      if (pending !== undefined) {
        this._labels.delete(label);
        pending.deferred.callback(message.command.toUpperCase() === "ACK" ? [] : [message]);
      }
    }
  }

  /** BATCH: opens (`+ref type params…`) or closes (`-ref`) a batch. */
  irc_BATCH(_prefix: string, params: string[], message: IRCMessage): void {
    const ref = params[0] ?? "";
    if (ref.startsWith("+") && ref.length > 1) {
      if (this._batches.size >= MAX_OPEN_BATCHES) {
        log.warn("Ignoring IRC batch {ref}: too many open batches", { ref });
        return;
      }
      const parent = message.tags?.batch;
      const label = message.tags?.label;
      this._batches.set(ref.slice(1), {
        type: params[1] ?? "",
        params: params.slice(2),
        parent: typeof parent === "string" ? parent : undefined,
        label: typeof label === "string" ? label : undefined,
        messages: [],
      });
    } else if (ref.startsWith("-") && ref.length > 1) {
      const batch = this._batches.get(ref.slice(1));
      if (batch === undefined) return;
      this._batches.delete(ref.slice(1));
      if (batch.label !== undefined) {
        const pending = this._labels.get(batch.label);
        if (pending !== undefined) {
          this._labels.delete(batch.label);
          pending.deferred.callback(batch.messages);
        }
      }
      this.batchReceived(ref.slice(1), batch.type, batch.params, batch.messages);
    }
  }

  // ---- CAP -----------------------------------------------------------------------------------

  /**
   * Asks the server to enable (or, with a leading `-`, disable) capabilities after
   * registration; the reply updates `enabledCapabilities`.
   * @param caps - the capability names.
   */
  requestCapabilities(caps: readonly string[]): void {
    for (const line of chunkCaps(caps)) this.sendCommand("CAP", ["REQ", line]);
  }

  /** CAP: LS, ACK, NAK, NEW, DEL and LIST. */
  irc_CAP(_prefix: string, params: string[]): void {
    const sub = (params[1] ?? "").toUpperCase();
    const more = params.length > 3 && params[2] === "*";
    const list = (params[params.length - 1] ?? "").split(" ").filter((c) => c !== "");
    switch (sub) {
      case "LS":
        this.capLs(list, more);
        break;
      case "ACK":
        this.capAck(list);
        break;
      case "NAK":
        log.info("The IRC server refused capabilities {caps}", { caps: list.join(" ") });
        this.capAnswered();
        break;
      case "NEW": {
        const wanted: string[] = [];
        for (const [name, value] of parseCaps(list)) {
          this.availableCapabilities.set(name, value);
          if (this.wants(name) && !this.enabledCapabilities.has(name)) wanted.push(name);
        }
        if (wanted.length > 0) this.requestCapabilities(wanted);
        break;
      }
      case "DEL": {
        const removed: string[] = [];
        for (const [name] of parseCaps(list)) {
          this.availableCapabilities.delete(name);
          if (this.enabledCapabilities.delete(name)) removed.push(name);
        }
        if (removed.length > 0) this.capabilitiesRemoved(removed);
        break;
      }
      default:
        break;
    }
  }

  private wants(name: string): boolean {
    return this.capabilities.includes(name) || (name === "sasl" && this.sasl !== null);
  }

  private capLs(list: string[], more: boolean): void {
    for (const [name, value] of parseCaps(list)) {
      this._capLsBytes += name.length + (value?.length ?? 0);
      if (this._capLsBytes > MAX_CAP_LS) break;
      this._capLs.set(name, value);
    }
    if (more) return;
    for (const [name, value] of this._capLs) this.availableCapabilities.set(name, value);
    this._capLs = new Map();
    this._capLsBytes = 0;
    if (!this._capNegotiating) return;
    const wanted = [...this.availableCapabilities.keys()].filter((name) => this.wants(name));
    if (wanted.length === 0) {
      this.endCapNegotiation();
      return;
    }
    const lines = chunkCaps(wanted);
    this._capAwaiting += lines.length;
    for (const line of lines) this.sendCommand("CAP", ["REQ", line]);
  }

  private capAck(list: string[]): void {
    const added: string[] = [];
    const removed: string[] = [];
    for (const cap of list) {
      if (cap.startsWith("-")) {
        if (this.enabledCapabilities.delete(cap.slice(1))) removed.push(cap.slice(1));
      } else {
        const name = cap.replace(/^[~=]/, "");
        if (!this.enabledCapabilities.has(name)) added.push(name);
        this.enabledCapabilities.add(name);
      }
    }
    if (!this._capNegotiating) {
      if (added.length > 0) this.capabilitiesAdded(added);
      if (removed.length > 0) this.capabilitiesRemoved(removed);
    }
    this.capAnswered();
  }

  private capAnswered(): void {
    if (!this._capNegotiating || this._capAwaiting === 0) return;
    this._capAwaiting--;
    if (this._capAwaiting > 0) return;
    if (this.sasl !== null && this.enabledCapabilities.has("sasl")) this.startSasl();
    else this.endCapNegotiation();
  }

  /** Sends `CAP END` (once) and calls `capabilitiesNegotiated`. */
  protected endCapNegotiation(): void {
    if (!this._capNegotiating) return;
    this._capNegotiating = false;
    this._capAwaiting = 0;
    this.sendCommand("CAP", ["END"]);
    this.capabilitiesNegotiated([...this.enabledCapabilities]);
  }

  /**
   * Called on 001 and on a 421 for CAP: the server does not negotiate (any longer).
   * @internal
   */
  protected capNegotiationOver(): void {
    if (!this._capNegotiating) return;
    this._capNegotiating = false;
    this._capAwaiting = 0;
    this.capabilitiesNegotiated([...this.enabledCapabilities]);
  }

  // ---- SASL ----------------------------------------------------------------------------------

  private chooseMechanism(): SASLMechanismName {
    const sasl = this.sasl as SASLCredentials;
    if (sasl.mechanism !== undefined) return sasl.mechanism;
    const offered = (this.availableCapabilities.get("sasl") ?? "").split(",");
    if (sasl.password === undefined) return "EXTERNAL";
    return offered.includes("SCRAM-SHA-256") ? "SCRAM-SHA-256" : "PLAIN";
  }

  private startSasl(): void {
    const sasl = this.sasl as SASLCredentials;
    const name = this.chooseMechanism();
    const offered = this.availableCapabilities.get("sasl");
    if (offered && !offered.split(",").includes(name)) {
      this.saslDone(`the server does not offer ${name} (it offers ${offered})`);
      return;
    }
    try {
      const credentials: { username?: string; password?: string; authzid?: string } = {};
      if (sasl.username !== undefined) credentials.username = sasl.username;
      if (sasl.password !== undefined) credentials.password = sasl.password;
      if (sasl.authzid !== undefined) credentials.authzid = sasl.authzid;
      this._saslMechanism = createSASLMechanism(name, credentials);
    } catch (error) {
      this.saslDone(error instanceof Error ? error.message : String(error));
      return;
    }
    this._saslDecoder = new AuthenticateDecoder();
    this.sendCommand("AUTHENTICATE", [name]);
  }

  /** AUTHENTICATE: the server's next challenge, in base64 chunks. */
  irc_AUTHENTICATE(_prefix: string, params: string[]): void {
    const mechanism = this._saslMechanism;
    const decoder = this._saslDecoder;
    if (mechanism === null || decoder === null) return;
    let response: Buffer;
    try {
      const challenge = decoder.push(params[0] ?? "+");
      if (challenge === undefined) return;
      this._saslDecoder = new AuthenticateDecoder();
      response = mechanism.respond(challenge.length === 0 ? null : challenge);
    } catch (error) {
      this.sendCommand("AUTHENTICATE", ["*"]);
      this.saslDone(error instanceof Error ? error.message : String(error));
      return;
    }
    for (const chunk of encodeAuthenticate(response)) this.sendCommand("AUTHENTICATE", [chunk]);
  }

  private saslDone(failure: string | null): void {
    this._saslMechanism = null;
    this._saslDecoder = null;
    if (failure === null) {
      this.saslSucceeded(this.account);
    } else {
      this.saslFailed(failure);
      if (this.saslRequired) {
        this.quit("SASL login failed");
        transportOf(this).loseConnection();
        return;
      }
    }
    this.endCapNegotiation();
  }

  /** 900: logged in; sets `account`. */
  irc_RPL_LOGGEDIN(_prefix: string, params: string[]): void {
    this.account = params[2] ?? null;
  }

  /** 901: logged out; clears `account`. */
  irc_RPL_LOGGEDOUT(_prefix: string, _params: string[]): void {
    this.account = null;
  }

  /** 903: SASL succeeded; `saslSucceeded`, then `CAP END`. */
  irc_RPL_SASLSUCCESS(_prefix: string, _params: string[]): void {
    if (this._saslMechanism !== null && !this._saslMechanism.done) {
      // The server says yes before we could check its signature (SCRAM): refuse to trust it.
      this.saslDone("the server ended SCRAM without proving it knows the password");
      return;
    }
    this.saslDone(null);
  }

  /** 902, 904, 905, 906, 907: SASL failed; `saslFailed`, then `CAP END` or disconnect. */
  irc_ERR_SASLFAIL(_prefix: string, params: string[]): void {
    if (this._saslMechanism === null && !this._capNegotiating) return;
    this.saslDone(params[params.length - 1] ?? "SASL authentication failed");
  }

  /** 905: as 904. */
  irc_ERR_SASLTOOLONG(prefix: string, params: string[]): void {
    this.irc_ERR_SASLFAIL(prefix, params);
  }

  /** 906: as 904. */
  irc_ERR_SASLABORTED(prefix: string, params: string[]): void {
    this.irc_ERR_SASLFAIL(prefix, params);
  }

  /** 902: as 904. */
  irc_ERR_NICKLOCKED(prefix: string, params: string[]): void {
    this.irc_ERR_SASLFAIL(prefix, params);
  }

  /** 907: already logged in; counts as success. */
  irc_ERR_SASLALREADY(_prefix: string, _params: string[]): void {
    if (this._saslMechanism !== null) this.saslDone(null);
  }

  /** 421: an unknown command; for CAP, the server does not negotiate. */
  irc_ERR_UNKNOWNCOMMAND(_prefix: string, params: string[]): void {
    if ((params[1] ?? "").toUpperCase() === "CAP") this.capNegotiationOver();
  }
}

/** `name=value` tokens → name and value (`null` without `=`). */
function parseCaps(list: readonly string[]): Array<[string, string | null]> {
  return list.map((token) => {
    const eq = token.indexOf("=");
    return eq < 0 ? [token, null] : [token.slice(0, eq), token.slice(eq + 1)];
  });
}

/** Capability names joined into REQ parameters of at most 400 bytes each. */
function chunkCaps(caps: readonly string[]): string[] {
  const lines: string[] = [];
  let line = "";
  for (const cap of caps) {
    if (line !== "" && line.length + 1 + cap.length > 400) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? cap : `${line} ${cap}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
