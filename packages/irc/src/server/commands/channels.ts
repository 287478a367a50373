/**
 * Channel commands: JOIN, PART, TOPIC, NAMES, KICK, INVITE.
 * @packageDocumentation
 */
import type { Group } from "../group.js";
import type { IRCUser } from "../ircUser.js";
import { N } from "../numerics.js";
import { cut, needMoreParams, noSuchChannel, noSuchNick, validChannel } from "./shared.js";

/** Whether `user` may see `group` (it is not secret, or `user` is on it). */
export function visible(group: Group, user: IRCUser): boolean {
  return !group.secret || group.has(user);
}

/** The members of `group`, each with its status prefix, in join order. */
export function memberNames(group: Group): string[] {
  return [...group.members.keys()].map((m) => `${group.prefixOf(m)}${m.nickname}`);
}

/** Sends `group`'s 353 lines and 366. */
export function sendNames(user: IRCUser, group: Group): void {
  user.names(user.nickname ?? "*", group.name, memberNames(group), group.secret ? "@" : "=");
}

/** JOIN. */
export function join(user: IRCUser, params: string[]): void {
  const names = params[0];
  if (names === undefined || names === "") {
    needMoreParams(user, "JOIN");
    return;
  }
  if (names === "0") {
    for (const group of user.service.channelsOf(user)) leave(user, group, undefined);
    return;
  }
  const keys = (params[1] ?? "").split(",");
  names.split(",").forEach((name, i) => {
    if (name !== "") joinOne(user, name, keys[i] ?? "");
  });
}

function joinOne(user: IRCUser, name: string, key: string): void {
  const server = user.server;
  const service = user.service;
  if (!validChannel(name, server.channelLength)) {
    noSuchChannel(user, name);
    return;
  }
  const existing = service.getChannel(name);
  if (existing?.has(user)) return;
  if (service.channelsOf(user).length >= server.maxChannelsPerUser) {
    user.sendReply(N.ERR_TOOMANYCHANNELS, name, "You have joined too many channels");
    return;
  }
  const folded = service.fold(user.nickname ?? "");
  if (existing !== undefined) {
    const invited = existing.invited.has(folded);
    const refuse = (numeric: string, mode: string): void =>
      user.sendReply(numeric, existing.name, `Cannot join channel (+${mode})`);
    if (!invited && existing.isBanned(user.prefix)) {
      refuse(N.ERR_BANNEDFROMCHAN, "b");
      return;
    }
    if (!invited && existing.modes.has("i")) {
      refuse(N.ERR_INVITEONLYCHAN, "i");
      return;
    }
    if (existing.key !== null && key !== existing.key) {
      refuse(N.ERR_BADCHANNELKEY, "k");
      return;
    }
    if (existing.limit !== null && existing.members.size >= existing.limit) {
      refuse(N.ERR_CHANNELISFULL, "l");
      return;
    }
  }
  const { group, created } = service.getOrCreateChannel(name, user.now());
  group.members.set(user, new Set(created ? ["o" as const] : []));
  group.invited.delete(folded);
  for (const member of group.members.keys()) member.join(user.prefix, group.name);
  if (group.topic !== "") {
    user.topic(user.nickname ?? "*", group.name, group.topic);
    user.topicAuthor(user.nickname ?? "*", group.name, group.topicSetBy, group.topicSetAt);
  }
  sendNames(user, group);
}

/** Sends PART to every member, then removes `user` from `group`. */
function leave(user: IRCUser, group: Group, reason: string | undefined): void {
  for (const member of group.members.keys()) member.part(user.prefix, group.name, reason);
  user.service.leave(group, user);
}

/** PART. */
export function part(user: IRCUser, params: string[]): void {
  const names = params[0];
  if (names === undefined || names === "") {
    needMoreParams(user, "PART");
    return;
  }
  for (const name of names.split(",")) {
    if (name === "") continue;
    const group = user.service.getChannel(name);
    if (group === undefined) noSuchChannel(user, name);
    else if (!group.has(user)) notOnChannel(user, group.name);
    else leave(user, group, params[1]);
  }
}

function notOnChannel(user: IRCUser, name: string): void {
  user.sendReply(N.ERR_NOTONCHANNEL, name, "You're not on that channel");
}

function notOperator(user: IRCUser, name: string): void {
  user.sendReply(N.ERR_CHANOPRIVSNEEDED, name, "You're not channel operator");
}

/** TOPIC. */
export function topic(user: IRCUser, params: string[]): void {
  const name = params[0];
  if (name === undefined || name === "") {
    needMoreParams(user, "TOPIC");
    return;
  }
  const group = user.service.getChannel(name);
  const nick = user.nickname ?? "*";
  if (group === undefined || !visible(group, user)) {
    noSuchChannel(user, name);
    return;
  }
  if (params.length < 2) {
    user.topic(nick, group.name, group.topic);
    if (group.topic !== "") user.topicAuthor(nick, group.name, group.topicSetBy, group.topicSetAt);
    return;
  }
  if (!group.has(user)) {
    notOnChannel(user, group.name);
    return;
  }
  if (group.modes.has("t") && !group.isOp(user)) {
    notOperator(user, group.name);
    return;
  }
  const text = cut(params[1] as string, user.server.topicLength);
  group.topic = text;
  group.topicSetBy = nick;
  group.topicSetAt = user.now();
  for (const member of group.members.keys()) {
    member.topic(member.nickname ?? "*", group.name, text, user.prefix);
  }
}

