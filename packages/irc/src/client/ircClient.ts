/**
 * `IRCClient`: Twisted's `twisted.words.protocols.irc.IRCClient`.
 * @packageDocumentation
 */
import { Logger, ReconnectingClientFactory } from "@twisted-ts/core";
import { IRCBadModes, IRCInjectionError } from "../errors.js";
import { lowerCase } from "../message/casemapping.js";
import { decodeLine } from "../message/decode.js";
import { parseUserhost } from "../message/userhost.js";
import { type ChannelMember, IRCChannel } from "./channels.js";
import { ctcpExtract, X_DELIM } from "./ctcp.js";
import { IRCClientCTCP } from "./ctcpClient.js";
import { type ModeChange, parseModes } from "./modes.js";
import { NUMERIC_NAMES } from "./numerics.js";

import { nickOf } from "./shared.js";

const log = new Logger({ namespace: "twisted-ts.words.irc" });

/**
 * An IRC client protocol: Twisted's `IRCClient`. Connect it to a server (over any transport)
 * and it registers, answers PING, dispatches each server line to an `irc_<COMMAND>` handler
 * (numerics by their symbolic name: `irc_RPL_WELCOME`, `irc_ERR_NICKNAMEINUSE`, …, see
 * {@link NUMERIC_NAMES}) with `irc_unknown` as the fallback, and calls Twisted's callbacks
 * (`signedOn`, `joined`, `privmsg`, `action`, …), which do nothing by default: subclass it and
 * override the ones you need.
 *
 * Wire: lines end with `\n`; every `\r` is stripped (as Twisted does), lines are decoded with
 * {@link decodeLine} (UTF-8, latin-1 per line when invalid), then parsed with `parseMessage`
 * (IRCv3 tags included). A line that does not parse is logged and ignored; an exception from a
 * handler or callback is logged and the connection goes on. Lines are sent with `\r\n`.
 *
 * Text containing CR, LF or NUL can never inject a second command: every command refuses it
 * with {@link IRCInjectionError} and nothing is sent.
 *
 * ```ts
 * class Bot extends IRCClient {
 *   override nickname = "bot";
 *   override signedOn(): void { this.join("#chan"); }
 *   override privmsg(user: string, channel: string, message: string): void {
 *     if (message === "!hi") this.say(channel, `hi ${user.split("!")[0]}`);
 *   }
 * }
 * ```
 *
 * Differences from Twisted:
 * - `msg`, `notice` and `say` split text by UTF-8 bytes (never inside a code point), not by
 *   characters, and refuse CR, LF and NUL with {@link IRCInjectionError} (Twisted splits on
 *   `\n` into several messages, and M-quotes CR, LF and NUL in `sendLine`). They return the
 *   chunks sent.
 * - Decoding falls back to latin-1 instead of raising; IRCv3 tags are parsed (the message is
 *   the third argument of every `irc_*` handler); a malformed line is logged, not raised.
 * - Nick comparisons (JOIN, PART, NICK, KICK) use the server's CASEMAPPING.
 * - `register` sends `realname` or, when unset, the nick (never `:None`); PONG gets a `:` when
 *   its parameter needs one.
 * - `lineRate` is a token bucket (`lineBurst` lines at once, then one per `lineRate` seconds),
 *   on by default (1 s, burst 5) where Twisted's is off; PONG, CAP, AUTHENTICATE and
 *   registration lines jump the queue. The heartbeat also drops a silent connection.
 * - IRCv3: `CAP LS 302` negotiation of `capabilities`, SASL, batches, labeled `request`s,
 *   server-time and account tags (`messageTime`, `messageAccount`), echo-message (our own
 *   echoed messages go to `messageEchoed`, never to `privmsg`), away-notify (`userAway`),
 *   chghost (`userHostChanged`), extended-join.
 * - Channel and member tracking in `channels` (NAMES, JOIN, PART, KICK, QUIT, NICK, MODE,
 *   TOPIC), case-mapping aware; `autoJoin` channels are joined after `signedOn`.
 * - Not implemented: DCC.
 * - A bad CTCP PING reply is logged instead of raising `IRCBadMessage`.
 */
