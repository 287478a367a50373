import { describe, expect, it } from "vitest";
import {
  decodeLine,
  equalsIgnoreCase,
  lowerCase,
  maskMatch,
  parseUserhost,
  upperCase,
} from "../src/index.js";

describe("decodeLine", () => {
  it("decodes valid UTF-8", () => {
    expect(decodeLine(Buffer.from("PRIVMSG #a :héllo ☃ 😀", "utf8"))).toBe(
      "PRIVMSG #a :héllo ☃ 😀",
    );
  });

  it("falls back to latin-1 for a line that is not valid UTF-8", () => {
    expect(decodeLine(Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0x6f]))).toBe("héllo");
  });

  it("maps 0x80–0x9f to the C1 controls, as ISO-8859-1 does (not CP1252)", () => {
    expect(decodeLine(Buffer.from([0x80, 0x9f]))).toBe("\u0080\u009f");
  });

  it("decides per line: a bad line does not change how the next decodes", () => {
    expect(decodeLine(Buffer.from([0xff]))).toBe("ÿ");
    expect(decodeLine(Buffer.from("é", "utf8"))).toBe("é");
  });

  it("decodes long latin-1 lines whole", () => {
    const bytes = Buffer.alloc(20_000, 0xe9);
    expect(decodeLine(bytes)).toBe("é".repeat(20_000));
  });

  it("accepts a plain Uint8Array", () => {
    expect(decodeLine(new Uint8Array([0x61, 0x62]))).toBe("ab");
  });
});

describe("case mapping", () => {
  it("folds []\\~ under rfc1459", () => {
    expect(lowerCase("Nick[]\\~", "rfc1459")).toBe("nick{}|^");
    expect(upperCase("nick{}|^", "rfc1459")).toBe("NICK[]\\~");
  });

  it("does not fold ~ under strict-rfc1459", () => {
    expect(lowerCase("A[]\\~", "strict-rfc1459")).toBe("a{}|~");
    expect(upperCase("a{}|^", "strict-rfc1459")).toBe("A[]\\^");
  });

  it("folds only letters under ascii", () => {
    expect(lowerCase("ABC[]", "ascii")).toBe("abc[]");
  });

  it("defaults to rfc1459 and leaves non-ASCII alone", () => {
    expect(lowerCase("ÉA[")).toBe("Éa{");
    expect(equalsIgnoreCase("Foo[a]", "foo{A}")).toBe(true);
    expect(equalsIgnoreCase("Foo[a]", "foo{A}", "ascii")).toBe(false);
  });
});

describe("maskMatch", () => {
  it("compares under the case mapping", () => {
    expect(maskMatch("*!*@Example.COM", "Nick!u@example.com")).toBe(true);
    expect(maskMatch("nick[away]!*@*", "NICK{AWAY}!u@h")).toBe(true);
    expect(maskMatch("nick[away]!*@*", "NICK{AWAY}!u@h", "ascii")).toBe(false);
  });

  it("handles empty masks and runs of stars", () => {
    expect(maskMatch("", "")).toBe(true);
    expect(maskMatch("", "a")).toBe(false);
    expect(maskMatch("***", "")).toBe(true);
    expect(maskMatch("a*?", "a")).toBe(false);
  });

  it("stays fast on patterns that make backtracking matchers explode", () => {
    const text = "a".repeat(5000);
    const start = performance.now();
    expect(maskMatch(`${"*a".repeat(50)}b`, text)).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe("parseUserhost", () => {
  it("takes the host after the first @ and the user between ! and @", () => {
    expect(parseUserhost("n!u!x@h@y")).toEqual({ nick: "n", user: "u!x", host: "h@y" });
  });
});
