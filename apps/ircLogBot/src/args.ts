/** The ircLogBot command line: `ircLogBot <channel> <logfile> [--server host:port] [--nick name]`. */
import { parseArgs } from "node:util";

/** The server the bot connects to when `--server` is not given (the seed's was freenode). */
export const DEFAULT_SERVER = "irc.libera.chat:6667";

/** Usage, printed on a bad command line. */
export const USAGE = "usage: ircLogBot <channel> <logfile> [--server host:port] [--nick name]";

/** The command line, parsed. */
export interface LogBotArgs {
  /** The channel to log (`#` is added when missing). */
  channel: string;
  /** The file to log to. */
  logfile: string;
  /** The server's host. */
  host: string;
  /** The server's port. */
  port: number;
  /** The bot's nick, when given. */
  nick: string | undefined;
}

/**
 * Split `host:port` (`[v6]:port` too); the port is 6667 when missing.
 * @throws on a bad port.
 */
export function parseServer(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3] ?? 6667);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`bad server: ${text} (want host:port)`);
  }
  return { host, port };
}

/**
 * Parse the arguments after the program name.
 * @throws with a message for a bad command line.
 */
export function parseLogBotArgs(argv: readonly string[]): LogBotArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { server: { type: "string" }, nick: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length !== 2) throw new Error(USAGE);
  const [channel, logfile] = positionals as [string, string];
  const { host, port } = parseServer(values.server ?? DEFAULT_SERVER);
  if (values.nick !== undefined && !/^[^\s:#&+!,*?@][^\s,*?@!]*$/.test(values.nick)) {
    throw new Error(`bad nick: ${values.nick}`);
  }
  return { channel, logfile, host, port, nick: values.nick };
}
