import { TwistedError } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import {
  ClientError,
  MemCacheError,
  NoSuchCommand,
  NotConnectedError,
  ServerError,
  UnexpectedReplyError,
} from "../src/errors.js";

describe("the errors", () => {
  it("extend MemCacheError and TwistedError, each with a stable code", () => {
    const cases: [MemCacheError, string][] = [
      [new NoSuchCommand(), "ERR_MEMCACHE_NO_SUCH_COMMAND"],
      [new ClientError("Key too long"), "ERR_MEMCACHE_CLIENT"],
      [new ServerError("out of memory"), "ERR_MEMCACHE_SERVER"],
      [new NotConnectedError(), "ERR_MEMCACHE_NOT_CONNECTED"],
      [new UnexpectedReplyError("x"), "ERR_MEMCACHE_UNEXPECTED_REPLY"],
    ];
    for (const [error, code] of cases) {
      expect(error).toBeInstanceOf(MemCacheError);
      expect(error).toBeInstanceOf(TwistedError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(new MemCacheError("x").code).toBe("ERR_MEMCACHE");
  });

  it("keep the server's text apart from the message", () => {
    expect(new ClientError("client error: bad", "bad").reply).toBe("bad");
    expect(new ClientError("Key too long").reply).toBeNull();
    expect(new ServerError("zomg").reply).toBe("zomg");
    expect(new NoSuchCommand().message).toBe("Non-existent command sent.");
  });
});
