/**
 * `IRCUser`: one client connection of the embedded chat server.
 * @packageDocumentation
 */
import { connectionDone, type Failure, type IDelayedCall, Logger } from "@twisted-ts/core";
import type { IRCMessage } from "../message/message.js";
import * as channels from "./commands/channels.js";
import * as messaging from "./commands/messaging.js";
import * as modes from "./commands/modes.js";
import * as queries from "./commands/queries.js";
import * as registration from "./commands/registration.js";
import type { IRCServerFactory } from "./factory.js";
import { IRC } from "./irc.js";
import { N } from "./numerics.js";
import type { ChatService } from "./service.js";

const log = new Logger({ namespace: "twisted-ts.words.service" });

/** The commands a connection may send before it is registered. */
const BEFORE_REGISTRATION = new Set(["PASS", "NICK", "USER", "CAP", "PING", "PONG", "QUIT"]);

/**
 * One client connection of the embedded chat server: Twisted words' `IRCUser`, an {@link IRC}
 * protocol whose factory is an {@link IRCServerFactory} and whose users and channels live in
 * the factory's {@link ChatService}.
 *
 * Registration takes NICK and USER (and PASS first when the server has a password); a CAP LS
 * or CAP REQ before registration holds it until CAP END. Then the client gets 001 to 005
 * (ISUPPORT), LUSERS (251 to 255) and the MOTD (375, 372, 376) or 422. Registered clients may
 * use NICK, JOIN, PART, PRIVMSG, NOTICE, QUIT, PING, PONG, TOPIC, NAMES, LIST, WHO, WHOIS,
 * MODE, KICK, INVITE, AWAY, LUSERS, MOTD, ISON and USERHOST, with RFC 2812's error numerics; any
 * other command gets 421, and any command but the registration ones gets 451 before
 * registration.
 *
 * The server PINGs a client silent for `pingInterval` seconds, and drops it with
 * `ERROR :Ping timeout` when nothing arrives within `pingTimeout` seconds. A lost connection
 * removes the user and tells the users sharing a channel with it (QUIT), once each.
 *
 * Differences from Twisted: Twisted's `IRCUser` logs in through a `twisted.cred` portal at
 * NICK/USER time and handles a subset of the commands (no MODE changes, KICK, INVITE, AWAY,
 * CAP or pings); channels here have IRC's modes (`o v b k l i m n s t`), new channels start
 * `+nt` and their first member gets `+o`.
 */
export class IRCUser extends IRC<IRCServerFactory> {
  /** The nick; `null` until NICK. */
  nickname: string | null = null;
  /** The user name from USER; `null` until then. */
  username: string | null = null;
  /** The real name from USER. */
  realname = "";
  /** The client's host (its IP address), as shown in its source. */
  host = "unknown";
  /** Whether registration is complete. */
  registered = false;
  /** The away message, or `null` when not away. */
  away: string | null = null;
  /** Whether the user mode `+i` (invisible) is set. */
  invisible = false;
  /** When registration completed, in seconds on the server's clock. */
  signOnTime = 0;
  /** When the user last sent a PRIVMSG (or registered), in seconds: WHOIS's idle time. */
  lastMessageTime = 0;
  /** The password from PASS, or `null`. */
  password: string | null = null;
  /** Whether a CAP negotiation holds registration until CAP END. */
  capNegotiating = false;
  /** Whether the user has left the network (QUIT sent to its peers). */
  private _gone = false;
  /** Whether the server is closing this connection. */
  private _closing = false;
  /** When the last line arrived, in seconds. */
  private _lastReceived = 0;
  /** The next ping check. */
  private _pingCall: IDelayedCall | undefined = undefined;
  /** Whether a PING is waiting for traffic. */
  private _pingSent = false;

  /** The factory, or an error when the protocol was built without one. */
  get server(): IRCServerFactory {
    if (this.factory === undefined) throw new Error("IRCUser needs an IRCServerFactory");
    return this.factory;
  }

  /** The shared users and channels: the factory's service. */
  get service(): ChatService {
    return this.server.service;
  }

  /** The user's full source, `nick!user@host`. */
  get prefix(): string {
    return `${this.nickname ?? "*"}!${this.username ?? "unknown"}@${this.host}`;
  }

  /** The current time on the server's clock, in seconds. */
  now(): number {
    return this.server.clock.seconds();
  }

  /**
   * Sends a numeric reply from the server, addressed to this user's nick (`*` before NICK).
   * @param numeric - the three-digit numeric.
   * @param params - the parameters after the nick.
   */
  sendReply(numeric: string, ...params: string[]): void {
    this.sendMessage(numeric, [this.nickname ?? "*", ...params], this.hostname);
  }

