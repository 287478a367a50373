/**
 * `IRCClientBase`: the wire and callbacks of Twisted's `twisted.words.protocols.irc.IRCClient`.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import {
  type Failure,
  getDefaultClock,
  type IReactorTime,
  Logger,
  LoopingCall,
  transportOf,
} from "@twisted-ts/core";
import { IRCInjectionError } from "../errors.js";
import { lowerCase } from "../message/casemapping.js";
import { decodeLine } from "../message/decode.js";
import type { IRCMessage, IRCTags } from "../message/message.js";
import { parseMessage } from "../message/parse.js";
import { serializeMessage } from "../message/serialize.js";
import { ServerSupportedFeatures } from "./isupport.js";
import { NUMERIC_NAMES } from "./numerics.js";
import { SendQueue } from "./sendQueue.js";

import { CRLF, type Handler, LINE_BREAKING } from "./shared.js";

const log = new Logger({ namespace: "twisted-ts.words.irc" });

const URGENT = new Set(["PONG", "PING", "CAP", "AUTHENTICATE"]);
const REGISTRATION = new Set(["PASS", "NICK", "USER", "QUIT"]);

/** The command of a serialised line (after any `@tags` and `:source`), upper-cased. */
function commandOf(line: Buffer): string {
  let at = 0;
  for (let i = 0; i < 2; i++) {
    const first = line[at];
    if (first !== 0x40 /* @ */ && first !== 0x3a /* : */) break;
    const space = line.indexOf(0x20, at);
    if (space < 0) return "";
    at = space + 1;
    while (line[at] === 0x20) at++;
  }
  let end = line.indexOf(0x20, at);
  if (end < 0) end = line.length;
  return line.toString("latin1", at, end).toUpperCase();
}

/**
 * The base of `IRCClient`: its attributes, the wire (reading, parsing and dispatching lines,
 * sending commands) and the callbacks a subclass overrides. See `IRCClient`.
 * @typeParam F - the factory type.
 */
export class IRCClientBase<F = unknown> extends LineReceiver<F> {
  /** The nick to register with, and, once registered, our current nick. */
  nickname = "irc";
  /** The real name sent in USER; the nick when unset. */
  realname: string | null = null;
  /** The user name sent in USER; the nick when unset. */
  username: string | null = null;
  /** The server password, sent as PASS before NICK when set. */
  password: string | null = null;
  /** The answer to CTCP USERINFO; no answer when unset. */
  userinfo: string | null = null;
  /** The answer to CTCP FINGER (a string, or a function called for each query); none when unset. */
  fingerReply: string | (() => string) | null = null;
  /** The client's name for CTCP VERSION; no answer when unset. */
  versionName: string | null = null;
  /** The client's version for CTCP VERSION. */
  versionNum: string | null = null;
  /** The client's environment for CTCP VERSION. */
  versionEnv: string | null = null;
  /** Where to get the client's source, for CTCP SOURCE; no answer when unset. */
  sourceURL: string | null = "http://twistedmatrix.com/downloads/";
  /** The nick sent on 432 (erroneous nickname) before registration. */
  erroneousNickFallback = "defaultnick";
  /** Whether `connectionMade` registers. */
  performLogin = true;
  /** The server's name, from the prefix of 001; `null` before. */
  hostname: string | null = null;
  /** The MOTD lines received so far, or `null` outside a MOTD. */
  motd: string[] | null = null;
  /** The ISUPPORT features the server announced (with Twisted's defaults). */
  supported = new ServerSupportedFeatures();
  /** The longest line accepted: 512 bytes plus 8191 bytes of IRCv3 tags. */
  override MAX_LENGTH = 512 + 8191;
  /** `\n`: received lines may end with `\n` or `\r\n` (every `\r` is stripped). */
  override delimiter: Buffer = Buffer.from("\n");
  /** The nick last sent with NICK. */
  protected _attemptedNick = "";
  /** Whether 001 has arrived. */
  protected _registered = false;
  /** Outstanding CTCP PINGs: `nick\0key` → the time sent, in seconds. */
  protected _pings = new Map<string, number>();
  /**
   * Seconds per line once the burst (`lineBurst`) is spent: the outgoing token bucket that
   * keeps the client from flooding itself off a server. `null` sends every line at once.
   * Urgent lines (PONG, PING, CAP, AUTHENTICATE, and registration) never wait.
   */
  lineRate: number | null = 1;
  /** How many lines may go out back to back before `lineRate` applies. */
  lineBurst = 5;
  /**
   * Seconds between the heartbeat's `PING <hostname>` once registered; `null` disables it.
   * When nothing at all has come from the server for two intervals, the connection is
   * dropped (so a reconnecting factory can try again).
   */
  heartbeatInterval: number | null = 120;
  /** What tells the time and schedules the send queue and heartbeat; the global reactor by default. */
  clock: IReactorTime | undefined = undefined;
  /**
   * The message being handled, while an `irc_*` handler or a callback it calls runs (its
   * `tags` hold IRCv3 tags such as `time` and `account`); `null` otherwise.
   */
  currentMessage: IRCMessage | null = null;
  /** Our own `nick!user@host` as the server sees it, once known (from our JOIN or CHGHOST). */
  userhost: string | null = null;
  /** The time (in `clock` seconds) the last line arrived. */
  protected _lastReceived = 0;
  private _heartbeat: LoopingCall | null = null;
  private _queue: SendQueue | null = null;

