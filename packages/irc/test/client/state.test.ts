import { ConnectionLost, Failure, type IAddress, type IConnector } from "@twisted-ts/core";
import { Clock, StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  IRCBadModes,
  IRCClient,
  IRCClientFactory,
  type ModeChange,
  parseModes,
  splitByBytes,
} from "../../src/index.js";

class Client extends IRCClient {
  override clock = new Clock();
  override nickname = "me";
  override capabilities: string[] = [];
  modes: unknown[][] = [];
  override modeChanged(
    user: string,
    channel: string,
    set: boolean,
    modes: string,
    args: ReadonlyArray<string | null>,
  ): void {
    this.modes.push([user, channel, set, modes, [...args]]);
  }
}

function start(setup: (c: Client) => void = () => {}): { client: Client; t: StringTransport } {
  const client = new Client();
  setup(client);
  const t = new StringTransport();
  client.makeConnection(t);
  return { client, t };
}

function feed(client: IRCClient, ...lines: string[]): void {
  for (const line of lines) client.dataReceived(Buffer.from(`${line}\r\n`));
}

function sent(t: StringTransport): string[] {
  const text = t.value().toString("utf8");
  t.clear();
  return text === "" ? [] : text.replace(/\r\n$/, "").split("\r\n");
}

describe("parseModes (Twisted's edge cases)", () => {
  const cases: Array<[string, string[], [string, string], [ModeChange[], ModeChange[]]]> = [
    ["+o", ["bob"], ["o", "o"], [[["o", "bob"]], []]],
    ["-o", ["bob"], ["o", "o"], [[], [["o", "bob"]]]],
    [
      "+ov-t",
      ["a", "b"],
      ["ov", "ov"],
      [
        [
          ["o", "a"],
          ["v", "b"],
        ],
        [["t", null]],
      ],
    ],
    ["+l-l", ["10"], ["l", ""], [[["l", "10"]], [["l", null]]]],
    [
      "+s+t",
      [],
      ["", ""],
      [
        [
          ["s", null],
          ["t", null],
        ],
        [],
      ],
    ],
  ];
  for (const [modes, params, paramModes, expected] of cases) {
    it(`parses ${modes} ${params.join(" ")}`, () => {
      expect(parseModes(modes, params, paramModes)).toEqual(expected);
    });
  }

  for (const [modes, params] of [
    ["", []],
    ["+", []],
    ["+-", []],
    ["-+o", ["x"]],
    ["o", ["x"]],
    ["+o", []],
    ["+t", ["extra"]],
  ] as Array<[string, string[]]>) {
    it(`refuses ${JSON.stringify(modes)} with ${params.length} params`, () => {
      expect(() => parseModes(modes, params, ["o", "o"])).toThrow(IRCBadModes);
    });
  }
});

describe("MODE and modeChanged", () => {
  it("calls modeChanged once for added and once for removed, with PREFIX/CHANMODES params", () => {
    const { client } = start();
    feed(client, ":s 005 me PREFIX=(ov)@+ CHANMODES=beI,k,l,imnst :are supported");
    feed(client, ":op!o@h MODE #c +ovl-kt a b 5 key");
    expect(client.modes).toEqual([
      ["op!o@h", "#c", true, "ovl", ["a", "b", "5"]],
      ["op!o@h", "#c", false, "kt", ["key", null]],
    ]);
  });

  it("treats a missing sign as + and user modes as taking no parameters", () => {
    const { client } = start();
    feed(client, ":me MODE me iw", ":me MODE me -x");
    expect(client.modes).toEqual([
      ["me", "me", true, "iw", [null, null]],
      ["me", "me", false, "x", [null]],
    ]);
  });

  it("logs a malformed MODE and calls nothing", () => {
    const { client } = start();
    feed(client, ":op!o@h MODE #c +o", ":op!o@h MODE #c +-", ":op!o@h MODE #c");
    expect(client.modes).toEqual([]);
  });
});