export class IRCClient<F = unknown> extends IRCClientCTCP<F> {
  /** The channels we are in, keyed by case-mapped name, with their members and modes. */
  readonly channels = new Map<string, IRCChannel>();
  /** Channels to join after `signedOn` (an `IRCClientFactory` fills it on reconnect). */
  autoJoin: string[] = [];

  // ---- handlers ------------------------------------------------------------------------------

  /** 001: we are registered. Sets `hostname` and `nickname`, then calls `signedOn`. */
  irc_RPL_WELCOME(prefix: string, params: string[]): void {
    this.hostname = prefix;
    this._registered = true;
    if (this._attemptedNick !== "") this.nickname = this._attemptedNick;
    // Many servers end 001 with our full nick!user@host.
    const last = (params[params.length - 1] ?? "").split(" ").pop() ?? "";
    const mine = parseUserhost(last);
    if (mine.user !== undefined && mine.host !== undefined && this.isMe(mine.nick)) {
      this.userhost = last;
    }
    this.capNegotiationOver();
    this.startHeartbeat();
    if (this.factory instanceof ReconnectingClientFactory) this.factory.resetDelay();
    this.signedOn();
    for (const channel of this.autoJoin) {
      if (!this.joinRequested(channel)) this.join(channel);
    }
  }

  /** 002: `yourHost(info)`. */
  irc_RPL_YOURHOST(_prefix: string, params: string[]): void {
    this.yourHost(params[1] ?? "");
  }

  /** 003: `created(when)`. */
  irc_RPL_CREATED(_prefix: string, params: string[]): void {
    this.created(params[1] ?? "");
  }

  /** 004: `myInfo(server, version, umodes, cmodes)`. */
  irc_RPL_MYINFO(_prefix: string, params: string[]): void {
    this.myInfo(params[1] ?? null, params[2] ?? null, params[3] ?? null, params[4] ?? null);
  }

  /** 005: updates `supported`, then `isupport(options)`. */
  irc_RPL_ISUPPORT(_prefix: string, params: string[]): void {
    const options = params.slice(1, -1);
    const mapping = this.supported.caseMapping;
    this.supported.parse(options);
    if (this.supported.caseMapping !== mapping) this.remapChannels();
    this.isupport(options);
  }

  /** 010: `bounce(info)`. */
  irc_RPL_BOUNCE(_prefix: string, params: string[]): void {
    this.bounce(params.slice(1).join(" "));
  }

  /** 251: `luserClient(info)`. */
  irc_RPL_LUSERCLIENT(_prefix: string, params: string[]): void {
    this.luserClient(params[1] ?? "");
  }

  /** 252: `luserOp(ops)` when the count is an integer. */
  irc_RPL_LUSEROP(_prefix: string, params: string[]): void {
    const n = params[1] ?? "";
    if (/^\d+$/.test(n)) this.luserOp(Number.parseInt(n, 10));
  }

  /** 254: `luserChannels(channels)` when the count is an integer. */
  irc_RPL_LUSERCHANNELS(_prefix: string, params: string[]): void {
    const n = params[1] ?? "";
    if (/^\d+$/.test(n)) this.luserChannels(Number.parseInt(n, 10));
  }

  /** 255: `luserMe(info)`. */
  irc_RPL_LUSERME(_prefix: string, params: string[]): void {
    this.luserMe(params[1] ?? "");
  }

  private static motdLine(params: string[]): string {
    const line = params[params.length - 1] ?? "";
    return line.startsWith("- ") ? line.slice(2) : line;
  }

  /** 375: starts the MOTD. */
  irc_RPL_MOTDSTART(_prefix: string, params: string[]): void {
    this.motd = [IRCClient.motdLine(params)];
  }

