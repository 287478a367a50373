import { describe, expect, it } from "vitest";
import { EndpointValueError } from "../../src/endpoints/errors.js";
import { parseEndpointDescription, quoteStringArgument } from "../../src/endpoints/parse.js";

function parsed(description: string) {
  const { type, args, kwargs } = parseEndpointDescription(description);
  return { type, args: [...args], kwargs: { ...kwargs } };
}

describe("parseEndpointDescription", () => {
  it("splits the type, positional fields and keyword fields on colons", () => {
    expect(parsed("tcp:80:interface=127.0.0.1")).toEqual({
      type: "tcp",
      args: ["80"],
      kwargs: { interface: "127.0.0.1" },
    });
  });

  it("keeps positional fields in order around keywords (Twisted's _parse('a:b:d=1:c'))", () => {
    expect(parsed("a:b:d=1:c")).toEqual({ type: "a", args: ["b", "c"], kwargs: { d: "1" } });
  });

  it("unescapes backslash-escaped colons, equals signs and backslashes", () => {
    expect(parsed("unix:foo\\:bar\\=baz\\:qux\\\\")).toEqual({
      type: "unix",
      args: ["foo:bar=baz:qux\\"],
      kwargs: {},
    });
  });

  it("takes only the first '=' as the separator (the implied escape)", () => {
    expect(parsed("unix:address=foo=bar")).toEqual({
      type: "unix",
      args: [],
      kwargs: { address: "foo=bar" },
    });
    expect(parsed("x:a=b=c=d:e=f")).toEqual({
      type: "x",
      args: [],
      kwargs: { a: "b=c=d", e: "f" },
    });
  });

  it("lets an escaped '=' belong to a keyword's name", () => {
    expect(parsed("x:a\\=b=c")).toEqual({ type: "x", args: [], kwargs: { "a=b": "c" } });
  });

  it("escapes any character, not only the special ones", () => {
    expect(parsed("x:\\a\\b")).toEqual({ type: "x", args: ["ab"], kwargs: {} });
  });

  it("keeps empty fields, keys and values", () => {
    expect(parsed("tcp:80:")).toEqual({ type: "tcp", args: ["80", ""], kwargs: {} });
    expect(parsed("x:=v:k=")).toEqual({ type: "x", args: [], kwargs: { "": "v", k: "" } });
    expect(parsed("")).toEqual({ type: "", args: [], kwargs: {} });
  });

  it("keeps the last value of a keyword given twice", () => {
    expect(parsed("x:k=1:k=2").kwargs).toEqual({ k: "2" });
  });

  it("takes the first positional field as the type even after keywords", () => {
    expect(parsed("port=80:tcp")).toEqual({ type: "tcp", args: [], kwargs: { port: "80" } });
  });

  it("treats __proto__ as an ordinary keyword", () => {
    const { kwargs } = parseEndpointDescription("x:__proto__=1");
    expect(Object.entries(kwargs)).toEqual([["__proto__", "1"]]);
    expect(Object.getPrototypeOf(kwargs)).toBeNull();
  });

  it("keeps characters outside the BMP whole, escaped or not", () => {
    expect(parsed("x:\\😀=😀").kwargs).toEqual({ "😀": "😀" });
  });

  it("rejects a description that ends with an unpaired backslash", () => {
    expect(() => parseEndpointDescription("unix:/tmp/a\\")).toThrow(EndpointValueError);
  });
});

describe("quoteStringArgument", () => {
  it("escapes backslashes and colons (Twisted's test string)", () => {
    expect(quoteStringArgument("some : stuff \\")).toBe("some \\: stuff \\\\");
  });

  it("round-trips keyword values through the parser", () => {
    for (const value of ["C:\\key.pem", "a:b=c\\d", "", "::", "\\\\:"]) {
      const { kwargs } = parseEndpointDescription(`x:k=${quoteStringArgument(value)}`);
      expect(kwargs.k).toBe(value);
    }
  });

  it("round-trips positional values without '=' (it does not escape '=', as in Twisted)", () => {
    const { args } = parseEndpointDescription(`x:${quoteStringArgument("C:\\a:b")}`);
    expect(args).toEqual(["C:\\a:b"]);
    const { args: none, kwargs } = parseEndpointDescription(`x:${quoteStringArgument("a=b")}`);
    expect([none, { ...kwargs }]).toEqual([[], { a: "b" }]);
  });
});
