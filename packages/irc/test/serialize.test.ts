import { describe, expect, it } from "vitest";
import {
  escapeTagValue,
  IRCInjectionError,
  IRCSerializeError,
  parseMessage,
  serializeMessage,
  unescapeTagValue,
} from "../src/index.js";

describe("serializeMessage", () => {
  it("adds a colon to the last parameter only when it needs one", () => {
    expect(serializeMessage({ command: "JOIN", params: ["#a"] })).toBe("JOIN #a");
    expect(serializeMessage({ command: "PRIVMSG", params: ["#a", "hi there"] })).toBe(
      "PRIVMSG #a :hi there",
    );
    expect(serializeMessage({ command: "AWAY", params: [""] })).toBe("AWAY :");
    expect(serializeMessage({ command: "PRIVMSG", params: ["#a", ":)"] })).toBe("PRIVMSG #a ::)");
  });

  it("uses the trailing form when asked, so a parsed line joins back as it was", () => {
    const line = ":src JOIN :#chan";
    expect(serializeMessage(parseMessage(line))).toBe(line);
  });

  it("writes tags with escaped values, and true or empty values as a bare key", () => {
    const line = serializeMessage({
      tags: { a: "b c;d\\e\r\n", k: true, e: "", "+draft/x": "1" },
      source: "n!u@h",
      command: "TAGMSG",
      params: ["#c"],
    });
    expect(line).toBe("@a=b\\sc\\:d\\\\e\\r\\n;k;e;+draft/x=1 :n!u@h TAGMSG #c");
  });

  it("omits an empty tags object", () => {
    expect(serializeMessage({ tags: {}, command: "PING", params: ["x"] })).toBe("PING x");
  });

  it.each([
    ["a CR in the last parameter", { command: "PRIVMSG", params: ["#a", "hi\rQUIT"] }, "params[1]"],
    [
      "an LF in the last parameter",
      { command: "PRIVMSG", params: ["#a", "hi\nQUIT :x"] },
      "params[1]",
    ],
    ["a NUL in a parameter", { command: "PRIVMSG", params: ["#a\0", "x"] }, "params[0]"],
    ["an LF in the command", { command: "PING\nQUIT", params: [] }, "command"],
    ["a CR in the source", { source: "a\rb", command: "PING", params: [] }, "source"],
    ["a NUL in a tag value", { tags: { a: "x\0y" }, command: "PING", params: [] }, "tags.a"],
  ])("refuses %s with IRCInjectionError", (_, msg, field) => {
    let error: unknown;
    try {
      serializeMessage(msg);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IRCInjectionError);
    expect(error).toBeInstanceOf(IRCSerializeError);
    expect((error as IRCInjectionError).code).toBe("ERR_IRC_INJECTION");
    expect((error as IRCInjectionError).field).toBe(field);
  });

  it.each([
    ["an empty command", { command: "", params: [] }],
    ["a command with a space", { command: "PRIVMSG #a", params: [] }],
    ["a command starting with a colon", { command: ":x", params: [] }],
    ["a four-digit numeric", { command: "0011", params: [] }],
    ["an empty source", { source: "", command: "PING", params: [] }],
    ["a source with a space", { source: "a b", command: "PING", params: [] }],
    ["an empty middle parameter", { command: "MODE", params: ["", "+i"] }],
    ["a middle parameter with a space", { command: "MODE", params: ["#a b", "+i"] }],
    ["a middle parameter with a colon first", { command: "MODE", params: [":a", "+i"] }],
    ["a tag key with =", { tags: { "a=b": "c" }, command: "PING", params: [] }],
    ["a tag key with a space", { tags: { "a b": "c" }, command: "PING", params: [] }],
  ])("refuses %s with IRCSerializeError", (_, msg) => {
    expect(() => serializeMessage(msg)).toThrow(IRCSerializeError);
  });
});

describe("tag value escaping", () => {
  it("escapes and unescapes every special character", () => {
    const value = "; \\\r\n";
    expect(escapeTagValue(value)).toBe("\\:\\s\\\\\\r\\n");
    expect(unescapeTagValue(escapeTagValue(value))).toBe(value);
  });

  it("drops a backslash before an ordinary character and a lone final one", () => {
    expect(unescapeTagValue("a\\bc\\")).toBe("abc");
  });
});