describe("channel and member tracking", () => {
  function joined() {
    const pair = start((c) => {
      c.lineRate = null;
    });
    feed(
      pair.client,
      ":s 001 me :Welcome me!u@host.example",
      ":s 005 me PREFIX=(qov)~@+ CASEMAPPING=rfc1459 :are supported",
      ":me!u@host.example JOIN #Chan",
      ":s 332 me #Chan :the topic",
      ":s 333 me #Chan op!o@h 1700000000",
      ":s 353 me = #Chan :~@me @+bob carol!c@h.example",
      ":s 353 me = #Chan :+dave",
      ":s 366 me #Chan :End of NAMES",
    );
    return pair;
  }

  it("builds members from NAMES with multi-prefix and userhost-in-names", () => {
    const { client } = joined();
    const chan = client.getChannel("#chan");
    expect(chan?.name).toBe("#Chan");
    expect(chan?.namesComplete).toBe(true);
    expect(chan?.topic).toBe("the topic");
    expect(chan?.topicSetBy).toBe("op!o@h");
    expect(chan?.nicks()).toEqual(["me", "bob", "carol", "dave"]);
    expect(chan?.getMember("ME")?.modes).toBe("qo");
    expect(chan?.getMember("bob")?.modes).toBe("ov");
    expect(chan?.getMember("carol")).toMatchObject({ user: "c", host: "h.example", modes: "" });
    expect(client.userhost).toBe("me!u@host.example");
  });

  it("follows JOIN, PART, KICK, QUIT, NICK and status MODEs (case-mapping aware)", () => {
    const { client } = joined();
    const chan = client.getChannel("#CHAN");
    feed(client, ":erin!e@h JOIN #chan");
    expect(chan?.hasMember("Erin")).toBe(true);
    feed(client, ":bob!b@h PART #chan :bye");
    expect(chan?.hasMember("bob")).toBe(false);
    feed(client, ":me!u@h KICK #chan carol :out");
    expect(chan?.hasMember("carol")).toBe(false);
    feed(client, ":dave!d@h NICK dave[away]", ":me!u@h MODE #chan +o-v DAVE{AWAY} dave{away}");
    expect(chan?.getMember("DAVE{away}")).toMatchObject({ nick: "dave[away]", modes: "o" });
    feed(client, ":erin!e@h QUIT :gone");
    expect(chan?.nicks()).toEqual(["me", "dave[away]"]);
    // CHANMODES defaults to Twisted's "b,,lk,": k and l take a parameter only when set.
    feed(client, ":me!u@h MODE #chan +lk 10 secret", ":me!u@h MODE #chan -k");
    expect([...(chan?.modes ?? [])]).toEqual([["l", "10"]]);
    feed(client, ":me!u@h PART #chan");
    expect(client.getChannel("#chan")).toBeUndefined();
  });

  it("renames us, keeps our userhost, and forgets a channel we are kicked from", () => {
    const { client } = joined();
    feed(client, ":me!u@host.example NICK newme");
    expect(client.nickname).toBe("newme");
    expect(client.userhost).toBe("newme!u@host.example");
    expect(client.getChannel("#chan")?.hasMember("newme")).toBe(true);
    feed(client, ":op!o@h KICK #chan newme :bye");
    expect(client.channels.size).toBe(0);
  });

  it("re-keys members when the case mapping changes", () => {
    const { client } = start();
    feed(client, ":me!u@h JOIN #a", ":s 353 me = #a :me [x]");
    feed(client, ":s 005 me CASEMAPPING=ascii :are supported");
    expect(client.getChannel("#a")?.hasMember("[X]")).toBe(true);
    expect(client.getChannel("#a")?.hasMember("{x}")).toBe(false);
  });

  it("takes a refreshed NAMES list as a whole", () => {
    const { client } = joined();
    feed(client, ":s 353 me = #Chan :me", ":s 366 me #Chan :End");
    expect(client.getChannel("#chan")?.nicks()).toEqual(["me"]);
  });

  it("splits messages against our real prefix once it is known", () => {
    const { client, t } = joined();
    t.clear();
    const text = "x".repeat(1000);
    const chunks = client.msg("#Chan", text);
    const prefix = ":me!u@host.example ";
    // The budget assumes the trailing form (" :text"), so a line without spaces is one short.
    const lines = sent(t);
    expect(lines.length).toBe(3); // 475 bytes of text per line
    for (const line of lines) {
      expect(Buffer.byteLength(`${prefix}${line}\r\n`)).toBeLessThanOrEqual(512);
    }
    expect(Buffer.byteLength(`${prefix}${lines[0]}\r\n`)).toBe(511);
    expect(chunks.join("")).toBe(text.slice(0, chunks.join("").length));
  });
});

