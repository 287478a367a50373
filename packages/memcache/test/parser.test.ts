import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientError } from "../src/errors.js";
import {
  encodeKey,
  encodeValue,
  MAX_KEY_LENGTH,
  MAX_VALUE_LENGTH,
  parseReply,
} from "../src/parser.js";

const line = (text: string) => Buffer.from(text, "latin1");

describe("parseReply", () => {
  it("classifies the keyword replies", () => {
    for (const keyword of [
      "STORED",
      "NOT_STORED",
      "EXISTS",
      "NOT_FOUND",
      "DELETED",
      "OK",
      "END",
      "TOUCHED",
      "ERROR",
    ]) {
      expect(parseReply(line(keyword))).toEqual({ type: keyword });
    }
  });

  it("parses a VALUE header, with and without a cas unique", () => {
    expect(parseReply(line("VALUE foo 12 3"))).toEqual({
      type: "VALUE",
      key: line("foo"),
      flags: 12,
      length: 3,
      cas: "",
    });
    expect(parseReply(line("VALUE k\xe9y 0 10 18446744073709551615"))).toEqual({
      type: "VALUE",
      key: line("k\xe9y"),
      flags: 0,
      length: 10,
      cas: "18446744073709551615",
    });
  });

  it("treats a malformed VALUE header as unknown", () => {
    for (const text of [
      "VALUE",
      "VALUE foo",
      "VALUE foo 0",
      "VALUE foo x 3",
      "VALUE foo 0 -3",
      "VALUE foo 0 3 x",
      "VALUE foo 4294967296 3",
      "VALUE foo 0 3 1 2",
      "VALUE  foo 0 3",
    ]) {
      expect(parseReply(line(text)).type, text).toBe("UNKNOWN");
    }
  });

  it("parses STAT, VERSION and the error replies", () => {
    expect(parseReply(line("STAT uptime 12"))).toEqual({
      type: "STAT",
      name: "uptime",
      value: "12",
    });
    expect(parseReply(line("STAT version 1.6.21 extra"))).toEqual({
      type: "STAT",
      name: "version",
      value: "1.6.21 extra",
    });
    expect(parseReply(line("STAT lonely")).type).toBe("UNKNOWN");
    expect(parseReply(line("VERSION 1.6.21"))).toEqual({ type: "VERSION", version: "1.6.21" });
    expect(parseReply(line("CLIENT_ERROR bad data chunk"))).toEqual({
      type: "CLIENT_ERROR",
      text: "bad data chunk",
    });
    expect(parseReply(line("SERVER_ERROR out of memory"))).toEqual({
      type: "SERVER_ERROR",
      text: "out of memory",
    });
  });

  it("parses a number, with the padding some servers add after decr", () => {
    expect(parseReply(line("42"))).toEqual({ type: "NUMBER", value: 42 });
    expect(parseReply(line("9  "))).toEqual({ type: "NUMBER", value: 9 });
    expect(parseReply(line("-1")).type).toBe("UNKNOWN");
    expect(parseReply(line("")).type).toBe("UNKNOWN");
    expect(parseReply(line("stored")).type).toBe("UNKNOWN");
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(typeof parseReply(bytes).type).toBe("string");
      }),
    );
  });

  it("reads back every VALUE header it could be sent", () => {
    const key = fc
      .uint8Array({ minLength: 1, maxLength: 40 })
      .filter((k) => k.every((x) => x > 0x20 && x !== 0x7f));
    fc.assert(
      fc.property(
        key,
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.nat(),
        fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
        (k, flags, length, cas) => {
          const header = Buffer.concat([
            line("VALUE "),
            k,
            line(` ${flags} ${length}${cas === null ? "" : ` ${cas}`}`),
          ]);
          expect(parseReply(header)).toEqual({
            type: "VALUE",
            key: Buffer.from(k),
            flags,
            length,
            cas: cas === null ? "" : String(cas),
          });
        },
      ),
    );
  });
});

describe("encodeKey and encodeValue", () => {
  it("encode strings as UTF-8 and copy bytes", () => {
    expect(encodeKey("caf\u00e9")).toEqual(Buffer.from("caf\u00e9", "utf8"));
    const bytes = new Uint8Array([0x61, 0x80]);
    const key = encodeKey(bytes);
    bytes[0] = 0x62;
    expect(key).toEqual(Buffer.from([0x61, 0x80]));
    expect(encodeValue("")).toHaveLength(0);
  });

  it("limit keys to MAX_KEY_LENGTH bytes, counting UTF-8 bytes", () => {
    expect(encodeKey("k".repeat(MAX_KEY_LENGTH))).toHaveLength(MAX_KEY_LENGTH);
    expect(() => encodeKey("k".repeat(MAX_KEY_LENGTH + 1))).toThrow("Key too long");
    expect(() => encodeKey("\u00e9".repeat(126))).toThrow(ClientError);
    expect(() => encodeKey("ab", 1)).toThrow("Key too long");
  });

  it("refuse every control character and the space in a key", () => {
    for (let byte = 0; byte <= 0x20; byte++) {
      expect(() => encodeKey(Buffer.from([0x61, byte]))).toThrow(ClientError);
    }
    expect(() => encodeKey(Buffer.from([0x7f]))).toThrow(ClientError);
  });

  it("limit values to MAX_VALUE_LENGTH bytes", () => {
    expect(encodeValue(Buffer.alloc(MAX_VALUE_LENGTH))).toHaveLength(MAX_VALUE_LENGTH);
    expect(() => encodeValue(Buffer.alloc(MAX_VALUE_LENGTH + 1))).toThrow(/Value too large/);
  });
});
