/**
 * The two time formats of ircLogBot.py, in local time: `time.asctime()` for the connected and
 * disconnected lines, and `time.strftime("[%H:%M:%S]")` for the prefix of every line.
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number): string => String(n).padStart(2, "0");

/** Seconds since the epoch, now: Python's `time.time()`. */
export function wallClock(): number {
  return Date.now() / 1000;
}

/**
 * Python's `time.asctime(time.localtime(seconds))`: `Mon Nov  3 09:05:01 2026` (the day of the
 * month padded with a space to two characters).
 * @param seconds - seconds since the epoch.
 */
export function asctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = String(d.getDate()).padStart(2, " ");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${clockTime(seconds)} ${d.getFullYear()}`;
}

/**
 * Python's `time.strftime("%H:%M:%S", time.localtime(seconds))`.
 * @param seconds - seconds since the epoch.
 */
export function clockTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
