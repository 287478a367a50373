import { describe, expect, it } from "vitest";
import { makeServer } from "./helpers.js";

const S = "irc.twisted-ts.local";

describe("IRCUser channels", () => {
  it("JOIN creates the channel, gives the first joiner +o and replies with JOIN and NAMES", () => {
    const { register, service, clock } = makeServer();
    clock.advance(100);
    const a = register("alice");
    a.send("JOIN #Chan");
    expect(a.take()).toEqual([
      ":alice!alice@10.0.0.2 JOIN #Chan",
      `:${S} 353 alice = #Chan :@alice`,
      `:${S} 366 alice #Chan :End of /NAMES list.`,
    ]);
    const group = service.getChannel("#chan");
    expect(group?.name).toBe("#Chan");
    expect(group?.createdAt).toBe(100);
    expect(group?.isOp(a.user)).toBe(true);
    expect([...(group?.modes ?? [])].sort()).toEqual(["n", "t"]);
  });

  it("tells members about a joiner, and the joiner gets the topic (332, 333) and names", () => {
    const { register, clock } = makeServer();
    const a = register("alice");
    const b = register("bob");
    a.send("JOIN #c");
    clock.advance(42);
    a.send("TOPIC #c :the topic");
    a.take();
    b.send("JOIN #C");
    expect(b.take()).toEqual([
      ":bob!bob@10.0.0.3 JOIN #c",
      `:${S} 332 bob #c :the topic`,
      `:${S} 333 bob #c alice 42`,
      `:${S} 353 bob = #c :@alice bob`,
      `:${S} 366 bob #c :End of /NAMES list.`,
    ]);
    expect(a.take()).toEqual([":bob!bob@10.0.0.3 JOIN #c"]);
  });

  it("joins several channels with keys, ignores a repeated join, and answers 403 to bad names", () => {
    const { register, service } = makeServer({ channelLength: 10 });
    const a = register("a");
    a.send("JOIN #k", "MODE #k +k sesame");
    const b = register("b");
    a.take();
    b.send("JOIN #x,#k,bad,#way-too-long-name,#a:b x,sesame");
    const lines = b.take();
    expect(lines.filter((l) => l.includes(" JOIN "))).toEqual([
      ":b!b@10.0.0.3 JOIN #x",
      ":b!b@10.0.0.3 JOIN #k",
    ]);
    expect(lines.filter((l) => l.includes(" 403 "))).toEqual([
      `:${S} 403 b bad :No such channel`,
      `:${S} 403 b #way-too-long-name :No such channel`,
      `:${S} 403 b #a:b :No such channel`,
    ]);
    b.send("JOIN #x");
    expect(b.take()).toEqual([]);
    expect(service.channelsOf(b.user).map((g) => g.name)).toEqual(["#k", "#x"]);
  });

  it("answers 461 to JOIN without a channel and 405 beyond maxChannelsPerUser", () => {
    const { register } = makeServer({ maxChannelsPerUser: 2 });
    const a = register("a");
    a.send("JOIN", "JOIN #1,#2,#3");
    const lines = a.take();
    expect(lines[0]).toBe(`:${S} 461 a JOIN :Not enough parameters`);
    expect(lines.at(-1)).toBe(`:${S} 405 a #3 :You have joined too many channels`);
  });

  it("JOIN 0 parts every channel, and empty channels are removed", () => {
    const { register, service } = makeServer();
    const a = register("a");
    const b = register("b");
    a.send("JOIN #1,#2");
    b.send("JOIN #2");
    a.take();
    b.take();
    a.send("JOIN 0");
    expect(a.take()).toEqual(["PART #1", "PART #2"].map((p) => `:a!a@10.0.0.2 ${p}`));
    expect(b.take()).toEqual([":a!a@10.0.0.2 PART #2"]);
    expect([...service.channels.keys()]).toEqual(["#2"]);
  });

  it("PART with a reason tells every member; 403, 442 and 461 for bad PARTs", () => {
    const { register, service } = makeServer();
    const a = register("a");
    const b = register("b");
    a.send("JOIN #c");
    b.send("JOIN #c");
    a.take();
    b.take();
    b.send("PART #c :bye now");
    expect(b.take()).toEqual([":b!b@10.0.0.3 PART #c :bye now"]);
    expect(a.take()).toEqual([":b!b@10.0.0.3 PART #c :bye now"]);
    b.send("PART #c", "PART #nope", "PART");
    expect(b.take()).toEqual([
      `:${S} 442 b #c :You're not on that channel`,
      `:${S} 403 b #nope :No such channel`,
      `:${S} 461 b PART :Not enough parameters`,
    ]);
    a.send("PART #c");
    expect(service.getChannel("#c")).toBeUndefined();
  });

  it("TOPIC queries (331, 332, 333) and sets, +t needs an operator, the topic is cut", () => {
    const { register, clock } = makeServer({ topicLength: 5 });
    const a = register("a");
    const b = register("b");
    a.send("JOIN #c");
    b.send("JOIN #c");
    a.take();
    b.take();
    b.send("TOPIC #c");
    expect(b.take()).toEqual([`:${S} 331 b #c :No topic is set.`]);
    b.send("TOPIC #c :mine");
    expect(b.take()).toEqual([`:${S} 482 b #c :You're not channel operator`]);
    clock.advance(7);
    a.send("TOPIC #c :abcdefgh");
    expect(a.take()).toEqual([":a!a@10.0.0.2 TOPIC #c :abcde"]);
    expect(b.take()).toEqual([":a!a@10.0.0.2 TOPIC #c :abcde"]);
    b.send("TOPIC #c");
    expect(b.take()).toEqual([`:${S} 332 b #c :abcde`, `:${S} 333 b #c a 7`]);
    a.send("MODE #c -t");
    b.take();
    b.send("TOPIC #c :");
    expect(b.take()).toEqual([":b!b@10.0.0.3 TOPIC #c :"]);
    b.send("TOPIC #c");
    expect(b.take()).toEqual([`:${S} 331 b #c :No topic is set.`]);
  });

  it("TOPIC answers 461, 403 for a missing channel and 442 to a non-member setting it", () => {
    const { register } = makeServer();
    const a = register("a");
    const b = register("b");
    a.send("JOIN #c", "MODE #c -t");
    b.send("TOPIC", "TOPIC #zz", "TOPIC #c :x");
    expect(b.take()).toEqual([
      `:${S} 461 b TOPIC :Not enough parameters`,
      `:${S} 403 b #zz :No such channel`,
      `:${S} 442 b #c :You're not on that channel`,
    ]);
  });

  it("NAMES with channels, and without: visible channels, then users on none", () => {
    const { register } = makeServer();
    const a = register("a");
    const b = register("b");
    register("c");
    const d = register("d");
    d.send("MODE d +i");
    a.send("JOIN #pub");
    b.send("JOIN #pub,#sec", "MODE #sec +s");
    a.take();
    a.send("NAMES #pub,#sec,#none");
    expect(a.take()).toEqual([
      `:${S} 353 a = #pub :@a b`,
      `:${S} 366 a #pub :End of /NAMES list.`,
      `:${S} 366 a #sec :End of /NAMES list.`,
      `:${S} 366 a #none :End of /NAMES list.`,
    ]);
    a.send("NAMES");
    expect(a.take()).toEqual([
      `:${S} 353 a = #pub :@a b`,
      `:${S} 353 a * * :c`,
      `:${S} 366 a * :End of /NAMES list.`,
    ]);
    b.take();
    b.send("NAMES #sec");
    expect(b.take()).toEqual([`:${S} 353 b @ #sec :@b`, `:${S} 366 b #sec :End of /NAMES list.`]);
  });

  it("LIST shows visible channels with member counts and topics (321, 322, 323)", () => {
    const { register } = makeServer();
    const a = register("a");
    const b = register("b");
    a.send("JOIN #pub", "TOPIC #pub :all welcome", "JOIN #sec", "MODE #sec +s");
    b.send("JOIN #pub");
    b.take();
    b.send("LIST", "LIST #sec,#pub,#none");
    const shown = [
      `:${S} 321 b Channel :Users  Name`,
      `:${S} 322 b #pub 2 :all welcome`,
      `:${S} 323 b :End of /LIST`,
    ];
    expect(b.take()).toEqual([...shown, ...shown]);
    a.take();
    a.send("LIST");
    expect(a.take()).toEqual([
      `:${S} 321 a Channel :Users  Name`,
      `:${S} 322 a #pub 2 :all welcome`,
      `:${S} 322 a #sec 1 :`,
      `:${S} 323 a :End of /LIST`,
    ]);
  });

  it("splits NAMES over several 353 lines that each fit 512 bytes", () => {
    const { register } = makeServer();
    const users = Array.from({ length: 60 }, (_, i) =>
      register(`user${String(i).padStart(22, "x")}`),
    );
    for (const u of users) u.send("JOIN #big");
    const last = users.at(-1);
    last?.take();
    last?.send("NAMES #big");
    const lines = last?.take() ?? [];
    const names = lines.filter((l) => l.includes(" 353 "));
    expect(names.length).toBeGreaterThan(1);
    for (const l of lines) expect(Buffer.byteLength(l) + 2).toBeLessThanOrEqual(512);
    const all = names.flatMap((l) => l.split(" :")[1]?.split(" ") ?? []);
    expect(all.length).toBe(60);
  });

  it("KICK removes a member and tells everyone; 461, 403, 442, 482 and 441 for bad KICKs", () => {
    const { register, service } = makeServer();
    const a = register("a");
    const b = register("b");
    const c = register("c");
    a.send("JOIN #c");
    b.send("JOIN #c");
    a.take();
    b.take();
    b.send("KICK #c a", "KICK #c", "KICK #zz a");
    expect(b.take()).toEqual([
      `:${S} 482 b #c :You're not channel operator`,
      `:${S} 461 b KICK :Not enough parameters`,
      `:${S} 403 b #zz :No such channel`,
    ]);
    c.send("KICK #c b");
    expect(c.take()).toEqual([`:${S} 442 c #c :You're not on that channel`]);
    a.send("KICK #c c,b :behave");
    expect(a.take()).toEqual([
      `:${S} 441 a c #c :They aren't on that channel`,
      ":a!a@10.0.0.2 KICK #c b :behave",
    ]);
    expect(b.take()).toEqual([":a!a@10.0.0.2 KICK #c b :behave"]);
    expect(service.getChannel("#c")?.has(b.user)).toBe(false);
    b.send("JOIN #c");
    a.take();
    a.send("KICK #c b");
    expect(a.take()).toEqual([":a!a@10.0.0.2 KICK #c b :a"]);
  });

  it("INVITE lets a user past +i (341, INVITE, 301); 401, 442, 443, 482, 461", () => {
    const { register } = makeServer();
    const a = register("a");
    const b = register("b");
    const c = register("c");
    a.send("JOIN #c", "MODE #c +i");
    a.take();
    b.send("JOIN #c");
    expect(b.take()).toEqual([`:${S} 473 b #c :Cannot join channel (+i)`]);
    b.send("AWAY :lunch");
    b.take();
    a.send("INVITE b #C");
    expect(a.take()).toEqual([`:${S} 341 a b #c`, `:${S} 301 a b :lunch`]);
    expect(b.take()).toEqual([":a!a@10.0.0.2 INVITE b #c"]);
    b.send("JOIN #c");
    expect(b.take()[0]).toBe(":b!b@10.0.0.3 JOIN #c");
    b.send("INVITE c #c");
    expect(b.take()).toEqual([`:${S} 482 b #c :You're not channel operator`]);
    c.send("INVITE a #c", "INVITE zz #c", "INVITE a");
    expect(c.take()).toEqual([
      `:${S} 442 c #c :You're not on that channel`,
      `:${S} 401 c zz :No such nick/channel`,
      `:${S} 461 c INVITE :Not enough parameters`,
    ]);
    a.take();
    a.send("INVITE b #c");
    expect(a.take()).toEqual([`:${S} 443 a b #c :is already on channel`]);
    a.send("INVITE c #elsewhere");
    expect(a.take()).toEqual([`:${S} 341 a c #elsewhere`]);
    expect(c.take()).toEqual([":a!a@10.0.0.2 INVITE c #elsewhere"]);
  });

  it("honours +k (475), +l (471) and +b (474) on JOIN", () => {
    const { register } = makeServer();
    const a = register("a");
    const b = register("b");
    const c = register("c");
    a.send("JOIN #c", "MODE #c +kl key 2");
    c.send("JOIN #c key");
    a.take();
    c.take();
    b.send("JOIN #c", "JOIN #c wrong");
    expect(b.take()).toEqual([
      `:${S} 475 b #c :Cannot join channel (+k)`,
      `:${S} 475 b #c :Cannot join channel (+k)`,
    ]);
    b.send("JOIN #c key");
    expect(b.take()).toEqual([`:${S} 471 b #c :Cannot join channel (+l)`]);
    a.send("MODE #c -l+b b");
    c.send("PART #c");
    b.send("JOIN #c key");
    expect(b.take()).toEqual([`:${S} 474 b #c :Cannot join channel (+b)`]);
  });
});
