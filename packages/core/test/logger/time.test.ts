import { describe, expect, it } from "vitest";
import { formatTime, timeFormatRFC3339 } from "../../src/logger/index.js";
import { NOV_23_10AM } from "./helpers.js";

describe("formatTime", () => {
  it("formats in RFC 3339 and UTC by default", () => {
    expect(formatTime(NOV_23_10AM)).toBe("2026-11-23T10:00:00+0000");
    expect(timeFormatRFC3339).toBe("%Y-%m-%dT%H:%M:%S%z");
  });

  it("returns the default text when there is no time", () => {
    expect(formatTime(null)).toBe("-");
    expect(formatTime(undefined)).toBe("-");
    expect(formatTime(null, timeFormatRFC3339, "!")).toBe("!");
  });

  it("returns the default text when there is no format", () => {
    expect(formatTime(NOV_23_10AM, null)).toBe("-");
    expect(formatTime(NOV_23_10AM, null, "!")).toBe("!");
  });

  it("accepts other strftime formats", () => {
    // 2013-09-24T11:40:47Z falls in week 38 of 2013, counting from Mondays.
    expect(formatTime(1380023047, "%Y/%W")).toBe("2013/38");
    expect(formatTime(NOV_23_10AM, "%a %d %b %Y, %I %p, day %j")).toBe(
      "Mon 23 Nov 2026, 10 AM, day 327",
    );
    expect(formatTime(NOV_23_10AM, "100%% at %H:%M")).toBe("100% at 10:00");
  });

  it("supports %f, the microseconds", () => {
    expect(formatTime(1000000.23456, "%f")).toBe("234560");
    expect(formatTime(112345.6, "%f")).toBe("600000");
  });

  it("shows times at a given offset east of UTC", () => {
    expect(formatTime(NOV_23_10AM, undefined, "-", { utcOffset: 3600 })).toBe(
      "2026-11-23T11:00:00+0100",
    );
    expect(formatTime(NOV_23_10AM, undefined, "-", { utcOffset: -5 * 3600 })).toBe(
      "2026-11-23T05:00:00-0500",
    );
    expect(formatTime(NOV_23_10AM, undefined, "-", { utcOffset: -(5 * 3600 + 1800) })).toBe(
      "2026-11-23T04:30:00-0530",
    );
    expect(formatTime(NOV_23_10AM, undefined, "-", { utcOffset: 1800 })).toBe(
      "2026-11-23T10:30:00+0030",
    );
  });

  it("shows times in the process's zone when asked for local time", () => {
    const minutesEast = -new Date(NOV_23_10AM * 1000).getTimezoneOffset();
    const expected = formatTime(NOV_23_10AM, "%z", "-", { utcOffset: minutesEast * 60 });
    expect(formatTime(NOV_23_10AM, "%z", "-", { utcOffset: "local" })).toBe(expected);
  });

  it("crosses a day boundary when the offset does", () => {
    expect(
      formatTime(Date.UTC(2026, 11, 31, 23, 30) / 1000, "%Y-%m-%d %H:%M", "-", { utcOffset: 3600 }),
    ).toBe("2027-01-01 00:30");
  });
});