  /** 372: one MOTD line (a MOTD without 375 works too). */
  irc_RPL_MOTD(_prefix: string, params: string[]): void {
    if (this.motd === null) this.motd = [];
    this.motd.push(IRCClient.motdLine(params));
  }

  /** 376: `receivedMOTD(lines)`; `motd` goes back to `null`. */
  irc_RPL_ENDOFMOTD(_prefix: string, _params: string[]): void {
    const motd = this.motd ?? [];
    this.motd = null;
    this.receivedMOTD(motd);
  }

  /** 332: `topicUpdated(server, channel, topic)`. */
  irc_RPL_TOPIC(prefix: string, params: string[]): void {
    const topic = params[params.length - 1] ?? "";
    const state = this.getChannel(params[1] ?? "");
    if (state !== undefined) state.topic = topic;
    this.topicUpdated(nickOf(prefix), params[1] ?? "", topic);
  }

  /** 331: `topicUpdated(server, channel, "")`. */
  irc_RPL_NOTOPIC(prefix: string, params: string[]): void {
    const state = this.getChannel(params[1] ?? "");
    if (state !== undefined) state.topic = "";
    this.topicUpdated(nickOf(prefix), params[1] ?? "", "");
  }

  /** 333: records who set the topic. */
  irc_RPL_TOPICWHOTIME(_prefix: string, params: string[]): void {
    const state = this.getChannel(params[1] ?? "");
    if (state !== undefined) state.topicSetBy = params[2] ?? null;
  }

  /** 353: one part of a NAMES list, into the channel's members (multi-prefix, userhost-in-names). */
  irc_RPL_NAMREPLY(_prefix: string, params: string[]): void {
    const state = this.getChannel(params[2] ?? "");
    if (state === undefined) return;
    if (state.namesRefresh) {
      state.namesRefresh = false;
      state.namesComplete = false;
      state.members.clear();
    }
    const symbols = new Map<string, string>();
    for (const [mode, entry] of this.supported.prefix) symbols.set(entry.symbol, mode);
    for (const item of (params[params.length - 1] ?? "").split(" ")) {
      if (item === "") continue;
      let at = 0;
      let modes = "";
      while (at < item.length && symbols.has(item[at] as string)) {
        modes += symbols.get(item[at] as string);
        at++;
      }
      const who = parseUserhost(item.slice(at));
      if (who.nick === "") continue;
      const member: ChannelMember = { nick: who.nick, modes: this.sortModes(modes) };
      if (who.user !== undefined) member.user = who.user;
      if (who.host !== undefined) member.host = who.host;
      state.members.set(state.key(who.nick), member);
    }
  }

  /** 366: the NAMES list is complete; `namesReceived(channel, nicks)`. */
  irc_RPL_ENDOFNAMES(_prefix: string, params: string[]): void {
    const state = this.getChannel(params[1] ?? "");
    if (state === undefined) return;
    state.namesComplete = true;
    state.namesRefresh = true;
    this.namesReceived(state.name, state.nicks());
  }

  /** 324: the channel's modes, into `channels`. */
  irc_RPL_CHANNELMODEIS(_prefix: string, params: string[]): void {
    const state = this.getChannel(params[1] ?? "");
    if (state === undefined) return;
    const [add] = this.getChannelModeParams();
    let modes = params[2] ?? "+";
    if (modes[0] !== "+" && modes[0] !== "-") modes = `+${modes}`;
    try {
      const [added] = parseModes(modes, params.slice(3), [add, add]);
      state.modes.clear();
      for (const [mode, param] of added) state.modes.set(mode, param);
    } catch (error) {
      if (!(error instanceof IRCBadModes)) throw error;
      log.warn("Ignoring a malformed 324 for {channel}: {error}", {
        channel: state.name,
        error: error.message,
      });
    }
  }

  /** 396: our displayed host changed. */
  irc_RPL_HOSTHIDDEN(_prefix: string, params: string[]): void {
    const host = params[1];
    if (host === undefined || this.userhost === null) return;
    const mine = parseUserhost(this.userhost);
    this.userhost = `${mine.nick}!${mine.user ?? this.username ?? this.nickname}@${host}`;
  }