  /** The clock in use: `clock`, or the global reactor. */
  protected getClock(): IReactorTime {
    this.clock ??= getDefaultClock();
    return this.clock;
  }

  /** The current time in seconds, for CTCP PING; override to use a clock in tests. */
  protected now(): number {
    return this.clock === undefined ? Date.now() / 1000 : this.clock.seconds();
  }

  /** Whether the server has welcomed us (001) on this connection. */
  get registered(): boolean {
    return this._registered;
  }

  /** How many lines are waiting in the send queue. */
  get pendingLines(): number {
    return this._queue?.pending ?? 0;
  }

  // ---- wire ----------------------------------------------------------------------------------

  /**
   * Sends one line and `\r\n`.
   * @param line - the line, without its end: bytes, or a string sent as UTF-8.
   * @throws {@link IRCInjectionError} when a string line holds CR, LF or NUL.
   */
  override sendLine(line: Uint8Array | string): void {
    if (typeof line === "string" && LINE_BREAKING.test(line)) throw new IRCInjectionError("line");
    const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : Buffer.from(line);
    const whole = Buffer.concat([bytes, CRLF]);
    if (this.lineRate === null && (this._queue === null || this._queue.pending === 0)) {
      transportOf(this).write(whole);
      return;
    }
    if (this._queue === null) {
      this._queue = new SendQueue(
        (data) => {
          if (this.connected) transportOf(this).write(data);
        },
        () => this.getClock(),
        this.lineRate,
        this.lineBurst,
      );
    }
    this._queue.rate = this.lineRate;
    this._queue.burst = this.lineBurst;
    this._queue.send(whole, this.isUrgent(commandOf(bytes)));
  }

  /**
   * Whether a line with this command may jump the send queue: PONG, PING, CAP and
   * AUTHENTICATE always, and PASS, NICK, USER and QUIT before registration.
   * @param command - the line's command, upper-cased.
   */
  protected isUrgent(command: string): boolean {
    if (URGENT.has(command)) return true;
    return !this._registered && REGISTRATION.has(command);
  }

  /** Starts the heartbeat (called on 001); does nothing when `heartbeatInterval` is null. */
  startHeartbeat(): void {
    this.stopHeartbeat();
    const interval = this.heartbeatInterval;
    if (interval === null || !(interval > 0)) return;
    this._lastReceived = this.getClock().seconds();
    const beat = new LoopingCall(() => this._sendHeartbeat(interval));
    beat.clock = this.getClock();
    this._heartbeat = beat;
    beat.start(interval, false);
  }

  /** Stops the heartbeat, if it runs. */
  stopHeartbeat(): void {
    if (this._heartbeat !== null) {
      if (this._heartbeat.running) this._heartbeat.stop();
      this._heartbeat = null;
    }
  }

  private _sendHeartbeat(interval: number): void {
    const silent = this.getClock().seconds() - this._lastReceived;
    if (silent >= 2 * interval) {
      log.warn("Nothing from the IRC server for {seconds} seconds; dropping the connection", {
        seconds: Math.round(silent),
      });
      this.stopHeartbeat();
      transportOf(this).loseConnection();
      return;
    }
    this.sendCommand("PING", [this.hostname ?? "heartbeat"]);
  }

