/**
 * IRC mask matching (`*` and `?` globs over `nick!user@host`).
 * @packageDocumentation
 */
import { type IRCCaseMapping, lowerCase } from "./casemapping.js";

/**
 * Whether `text` matches an IRC mask, as servers match bans and other hostmasks: `*` matches
 * any run of characters (none included), `?` exactly one, and every other character itself
 * (`[` is not special, unlike in fnmatch). Both sides are folded with the case mapping first.
 * Runs in O(mask × text) at worst, with no backtracking blow-up.
 *
 * @param mask - the mask, e.g. `"*!*@*.example.com"`.
 * @param text - the string to test, e.g. a full source `"nick!user@host"`.
 * @param casemapping - the server's case mapping; default `"rfc1459"`.
 * @returns `true` when the whole of `text` matches the whole of `mask`.
 */
export function maskMatch(
  mask: string,
  text: string,
  casemapping: IRCCaseMapping = "rfc1459",
): boolean {
  const m = lowerCase(mask, casemapping);
  const t = lowerCase(text, casemapping);
  let mi = 0;
  let ti = 0;
  let starMask = -1;
  let starText = 0;
  while (ti < t.length) {
    const mc = m[mi];
    if (mc === "*") {
      starMask = mi++;
      starText = ti;
    } else if (mc !== undefined && (mc === "?" || mc === t[ti])) {
      mi++;
      ti++;
    } else if (starMask >= 0) {
      mi = starMask + 1;
      ti = ++starText;
    } else {
      return false;
    }
  }
  while (m[mi] === "*") mi++;
  return mi === m.length;
}
