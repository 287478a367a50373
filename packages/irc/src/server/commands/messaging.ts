/**
 * Messages: PRIVMSG, NOTICE, AWAY.
 * @packageDocumentation
 */
import type { Group } from "../group.js";
import type { IRCUser } from "../ircUser.js";
import { N } from "../numerics.js";
import { isChannelName, noSuchNick } from "./shared.js";

/** Whether `user` may speak on `group` (`+n`, `+m` and bans honoured). */
export function canSend(user: IRCUser, group: Group): boolean {
  if (group.isVoiced(user)) return true;
  if (!group.has(user) && group.modes.has("n")) return false;
  if (group.modes.has("m")) return false;
  return !group.isBanned(user.prefix);
}

/** PRIVMSG and NOTICE: a NOTICE is never answered with an error. */
export function message(user: IRCUser, command: "PRIVMSG" | "NOTICE", params: string[]): void {
  const notice = command === "NOTICE";
  const targets = params[0];
  if (targets === undefined || targets === "") {
    if (!notice) user.sendReply(N.ERR_NORECIPIENT, `No recipient given (${command})`);
    return;
  }
  const text = params[1];
  if (text === undefined || text === "") {
    if (!notice) user.sendReply(N.ERR_NOTEXTTOSEND, "No text to send");
    return;
  }
  if (!notice) user.lastMessageTime = user.now();
  const service = user.service;
  const max = user.server.maxTargets;
  const list = targets.split(",").filter((t) => t !== "");
  list.forEach((target, i) => {
    if (i >= max) {
      if (!notice) user.sendReply(N.ERR_TOOMANYTARGETS, target, "Too many recipients.");
      return;
    }
    if (isChannelName(target)) {
      const group = service.getChannel(target);
      if (group === undefined) {
        if (!notice) noSuchNick(user, target);
        return;
      }
      if (!canSend(user, group)) {
        if (!notice) user.sendReply(N.ERR_CANNOTSENDTOCHAN, group.name, "Cannot send to channel");
        return;
      }
      for (const member of group.members.keys()) {
        if (member !== user) member.sendMessage(command, [group.name, text], user.prefix);
      }
      return;
    }
    const to = service.getUser(target);
    if (to === undefined) {
      if (!notice) noSuchNick(user, target);
      return;
    }
    const nick = to.nickname ?? target;
    to.sendMessage(command, [nick, text], user.prefix);
    if (!notice && to.away !== null) user.sendReply(N.RPL_AWAY, nick, to.away);
  });
}

/** AWAY. */
export function away(user: IRCUser, params: string[]): void {
  const text = params[0];
  if (text === undefined || text === "") {
    user.away = null;
    user.sendReply(N.RPL_UNAWAY, "You are no longer marked as being away");
  } else {
    user.away = text;
    user.sendReply(N.RPL_NOWAWAY, "You have been marked as being away");
  }
}
