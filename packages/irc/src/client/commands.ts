/**
 * `IRCClientCommands`: the commands of Twisted's `twisted.words.protocols.irc.IRCClient`.
 * @packageDocumentation
 */
import { IRCInjectionError } from "../errors.js";
import { lowerCase } from "../message/casemapping.js";
import { IRCClientBase } from "./base.js";
import { type CTCPMessage, ctcpStringify } from "./ctcp.js";
import { addHash, LINE_BREAKING, MAX_PINGS } from "./shared.js";
import { splitByBytes } from "./split.js";

/**
 * `IRCClient`'s commands (join, say, msg, quit, …) and CTCP sending, on top of the wire and
 * callbacks of `IRCClientBase`. See `IRCClient`.
 * @typeParam F - the factory type.
 */
export class IRCClientCommands<F = unknown> extends IRCClientBase<F> {
  /** Channels we sent JOIN for and have not seen our JOIN echo for, case-mapped. */
  protected _joinRequests = new Set<string>();

  /**
   * @param channel - a channel name (`#` added when needed).
   * @returns whether a JOIN for it was sent on this connection and is not yet confirmed.
   */
  joinRequested(channel: string): boolean {
    return this._joinRequests.has(lowerCase(addHash(channel), this.supported.caseMapping));
  }

  /** Registers with `nickname` when `performLogin` is set. */
  override connectionMade(): void {
    if (this.performLogin) this.register(this.nickname);
  }

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Registers: PASS (when `password` is set), NICK, then `USER <username or nick> <hostname>
   * <servername> :<realname or nick>`.
   * @param nickname - the nick to ask for.
   * @param hostname - USER's second parameter (ignored by servers).
   * @param servername - USER's third parameter (ignored by servers).
   */
  register(nickname: string, hostname = "foo", servername = "bar"): void {
    if (this.password !== null) this.sendCommand("PASS", [this.password]);
    this.setNick(nickname);
    this.sendCommand("USER", [
      this.username ?? nickname,
      hostname,
      servername,
      this.realname ?? nickname,
    ]);
  }

  /**
   * Asks for a new nick. `nickname` changes only when the server confirms (001 or NICK).
   * @param nickname - the nick.
   */
  setNick(nickname: string): void {
    this._attemptedNick = nickname;
    this.sendCommand("NICK", [nickname]);
  }

  /**
   * Joins a channel (`#` is added when the name has no channel prefix).
   * @param channel - the channel.
   * @param key - its key, if any.
   */
  join(channel: string, key?: string): void {
    const name = addHash(channel);
    this.sendCommand("JOIN", key ? [name, key] : [name]);
    this._joinRequests.add(lowerCase(name, this.supported.caseMapping));
  }

  /**
   * Leaves a channel.
   * @param channel - the channel (`#` added when needed).
   * @param reason - the part message, if any.
   */
  leave(channel: string, reason?: string): void {
    this.sendCommand("PART", reason ? [addHash(channel), reason] : [addHash(channel)]);
  }

  /** The same as {@link IRCClient.leave}. */
  part(channel: string, reason?: string): void {
    this.leave(channel, reason);
  }

  /**
   * Kicks a user from a channel.
   * @param channel - the channel (`#` added when needed).
   * @param user - the nick to kick.
   * @param reason - why, if given.
   */
  kick(channel: string, user: string, reason?: string): void {
    const params = [addHash(channel), user];
    if (reason) params.push(reason);
    this.sendCommand("KICK", params);
  }

  /**
   * Invites a user to a channel.
   * @param user - the nick.
   * @param channel - the channel (`#` added when needed).
   */
  invite(user: string, channel: string): void {
    this.sendCommand("INVITE", [user, addHash(channel)]);
  }

  /**
   * Sets a channel's topic, or asks for it.
   * @param channel - the channel (`#` added when needed).
   * @param topic - the new topic (`""` clears it), or `undefined` to ask for the current one.
   */
  topic(channel: string, topic?: string): void {
    const params = [addHash(channel)];
    if (topic !== undefined) params.push(topic);
    this.sendCommand("TOPIC", params, undefined);
  }

  /**
   * Changes modes: `MODE <chan> <+|-><modes> [limit | user | mask]`.
   * @param chan - the channel or nick.
   * @param set - true to add the modes, false to remove them.
   * @param modes - the mode letters.
   * @param limit - a limit (for `l`).
   * @param user - a nick (for `o`, `v`, …).
   * @param mask - a mask (for `b`, …).
   */
  mode(
    chan: string,
    set: boolean,
    modes: string,
    limit?: number,
    user?: string,
    mask?: string,
  ): void {
    const params = [chan, `${set ? "+" : "-"}${modes}`];
    if (limit !== undefined) params.push(String(limit));
    else if (user !== undefined) params.push(user);
    else if (mask !== undefined) params.push(mask);
    this.sendCommand("MODE", params);
  }

