import { TwistedError } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import {
  NetstringParseError,
  NotImplementedError,
  ProducerStoppedError,
  StringTooLongError,
} from "../../src/errors.js";

describe("errors of @twisted-ts/basic", () => {
  it.each([
    [new NotImplementedError("X.y"), "ERR_NOT_IMPLEMENTED", "NotImplementedError"],
    [new StringTooLongError(256, 255), "ERR_STRING_TOO_LONG", "StringTooLongError"],
    [new NetstringParseError("too-long"), "ERR_NETSTRING_PARSE", "NetstringParseError"],
    [new ProducerStoppedError(), "ERR_PRODUCER_STOPPED", "ProducerStoppedError"],
  ])("gives %s a stable code and name, and makes it a TwistedError", (error, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(TwistedError);
    expect(error).toBeInstanceOf(Error);
  });

  it("recognises an error from another copy of the package by its brand", () => {
    const foreign = new NetstringParseError("missing-comma");
    Object.setPrototypeOf(foreign, Error.prototype);
    expect(foreign).toBeInstanceOf(NetstringParseError);
    expect(foreign).not.toBeInstanceOf(StringTooLongError);
  });

  it("says which netstring rule was broken, in its kind and message", () => {
    expect(new NetstringParseError("missing-length").message).toMatch(/length/);
    expect(new NetstringParseError("missing-comma").message).toMatch(/comma/);
    expect(new NetstringParseError("too-long", "custom").message).toBe("custom");
  });

  it("carries the lengths of a refused string", () => {
    const error = new StringTooLongError(70_000, 65_535);
    expect([error.length, error.maximum]).toEqual([70_000, 65_535]);
    expect(error.message).toContain("70000");
  });

  it("uses Twisted's sentence for a stopped producer", () => {
    expect(new ProducerStoppedError().message).toBe("Consumer asked us to stop producing");
  });
});