  /**
   * Stops the heartbeat and drops the lines still queued.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure): void {
    this.stopHeartbeat();
    const dropped = this._queue?.clear() ?? 0;
    if (dropped > 0) log.info("Dropped {count} unsent IRC lines", { count: dropped });
    super.connectionLost(reason);
  }

  /**
   * Sends one command, serialised with `serializeMessage`.
   * @param command - the command, e.g. `"PRIVMSG"`.
   * @param params - its parameters; the last gets a `:` when it needs one.
   * @param tags - IRCv3 tags, if any.
   * @throws {@link IRCInjectionError} when anything holds CR, LF or NUL (nothing is sent).
   */
  sendCommand(command: string, params: readonly string[] = [], tags?: IRCTags): void {
    this.sendLine(serializeMessage({ command, params: [...params], tags }));
  }

  /**
   * Handles one received line: strips `\r`, decodes, parses and dispatches it. A line that does
   * not parse goes to `badMessage`.
   * @param line - the line, without its `\n`.
   */
  override lineReceived(line: Buffer): void {
    if (this._heartbeat !== null) this._lastReceived = this.getClock().seconds();
    const bytes = line.includes(0x0d) ? line.filter((b) => b !== 0x0d) : line;
    if (bytes.length === 0) return;
    const text = decodeLine(bytes);
    let message: IRCMessage;
    try {
      message = parseMessage(text);
    } catch (error) {
      this.badMessage(text, error);
      return;
    }
    this.handleMessage(message);
  }

  /**
   * Called with a line that could not be parsed. The default logs it.
   * @param line - the decoded line.
   * @param error - why it was refused.
   */
  badMessage(line: string, error: unknown): void {
    log.warn("Ignoring a malformed IRC line {line}: {error}", { line, error: String(error) });
  }

  /**
   * Dispatches a parsed message to `irc_<NAME>`, where NAME is the upper-cased command or the
   * numeric's symbolic name, or to `irc_unknown`. Exceptions are logged.
   * @param message - the message.
   */
  handleMessage(message: IRCMessage): void {
    const command = message.command.toUpperCase();
    const name = NUMERIC_NAMES[command] ?? command;
    const prefix = message.source ?? "";
    const handler = (this as unknown as Record<string, unknown>)[`irc_${name}`];
    const outer = this.currentMessage;
    this.currentMessage = message;
    try {
      if (typeof handler === "function") {
        (handler as Handler).call(this, prefix, message.params, message);
      } else {
        this.irc_unknown(prefix, command, message.params);
      }
    } catch (error) {
      log.failure("Error handling IRC {command}", error, { command: name });
    } finally {
      this.currentMessage = outer;
    }
  }

  /**
   * Called for a command with no `irc_*` handler. The default does nothing.
   * @param _prefix - the source.
   * @param _command - the command or numeric.
   * @param _params - its parameters.
   */
  irc_unknown(_prefix: string, _command: string, _params: string[]): void {}

  /** Whether `nick` is our nickname, under the server's case mapping. */
  protected isMe(nick: string): boolean {
    const mapping = this.supported.caseMapping;
    return lowerCase(nick, mapping) === lowerCase(this.nickname, mapping);
  }

  // ---- callbacks (override them) -------------------------------------------------------------