  /** 433: `alterCollidedNick` and NICK again. */
  irc_ERR_NICKNAMEINUSE(_prefix: string, _params: string[]): void {
    this.setNick(this.alterCollidedNick(this._attemptedNick));
  }

  /** 432: before registration, NICK `erroneousNickFallback`; ignored afterwards. */
  irc_ERR_ERRONEUSNICKNAME(_prefix: string, _params: string[]): void {
    if (!this._registered) this.setNick(this.erroneousNickFallback);
  }

  /** 464: logged. */
  irc_ERR_PASSWDMISMATCH(_prefix: string, _params: string[]): void {
    log.error("The IRC server refused the password");
  }

  /** PING: answered with PONG and the last parameter. */
  irc_PING(_prefix: string, params: string[]): void {
    this.sendCommand("PONG", [params[params.length - 1] ?? ""]);
  }

  /** JOIN: `joined(channel)` for us, `userJoined(nick, channel)` for others. */
  irc_JOIN(prefix: string, params: string[]): void {
    const who = parseUserhost(prefix);
    const channel = params[0] ?? "";
    const mapping = this.supported.caseMapping;
    const me = this.isMe(who.nick);
    if (me) {
      this.channels.set(lowerCase(channel, mapping), new IRCChannel(channel, mapping));
      this._joinRequests.delete(lowerCase(channel, mapping));
      if (who.user !== undefined && who.host !== undefined) this.userhost = prefix;
    }
    const state = this.getChannel(channel);
    if (state !== undefined) {
      const member: ChannelMember = { nick: who.nick, modes: "" };
      if (who.user !== undefined) member.user = who.user;
      if (who.host !== undefined) member.host = who.host;
      if (params.length >= 3 && this.enabledCapabilities.has("extended-join")) {
        member.account = params[1] === "*" ? null : (params[1] as string);
        member.realname = params[2] as string;
      }
      state.members.set(state.key(who.nick), member);
    }
    if (me) this.joined(channel);
    else this.userJoined(who.nick, channel);
  }

  /** PART: `left(channel)` for us, `userLeft(nick, channel)` for others. */
  irc_PART(prefix: string, params: string[]): void {
    const nick = nickOf(prefix);
    const channel = params[0] ?? "";
    if (this.isMe(nick)) {
      this.channels.delete(lowerCase(channel, this.supported.caseMapping));
      this.left(channel);
    } else {
      this.getChannel(channel)?.members.delete(lowerCase(nick, this.supported.caseMapping));
      this.userLeft(nick, channel);
    }
  }

  /** QUIT: `userQuit(nick, message)`; they leave every tracked channel. */
  irc_QUIT(prefix: string, params: string[]): void {
    const nick = nickOf(prefix);
    const key = lowerCase(nick, this.supported.caseMapping);
    for (const state of this.channels.values()) state.members.delete(key);
    this.userQuit(nick, params[0] ?? "");
  }

  /** KICK: `kickedFrom(channel, kicker, message)` for us, `userKicked` for others. */
  irc_KICK(prefix: string, params: string[]): void {
    const kicker = nickOf(prefix);
    const channel = params[0] ?? "";
    const kicked = params[1] ?? "";
    const message = params.length > 2 ? (params[params.length - 1] as string) : "";
    const mapping = this.supported.caseMapping;
    if (this.isMe(kicked)) {
      this.channels.delete(lowerCase(channel, mapping));
      this.kickedFrom(channel, kicker, message);
    } else {
      this.getChannel(channel)?.members.delete(lowerCase(kicked, mapping));
      this.userKicked(kicked, channel, kicker, message);
    }
  }

