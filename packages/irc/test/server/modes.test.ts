import { describe, expect, it } from "vitest";
import { makeServer } from "./helpers.js";

const S = "irc.twisted-ts.local";

function opAndMember() {
  const server = makeServer();
  server.clock.advance(1000);
  const a = server.register("a");
  const b = server.register("b");
  a.send("JOIN #c");
  b.send("JOIN #c");
  a.take();
  b.take();
  return { ...server, a, b };
}

describe("IRCUser MODE", () => {
  it("reports a channel's modes (324, 329), showing the key to members only", () => {
    const { a, register } = opAndMember();
    a.send("MODE #c", "MODE #c +kl secret 10", "MODE #c");
    expect(a.take()).toEqual([
      `:${S} 324 a #c +nt`,
      `:${S} 329 a #c 1000`,
      ":a!a@10.0.0.2 MODE #c +kl secret 10",
      `:${S} 324 a #c +ntkl secret 10`,
      `:${S} 329 a #c 1000`,
    ]);
    const d = register("d");
    d.send("MODE #c", "MODE #nope", "MODE");
    expect(d.take()).toEqual([
      `:${S} 324 d #c +ntkl * 10`,
      `:${S} 329 d #c 1000`,
      `:${S} 403 d #nope :No such channel`,
      `:${S} 461 d MODE :Not enough parameters`,
    ]);
  });

  it("sets and unsets o and v, telling every member, and ignores changes that change nothing", () => {
    const { a, b, service } = opAndMember();
    a.send("MODE #c +ov b b");
    expect(a.take()).toEqual([":a!a@10.0.0.2 MODE #c +ov b b"]);
    expect(b.take()).toEqual([":a!a@10.0.0.2 MODE #c +ov b b"]);
    const group = service.getChannel("#c");
    expect(group?.isOp(b.user)).toBe(true);
    b.send("MODE #c -o+v a b");
    expect(b.take()).toEqual([":b!b@10.0.0.3 MODE #c -o a"]);
    expect(group?.isOp(a.user)).toBe(false);
    a.send("NAMES #c");
    expect(a.take()).toEqual([
      ":b!b@10.0.0.3 MODE #c -o a",
      `:${S} 353 a = #c :a @b`,
      `:${S} 366 a #c :End of /NAMES list.`,
    ]);
  });

  it("answers 482 to a non-operator (once per command), 441 and 401 for bad targets, 472", () => {
    const { a, b, register } = opAndMember();
    register("d");
    b.send("MODE #c +mi", "MODE #c +o b");
    expect(b.take()).toEqual([
      `:${S} 482 b #c :You're not channel operator`,
      `:${S} 482 b #c :You're not channel operator`,
    ]);
    a.send("MODE #c +o d", "MODE #c +v zz", "MODE #c +xy");
    expect(a.take()).toEqual([
      `:${S} 441 a d #c :They aren't on that channel`,
      `:${S} 401 a zz :No such nick/channel`,
      `:${S} 472 a x :is unknown mode char to me for #c`,
      `:${S} 472 a y :is unknown mode char to me for #c`,
    ]);
  });

  it("sets and unsets the flag modes i, m, n, s, t, and k and l with their parameters", () => {
    const { a, b, service } = opAndMember();
    a.send("MODE #c +ims-nt", "MODE #c +k key", "MODE #c +k other", "MODE #c -k x", "MODE #c +l 5");
    a.send("MODE #c -l", "MODE #c +l nope", "MODE #c -ims+nt");
    expect(b.take()).toEqual([
      ":a!a@10.0.0.2 MODE #c +ims-nt",
      ":a!a@10.0.0.2 MODE #c +k key",
      ":a!a@10.0.0.2 MODE #c -k *",
      ":a!a@10.0.0.2 MODE #c +l 5",
      ":a!a@10.0.0.2 MODE #c -l",
      ":a!a@10.0.0.2 MODE #c -ims+nt",
    ]);
    expect(a.take()).toContain(`:${S} 467 a #c :Channel key already set`);
    const group = service.getChannel("#c");
    expect([...(group?.modes ?? [])].sort()).toEqual(["n", "t"]);
    expect(group?.key).toBeNull();
    expect(group?.limit).toBeNull();
  });

  it("lists (367, 368), adds and removes bans, normalising masks", () => {
    const { a, b, clock } = opAndMember();
    clock.advance(5);
    a.send("MODE #c +bb bad evil@host", "MODE #c b", "MODE #c +b");
    expect(a.take()).toEqual([
      ":a!a@10.0.0.2 MODE #c +bb bad!*@* *!evil@host",
      `:${S} 367 a #c bad!*@* a 1005`,
      `:${S} 367 a #c *!evil@host a 1005`,
      `:${S} 368 a #c :End of channel ban list`,
      `:${S} 367 a #c bad!*@* a 1005`,
      `:${S} 367 a #c *!evil@host a 1005`,
      `:${S} 368 a #c :End of channel ban list`,
    ]);
    b.take();
    b.send("MODE #c +b");
    expect(b.take().at(-1)).toBe(`:${S} 368 b #c :End of channel ban list`);
    a.send("MODE #c -b BAD!*@*");
    expect(a.take()).toEqual([":a!a@10.0.0.2 MODE #c -b bad!*@*"]);
  });

  it("applies at most four parameter modes from one command", () => {
    const { a, register } = opAndMember();
    for (const n of ["c", "d", "e", "f"]) register(n).send("JOIN #c");
    a.take();
    a.send("MODE #c +vvvvv b c d e f");
    expect(a.take()).toEqual([":a!a@10.0.0.2 MODE #c +vvvv b c d e"]);
  });

  it("user modes: 221 for the query, +i and -i for oneself, 501 and 502", () => {
    const { a, register } = opAndMember();
    register("d");
    a.send("MODE a", "MODE a +i", "MODE A", "MODE a +i", "MODE a -i+w", "MODE d", "MODE d +i");
    a.send("MODE zz");
    expect(a.take()).toEqual([
      `:${S} 221 a +`,
      ":a!a@10.0.0.2 MODE a +i",
      `:${S} 221 a +i`,
      `:${S} 501 a :Unknown MODE flag`,
      ":a!a@10.0.0.2 MODE a -i",
      `:${S} 502 a :Can't change mode for other users`,
      `:${S} 502 a :Can't change mode for other users`,
      `:${S} 401 a zz :No such nick/channel`,
    ]);
  });
});

