import { TwistedError } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import {
  IRCError,
  IRCLineTooLongError,
  IRCParseError,
  MAX_MESSAGE_BYTES,
  MAX_TAG_BYTES,
  parseMessage,
} from "../src/index.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("parseMessage", () => {
  it("records the trailing form of the last parameter", () => {
    expect(parseMessage(":a JOIN :#chan").trailing).toBe(true);
    expect(parseMessage(":a JOIN #chan").trailing).toBeUndefined();
  });

  it("accepts and ignores one final CRLF or LF", () => {
    expect(parseMessage("PING :x\r\n")).toEqual({ command: "PING", params: ["x"], trailing: true });
    expect(parseMessage("PING x\n")).toEqual({ command: "PING", params: ["x"] });
  });

  it("keeps tags without a value as true and empty values as empty strings", () => {
    const msg = parseMessage("@a;b=;+draft/reply=x;example.com/v=1 CMD");
    expect({ ...msg.tags }).toEqual({ a: true, b: "", "+draft/reply": "x", "example.com/v": "1" });
  });

  it("returns tags in a prototype-less object, so __proto__ is an ordinary key", () => {
    const msg = parseMessage("@__proto__=x;constructor CMD");
    expect(Object.getPrototypeOf(msg.tags)).toBeNull();
    expect(Object.entries(msg.tags ?? {})).toContainEqual(["__proto__", "x"]);
    expect(msg.tags?.constructor).toBe(true);
  });

  it("skips empty tag items and empty keys", () => {
    expect({ ...parseMessage("@;a=1;;=x CMD").tags }).toEqual({ a: "1" });
  });

  it("leaves tags and source undefined when absent", () => {
    const msg = parseMessage("CMD a");
    expect("tags" in msg).toBe(false);
    expect("source" in msg).toBe(false);
  });

  it.each([
    ["an empty line", ""],
    ["only spaces", "   "],
    ["tags only", "@a=b"],
    ["tags and spaces only", "@a=b   "],
    ["a source only", ":nick!u@h"],
    ["a source and spaces", ":nick   "],
    ["an empty source", ": CMD"],
    ["a NUL", "PRIVMSG #a :hi\0there"],
    ["a CR inside", "PRIVMSG #a :hi\rQUIT"],
    ["an LF inside", "PRIVMSG #a :hi\nQUIT"],
    ["a CRLF inside", "PRIVMSG #a :hi\r\nQUIT :bye"],
  ])("refuses %s with IRCParseError", (_, line) => {
    const error = thrown(() => parseMessage(line));
    expect(error).toBeInstanceOf(IRCParseError);
    expect(error).toBeInstanceOf(IRCError);
    expect(error).toBeInstanceOf(TwistedError);
    expect((error as IRCParseError).code).toBe("ERR_IRC_PARSE");
    expect((error as IRCParseError).line).toBe(line);
  });
});

describe("parseMessage limits", () => {
  const cmd = "PRIVMSG #c :";

  it("accepts a message of exactly 510 bytes (512 with CRLF)", () => {
    const line = cmd + "x".repeat(510 - cmd.length);
    expect(parseMessage(line).params[1]).toHaveLength(510 - cmd.length);
  });

  it("refuses a message of 511 bytes with IRCLineTooLongError", () => {
    const line = cmd + "x".repeat(511 - cmd.length);
    const error = thrown(() => parseMessage(line)) as IRCLineTooLongError;
    expect(error).toBeInstanceOf(IRCLineTooLongError);
    expect(error.code).toBe("ERR_IRC_LINE_TOO_LONG");
    expect([error.section, error.length, error.limit]).toEqual(["message", 513, MAX_MESSAGE_BYTES]);
  });

  it("counts the message in UTF-8 bytes, not characters", () => {
    const fits = cmd + "é".repeat((510 - cmd.length) / 2);
    expect(() => parseMessage(fits)).not.toThrow();
    expect(() => parseMessage(`${fits}x`)).toThrow(IRCLineTooLongError);
  });

  it("counts tags apart from the message", () => {
    const tags = `@k=${"v".repeat(MAX_TAG_BYTES - 4)} `; // "@k=" + value + " " = 8191
    expect(tags.length).toBe(MAX_TAG_BYTES);
    const msg = parseMessage(tags + cmd + "x".repeat(510 - cmd.length));
    expect(msg.tags?.k).toHaveLength(MAX_TAG_BYTES - 4);
  });

  it("refuses a tags section of 8192 bytes", () => {
    const tags = `@k=${"v".repeat(MAX_TAG_BYTES - 3)} `;
    const error = thrown(() => parseMessage(`${tags}PING`)) as IRCLineTooLongError;
    expect(error).toBeInstanceOf(IRCLineTooLongError);
    expect([error.section, error.length, error.limit]).toEqual(["tags", 8192, MAX_TAG_BYTES]);
  });

  it("refuses a huge tags section even without a command", () => {
    expect(() => parseMessage(`@${"a".repeat(10_000)}`)).toThrow(IRCLineTooLongError);
  });

  it("takes other limits as options", () => {
    expect(() => parseMessage("PRIVMSG #c :hello", { maxMessageBytes: 10 })).toThrow(
      IRCLineTooLongError,
    );
    expect(() => parseMessage("@a=bcd PING", { maxTagBytes: 4 })).toThrow(IRCLineTooLongError);
    expect(parseMessage("x".repeat(600), { maxMessageBytes: 1000 }).command).toHaveLength(600);
  });
});
