/**
 * `IRCClient`: Twisted's `twisted.words.protocols.irc.IRCClient`.
 * @packageDocumentation
 */
import { Logger } from "@twisted-ts/core";
import { IRCInjectionError } from "../errors.js";
import { decodeLine } from "../message/decode.js";
import { IRCClientCommands } from "./commands.js";
import { type CTCPMessage, ctcpExtract, X_DELIM } from "./ctcp.js";
import { NUMERIC_NAMES } from "./numerics.js";

import { asctime, CTCP_HELP, type CTCPHandler, nickOf } from "./shared.js";

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
 * - Not implemented yet: `lineRate` (lines are sent at once), the heartbeat, MODE parsing and
 *   `modeChanged`, DCC, IRCv3 CAP/SASL.
 * - A bad CTCP PING reply is logged instead of raising `IRCBadMessage`.
 */
export class IRCClient<F = unknown> extends IRCClientCommands<F> {
  // ---- handlers ------------------------------------------------------------------------------

  /** 001: we are registered. Sets `hostname` and `nickname`, then calls `signedOn`. */
  irc_RPL_WELCOME(prefix: string, _params: string[]): void {
    this.hostname = prefix;
    this._registered = true;
    if (this._attemptedNick !== "") this.nickname = this._attemptedNick;
    this.signedOn();
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
    this.supported.parse(options);
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
    this.topicUpdated(nickOf(prefix), params[1] ?? "", params[params.length - 1] ?? "");
  }

  /** 331: `topicUpdated(server, channel, "")`. */
  irc_RPL_NOTOPIC(prefix: string, params: string[]): void {
    this.topicUpdated(nickOf(prefix), params[1] ?? "", "");
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
    const nick = nickOf(prefix);
    const channel = params[0] ?? "";
    if (this.isMe(nick)) this.joined(channel);
    else this.userJoined(nick, channel);
  }

  /** PART: `left(channel)` for us, `userLeft(nick, channel)` for others. */
  irc_PART(prefix: string, params: string[]): void {
    const nick = nickOf(prefix);
    const channel = params[0] ?? "";
    if (this.isMe(nick)) this.left(channel);
    else this.userLeft(nick, channel);
  }

  /** QUIT: `userQuit(nick, message)`. */
  irc_QUIT(prefix: string, params: string[]): void {
    this.userQuit(nickOf(prefix), params[0] ?? "");
  }

  /** KICK: `kickedFrom(channel, kicker, message)` for us, `userKicked` for others. */
  irc_KICK(prefix: string, params: string[]): void {
    const kicker = nickOf(prefix);
    const channel = params[0] ?? "";
    const kicked = params[1] ?? "";
    const message = params.length > 2 ? (params[params.length - 1] as string) : "";
    if (this.isMe(kicked)) this.kickedFrom(channel, kicker, message);
    else this.userKicked(kicked, channel, kicker, message);
  }

  /** NICK: `nickChanged(new)` for us (which sets `nickname`), `userRenamed(old, new)` else. */
  irc_NICK(prefix: string, params: string[]): void {
    const nick = nickOf(prefix);
    const newNick = params[0] ?? "";
    if (this.isMe(nick)) this.nickChanged(newNick);
    else this.userRenamed(nick, newNick);
  }

  /** TOPIC: `topicUpdated(nick, channel, topic)`. */
  irc_TOPIC(prefix: string, params: string[]): void {
    this.topicUpdated(nickOf(prefix), params[0] ?? "", params[params.length - 1] ?? "");
  }

  /** PRIVMSG: CTCP to `ctcpQuery`, text to `privmsg(user, target, text)`; empty is ignored. */
  irc_PRIVMSG(prefix: string, params: string[]): void {
    const channel = params[0] ?? "";
    let message = params[params.length - 1] ?? "";
    if (params.length < 2 || message === "") return;
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
    if (message.startsWith(X_DELIM)) {
      const parts = ctcpExtract(message);
      if (parts.extended.length > 0) this.ctcpReply(prefix, channel, parts.extended);
      if (parts.normal.length === 0) return;
      message = parts.normal.join(" ");
    }
    this.noticed(prefix, channel, message);
  }

  // ---- CTCP ----------------------------------------------------------------------------------

  private ctcpHandler(kind: "Query" | "Reply", tag: string): CTCPHandler | undefined {
    const handler = (this as unknown as Record<string, unknown>)[`ctcp${kind}_${tag}`];
    return typeof handler === "function" ? (handler as CTCPHandler) : undefined;
  }

  /**
   * Dispatches CTCP queries to `ctcpQuery_<TAG>`; a tag repeated in one message is handled
   * once; an unknown tag goes to `ctcpUnknownQuery`.
   * @param user - the sender's full prefix.
   * @param channel - the target.
   * @param messages - the CTCP messages.
   */
  ctcpQuery(user: string, channel: string, messages: readonly CTCPMessage[]): void {
    const seen = new Set<string>();
    for (const [tag, data] of messages) {
      if (seen.has(tag)) continue;
      seen.add(tag);
      const handler = this.ctcpHandler("Query", tag);
      if (handler) handler.call(this, user, channel, data);
      else this.ctcpUnknownQuery(user, channel, tag, data);
    }
  }

