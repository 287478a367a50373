/**
 * MODE: channel modes (`o v b k l i m n s t`) and the user's own modes (`i`).
 * @packageDocumentation
 */
import type { Group, MemberMode } from "../group.js";
import type { IRCUser } from "../ircUser.js";
import { N } from "../numerics.js";
import { isChannelName, needMoreParams, noSuchChannel, noSuchNick } from "./shared.js";

/** The most parameter-taking modes applied from one MODE command (ISUPPORT MODES). */
const MAX_PARAM_MODES = 4;
const FLAGS = "imnst";

interface Change {
  sign: "+" | "-";
  mode: string;
  arg?: string;
}

/** Joins changes into a mode string and its parameters: `["+o-v", "a", "b"]`. */
function render(changes: readonly Change[]): string[] {
  let modes = "";
  let sign = "";
  const args: string[] = [];
  for (const change of changes) {
    if (change.sign !== sign) {
      sign = change.sign;
      modes += sign;
    }
    modes += change.mode;
    if (change.arg !== undefined) args.push(change.arg);
  }
  return [modes, ...args];
}

/** A ban mask completed to `nick!user@host` form. */
function normalizeMask(mask: string): string {
  if (mask.includes("!")) return mask.includes("@") ? mask : `${mask}@*`;
  if (mask.includes("@")) return `*!${mask}`;
  return `${mask}!*@*`;
}

/** MODE. */
export function mode(user: IRCUser, params: string[]): void {
  const target = params[0];
  if (target === undefined || target === "") {
    needMoreParams(user, "MODE");
    return;
  }
  if (isChannelName(target)) channelMode(user, target, params.slice(1));
  else userMode(user, target, params.slice(1));
}