  /** NICK: `nickChanged(new)` for us (which sets `nickname`), `userRenamed(old, new)` else. */
  irc_NICK(prefix: string, params: string[]): void {
    const who = parseUserhost(prefix);
    const nick = who.nick;
    const newNick = params[0] ?? "";
    const mapping = this.supported.caseMapping;
    const oldKey = lowerCase(nick, mapping);
    for (const state of this.channels.values()) {
      const member = state.members.get(oldKey);
      if (member === undefined) continue;
      state.members.delete(oldKey);
      member.nick = newNick;
      state.members.set(lowerCase(newNick, mapping), member);
    }
    if (this.isMe(nick)) {
      if (this.userhost !== null) {
        const mine = parseUserhost(this.userhost);
        this.userhost = `${newNick}!${mine.user ?? ""}@${mine.host ?? ""}`;
      }
      this.nickChanged(newNick);
    } else {
      this.userRenamed(nick, newNick);
    }
  }

  /** TOPIC: `topicUpdated(nick, channel, topic)`. */
  irc_TOPIC(prefix: string, params: string[]): void {
    const topic = params[params.length - 1] ?? "";
    const state = this.getChannel(params[0] ?? "");
    if (state !== undefined) {
      state.topic = topic;
      state.topicSetBy = prefix;
    }
    this.topicUpdated(nickOf(prefix), params[0] ?? "", topic);
  }

  /**
   * MODE: parsed with the server's PREFIX and CHANMODES (user modes take no parameters), then
   * `modeChanged(user, target, true, added, params)` and `modeChanged(…, false, removed, …)`,
   * once each when there are any; `channels` is updated first. A malformed MODE is logged.
   */
  irc_MODE(prefix: string, params: string[]): void {
    const target = params[0] ?? "";
    let modes = params[1] ?? "";
    if (modes !== "" && modes[0] !== "+" && modes[0] !== "-") modes = `+${modes}`;
    const forUser = this.isMe(target) || !this.supported.chanTypes.includes(target[0] ?? "");
    const paramModes = forUser ? this.getUserModeParams() : this.getChannelModeParams();
    let added: ModeChange[];
    let removed: ModeChange[];
    try {
      [added, removed] = parseModes(modes, params.slice(2), paramModes);
    } catch (error) {
      if (!(error instanceof IRCBadModes)) throw error;
      log.warn("An error occurred while parsing the following MODE message: MODE {params}", {
        params: params.join(" "),
        error: error.message,
      });
      return;
    }
    if (!forUser) this.trackModes(target, added, removed);
    if (added.length > 0) {
      this.modeChanged(
        prefix,
        target,
        true,
        added.map(([m]) => m).join(""),
        added.map(([, p]) => p),
      );
    }
    if (removed.length > 0) {
      this.modeChanged(
        prefix,
        target,
        false,
        removed.map(([m]) => m).join(""),
        removed.map(([, p]) => p),
      );
    }
  }

  /**
   * The channel modes that take a parameter when added and when removed: PREFIX's modes and
   * CHANMODES' list and parameter modes, plus, when added, the set-only ones. Twisted's
   * `getChannelModeParams`.
   * @returns the add and remove lists.
   */
  getChannelModeParams(): [add: string, remove: string] {
    const prefixes = [...this.supported.prefix.keys()].join("");
    const chanModes = this.supported.getFeature("CHANMODES") as
      | { addressModes: string; param: string; setParam: string }
      | undefined;
    if (chanModes === undefined) return [prefixes, prefixes];
    const both = prefixes + chanModes.addressModes + chanModes.param;
    return [both + chanModes.setParam, both];
  }

  /**
   * The user modes that take a parameter: none. Twisted's `getUserModeParams`.
   * @returns the add and remove lists.
   */
  getUserModeParams(): [add: string, remove: string] {
    return ["", ""];
  }

