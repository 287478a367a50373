import { describe, expect, it } from "vitest";
import { TwistedError } from "../../src/errors.js";
import { InvalidLogLevelError, LogLevel } from "../../src/logger/index.js";

describe("LogLevel", () => {
  it("names the five levels by their own names", () => {
    expect([
      LogLevel.debug,
      LogLevel.info,
      LogLevel.warn,
      LogLevel.error,
      LogLevel.critical,
    ]).toEqual(["debug", "info", "warn", "error", "critical"]);
  });

  it("lists the levels least important first", () => {
    expect(LogLevel.iterconstants()).toEqual(["debug", "info", "warn", "error", "critical"]);
  });

  it("finds a level by its name", () => {
    expect(LogLevel.levelWithName("warn")).toBe(LogLevel.warn);
    expect(LogLevel.levelWithName("critical")).toBe(LogLevel.critical);
  });

  it("throws InvalidLogLevelError for an unknown name", () => {
    expect(() => LogLevel.levelWithName("*bogus*")).toThrow(InvalidLogLevelError);
    expect(() => LogLevel.levelWithName("levelWithName")).toThrow(InvalidLogLevelError);
    expect(() => LogLevel.levelWithName("INFO")).toThrow(InvalidLogLevelError);
  });

  it("gives InvalidLogLevelError a stable code and the offending value", () => {
    const error = new InvalidLogLevelError("loud");
    expect(error).toBeInstanceOf(TwistedError);
    expect(error.code).toBe("ERR_INVALID_LOG_LEVEL");
    expect(error.level).toBe("loud");
    expect(error.message).toBe("loud");
  });

  it("orders levels by importance", () => {
    expect(LogLevel.compare(LogLevel.debug, LogLevel.info)).toBeLessThan(0);
    expect(LogLevel.compare(LogLevel.critical, LogLevel.error)).toBeGreaterThan(0);
    expect(LogLevel.compare(LogLevel.warn, LogLevel.warn)).toBe(0);
    const shuffled = [LogLevel.error, LogLevel.debug, LogLevel.critical, LogLevel.info];
    expect(shuffled.sort(LogLevel.compare)).toEqual(["debug", "info", "error", "critical"]);
  });

  it("recognises level values and rejects everything else", () => {
    expect(LogLevel.isLogLevel("info")).toBe(true);
    expect(LogLevel.isLogLevel("compare")).toBe(false);
    expect(LogLevel.isLogLevel(1)).toBe(false);
    expect(LogLevel.isLogLevel(null)).toBe(false);
  });
});
