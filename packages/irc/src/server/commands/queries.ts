/**
 * Queries: WHO, WHOIS, ISON, USERHOST.
 * @packageDocumentation
 */
import { maskMatch } from "../../message/mask.js";
import type { Group } from "../group.js";
import type { IRCUser } from "../ircUser.js";
import { N } from "../numerics.js";
import { visible } from "./channels.js";
import { isChannelName, noSuchNick } from "./shared.js";

function whoEntry(asker: IRCUser, other: IRCUser, group: Group | undefined): string[] {
  const flags = `${other.away !== null ? "G" : "H"}${group?.prefixOf(other) ?? ""}`;
  return [
    group?.name ?? "*",
    other.username ?? "",
    other.host,
    asker.server.serverName,
    other.nickname ?? "*",
    flags,
    "0",
    other.realname,
  ];
}

function sharesChannel(a: IRCUser, b: IRCUser): boolean {
  return a.service.channelsOf(a).some((g) => g.has(b));
}

/** WHO: a channel's members, or the users whose nick, source or host match a mask. */
export function who(user: IRCUser, params: string[]): void {
  const service = user.service;
  const nick = user.nickname ?? "*";
  const mask = params[0] === undefined || params[0] === "" || params[0] === "0" ? "*" : params[0];
  const operatorsOnly = params[1] === "o";
  const entries: string[][] = [];
  if (isChannelName(mask)) {
    const group = service.getChannel(mask);
    if (group !== undefined && visible(group, user) && !operatorsOnly) {
      for (const member of group.members.keys()) {
        if (member.invisible && !group.has(user)) continue;
        entries.push(whoEntry(user, member, group));
      }
    }
    user.who(nick, group?.name ?? mask, entries);
    return;
  }
  if (!operatorsOnly) {
    for (const other of service.users.values()) {
      if (other !== user && other.invisible && !sharesChannel(user, other)) continue;
      const matches =
        maskMatch(mask, other.nickname ?? "") ||
        maskMatch(mask, other.prefix) ||
        maskMatch(mask, other.host);
      if (!matches) continue;
      const group = service.channelsOf(other).find((g) => visible(g, user));
      entries.push(whoEntry(user, other, group));
    }
  }
  user.who(nick, mask, entries);
}

/** WHOIS (`WHOIS nick[,nick]` or `WHOIS server nick`). */
export function whois(user: IRCUser, params: string[]): void {
  const list = params[params.length - 1];
  if (list === undefined || list === "") {
    user.sendReply(N.ERR_NONICKNAMEGIVEN, "No nickname given");
    return;
  }
  const service = user.service;
  const server = user.server;
  for (const nick of list.split(",")) {
    if (nick === "") continue;
    const other = service.getUser(nick);
    if (other === undefined) {
      noSuchNick(user, nick);
      user.sendReply(N.RPL_ENDOFWHOIS, nick, "End of /WHOIS list.");
      continue;
    }
    const name = other.nickname ?? nick;
    user.sendReply(N.RPL_WHOISUSER, name, other.username ?? "", other.host, "*", other.realname);
    const channels = service
      .channelsOf(other)
      .filter((g) => visible(g, user))
      .map((g) => `${g.prefixOf(other)}${g.name}`);
    if (channels.length > 0) user.sendReply(N.RPL_WHOISCHANNELS, name, channels.join(" "));
    user.sendReply(N.RPL_WHOISSERVER, name, server.serverName, `${server.networkName} IRC server`);
    if (other.away !== null) user.sendReply(N.RPL_AWAY, name, other.away);
    const idle = Math.max(0, Math.floor(user.now() - other.lastMessageTime));
    user.sendReply(
      N.RPL_WHOISIDLE,
      name,
      String(idle),
      String(Math.floor(other.signOnTime)),
      "seconds idle, signon time",
    );
    user.sendReply(N.RPL_ENDOFWHOIS, name, "End of /WHOIS list.");
  }
}

/** ISON: the nicks (from any number of parameters, space-separated) that are online. */
export function ison(user: IRCUser, params: string[]): void {
  const present: string[] = [];
  for (const nick of params.join(" ").split(" ")) {
    const other = nick === "" ? undefined : user.service.getUser(nick);
    if (other !== undefined) present.push(other.nickname ?? nick);
  }
  user.sendReply(N.RPL_ISON, present.join(" "));
}

/** USERHOST: `nick=+user@host` (`-` when away) for up to five nicks. */
export function userhost(user: IRCUser, params: string[]): void {
  if (params.length === 0) {
    user.sendReply(N.ERR_NEEDMOREPARAMS, "USERHOST", "Not enough parameters");
    return;
  }
  const replies: string[] = [];
  for (const nick of params.slice(0, 5)) {
    const other = user.service.getUser(nick);
    if (other === undefined) continue;
    replies.push(
      `${other.nickname}=${other.away !== null ? "-" : "+"}${other.username}@${other.host}`,
    );
  }
  user.sendReply(N.RPL_USERHOST, replies.join(" "));
}
