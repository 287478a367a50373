/**
 * What the command modules share.
 * @packageDocumentation
 */
import type { IRCUser } from "../ircUser.js";
import { N } from "../numerics.js";

/** The channel prefixes the server accepts (ISUPPORT CHANTYPES). */
export const CHANTYPES = "#&";

const NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 2812 forbids NUL and BEL in channel names.
const CHANNEL = /^[#&][^\0\x07\r\n ,:]+$/;

/** Whether `name` looks like a channel name (starts with a channel prefix). */
export function isChannelName(name: string): boolean {
  return name !== "" && CHANTYPES.includes(name[0] as string);
}

/** Whether `name` is a valid channel name no longer than `maxLength`. */
export function validChannel(name: string, maxLength: number): boolean {
  return name.length <= maxLength && CHANNEL.test(name);
}

/** Whether `nick` is a valid nick (RFC 2812) no longer than `maxLength`. */
export function validNick(nick: string, maxLength: number): boolean {
  return nick.length <= maxLength && NICK.test(nick);
}

/** Answers 461 for `command`. */
export function needMoreParams(user: IRCUser, command: string): void {
  user.sendReply(N.ERR_NEEDMOREPARAMS, command, "Not enough parameters");
}

/** Answers 401 for `name`. */
export function noSuchNick(user: IRCUser, name: string): void {
  user.sendReply(N.ERR_NOSUCHNICK, name, "No such nick/channel");
}

/** Answers 403 for `name`. */
export function noSuchChannel(user: IRCUser, name: string): void {
  user.sendReply(N.ERR_NOSUCHCHANNEL, name, "No such channel");
}

/** Cuts `text` to at most `max` characters, never inside a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}
