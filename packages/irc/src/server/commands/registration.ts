/**
 * Registration: PASS, NICK, USER, CAP, and the welcome (001 to 005, LUSERS, MOTD).
 * @packageDocumentation
 */
import { serializeMessage } from "../../message/serialize.js";
import type { IRCUser } from "../ircUser.js";
import { N } from "../numerics.js";
import { CHANTYPES, needMoreParams, validNick } from "./shared.js";

/** PASS. */
export function pass(user: IRCUser, params: string[]): void {
  if (user.registered) {
    user.sendReply(N.ERR_ALREADYREGISTRED, "You may not reregister");
    return;
  }
  const password = params[0];
  if (password === undefined) {
    needMoreParams(user, "PASS");
    return;
  }
  user.password = password;
}

/** NICK, before and after registration. */
export function nick(user: IRCUser, params: string[]): void {
  const wanted = params[0];
  if (wanted === undefined || wanted === "") {
    user.sendReply(N.ERR_NONICKNAMEGIVEN, "No nickname given");
    return;
  }
  const server = user.server;
  if (!validNick(wanted, server.nickLength)) {
    user.sendReply(N.ERR_ERRONEUSNICKNAME, wanted, "Erroneous nickname");
    return;
  }
  const service = user.service;
  const holder = service.getUser(wanted);
  if (holder !== undefined && holder !== user) {
    user.sendReply(N.ERR_NICKNAMEINUSE, wanted, "Nickname is already in use");
    return;
  }
  if (!user.registered) {
    user.nickname = wanted;
    tryRegister(user);
    return;
  }
  const old = user.nickname as string;
  if (old === wanted) return;
  const oldPrefix = user.prefix;
  const recipients = new Set([user, ...service.peersOf(user)]);
  service.renameUser(user, old, wanted);
  user.nickname = wanted;
  for (const recipient of recipients) recipient.sendMessage("NICK", [wanted], oldPrefix);
}

/** USER. */
export function user(user: IRCUser, params: string[]): void {
  if (user.registered) {
    user.sendReply(N.ERR_ALREADYREGISTRED, "You may not reregister");
    return;
  }
  if (params.length < 4 || params[0] === "") {
    needMoreParams(user, "USER");
    return;
  }
  const name = (params[0] as string).replace(/[!@*?,]/g, "").slice(0, 16);
  user.username = name === "" ? "user" : name;
  user.realname = params[3] as string;
  tryRegister(user);
}

/** CAP: no capabilities are offered; LS and REQ hold registration until END. */
export function cap(user: IRCUser, params: string[]): void {
  const sub = (params[0] ?? "").toUpperCase();
  const target = user.nickname ?? "*";
  const reply = (what: string, list: string): void =>
    user.sendLine(
      serializeMessage({
        command: "CAP",
        params: [target, what, list],
        source: user.hostname,
        trailing: true,
      }),
    );
  switch (sub) {
    case "LS":
      if (!user.registered) user.capNegotiating = true;
      reply("LS", "");
      return;
    case "LIST":
      reply("LIST", "");
      return;
    case "REQ":
      if (!user.registered) user.capNegotiating = true;
      reply("NAK", params[1] ?? "");
      return;
    case "END":
      if (!user.registered && user.capNegotiating) {
        user.capNegotiating = false;
        tryRegister(user);
      }
      return;
    default:
      user.sendReply(N.ERR_INVALIDCAPCMD, sub === "" ? "*" : sub, "Invalid CAP command");
  }
}

/** Completes registration once NICK and USER are in and no CAP negotiation is open. */
export function tryRegister(user: IRCUser): void {
  if (user.registered || user.nickname === null || user.username === null) return;
  if (user.capNegotiating) return;
  const server = user.server;
  if (server.password !== undefined && user.password !== server.password) {
    user.sendReply(N.ERR_PASSWDMISMATCH, "Password incorrect");
    user.drop("Bad password", `Closing Link: ${user.host} (Bad Password)`);
    return;
  }
  if (!user.service.addUser(user)) {
    user.sendReply(N.ERR_NICKNAMEINUSE, user.nickname, "Nickname is already in use");
    return;
  }
  user.registered = true;
  user.signOnTime = user.now();
  user.lastMessageTime = user.signOnTime;
  welcome(user);
}

/** The ISUPPORT tokens. */
export function isupportTokens(user: IRCUser): string[] {
  const server = user.server;
  return [
    "AWAYLEN=390",
    "CASEMAPPING=rfc1459",
    `CHANLIMIT=${CHANTYPES}:${server.maxChannelsPerUser}`,
    "CHANMODES=b,k,l,imnst",
    `CHANNELLEN=${server.channelLength}`,
    `CHANTYPES=${CHANTYPES}`,
    "MODES=4",
    `MAXTARGETS=${server.maxTargets}`,
    `NETWORK=${server.networkName}`,
    `NICKLEN=${server.nickLength}`,
    "PREFIX=(ov)@+",
    `TARGMAX=PRIVMSG:${server.maxTargets},NOTICE:${server.maxTargets},JOIN:,PART:,KICK:,NAMES:,WHOIS:`,
    `TOPICLEN=${server.topicLength}`,
  ];
}

/** 001 to 005, LUSERS and the MOTD. */
export function welcome(user: IRCUser): void {
  const server = user.server;
  user.sendReply(
    N.RPL_WELCOME,
    `Welcome to the ${server.networkName} Internet Relay Chat Network ${user.prefix}`,
  );
  user.sendReply(
    N.RPL_YOURHOST,
    `Your host is ${server.serverName}, running version ${server.version}`,
  );
  user.sendReply(N.RPL_CREATED, `This server was created ${server.createdAt.toUTCString()}`);
  user.sendReply(N.RPL_MYINFO, server.serverName, server.version, "i", "biklmnostv", "bklov");
  const tokens = isupportTokens(user);
  for (let i = 0; i < tokens.length; i += 12) {
    user.sendReply(N.RPL_ISUPPORT, ...tokens.slice(i, i + 12), "are supported by this server");
  }
  lusers(user);
  motd(user);
}

/** 251, 252, 253 (when some connections are not registered), 254, 255. */
export function lusers(user: IRCUser): void {
  const service = user.service;
  const total = service.users.size;
  let invisible = 0;
  for (const u of service.users.values()) if (u.invisible) invisible++;
  const unknown = user.server.connections.size - total;
  user.sendReply(
    N.RPL_LUSERCLIENT,
    `There are ${total - invisible} users and ${invisible} invisible on 1 servers`,
  );
  user.sendReply(N.RPL_LUSEROP, "0", "operator(s) online");
  if (unknown > 0) user.sendReply(N.RPL_LUSERUNKNOWN, String(unknown), "unknown connection(s)");
  user.sendReply(N.RPL_LUSERCHANNELS, String(service.channels.size), "channels formed");
  user.sendReply(N.RPL_LUSERME, `I have ${total} clients and 0 servers`);
}

/** 375, 372 each line, 376; or 422 without a MOTD. */
export function motd(user: IRCUser): void {
  const server = user.server;
  if (server.motd === undefined) {
    user.sendReply(N.ERR_NOMOTD, "MOTD File is missing");
    return;
  }
  user.sendReply(N.RPL_MOTDSTART, `- ${server.serverName} Message of the day - `);
  for (const line of server.motd) user.sendReply(N.RPL_MOTD, `- ${line}`);
  user.sendReply(N.RPL_ENDOFMOTD, "End of /MOTD command.");
}
