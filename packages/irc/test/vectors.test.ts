import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type IRCMessage,
  type IRCTags,
  maskMatch,
  parseMessage,
  parseUserhost,
  serializeMessage,
  validateHostname,
} from "../src/index.js";

/** The ircdocs parser-tests vectors (CC0), copied into fixtures with their LICENSE. */
function load<T>(name: string): T[] {
  const url = new URL(`./fixtures/irc-parser-tests/${name}`, import.meta.url);
  return (parse(readFileSync(url, "utf8")) as { tests: T[] }).tests;
}

interface Atoms {
  tags?: Record<string, string>;
  source?: string;
  verb: string;
  params?: string[];
}

/** The vectors write a tag without a value as `""`; we keep it as `true`. */
function tagsAsVectors(tags: IRCTags | undefined): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[k] = v === true ? "" : v;
  return out;
}

function atomsOf(msg: IRCMessage): Atoms {
  const atoms: Atoms = { verb: msg.command, params: msg.params };
  const tags = tagsAsVectors(msg.tags);
  if (tags !== undefined) atoms.tags = tags;
  if (msg.source !== undefined) atoms.source = msg.source;
  return atoms;
}

function expected(atoms: Atoms): Atoms {
  return { ...atoms, params: atoms.params ?? [] };
}

const split = load<{ input: string; atoms: Atoms }>("msg-split.yaml");
const join = load<{ desc: string; atoms: Atoms; matches: string[] }>("msg-join.yaml");
const userhost = load<{ source: string; atoms: { nick?: string; user?: string; host?: string } }>(
  "userhost-split.yaml",
);
const masks = load<{ mask: string; matches: string[]; fails: string[] }>("mask-match.yaml");
const hosts = load<{ host: string; valid: boolean }>("validate-hostname.yaml");

describe("msg-split.yaml", () => {
  it("has the expected number of cases", () => {
    expect(split.length).toBe(35);
  });

  it.each(split.map((c) => [JSON.stringify(c.input), c] as const))("splits %s", (_, c) => {
    expect(atomsOf(parseMessage(c.input))).toEqual(expected(c.atoms));
  });
});

describe("msg-join.yaml", () => {
  it("has the expected number of cases", () => {
    expect(join.length).toBe(18);
  });

  it.each(join.map((c) => [c.desc, c] as const))("joins: %s", (_, c) => {
    const msg: IRCMessage = { command: c.atoms.verb, params: c.atoms.params ?? [] };
    if (c.atoms.tags !== undefined) msg.tags = c.atoms.tags;
    if (c.atoms.source !== undefined) msg.source = c.atoms.source;
    expect(c.matches).toContain(serializeMessage(msg));
  });

  it.each(join.map((c) => [c.desc, c] as const))("parses every match back: %s", (_, c) => {
    for (const line of c.matches) {
      expect(atomsOf(parseMessage(line))).toEqual(expected(c.atoms));
    }
  });
});

describe("userhost-split.yaml", () => {
  it.each(userhost.map((c) => [JSON.stringify(c.source), c] as const))("splits %s", (_, c) => {
    const got = parseUserhost(c.source);
    expect({ nick: got.nick, user: got.user ?? "", host: got.host ?? "" }).toEqual({
      nick: c.atoms.nick ?? "",
      user: c.atoms.user ?? "",
      host: c.atoms.host ?? "",
    });
  });
});

describe("mask-match.yaml", () => {
  it.each(masks.map((c) => [c.mask, c] as const))("matches and refuses for %s", (_, c) => {
    for (const text of c.matches) expect([text, maskMatch(c.mask, text)]).toEqual([text, true]);
    for (const text of c.fails) expect([text, maskMatch(c.mask, text)]).toEqual([text, false]);
  });
});

describe("validate-hostname.yaml", () => {
  it.each(hosts.map((c) => [JSON.stringify(c.host), c] as const))("validates %s", (_, c) => {
    expect(validateHostname(c.host)).toBe(c.valid);
  });
});