describe("IRCUser queries", () => {
  it("WHO #channel lists members (352) with H/G and status flags, then 315", () => {
    const { a, b } = opAndMember();
    b.send("AWAY :away");
    b.take();
    a.send("WHO #c");
    expect(a.take()).toEqual([
      `:${S} 352 a #c a 10.0.0.2 ${S} a H@ :0 a Real`,
      `:${S} 352 a #c b 10.0.0.3 ${S} b G :0 b Real`,
      `:${S} 315 a #c :End of /WHO list.`,
    ]);
  });

  it("WHO with a mask matches nicks and sources, hiding invisible users on no shared channel", () => {
    const { a, register } = opAndMember();
    register("bert");
    register("ernie").send("MODE ernie +i");
    a.send("WHO b*", "WHO *", "WHO e*", "WHO * o");
    const lines = a.take();
    const replies = (mask: string) => {
      const start = lines.findIndex((l) => l.endsWith(`315 a ${mask} :End of /WHO list.`));
      return start;
    };
    expect(lines.slice(0, 3)).toEqual([
      `:${S} 352 a #c b 10.0.0.3 ${S} b H :0 b Real`,
      `:${S} 352 a * bert 10.0.0.4 ${S} bert H :0 bert Real`,
      `:${S} 315 a b* :End of /WHO list.`,
    ]);
    expect(replies("*")).toBe(6);
    expect(lines.slice(7)).toEqual([
      `:${S} 315 a e* :End of /WHO list.`,
      `:${S} 315 a * :End of /WHO list.`,
    ]);
  });

  it("WHOIS answers 311, 319, 312, 301, 317 and 318; 401 and 431 for bad queries", () => {
    const { a, b, clock } = opAndMember();
    a.send("JOIN #secret", "MODE #secret +s");
    b.send("AWAY :brb");
    clock.advance(30);
    a.take();
    b.take();
    b.send("WHOIS A", "WHOIS irc.twisted-ts.local nobody", "WHOIS");
    expect(b.take()).toEqual([
      `:${S} 311 b a a 10.0.0.2 * :a Real`,
      `:${S} 319 b a :@#c`,
      `:${S} 312 b a ${S} :twisted-ts IRC server`,
      `:${S} 317 b a 30 1000 :seconds idle, signon time`,
      `:${S} 318 b a :End of /WHOIS list.`,
      `:${S} 401 b nobody :No such nick/channel`,
      `:${S} 318 b nobody :End of /WHOIS list.`,
      `:${S} 431 b :No nickname given`,
    ]);
    a.send("PRIVMSG #c :hi", "WHOIS b");
    expect(a.take()).toContain(`:${S} 301 a b :brb`);
    b.take();
    b.send("WHOIS a");
    expect(b.take()).toContain(`:${S} 317 b a 0 1000 :seconds idle, signon time`);
  });

  it("ISON (303) and USERHOST (302)", () => {
    const { a, b } = opAndMember();
    b.send("AWAY :x");
    a.send("ISON A zz b", "ISON :b a", "USERHOST a B zz", "USERHOST");
    expect(a.take()).toEqual([
      `:${S} 303 a :a b`,
      `:${S} 303 a :b a`,
      `:${S} 302 a :a=+a@10.0.0.2 b=-b@10.0.0.3`,
      `:${S} 461 a USERHOST :Not enough parameters`,
    ]);
  });
});
