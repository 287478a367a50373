import { describe, expect, it } from "vitest";
import { makeServer } from "./helpers.js";

const S = "irc.twisted-ts.local";

function threeOnChannel() {
  const server = makeServer();
  const a = server.register("a");
  const b = server.register("b");
  const c = server.register("c");
  for (const u of [a, b, c]) u.send("JOIN #c");
  for (const u of [a, b, c]) u.take();
  return { ...server, a, b, c };
}

describe("IRCUser messages", () => {
  it("relays a channel PRIVMSG to every other member, never back to the sender", () => {
    const { a, b, c } = threeOnChannel();
    a.send("PRIVMSG #C :hello there");
    expect(a.take()).toEqual([]);
    expect(b.take()).toEqual([":a!a@10.0.0.2 PRIVMSG #c :hello there"]);
    expect(c.take()).toEqual([":a!a@10.0.0.2 PRIVMSG #c :hello there"]);
  });

  it("relays an ACTION and a NOTICE unchanged", () => {
    const { a, b } = threeOnChannel();
    a.send("PRIVMSG #c :\x01ACTION waves\x01", "NOTICE #c :note");
    expect(b.take()).toEqual([
      ":a!a@10.0.0.2 PRIVMSG #c :\x01ACTION waves\x01",
      ":a!a@10.0.0.2 NOTICE #c :note",
    ]);
  });

  it("delivers a private message to a nick in any case, and to several comma targets", () => {
    const { a, b, c } = threeOnChannel();
    a.send("PRIVMSG B :psst", "NOTICE b,c,#c :all");
    expect(b.take()).toEqual([
      ":a!a@10.0.0.2 PRIVMSG b :psst",
      ":a!a@10.0.0.2 NOTICE b :all",
      ":a!a@10.0.0.2 NOTICE #c :all",
    ]);
    expect(c.take()).toEqual([":a!a@10.0.0.2 NOTICE c :all", ":a!a@10.0.0.2 NOTICE #c :all"]);
  });

  it("answers 411, 412, 401 and 407 to PRIVMSG, and nothing to the same NOTICEs", () => {
    const { register } = makeServer({ maxTargets: 2 });
    const a = register("a");
    register("b");
    a.send("PRIVMSG", "PRIVMSG b", "PRIVMSG b :", "PRIVMSG nobody :x", "PRIVMSG #none :x");
    a.send("PRIVMSG b,b,b :x");
    expect(a.take()).toEqual([
      `:${S} 411 a :No recipient given (PRIVMSG)`,
      `:${S} 412 a :No text to send`,
      `:${S} 412 a :No text to send`,
      `:${S} 401 a nobody :No such nick/channel`,
      `:${S} 401 a #none :No such nick/channel`,
      `:${S} 407 a b :Too many recipients.`,
    ]);
    a.send("NOTICE", "NOTICE b", "NOTICE nobody :x", "NOTICE #none :x", "NOTICE b,b,b :x");
    expect(a.take()).toEqual([]);
  });

  it("honours +n (404 to outsiders) and +m (404 unless voiced or operator)", () => {
    const { a, b, register } = threeOnChannel();
    const d = register("d");
    d.send("PRIVMSG #c :from outside", "NOTICE #c :quiet");
    expect(d.take()).toEqual([`:${S} 404 d #c :Cannot send to channel`]);
    a.send("MODE #c -n");
    b.take();
    d.send("PRIVMSG #c :now allowed");
    expect(b.take()).toEqual([":d!d@10.0.0.5 PRIVMSG #c :now allowed"]);
    a.send("MODE #c +m");
    a.take();
    b.take();
    b.send("PRIVMSG #c :muted", "NOTICE #c :muted");
    expect(b.take()).toEqual([`:${S} 404 b #c :Cannot send to channel`]);
    expect(a.take()).toEqual([]);
    a.send("MODE #c +v b");
    b.take();
    b.send("PRIVMSG #c :voiced");
    expect(a.take()).toEqual([":a!a@10.0.0.2 MODE #c +v b", ":b!b@10.0.0.3 PRIVMSG #c :voiced"]);
    a.send("PRIVMSG #c :op speaks");
    expect(b.take()).toEqual([":a!a@10.0.0.2 PRIVMSG #c :op speaks"]);
  });

  it("stops a banned member from speaking", () => {
    const { a, b, c } = threeOnChannel();
    a.send("MODE #c +b b!*@*");
    c.take();
    b.take();
    b.send("PRIVMSG #c :hi");
    expect(b.take()).toEqual([`:${S} 404 b #c :Cannot send to channel`]);
    expect(c.take()).toEqual([]);
  });

  it("AWAY sets (306) and clears (305) the message; a PRIVMSG to an away user gets 301", () => {
    const { a, b } = threeOnChannel();
    b.send("AWAY :gone fishing");
    expect(b.take()).toEqual([`:${S} 306 b :You have been marked as being away`]);
    a.send("PRIVMSG b :hi", "NOTICE b :hi");
    expect(a.take()).toEqual([`:${S} 301 a b :gone fishing`]);
    b.send("AWAY");
    expect(b.take()).toEqual([
      ":a!a@10.0.0.2 PRIVMSG b :hi",
      ":a!a@10.0.0.2 NOTICE b :hi",
      `:${S} 305 b :You are no longer marked as being away`,
    ]);
    a.send("PRIVMSG b :back?");
    expect(a.take()).toEqual([]);
  });

  it("cuts a relayed message so the line fits 512 bytes, never inside a character", () => {
    const { a, b } = threeOnChannel();
    const text = "é".repeat(240);
    a.send(`PRIVMSG #c :${text}`);
    const [line] = b.take();
    expect(Buffer.byteLength(line ?? "") + 2).toBeLessThanOrEqual(512);
    const relayed = line?.split(" :")[1] ?? "";
    expect(text.startsWith(relayed)).toBe(true);
    expect(relayed.length).toBeGreaterThan(200);
  });
});

