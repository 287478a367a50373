import { fileURLToPath } from "node:url";
import { FortuneQuoter, StaticQuoter } from "@twisted-ts/qotd";
import { describe, expect, it } from "vitest";
import { DEFAULT_QUOTE, makeQuoter, parseQOTDArgs } from "../src/qotd.js";

const sample = fileURLToPath(new URL("../fortunes/quotes.txt", import.meta.url));

describe("the qotd program's command line", () => {
  it("defaults to port 8007 on 127.0.0.1, TCP only, with no quote source", () => {
    expect(parseQOTDArgs([])).toEqual({
      port: 8007,
      iface: "127.0.0.1",
      quote: undefined,
      fortune: [],
      udp: false,
    });
  });

  it("takes the tutorial's short options and repeated --fortune", () => {
    expect(parseQOTDArgs(["-p", "0", "-f", "a.txt", "--fortune", "b.txt", "--udp"])).toMatchObject({
      port: 0,
      fortune: ["a.txt", "b.txt"],
      udp: true,
    });
    expect(parseQOTDArgs(["-s", "Hi."]).quote).toBe("Hi.");
  });

  it("refuses a bad port, an unknown option, and --quote with --fortune", () => {
    expect(() => parseQOTDArgs(["--port", "http"])).toThrow("bad port: http");
    expect(() => parseQOTDArgs(["--port", "70000"])).toThrow("bad port");
    expect(() => parseQOTDArgs(["--nope"])).toThrow();
    expect(() => parseQOTDArgs(["--quote", "a", "--fortune", "b"])).toThrow("not both");
  });

  it("makes a StaticQuoter with the tutorial's default quote, or a loaded FortuneQuoter", async () => {
    const plain = await makeQuoter(parseQOTDArgs([]));
    expect(plain.quoter).toBeInstanceOf(StaticQuoter);
    expect(plain.quoter.getQuote()).toBe(DEFAULT_QUOTE);
    const fortune = await makeQuoter(parseQOTDArgs(["--fortune", sample]));
    expect(fortune.quoter).toBeInstanceOf(FortuneQuoter);
    expect(fortune.what).toBe(`12 quotes from ${sample}`);
  });
});
