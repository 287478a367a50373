/**
 * What the IRC client's files share: constants and small helpers.
 * @packageDocumentation
 */
import type { IRCMessage } from "../message/message.js";
import { parseUserhost } from "../message/userhost.js";

/** The characters Twisted treats as starting a channel name when adding `#`. */
export const CHANNEL_PREFIXES = "&#!+";
export const CRLF = Buffer.from("\r\n");
export const LINE_BREAKING = /[\0\r\n]/;
export const MAX_PINGS = 12;
export const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
export const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/** Help texts for `CLIENTINFO <tag>`, as Twisted's docstrings. */
export const CTCP_HELP: Readonly<Record<string, string>> = {
  ACTION: "Perform an action.",
  CLIENTINFO: "Get the list of CTCP queries this client understands, or help on one.",
  ERRMSG: "Echo the query, to say no error has occurred.",
  FINGER: "Ask for the user's name and idle time.",
  PING: "Echo the data, to measure round-trip time.",
  SOURCE: "Where to get this client's source.",
  TIME: "The local time.",
  USERINFO: "A string the user set.",
  VERSION: "This client's name, version and environment.",
};

export function addHash(channel: string): string {
  return channel !== "" && CHANNEL_PREFIXES.includes(channel[0] as string)
    ? channel
    : `#${channel}`;
}

export function asctime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, " ")} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${date.getFullYear()}`;
}

export function nickOf(prefix: string): string {
  return parseUserhost(prefix).nick;
}

export type Handler = (prefix: string, params: string[], message: IRCMessage) => void;
export type CTCPHandler = (user: string, channel: string, data: string | null) => void;
