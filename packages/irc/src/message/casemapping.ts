/**
 * IRC case mapping (ISUPPORT `CASEMAPPING`).
 * @packageDocumentation
 */

/**
 * How a server folds case in nicknames and channel names: `"ascii"` folds A–Z only;
 * `"rfc1459"` also folds `[]\~` to `{}|^`; `"strict-rfc1459"` folds `[]\` to `{}|` but not `~`.
 */
export type IRCCaseMapping = "ascii" | "rfc1459" | "strict-rfc1459";

/**
 * Lower-cases a nickname or channel name under a case mapping, so that two names the server
 * considers equal compare equal. Characters outside ASCII are left alone.
 *
 * @param name - the name to fold.
 * @param casemapping - the server's case mapping; default `"rfc1459"` (RFC 1459 and the
 *   ISUPPORT default).
 * @returns the folded name.
 */
export function lowerCase(name: string, casemapping: IRCCaseMapping = "rfc1459"): string {
  let out = name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  if (casemapping === "ascii") return out;
  out = out.replace(/[[\]\\~]/g, (c) => {
    if (c === "[") return "{";
    if (c === "]") return "}";
    if (c === "\\") return "|";
    return casemapping === "rfc1459" ? "^" : "~";
  });
  return out;
}

/**
 * Upper-cases a name under a case mapping, the inverse direction of {@link lowerCase}
 * (`{}|^` → `[]\~` under `"rfc1459"`).
 *
 * @param name - the name to fold.
 * @param casemapping - the server's case mapping; default `"rfc1459"`.
 * @returns the folded name.
 */
export function upperCase(name: string, casemapping: IRCCaseMapping = "rfc1459"): string {
  let out = name.replace(/[a-z]+/g, (s) => s.toUpperCase());
  if (casemapping === "ascii") return out;
  out = out.replace(/[{}|^]/g, (c) => {
    if (c === "{") return "[";
    if (c === "}") return "]";
    if (c === "|") return "\\";
    return casemapping === "rfc1459" ? "~" : "^";
  });
  return out;
}

/**
 * Whether two names are equal under a case mapping.
 *
 * @param a - one name.
 * @param b - the other.
 * @param casemapping - the server's case mapping; default `"rfc1459"`.
 * @returns `true` when they fold to the same string.
 */
export function equalsIgnoreCase(
  a: string,
  b: string,
  casemapping: IRCCaseMapping = "rfc1459",
): boolean {
  return lowerCase(a, casemapping) === lowerCase(b, casemapping);
}
