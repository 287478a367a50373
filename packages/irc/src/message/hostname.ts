/**
 * Hostname validation, for a server checking names it is given.
 * @packageDocumentation
 */

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Whether `host` is acceptable as an IRC server name or client hostname: dot-separated labels
 * of letters, digits and inner hyphens (1–63 characters each, no `_`), at least one dot (a
 * single final dot counts, so `"services."` is valid but `"irc"` is not), at most 253
 * characters. International names must already be in punycode (`xn--…`).
 *
 * Meant for servers: a client should accept whatever host the server sends (vhosts may hold
 * anything).
 *
 * @param host - the name to check.
 * @returns `true` when it is valid.
 */
export function validateHostname(host: string): boolean {
  if (host.length === 0 || host.length > 254 || !host.includes(".")) return false;
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((label) => LABEL.test(label));
}