/** NAMES, with channels or without (every visible channel, then the users on none). */
export function names(user: IRCUser, params: string[]): void {
  const nick = user.nickname ?? "*";
  const service = user.service;
  const list = params[0];
  if (list !== undefined && list !== "") {
    for (const name of list.split(",")) {
      if (name === "") continue;
      const group = service.getChannel(name);
      if (group !== undefined && visible(group, user)) sendNames(user, group);
      else user.sendMessage(N.RPL_ENDOFNAMES, [nick, name, "End of /NAMES list."], user.hostname);
    }
    return;
  }
  const seen = new Set<IRCUser>();
  for (const group of service.channels.values()) {
    if (!visible(group, user)) continue;
    for (const member of group.members.keys()) seen.add(member);
    user.nameReply(nick, group.secret ? "@" : "=", group.name, memberNames(group));
  }
  const rest: string[] = [];
  for (const other of service.users.values()) {
    if (seen.has(other)) continue;
    if (other.invisible && other !== user) continue;
    rest.push(other.nickname ?? "*");
  }
  if (rest.length > 0) user.nameReply(nick, "*", "*", rest);
  user.sendMessage(N.RPL_ENDOFNAMES, [nick, "*", "End of /NAMES list."], user.hostname);
}

/** KICK. */
export function kick(user: IRCUser, params: string[]): void {
  if (params.length < 2 || params[0] === "" || params[1] === "") {
    needMoreParams(user, "KICK");
    return;
  }
  const service = user.service;
  const name = params[0] as string;
  const group = service.getChannel(name);
  if (group === undefined) {
    noSuchChannel(user, name);
    return;
  }
  if (!group.has(user)) {
    notOnChannel(user, group.name);
    return;
  }
  if (!group.isOp(user)) {
    notOperator(user, group.name);
    return;
  }
  const reason = params[2] ?? user.nickname ?? "";
  for (const nick of (params[1] as string).split(",")) {
    if (nick === "") continue;
    const target = service.getUser(nick);
    if (target === undefined || !group.has(target)) {
      user.sendReply(N.ERR_USERNOTINCHANNEL, nick, group.name, "They aren't on that channel");
      continue;
    }
    for (const member of group.members.keys()) {
      member.sendMessage("KICK", [group.name, target.nickname ?? "*", reason], user.prefix);
    }
    service.leave(group, target);
  }
}

/** INVITE. */
export function invite(user: IRCUser, params: string[]): void {
  if (params.length < 2 || params[0] === "" || params[1] === "") {
    needMoreParams(user, "INVITE");
    return;
  }
  const service = user.service;
  const nick = params[0] as string;
  let channel = params[1] as string;
  const target = service.getUser(nick);
  if (target === undefined) {
    noSuchNick(user, nick);
    return;
  }
  const group = service.getChannel(channel);
  if (group === undefined && !validChannel(channel, user.server.channelLength)) {
    noSuchChannel(user, channel);
    return;
  }
  if (group !== undefined) {
    channel = group.name;
    if (!group.has(user)) {
      notOnChannel(user, group.name);
      return;
    }
    if (group.has(target)) {
      user.sendReply(
        N.ERR_USERONCHANNEL,
        target.nickname ?? nick,
        group.name,
        "is already on channel",
      );
      return;
    }
    if (group.modes.has("i") && !group.isOp(user)) {
      notOperator(user, group.name);
      return;
    }
    group.invited.add(service.fold(target.nickname ?? nick));
  }
  const targetNick = target.nickname ?? nick;
  user.sendReply(N.RPL_INVITING, targetNick, channel);
  target.sendMessage("INVITE", [targetNick, channel], user.prefix);
  if (target.away !== null) user.sendReply(N.RPL_AWAY, targetNick, target.away);
}

/** LIST: the visible channels (or the named ones), with member counts and topics. */
export function list(user: IRCUser, params: string[]): void {
  const service = user.service;
  const names = params[0];
  const groups =
    names === undefined || names === ""
      ? [...service.channels.values()]
      : names.split(",").flatMap((n) => service.getChannel(n) ?? []);
  user.sendReply(N.RPL_LISTSTART, "Channel", "Users  Name");
  for (const group of groups) {
    if (!visible(group, user)) continue;
    user.sendReply(N.RPL_LIST, group.name, String(group.members.size), group.topic);
  }
  user.sendReply(N.RPL_LISTEND, "End of /LIST");
}
