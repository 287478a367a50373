/**
 * HTTP dates: Twisted's `http.datetimeToString`, `stringToDatetime` and the access log's
 * timestamp.
 * @packageDocumentation
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Formats a time as an HTTP date (RFC 9110 IMF-fixdate), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
 * @param seconds - seconds since the epoch.
 * @returns the date.
 */
export function datetimeToString(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toUTCString();
}

/**
 * Formats a time for the access log, e.g. `[06/Nov/1994:08:49:37 +0000]`.
 * @param seconds - seconds since the epoch.
 * @returns the timestamp, brackets included.
 */
export function datetimeToLogString(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `[${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(
    d.getUTCHours(),
  )}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000]`;
}

/**
 * Parses an HTTP date in any of the three forms RFC 9110 accepts (IMF-fixdate, RFC 850,
 * asctime), always as GMT.
 * @param text - the date.
 * @returns seconds since the epoch, or `null` when it cannot be parsed.
 */
export function stringToDatetime(text: string): number | null {
  const parts = text.trim().split(/[\s,-]+/);
  let day: string | undefined;
  let month: string | undefined;
  let year: string | undefined;
  let time: string | undefined;
  if (parts.length >= 5 && /^\d+$/.test(parts[1] ?? "")) {
    // "Sun, 06 Nov 1994 08:49:37 GMT" or "Sunday, 06-Nov-94 08:49:37 GMT"
    [, day, month, year, time] = parts;
  } else if (parts.length >= 5) {
    // "Sun Nov  6 08:49:37 1994"
    [, month, day, time, year] = parts;
  } else {
    return null;
  }
  const m = MONTHS.findIndex((name) => name.toLowerCase() === month?.toLowerCase());
  const hms = /^(\d\d):(\d\d):(\d\d)$/.exec(time ?? "");
  if (m < 0 || hms === null || !/^\d+$/.test(day ?? "") || !/^\d+$/.test(year ?? "")) return null;
  let y = Number(year);
  if ((year ?? "").length === 2) y += y < 70 ? 2000 : 1900;
  const ms = Date.UTC(y, m, Number(day), Number(hms[1]), Number(hms[2]), Number(hms[3]));
  return Number.isNaN(ms) ? null : ms / 1000;
}

let cachedSecond = -1;
let cachedDate = "";

/**
 * The current time as an HTTP date, computed at most once a second.
 * @param clock - where the time comes from (`seconds()`).
 * @returns the date.
 */
export function httpDateNow(clock: { seconds(): number }): string {
  const now = Math.floor(clock.seconds());
  if (now !== cachedSecond) {
    cachedSecond = now;
    cachedDate = datetimeToString(now);
  }
  return cachedDate;
}