describe("the send queue (lineRate, lineBurst)", () => {
  it("sends a burst at once, then one line per lineRate seconds, PONG first", () => {
    const { client, t } = start((c) => {
      c.lineRate = 2;
      c.lineBurst = 3;
    });
    feed(client, ":s 001 me :hi");
    t.clear();
    client.clock.advance(10);
    for (let i = 0; i < 6; i++) client.say("#c", `m${i}`);
    expect(sent(t)).toEqual(["PRIVMSG #c m0", "PRIVMSG #c m1", "PRIVMSG #c m2"]);
    expect(client.pendingLines).toBe(3);
    feed(client, "PING :token");
    expect(sent(t)).toEqual(["PONG token"]);
    client.clock.advance(1.9);
    expect(sent(t)).toEqual([]);
    client.clock.advance(0.1);
    expect(sent(t)).toEqual(["PRIVMSG #c m3"]);
    client.clock.advance(2);
    expect(sent(t)).toEqual(["PRIVMSG #c m4"]);
    client.clock.advance(2);
    expect(sent(t)).toEqual(["PRIVMSG #c m5"]);
    expect(client.pendingLines).toBe(0);
  });

  it("drops what is still queued when the connection is lost, and leaves no timer", () => {
    const { client, t } = start((c) => {
      c.lineRate = 1;
      c.lineBurst = 1;
    });
    feed(client, ":s 001 me :hi");
    client.clock.advance(5);
    t.clear();
    for (let i = 0; i < 4; i++) client.say("#c", `m${i}`);
    expect(sent(t)).toEqual(["PRIVMSG #c m0"]);
    client.connectionLost(new Failure(new ConnectionLost()));
    expect(client.pendingLines).toBe(0);
    expect(client.clock.getDelayedCalls()).toEqual([]);
  });

  it("sends everything at once with lineRate null, after what was queued", () => {
    const { client, t } = start((c) => {
      c.lineRate = 1;
      c.lineBurst = 1;
    });
    feed(client, ":s 001 me :hi");
    client.clock.advance(5);
    t.clear();
    client.say("#c", "a");
    client.say("#c", "b");
    client.lineRate = null;
    client.say("#c", "c");
    expect(sent(t)).toEqual(["PRIVMSG #c a", "PRIVMSG #c b", "PRIVMSG #c c"]);
  });
});

describe("the heartbeat", () => {
  it("PINGs the server every heartbeatInterval once registered, and stops on connectionLost", () => {
    const { client, t } = start((c) => {
      c.heartbeatInterval = 30;
      c.lineRate = null;
    });
    feed(client, ":irc.example 001 me :hi");
    t.clear();
    client.clock.advance(30);
    expect(sent(t)).toEqual(["PING irc.example"]);
    feed(client, ":irc.example PONG irc.example :irc.example");
    client.clock.advance(30);
    expect(sent(t)).toEqual(["PING irc.example"]);
    client.connectionLost(new Failure(new ConnectionLost()));
    expect(client.clock.getDelayedCalls()).toEqual([]);
  });

  it("drops a connection the server has been silent on for two intervals", () => {
    const { client, t } = start((c) => {
      c.heartbeatInterval = 10;
      c.lineRate = null;
    });
    feed(client, ":s 001 me :hi");
    client.clock.advance(10);
    client.clock.advance(10);
    expect(t.disconnecting).toBe(true);
  });

  it("has no heartbeat when heartbeatInterval is null", () => {
    const { client } = start((c) => {
      c.heartbeatInterval = null;
    });
    feed(client, ":s 001 me :hi");
    expect(client.clock.getDelayedCalls()).toEqual([]);
  });
});

