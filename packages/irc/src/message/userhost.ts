/**
 * Splitting a `nick!user@host` source.
 * @packageDocumentation
 */

/** The parts of a `nick!user@host` source; `user` and `host` are absent when not given. */
export interface IRCUserhost {
  /** The nickname (or the server name, for a server source). */
  nick: string;
  /** The user (ident) after `!`, if any. */
  user?: string;
  /** The host after `@`, if any. */
  host?: string;
}

/**
 * Splits a source into nick, user and host: `"nick!user@host"`, `"nick@host"`, `"nick!user"`
 * or just `"nick"`. The host starts after the first `@`; the user is between the first `!`
 * and that `@`. Control characters (colours in vhosts) are kept as they are.
 *
 * @param source - a message's source, without its leading `:`.
 * @returns its parts.
 *
 * Differences from Twisted: Twisted splits only on `!` (`prefix.split("!", 1)[0]` for the nick)
 * and leaves `user@host` whole.
 */
export function parseUserhost(source: string): IRCUserhost {
  const at = source.indexOf("@");
  const head = at < 0 ? source : source.slice(0, at);
  const bang = head.indexOf("!");
  const result: IRCUserhost = { nick: bang < 0 ? head : head.slice(0, bang) };
  if (bang >= 0) result.user = head.slice(bang + 1);
  if (at >= 0) result.host = source.slice(at + 1);
  return result;
}