  /**
   * Takes the server's name, refuses the connection over `maxConnections`, and starts the
   * ping timer.
   */
  override connectionMade(): void {
    const server = this.server;
    this.hostname = server.serverName;
    const peer = this.transport?.getPeer() as { host?: unknown } | undefined;
    if (typeof peer?.host === "string" && peer.host !== "") this.host = peer.host;
    if (server.connections.size >= server.maxConnections) {
      log.info("Refusing a connection from {host}: too many connections", { host: this.host });
      this._closing = true;
      this.sendMessage("ERROR", ["Too many connections"]);
      this.transport?.loseConnection();
      return;
    }
    server.connections.add(this);
    this._lastReceived = this.now();
    if (server.pingInterval > 0) this._schedulePing(server.pingInterval);
  }

  /**
   * Removes the user (telling its peers it quit), stops the ping timer.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure = connectionDone): void {
    this._cancelPing();
    this.server.connections.delete(this);
    this.leaveNetwork("Connection closed");
    super.connectionLost(reason);
  }

  /**
   * Reads one line, unless the connection is closing; any line counts as traffic for pings.
   * @param line - the line, without its `\n`.
   */
  override lineReceived(line: Buffer): void {
    if (this._closing) return;
    this._touch();
    super.lineReceived(line);
  }

  /**
   * Dispatches a command, answering 451 to anything but PASS, NICK, USER, CAP, PING, PONG and
   * QUIT before registration.
   * @param command - the command.
   * @param prefix - the source the client gave.
   * @param params - the parameters.
   * @param message - the parsed message.
   */
  override handleCommand(
    command: string,
    prefix: string,
    params: string[],
    message: IRCMessage,
  ): void {
    if (this._closing) return;
    if (!this.registered && !BEFORE_REGISTRATION.has(command.toUpperCase())) {
      this.sendReply(N.ERR_NOTREGISTERED, "You have not registered");
      return;
    }
    super.handleCommand(command, prefix, params, message);
  }

  /**
   * An unknown command: 421.
   * @param _prefix - the source.
   * @param command - the command, upper-cased.
   */
  override irc_unknown(_prefix: string, command: string): void {
    this.sendReply(N.ERR_UNKNOWNCOMMAND, command, "Unknown command");
  }

  /** A line over the limits: 417, and the connection goes on. */
  override lineTooLong(): void {
    this.sendReply(N.ERR_INPUTTOOLONG, "Input line was too long");
  }

  /**
   * Tells the user's peers it quit (each once) and removes it from the service. Does nothing
   * for an unregistered user or a second time.
   * @param reason - the QUIT message.
   */
  leaveNetwork(reason: string): void {
    if (!this.registered || this._gone) return;
    this._gone = true;
    const service = this.service;
    for (const peer of service.peersOf(this)) peer.sendMessage("QUIT", [reason], this.prefix);
    service.removeUser(this);
  }

  /**
   * Ends the connection from the server's side: the user quits with `reason`, the client gets
   * `ERROR :<error>`, and the connection is closed once written.
   * @param reason - the QUIT message its peers see.
   * @param error - the ERROR text the client sees.
   */
  drop(reason: string, error: string): void {
    if (this._closing) return;
    this.leaveNetwork(reason);
    this._closing = true;
    this._cancelPing();
    this.sendMessage("ERROR", [error]);
    this.transport?.loseConnection();
  }

  // ---- pings ---------------------------------------------------------------------------------

  private _schedulePing(delay: number): void {
    this._pingCall = this.server.clock.callLater(delay, () => this._pingCheck());
  }

  private _cancelPing(): void {
    if (this._pingCall?.active()) this._pingCall.cancel();
    this._pingCall = undefined;
  }

  private _touch(): void {
    this._lastReceived = this.now();
    if (this._pingSent) {
      this._pingSent = false;
      this._cancelPing();
      this._schedulePing(this.server.pingInterval);
    }
  }

  private _pingCheck(): void {
    this._pingCall = undefined;
    if (!this.connected || this._closing) return;
    const { pingInterval, pingTimeout } = this.server;
    if (this._pingSent) {
      this.drop(`Ping timeout: ${pingTimeout} seconds`, `Ping timeout: ${pingTimeout} seconds`);
      return;
    }
    const idle = this.now() - this._lastReceived;
    if (idle < pingInterval) {
      this._schedulePing(pingInterval - idle);
      return;
    }
    this._pingSent = true;
    this.sendMessage("PING", [this.hostname]);
    this._schedulePing(pingTimeout);
  }