  private trackModes(channel: string, added: ModeChange[], removed: ModeChange[]): void {
    const state = this.getChannel(channel);
    if (state === undefined) return;
    const prefix = this.supported.prefix;
    const chanModes = this.supported.getFeature("CHANMODES") as
      | { addressModes: string }
      | undefined;
    const lists = chanModes?.addressModes ?? "b";
    for (const [set, changes] of [
      [true, added],
      [false, removed],
    ] as const) {
      for (const [mode, param] of changes) {
        if (prefix.has(mode)) {
          const member = param === null ? undefined : state.getMember(param);
          if (member === undefined) continue;
          const others = member.modes.replace(mode, "");
          member.modes = this.sortModes(set ? others + mode : others);
        } else if (!lists.includes(mode)) {
          if (set) state.modes.set(mode, param);
          else state.modes.delete(mode);
        }
      }
    }
  }

  /** Status mode letters in PREFIX order (highest first), without repeats. */
  private sortModes(modes: string): string {
    const order = [...this.supported.prefix.keys()];
    return order.filter((mode) => modes.includes(mode)).join("");
  }

  /** CHGHOST (chghost): someone's user or host changed; `userHostChanged(nick, user, host)`. */
  irc_CHGHOST(prefix: string, params: string[]): void {
    const nick = nickOf(prefix);
    const user = params[0] ?? "";
    const host = params[1] ?? "";
    const key = lowerCase(nick, this.supported.caseMapping);
    for (const state of this.channels.values()) {
      const member = state.members.get(key);
      if (member !== undefined) {
        member.user = user;
        member.host = host;
      }
    }
    if (this.isMe(nick)) this.userhost = `${nick}!${user}@${host}`;
    this.userHostChanged(nick, user, host);
  }

  /** AWAY from someone else (away-notify): `userAway(nick, message or null when back)`. */
  irc_AWAY(prefix: string, params: string[]): void {
    const nick = nickOf(prefix);
    const message = params.length > 0 && params[0] !== "" ? (params[0] as string) : null;
    const key = lowerCase(nick, this.supported.caseMapping);
    for (const state of this.channels.values()) {
      const member = state.members.get(key);
      if (member !== undefined) member.away = message !== null;
    }
    this.userAway(nick, message);
  }

  // ---- tracking ------------------------------------------------------------------------------

  /**
   * Looks a tracked channel up, whatever the case of its name.
   * @param name - the channel.
   * @returns its state, or `undefined` when we are not in it.
   */
  getChannel(name: string): IRCChannel | undefined {
    return this.channels.get(lowerCase(name, this.supported.caseMapping));
  }

  private remapChannels(): void {
    const mapping = this.supported.caseMapping;
    const states = [...this.channels.values()];
    this.channels.clear();
    for (const state of states) {
      state.remap(mapping);
      this.channels.set(lowerCase(state.name, mapping), state);
    }
  }

  /** PRIVMSG: CTCP to `ctcpQuery`, text to `privmsg(user, target, text)`; empty is ignored. */
  irc_PRIVMSG(prefix: string, params: string[]): void {
    const channel = params[0] ?? "";
    let message = params[params.length - 1] ?? "";
    if (params.length < 2 || message === "") return;
    if (this.isEcho(prefix)) {
      this.messageEchoed("PRIVMSG", channel, message);
      return;
    }
    if (message.startsWith(X_DELIM)) {
      const parts = ctcpExtract(message);
      if (parts.extended.length > 0) this.ctcpQuery(prefix, channel, parts.extended);
      if (parts.normal.length === 0) return;
      message = parts.normal.join(" ");
    }
    this.privmsg(prefix, channel, message);
  }

  /** NOTICE: CTCP to `ctcpReply`, text to `noticed(user, target, text)`. */
  irc_NOTICE(prefix: string, params: string[]): void {
    const channel = params[0] ?? "";
    let message = params[params.length - 1] ?? "";
    if (params.length < 2 || message === "") return;
    if (this.isEcho(prefix)) {
      this.messageEchoed("NOTICE", channel, message);
      return;
    }
    if (message.startsWith(X_DELIM)) {
      const parts = ctcpExtract(message);
      if (parts.extended.length > 0) this.ctcpReply(prefix, channel, parts.extended);
      if (parts.normal.length === 0) return;
      message = parts.normal.join(" ");
    }
    this.noticed(prefix, channel, message);
  }
}