  /** Called once registered (001). */
  signedOn(): void {}
  /** 002. @param _info - the server's host information. */
  yourHost(_info: string): void {}
  /** 003. @param _when - when the server was created. */
  created(_when: string): void {}
  /**
   * 004; missing fields are `null`.
   * @param _servername - the server's name.
   * @param _version - its version.
   * @param _umodes - the user modes it supports.
   * @param _cmodes - the channel modes it supports.
   */
  myInfo(
    _servername: string | null,
    _version: string | null,
    _umodes: string | null,
    _cmodes: string | null,
  ): void {}
  /** 005, after `supported` is updated. @param _options - the ISUPPORT tokens. */
  isupport(_options: string[]): void {}
  /** 010. @param _info - where to reconnect. */
  bounce(_info: string): void {}
  /** 251. @param _info - the text. */
  luserClient(_info: string): void {}
  /** 252. @param _ops - the number of operators. */
  luserOp(_ops: number): void {}
  /** 254. @param _channels - the number of channels. */
  luserChannels(_channels: number): void {}
  /** 255. @param _info - the text. */
  luserMe(_info: string): void {}
  /** The MOTD is complete. @param _motd - its lines, without their `- `. */
  receivedMOTD(_motd: string[]): void {}
  /** We joined. @param _channel - the channel. */
  joined(_channel: string): void {}
  /** We left. @param _channel - the channel. */
  left(_channel: string): void {}
  /**
   * We were kicked.
   * @param _channel - the channel.
   * @param _kicker - who kicked us.
   * @param _message - why.
   */
  kickedFrom(_channel: string, _kicker: string, _message: string): void {}
  /** Our nick changed; sets `nickname`. @param nick - the new nick. */
  nickChanged(nick: string): void {
    this.nickname = nick;
  }
  /**
   * A message.
   * @param _user - the sender's full prefix (`nick!user@host`).
   * @param _channel - the channel, or our nick for a private message.
   * @param _message - the text.
   */
  privmsg(_user: string, _channel: string, _message: string): void {}
  /**
   * A notice (never passed to `privmsg`).
   * @param _user - the sender's full prefix.
   * @param _channel - the target.
   * @param _message - the text.
   */
  noticed(_user: string, _channel: string, _message: string): void {}
  /**
   * A CTCP ACTION (`/me`).
   * @param _user - the sender's full prefix.
   * @param _channel - the target.
   * @param _data - the action.
   */
  action(_user: string, _channel: string, _data: string): void {}
  /** Someone joined. @param _user - the nick. @param _channel - the channel. */
  userJoined(_user: string, _channel: string): void {}
  /** Someone left. @param _user - the nick. @param _channel - the channel. */
  userLeft(_user: string, _channel: string): void {}
  /** Someone quit. @param _user - the nick. @param _quitMessage - their message. */
  userQuit(_user: string, _quitMessage: string): void {}
  /**
   * Someone was kicked.
   * @param _kickee - the nick kicked.
   * @param _channel - the channel.
   * @param _kicker - who kicked.
   * @param _message - why.
   */
  userKicked(_kickee: string, _channel: string, _kicker: string, _message: string): void {}
  /** Someone changed nick. @param _oldname - the old nick. @param _newname - the new one. */
  userRenamed(_oldname: string, _newname: string): void {}
  /**
   * A topic was set or reported.
   * @param _user - who set it (the server for 332/331).
   * @param _channel - the channel.
   * @param _newTopic - the topic (`""` for none).
   */
  topicUpdated(_user: string, _channel: string, _newTopic: string): void {}
  /** A CTCP PING we sent came back. @param _user - the full prefix. @param _secs - the round trip. */
  pong(_user: string, _secs: number): void {}
  // ---- callbacks beyond Twisted's ------------------------------------------------------------

  /**
   * Modes changed: Twisted's `modeChanged`, once for the added and once for the removed modes.
   * @param _user - who changed them (full prefix).
   * @param _channel - the channel, or the nick for user modes.
   * @param _set - true for added, false for removed.
   * @param _modes - the mode letters, in order.
   * @param _args - each mode's parameter, `null` for a mode without one.
   */
  modeChanged(
    _user: string,
    _channel: string,
    _set: boolean,
    _modes: string,
    _args: ReadonlyArray<string | null>,
  ): void {}
  /**
   * A NAMES list is complete (after a join, or when asked for).
   * @param _channel - the channel.
   * @param _nicks - the members' nicks.
   */
  namesReceived(_channel: string, _nicks: string[]): void {}
  /**
   * The server echoed one of our messages (echo-message); never passed to `privmsg`.
   * @param _command - `PRIVMSG` or `NOTICE`.
   * @param _target - where it went.
   * @param _message - the text as the server relayed it.
   */
  messageEchoed(_command: string, _target: string, _message: string): void {}
  /**
   * Someone went away or came back (away-notify).
   * @param _nick - who.
   * @param _message - the away message, or `null` when back.
   */
  userAway(_nick: string, _message: string | null): void {}
  /**
   * Someone's user name or host changed (chghost).
   * @param _nick - who.
   * @param _user - the new user name.
   * @param _host - the new host.
   */
  userHostChanged(_nick: string, _user: string, _host: string): void {}

  /**
   * Picks another nick after 433; the default appends `_`.
   * @param nickname - the nick that was in use.
   * @returns the nick to try next.
   */
  alterCollidedNick(nickname: string): string {
    return `${nickname}_`;
  }
}