  // ---- registration --------------------------------------------------------------------------

  /** PASS: the connection password, before NICK and USER. */
  irc_PASS(_prefix: string, params: string[]): void {
    registration.pass(this, params);
  }

  /** NICK: sets the nick before registration, changes it after (told to peers once each). */
  irc_NICK(_prefix: string, params: string[]): void {
    registration.nick(this, params);
  }

  /** USER: the user name and real name. */
  irc_USER(_prefix: string, params: string[]): void {
    registration.user(this, params);
  }

  /** CAP: LS, LIST, REQ (all refused: no capabilities yet) and END. */
  irc_CAP(_prefix: string, params: string[]): void {
    registration.cap(this, params);
  }

  /** PING: answered with PONG. */
  irc_PING(_prefix: string, params: string[]): void {
    if (params[0] === undefined || params[0] === "") {
      this.sendReply(N.ERR_NOORIGIN, "No origin specified");
      return;
    }
    this.sendMessage("PONG", [this.hostname, params[0]], this.hostname);
  }

  /** PONG: only traffic, which keeps the connection alive. */
  irc_PONG(): void {}

  /** QUIT: peers are told once, the client gets `ERROR :Closing Link`, the connection closes. */
  irc_QUIT(_prefix: string, params: string[]): void {
    const reason = params[0] ?? "Client Quit";
    this.drop(reason, `Closing Link: ${this.host} (${reason})`);
  }

  /** LUSERS: 251, 252, 254, 255. */
  irc_LUSERS(): void {
    registration.lusers(this);
  }

  /** MOTD: 375, 372…, 376, or 422. */
  irc_MOTD(): void {
    registration.motd(this);
  }

  // ---- channels ------------------------------------------------------------------------------

  /** JOIN: one or more channels (comma-separated) with keys; `JOIN 0` leaves them all. */
  irc_JOIN(_prefix: string, params: string[]): void {
    channels.join(this, params);
  }

  /** PART: one or more channels, with a reason. */
  irc_PART(_prefix: string, params: string[]): void {
    channels.part(this, params);
  }

  /** TOPIC: asks for (331, 332 and 333) or sets a channel's topic. */
  irc_TOPIC(_prefix: string, params: string[]): void {
    channels.topic(this, params);
  }

  /** NAMES: the members of channels (353, 366). */
  irc_NAMES(_prefix: string, params: string[]): void {
    channels.names(this, params);
  }

  /** LIST: channels with their member counts and topics (321, 322, 323); secret ones hidden. */
  irc_LIST(_prefix: string, params: string[]): void {
    channels.list(this, params);
  }

  /** KICK: removes members (operators only). */
  irc_KICK(_prefix: string, params: string[]): void {
    channels.kick(this, params);
  }

  /** INVITE: invites a user to a channel (341). */
  irc_INVITE(_prefix: string, params: string[]): void {
    channels.invite(this, params);
  }

  /** MODE: channel modes (324, changes, ban list) and the user's own modes (221, `+i`). */
  irc_MODE(_prefix: string, params: string[]): void {
    modes.mode(this, params);
  }

  // ---- messages and queries ------------------------------------------------------------------

  /** PRIVMSG: to channels and nicks. */
  irc_PRIVMSG(_prefix: string, params: string[]): void {
    messaging.message(this, "PRIVMSG", params);
  }

  /** NOTICE: to channels and nicks; never answered with an error. */
  irc_NOTICE(_prefix: string, params: string[]): void {
    messaging.message(this, "NOTICE", params);
  }

  /** AWAY: sets (306) or clears (305) the away message. */
  irc_AWAY(_prefix: string, params: string[]): void {
    messaging.away(this, params);
  }

  /** WHO: users of a channel or matching a mask (352, 315). */
  irc_WHO(_prefix: string, params: string[]): void {
    queries.who(this, params);
  }

  /** WHOIS: about users (311, 319, 312, 301, 317, 318; 401). */
  irc_WHOIS(_prefix: string, params: string[]): void {
    queries.whois(this, params);
  }

  /** ISON: which of the nicks are online (303). */
  irc_ISON(_prefix: string, params: string[]): void {
    queries.ison(this, params);
  }

  /** USERHOST: the sources of up to five nicks (302). */
  irc_USERHOST(_prefix: string, params: string[]): void {
    queries.userhost(this, params);
  }
}
