/**
 * `IRCClientCTCP`: the CTCP queries and replies of Twisted's `IRCClient` (ACTION, PING, FINGER,
 * VERSION, SOURCE, USERINFO, CLIENTINFO, ERRMSG, TIME), between the IRCv3 layer and `IRCClient`.
 * @packageDocumentation
 */
import { Logger } from "@twisted-ts/core";
import type { CTCPMessage } from "./ctcp.js";
import { IRCClientV3 } from "./ircv3.js";
import { asctime, CTCP_HELP, type CTCPHandler, nickOf } from "./shared.js";

const log = new Logger({ namespace: "twisted-ts.words.irc" });

/**
 * `IRCClient`'s CTCP layer: `ctcpQuery` dispatches each query to `ctcpQuery_<TAG>` (a tag
 * repeated in one message is handled once; an unknown one is logged, never answered), and
 * `ctcpReply` dispatches replies to `ctcpReply_<TAG>`. See `IRCClient`.
 * @typeParam F - the factory type.
 */
export class IRCClientCTCP<F = unknown> extends IRCClientV3<F> {
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
