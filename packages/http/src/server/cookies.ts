/**
 * Cookies on the server: reading `Cookie` headers and writing `Set-Cookie` values.
 * @packageDocumentation
 */
import type { CookieOptions } from "../iweb.js";

const COOKIE_UNSAFE = /\r\n|[\r\n;]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole latin-1 range is the point.
const NON_LATIN1 = /[^\u0000-\u00ff]/u;

/**
 * Reads `Cookie` header values into name → value (the last one wins), as Twisted's
 * `parseCookies` does: pairs split on `;`, names and values trimmed, pairs without `=` skipped.
 * @param headers - the `Cookie` header values.
 * @returns the cookies.
 */
export function parseCookies(headers: readonly string[]): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of headers) {
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq === -1) continue;
      cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  return cookies;
}

/**
 * Formats a `Set-Cookie` value, as Twisted's `addCookie` does: CR, LF and `;` in the name, the
 * value and every text attribute become spaces, so a cookie can neither start a header nor add
 * an attribute. Characters above U+00FF are sent as UTF-8.
 * @param name - the cookie's name.
 * @param value - its value.
 * @param options - its attributes.
 * @returns the header value.
 * @throws RangeError when `sameSite` is not Lax, Strict or None.
 */
export function formatCookie(name: string, value: string, options: CookieOptions = {}): string {
  const s = (v: string): string => v.replace(COOKIE_UNSAFE, " ");
  let cookie = `${s(name)}=${s(value)}`;
  const { expires, domain, path, maxAge, comment, secure, httpOnly, sameSite } = options;
  if (expires !== undefined) {
    cookie += `; Expires=${s(typeof expires === "string" ? expires : expires.toUTCString())}`;
  }
  if (domain !== undefined) cookie += `; Domain=${s(domain)}`;
  if (path !== undefined) cookie += `; Path=${s(path)}`;
  if (maxAge !== undefined) cookie += `; Max-Age=${Math.trunc(maxAge)}`;
  if (comment !== undefined) cookie += `; Comment=${s(comment)}`;
  if (secure) cookie += "; Secure";
  if (httpOnly) cookie += "; HttpOnly";
  if (sameSite !== undefined) {
    if (!["lax", "strict", "none"].includes(String(sameSite).toLowerCase())) {
      throw new RangeError(`Invalid value for sameSite: ${String(sameSite)}`);
    }
    cookie += `; SameSite=${sameSite}`;
  }
  return NON_LATIN1.test(cookie) ? Buffer.from(cookie).toString("latin1") : cookie;
}