  /**
   * The longest line, in bytes with CRLF, that a message may use so that the server can add
   * our `:nick!user@host ` prefix when it relays it: exact once `userhost` is known (from our
   * JOIN, 001, CHGHOST or 396), else Twisted's estimate (a 10-byte user and a 63-byte host)
   * with the longer of NICKLEN and our nick.
   */
  protected safeMaximumLineLength(): number {
    if (this.userhost !== null) return 512 - (1 + Buffer.byteLength(this.userhost) + 1);
    const nick = Math.max(this.supported.nickLen, Buffer.byteLength(this.nickname));
    return 512 - (1 + nick + 1 + 10 + 1 + 63 + 1);
  }

  private sendSplit(command: string, target: string, message: string, length?: number): string[] {
    if (LINE_BREAKING.test(message)) throw new IRCInjectionError("message");
    if (LINE_BREAKING.test(target)) throw new IRCInjectionError("target");
    const fixed = Buffer.byteLength(`${command} ${target} :`) + 2;
    const total = length ?? this.safeMaximumLineLength();
    if (total - fixed < 4) {
      throw new RangeError(`a line length of ${total} leaves no room for text to ${target}`);
    }
    const chunks = splitByBytes(message, total - fixed);
    for (const chunk of chunks) this.sendCommand(command, [target, chunk]);
    return chunks;
  }

  /**
   * Sends a PRIVMSG, split into several when it is long (by UTF-8 bytes, at spaces when
   * possible, never inside a character). No `#` is added.
   * @param user - the nick or channel.
   * @param message - the text: one line.
   * @param length - the most bytes a whole line (`PRIVMSG target :text\r\n`) may have;
   *   by default 512 less the longest prefix the server may add.
   * @returns the chunks sent (none for empty text).
   * @throws {@link IRCInjectionError} when the text holds CR, LF or NUL (nothing is sent).
   * @throws RangeError when `length` leaves room for fewer than 4 bytes of text.
   */
  msg(user: string, message: string, length?: number): string[] {
    return this.sendSplit("PRIVMSG", user, message, length);
  }

  /**
   * Sends a message to a channel: {@link IRCClient.msg} with `#` added when needed.
   * @param channel - the channel.
   * @param message - the text.
   * @param length - as for `msg`.
   * @returns the chunks sent.
   */
  say(channel: string, message: string, length?: number): string[] {
    return this.msg(addHash(channel), message, length);
  }

  /**
   * Sends a NOTICE, split as {@link IRCClient.msg} does.
   * @param user - the nick or channel.
   * @param message - the text.
   * @param length - as for `msg`.
   * @returns the chunks sent.
   */
  notice(user: string, message: string, length?: number): string[] {
    return this.sendSplit("NOTICE", user, message, length);
  }

  /**
   * Marks us away.
   * @param message - the away message.
   */
  away(message = ""): void {
    this.sendCommand("AWAY", [message]);
  }

  /** Marks us back (`AWAY :`). */
  back(): void {
    this.away();
  }

  /**
   * Asks for information about a nick.
   * @param nickname - the nick.
   * @param server - the server to ask, if any.
   */
  whois(nickname: string, server?: string): void {
    this.sendCommand("WHOIS", server === undefined ? [nickname] : [server, nickname]);
  }

  /**
   * Disconnects with a message (the server closes the connection).
   * @param message - the quit message.
   */
  quit(message = ""): void {
    this.sendCommand("QUIT", [message]);
  }

  /**
   * Sends a CTCP ACTION (`/me`).
   * @param channel - the nick or channel (no `#` is added).
   * @param action - the action.
   */
  describe(channel: string, action: string): void {
    this.ctcpMakeQuery(channel, [["ACTION", action]]);
  }

  /**
   * Sends a CTCP PING; the reply calls `pong(user, seconds)`. Only the last 12 pings are kept.
   * @param user - the nick.
   * @param text - the key to send; a random one by default.
   */
  ping(user: string, text?: string): void {
    const key = text ?? Math.random().toString(36).slice(2, 14);
    this._pings.set(`${user}\0${key}`, this.now());
    while (this._pings.size > MAX_PINGS) {
      this._pings.delete(this._pings.keys().next().value as string);
    }
    this.ctcpMakeQuery(user, [["PING", key]]);
  }

  /**
   * Sends CTCP queries in a PRIVMSG.
   * @param user - the target.
   * @param messages - the queries.
   */
  ctcpMakeQuery(user: string, messages: readonly CTCPMessage[]): void {
    this.sendCommand("PRIVMSG", [user, ctcpStringify(messages)]);
  }

  /**
   * Sends CTCP replies in a NOTICE.
   * @param user - the target (a nick).
   * @param messages - the replies.
   */
  ctcpMakeReply(user: string, messages: readonly CTCPMessage[]): void {
    this.sendCommand("NOTICE", [user, ctcpStringify(messages)]);
  }
}