describe("IRCClientFactory", () => {
  const addr = { type: "TCP" } as unknown as IAddress;

  it("rejoins the channels the lost client was in, after signedOn, with backoff reset", () => {
    const clock = new Clock();
    const factory = new IRCClientFactory(() => {
      const c = new Client();
      c.lineRate = null;
      c.clock = clock;
      return c;
    }, ["#start"]);
    factory.clock = clock;
    factory.random = () => 0.5;
    let connects = 0;
    const connector = {
      connect: () => {
        connects++;
      },
      stopConnecting: () => {},
    } as unknown as IConnector;

    const first = factory.buildProtocol(addr);
    const t1 = new StringTransport();
    first.makeConnection(t1);
    feed(first, ":s 001 me :hi");
    expect(sent(t1)).toContain("JOIN #start");
    feed(first, ":me!u@h JOIN #start", ":me!u@h JOIN #other", ":me!u@h PART #start");
    first.connectionLost(new Failure(new ConnectionLost()));
    factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
    expect([...factory.channels]).toEqual(["#other"]);
    clock.advance(factory.delay + 1);
    expect(connects).toBe(1);

    const second = factory.buildProtocol(addr);
    const t2 = new StringTransport();
    second.makeConnection(t2);
    expect(sent(t2).filter((l) => l.startsWith("JOIN"))).toEqual([]);
    feed(second, ":s 001 me :hi");
    expect(sent(t2)).toEqual(["JOIN #other"]);
    expect(factory.delay).toBe(factory.initialDelay);
  });

  it("keeps the old channels when a connection dies before registration", () => {
    const factory = new IRCClientFactory(() => new Client(), ["#keep"]);
    factory.clock = new Clock();
    const client = factory.buildProtocol(addr);
    client.makeConnection(new StringTransport());
    factory.clientConnectionLost(
      { connect: () => {}, stopConnecting: () => {} } as unknown as IConnector,
      new Failure(new ConnectionLost()),
    );
    expect([...factory.channels]).toEqual(["#keep"]);
    factory.stopTrying();
  });
});

describe("splitByBytes and graphemes", () => {
  it("never splits a grapheme that fits: flags, ZWJ families, combining marks", () => {
    const family = "👨‍👩‍👧‍👦"; // 25 bytes
    expect(splitByBytes(`${family}${family}`, 30)).toEqual([family, family]);
    const flag = "🇫🇷"; // 8 bytes
    expect(splitByBytes(flag.repeat(3), 10)).toEqual([flag, flag, flag]);
    const e = "e\u0301"; // 3 bytes
    expect(splitByBytes(e.repeat(4), 7)).toEqual([e + e, e + e]);
  });

  it("splits a grapheme wider than the budget at code points", () => {
    const family = "👨‍👩‍👧‍👦";
    const chunks = splitByBytes(family, 8);
    expect(chunks.join("")).toBe(family);
    for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(8);
  });

  it("keeps every chunk within budget and loses only spaces at breaks (property)", () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom("a", "bc", " ", "é", "e\u0301", "😀", "👍🏽", "👨‍👩‍👧", "🇯🇵", "中"),
          { maxLength: 80 },
        ),
        fc.integer({ min: 4, max: 40 }),
        (parts, budget) => {
          const text = parts.join("");
          const chunks = splitByBytes(text, budget);
          for (const chunk of chunks) {
            expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(budget);
            expect(chunk).not.toBe("");
          }
          expect(chunks.join("").replace(/ /g, "")).toBe(text.replace(/ /g, ""));
          // Every grapheme that fits the budget stays whole.
          const whole = [...segmenter.segment(chunks.join("\n"))].map((s) => s.segment);
          for (const { segment } of segmenter.segment(text)) {
            if (segment !== " " && Buffer.byteLength(segment) <= budget) {
              expect(whole).toContain(segment);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