function userMode(user: IRCUser, target: string, rest: string[]): void {
  const other = user.service.getUser(target);
  if (other === undefined) {
    noSuchNick(user, target);
    return;
  }
  if (other !== user) {
    user.sendReply(N.ERR_USERSDONTMATCH, "Can't change mode for other users");
    return;
  }
  const modes = rest[0];
  if (modes === undefined || modes === "") {
    user.sendReply(N.RPL_UMODEIS, user.invisible ? "+i" : "+");
    return;
  }
  let sign: "+" | "-" = "+";
  let unknown = false;
  const changes: Change[] = [];
  for (const ch of modes) {
    if (ch === "+" || ch === "-") sign = ch;
    else if (ch === "i") {
      const want = sign === "+";
      if (user.invisible !== want) {
        user.invisible = want;
        changes.push({ sign, mode: "i" });
      }
    } else unknown = true;
  }
  if (unknown) user.sendReply(N.ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag");
  if (changes.length > 0) {
    const nick = user.nickname ?? "*";
    user.sendMessage("MODE", [nick, ...render(changes)], user.prefix);
  }
}

function sendBanList(user: IRCUser, group: Group): void {
  for (const ban of group.bans) {
    user.sendReply(N.RPL_BANLIST, group.name, ban.mask, ban.setBy, String(Math.floor(ban.setAt)));
  }
  user.sendReply(N.RPL_ENDOFBANLIST, group.name, "End of channel ban list");
}

function channelMode(user: IRCUser, name: string, rest: string[]): void {
  const service = user.service;
  const group = service.getChannel(name);
  if (group === undefined) {
    noSuchChannel(user, name);
    return;
  }
  const modes = rest[0];
  if (modes === undefined || modes === "") {
    const nick = user.nickname ?? "*";
    const [flags, ...modeArgs] = group.modeString(group.has(user));
    user.channelMode(nick, group.name, flags ?? "+", ...modeArgs);
    user.sendReply(N.RPL_CREATIONTIME, group.name, String(Math.floor(group.createdAt)));
    return;
  }
  const args = rest.slice(1);
  const isOp = group.isOp(user);
  const changes: Change[] = [];
  let sign: "+" | "-" = "+";
  let paramModes = 0;
  let refused = false;
  let listed = false;
  const refuse = (): void => {
    if (!refused) {
      user.sendReply(N.ERR_CHANOPRIVSNEEDED, group.name, "You're not channel operator");
    }
    refused = true;
  };
  for (const ch of modes) {
    if (ch === "+" || ch === "-") {
      sign = ch;
      continue;
    }
    const takesArg =
      ch === "o" ||
      ch === "v" ||
      ch === "b" ||
      (ch === "k" && sign === "+") ||
      (ch === "l" && sign === "+");
    let arg: string | undefined;
    if (takesArg || (ch === "k" && args.length > 0)) {
      if (paramModes >= MAX_PARAM_MODES) continue;
      arg = args.shift();
      if (arg !== undefined) paramModes++;
    }
    if (ch === "b" && arg === undefined) {
      if (!listed) sendBanList(user, group);
      listed = true;
      continue;
    }
    if (!"ovbklimnst".includes(ch)) {
      user.sendReply(N.ERR_UNKNOWNMODE, ch, `is unknown mode char to me for ${group.name}`);
      continue;
    }
    if (takesArg && arg === undefined) continue;
    if (!isOp) {
      refuse();
      continue;
    }
    const change = apply(user, group, sign, ch, arg);
    if (change !== undefined) changes.push(change);
  }
  if (changes.length === 0) return;
  const line = render(changes);
  for (const member of group.members.keys()) {
    member.sendMessage("MODE", [group.name, ...line], user.prefix);
  }
}

/** Applies one mode change; returns it when it changed something. */
function apply(
  user: IRCUser,
  group: Group,
  sign: "+" | "-",
  ch: string,
  arg: string | undefined,
): Change | undefined {
  const on = sign === "+";
  switch (ch) {
    case "o":
    case "v": {
      const nick = arg as string;
      const target = user.service.getUser(nick);
      if (target === undefined) {
        noSuchNick(user, nick);
        return undefined;
      }
      const status = group.members.get(target);
      if (status === undefined) {
        user.sendReply(N.ERR_USERNOTINCHANNEL, nick, group.name, "They aren't on that channel");
        return undefined;
      }
      const m = ch as MemberMode;
      if (status.has(m) === on) return undefined;
      if (on) status.add(m);
      else status.delete(m);
      return { sign, mode: ch, arg: target.nickname ?? nick };
    }
    case "b": {
      if (/[\s,]/.test(arg as string) || (arg as string).startsWith(":")) return undefined;
      const mask = normalizeMask(arg as string);
      const at = group.bans.findIndex((b) => user.service.fold(b.mask) === user.service.fold(mask));
      if (on === at >= 0) return undefined;
      if (on) {
        group.bans.push({ mask, setBy: user.nickname ?? "*", setAt: user.now() });
        return { sign, mode: ch, arg: mask };
      }
      const [removed] = group.bans.splice(at, 1);
      return { sign, mode: ch, arg: removed?.mask ?? mask };
    }
    case "k": {
      if (!on) {
        if (group.key === null) return undefined;
        group.key = null;
        return { sign, mode: ch, arg: "*" };
      }
      const key = arg as string;
      if (key === "" || /[\s,]/.test(key)) return undefined;
      if (group.key !== null) {
        user.sendReply(N.ERR_KEYSET, group.name, "Channel key already set");
        return undefined;
      }
      group.key = key;
      return { sign, mode: ch, arg: key };
    }
    case "l": {
      if (!on) {
        if (group.limit === null) return undefined;
        group.limit = null;
        return { sign, mode: ch };
      }
      const limit = /^\d+$/.test(arg as string) ? Number.parseInt(arg as string, 10) : 0;
      if (limit <= 0 || limit === group.limit) return undefined;
      group.limit = limit;
      return { sign, mode: ch, arg: String(limit) };
    }
    default: {
      if (!FLAGS.includes(ch) || group.modes.has(ch) === on) return undefined;
      if (on) group.modes.add(ch);
      else group.modes.delete(ch);
      return { sign, mode: ch };
    }
  }
}