describe("IRCUser NICK, QUIT and lost connections", () => {
  it("tells the user and everyone sharing a channel about a nick change, once each", () => {
    const { a, b, c, register, service } = threeOnChannel();
    a.send("JOIN #d");
    b.send("JOIN #d");
    const loner = register("loner");
    a.take();
    b.take();
    a.send("NICK alice");
    expect(a.take()).toEqual([":a!a@10.0.0.2 NICK alice"]);
    expect(b.take()).toEqual([":a!a@10.0.0.2 NICK alice"]);
    expect(c.take()).toEqual([":a!a@10.0.0.2 NICK alice"]);
    expect(loner.take()).toEqual([]);
    expect(service.getUser("alice")).toBe(a.user);
    expect(service.getUser("a")).toBeUndefined();
    b.send("NICK ALICE", "NICK b", "NICK B");
    expect(b.take()).toEqual([
      `:${S} 433 b ALICE :Nickname is already in use`,
      ":b!b@10.0.0.3 NICK B",
    ]);
    a.send("NICK Alice");
    expect(a.take()).toEqual([":b!b@10.0.0.3 NICK B", ":alice!a@10.0.0.2 NICK Alice"]);
  });

  it("QUIT tells peers once, answers ERROR :Closing Link and closes; the user is gone", () => {
    const { a, b, c, service } = threeOnChannel();
    a.send("JOIN #d");
    b.send("JOIN #d");
    a.take();
    b.take();
    a.send("QUIT :off to bed", "PRIVMSG #c :after quit");
    expect(a.take()).toEqual(["ERROR :Closing Link: 10.0.0.2 (off to bed)"]);
    expect(a.closed).toBe(true);
    expect(b.take()).toEqual([":a!a@10.0.0.2 QUIT :off to bed"]);
    expect(c.take()).toEqual([":a!a@10.0.0.2 QUIT :off to bed"]);
    expect(service.getUser("a")).toBeUndefined();
    expect(service.getChannel("#c")?.members.size).toBe(2);
    expect(service.getChannel("#d")?.members.size).toBe(1);
  });

  it("QUIT without a reason uses Client Quit", () => {
    const { a, b } = threeOnChannel();
    a.send("QUIT");
    expect(b.take()).toEqual([":a!a@10.0.0.2 QUIT :Client Quit"]);
  });

  it("a lost connection removes the user, tells its peers, and removes empty channels", () => {
    const { a, b, c, service, factory } = threeOnChannel();
    a.send("JOIN #alone");
    a.transport.loseConnection();
    expect(b.take()).toEqual([":a!a@10.0.0.2 QUIT :Connection closed"]);
    expect(c.take()).toEqual([":a!a@10.0.0.2 QUIT :Connection closed"]);
    expect(service.getUser("a")).toBeUndefined();
    expect(service.getChannel("#alone")).toBeUndefined();
    expect(factory.connections.has(a.user)).toBe(false);
    b.send("NAMES #c");
    expect(b.take()[0]).toBe(`:${S} 353 b = #c :b c`);
  });

  it("an unregistered connection that is lost leaves nothing behind", () => {
    const { connect, factory, service } = makeServer();
    const c = connect();
    c.send("NICK x");
    expect(factory.connections.size).toBe(1);
    c.transport.loseConnection();
    expect(factory.connections.size).toBe(0);
    expect(service.users.size).toBe(0);
  });
});
