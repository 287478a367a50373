/**
 * `strftime`-style time formatting at a fixed offset from UTC, for log time stamps.
 * @internal
 * @packageDocumentation
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * An offset from UTC in seconds east (`3600` is `+0100`, `-18000` is `-0500`), or `"local"` for
 * the offset of the process's time zone at the moment being formatted.
 */
export type UtcOffset = number | "local";

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The offset in seconds east of UTC that applies at a moment.
 * @internal
 */
export function resolveOffset(when: number, offset: UtcOffset): number {
  if (offset !== "local") return offset;
  // getTimezoneOffset is in minutes west of UTC.
  return -new Date(when * 1000).getTimezoneOffset() * 60;
}

/**
 * `+HHMM` or `-HHMM` for an offset in seconds east of UTC.
 * @internal
 */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const minutes = Math.floor(Math.abs(seconds) / 60);
  return `${sign}${two(Math.floor(minutes / 60))}${two(minutes % 60)}`;
}

/**
 * Format a moment with `strftime` directives: `%Y %y %m %d %e %H %I %M %S %f %p %z %Z %a %A %b
 * %B %j %U %W %w %u %s %F %T %D %c %x %X %%`. Unknown directives are copied as they are.
 * @internal
 * @param when - seconds since the epoch.
 * @param format - the `strftime` format.
 * @param offsetSeconds - the offset from UTC to show the time in, in seconds east.
 */
export function strftime(when: number, format: string, offsetSeconds: number): string {
  // Round to whole microseconds first, as datetime.fromtimestamp does.
  const micros = Math.round(when * 1e6);
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const date = new Date((seconds + offsetSeconds) * 1000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  const hour = date.getUTCHours();
  const weekday = date.getUTCDay();
  const yearDay = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86_400_000);
  const directive = (c: string): string | undefined => {
    switch (c) {
      case "Y":
        return String(year).padStart(4, "0");
      case "y":
        return two(year % 100);
      case "m":
        return two(month + 1);
      case "d":
        return two(day);
      case "e":
        return String(day).padStart(2, " ");
      case "H":
        return two(hour);
      case "I":
        return two(hour % 12 === 0 ? 12 : hour % 12);
      case "M":
        return two(date.getUTCMinutes());
      case "S":
        return two(date.getUTCSeconds());
      case "f":
        return String(fraction).padStart(6, "0");
      case "p":
        return hour < 12 ? "AM" : "PM";
      case "z":
        return formatOffset(offsetSeconds);
      case "Z":
        return offsetSeconds === 0 ? "UTC" : `UTC${formatOffset(offsetSeconds)}`;
      case "a":
        return (DAYS[weekday] as string).slice(0, 3);
      case "A":
        return DAYS[weekday];
      case "b":
        return (MONTHS[month] as string).slice(0, 3);
      case "B":
        return MONTHS[month];
      case "j":
        return String(yearDay + 1).padStart(3, "0");
      case "U":
        return two(Math.floor((yearDay + 7 - weekday) / 7));
      case "W":
        return two(Math.floor((yearDay + 7 - ((weekday + 6) % 7)) / 7));
      case "w":
        return String(weekday);
      case "u":
        return String(weekday === 0 ? 7 : weekday);
      case "s":
        return String(seconds);
      case "F":
        return strftime(when, "%Y-%m-%d", offsetSeconds);
      case "T":
      case "X":
        return strftime(when, "%H:%M:%S", offsetSeconds);
      case "D":
      case "x":
        return strftime(when, "%m/%d/%y", offsetSeconds);
      case "c":
        return strftime(when, "%a %b %e %H:%M:%S %Y", offsetSeconds);
      case "%":
        return "%";
      default:
        return undefined;
    }
  };
  return format.replace(/%(.)/gs, (whole, c: string) => directive(c) ?? whole);
}