  /** An unknown CTCP query: logged, never answered (no ERRMSG, as Twisted, against floods). */
  ctcpUnknownQuery(user: string, _channel: string, tag: string, _data: string | null): void {
    log.info("Unknown CTCP query {tag} from {user}", { tag, user });
  }

  /** ACTION: `action(user, channel, data)`. */
  ctcpQuery_ACTION(user: string, channel: string, data: string | null): void {
    this.action(user, channel, data ?? "");
  }

  /** PING: the data is echoed back. */
  ctcpQuery_PING(user: string, _channel: string, data: string | null): void {
    this.ctcpMakeReply(nickOf(user), [["PING", data]]);
  }

  /** FINGER: `fingerReply`, when set. */
  ctcpQuery_FINGER(user: string, _channel: string, _data: string | null): void {
    if (this.fingerReply === null) return;
    const reply = typeof this.fingerReply === "function" ? this.fingerReply() : this.fingerReply;
    this.ctcpMakeReply(nickOf(user), [["FINGER", reply]]);
  }

  /** VERSION: `name:num:env`, when `versionName` is set. */
  ctcpQuery_VERSION(user: string, _channel: string, _data: string | null): void {
    if (this.versionName === null) return;
    const version = `${this.versionName}:${this.versionNum ?? ""}:${this.versionEnv ?? ""}`;
    this.ctcpMakeReply(nickOf(user), [["VERSION", version]]);
  }

  /** SOURCE: `sourceURL` and an empty SOURCE, when set. */
  ctcpQuery_SOURCE(user: string, _channel: string, _data: string | null): void {
    if (this.sourceURL === null) return;
    this.ctcpMakeReply(nickOf(user), [
      ["SOURCE", this.sourceURL],
      ["SOURCE", null],
    ]);
  }

  /** USERINFO: `userinfo`, when set. */
  ctcpQuery_USERINFO(user: string, _channel: string, _data: string | null): void {
    if (this.userinfo === null) return;
    this.ctcpMakeReply(nickOf(user), [["USERINFO", this.userinfo]]);
  }

  /** CLIENTINFO: the sorted tags understood, help on one, or ERRMSG for an unknown one. */
  ctcpQuery_CLIENTINFO(user: string, _channel: string, data: string | null): void {
    const nick = nickOf(user);
    const args = (data ?? "").split(/\s+/).filter((s) => s !== "");
    if (args.length === 0) {
      const tags = new Set<string>();
      for (let o: object | null = this; o !== null; o = Object.getPrototypeOf(o)) {
        for (const key of Object.getOwnPropertyNames(o)) {
          if (key.startsWith("ctcpQuery_")) tags.add(key.slice("ctcpQuery_".length));
        }
      }
      this.ctcpMakeReply(nick, [["CLIENTINFO", [...tags].sort().join(" ")]]);
      return;
    }
    const tag = args[0] as string;
    if (this.ctcpHandler("Query", tag) === undefined) {
      this.ctcpMakeReply(nick, [["ERRMSG", `CLIENTINFO ${data} :Unknown query '${tag}'`]]);
      return;
    }
    this.ctcpMakeReply(nick, [["CLIENTINFO", CTCP_HELP[tag] ?? ""]]);
  }

  /** ERRMSG: `<data> :No error has occurred.`. */
  ctcpQuery_ERRMSG(user: string, _channel: string, data: string | null): void {
    this.ctcpMakeReply(nickOf(user), [["ERRMSG", `${data ?? ""} :No error has occurred.`]]);
  }

  /** TIME: `:<local time>` in C's asctime format. */
  ctcpQuery_TIME(user: string, _channel: string, _data: string | null): void {
    this.ctcpMakeReply(nickOf(user), [["TIME", `:${asctime(new Date(this.now() * 1000))}`]]);
  }

  /**
   * Dispatches CTCP replies (from NOTICE) to `ctcpReply_<TAG>`, or logs an unknown one.
   * @param user - the sender's full prefix.
   * @param channel - the target.
   * @param messages - the CTCP messages.
   */
  ctcpReply(user: string, channel: string, messages: readonly CTCPMessage[]): void {
    for (const [tag, data] of messages) {
      const handler = this.ctcpHandler("Reply", tag);
      if (handler) handler.call(this, user, channel, data);
      else log.info("Unknown CTCP reply {tag} from {user}", { tag, user });
    }
  }

  /** PING reply: `pong(user, seconds)` for a ping we sent; anything else is logged. */
  ctcpReply_PING(user: string, _channel: string, data: string | null): void {
    const key = `${nickOf(user)}\0${data ?? ""}`;
    const sent = this._pings.get(key);
    if (sent === undefined) {
      log.warn("Bogus CTCP PING reply from {user}: {data}", { user, data });
      return;
    }
    this._pings.delete(key);
    this.pong(user, this.now() - sent);
  }
}
