import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FingerQueryError } from "../src/errors.js";
import { formatQuery, parseQuery } from "../src/query.js";

describe("parseQuery", () => {
  it.each([
    ["", { long: false, user: "", hosts: [], extra: [] }],
    ["   ", { long: false, user: "", hosts: [], extra: [] }],
    ["/W", { long: true, user: "", hosts: [], extra: [] }],
    ["/w", { long: true, user: "", hosts: [], extra: [] }],
    ["joe", { long: false, user: "joe", hosts: [], extra: [] }],
    ["/W joe", { long: true, user: "joe", hosts: [], extra: [] }],
    ["/W\t joe", { long: true, user: "joe", hosts: [], extra: [] }],
    ["joe\r", { long: false, user: "joe", hosts: [], extra: [] }],
    ["joe@example.com", { long: false, user: "joe", hosts: ["example.com"], extra: [] }],
    ["@example.com", { long: false, user: "", hosts: ["example.com"], extra: [] }],
    ["/W joe@a@b", { long: true, user: "joe", hosts: ["a", "b"], extra: [] }],
    ["joe@", { long: false, user: "joe", hosts: [""], extra: [] }],
    ["joe extra words", { long: false, user: "joe", hosts: [], extra: ["extra", "words"] }],
    ["/Wjoe", { long: false, user: "/Wjoe", hosts: [], extra: [] }],
  ])("parses %j", (line, expected) => {
    expect(parseQuery(Buffer.from(line))).toEqual(expected);
    expect(parseQuery(line)).toEqual(expected);
  });

  it("decodes the line as UTF-8", () => {
    expect(parseQuery(Buffer.from("josé")).user).toBe("josé");
    expect(parseQuery(Buffer.from([0x6a, 0xff])).user).toBe("j\ufffd");
  });

  it("never throws, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const query = parseQuery(bytes);
        expect(typeof query.user).toBe("string");
        expect(query.user).not.toMatch(/[ \t@]/);
      }),
    );
  });

  it("round-trips through formatQuery", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.oneof(fc.constant(""), word),
        fc.array(word, { maxLength: 3 }),
        (long, user, hosts) => {
          const line = formatQuery({ long, user, hosts });
          expect(parseQuery(line)).toEqual({ long, user, hosts, extra: [] });
        },
      ),
    );
  });
});

describe("formatQuery", () => {
  it("writes /W before the target", () => {
    expect(formatQuery({ long: true, user: "joe", hosts: [] })).toBe("/W joe");
    expect(formatQuery({ long: true, user: "", hosts: [] })).toBe("/W");
    expect(formatQuery({ long: false, user: "", hosts: ["h"] })).toBe("@h");
  });

  it("refuses a user or host it cannot send", () => {
    expect(() => formatQuery({ long: false, user: "a b", hosts: [] })).toThrow(FingerQueryError);
    expect(() => formatQuery({ long: false, user: "a\r\nb", hosts: [] })).toThrow(FingerQueryError);
    expect(() => formatQuery({ long: false, user: "a", hosts: [""] })).toThrow(FingerQueryError);
  });
});
