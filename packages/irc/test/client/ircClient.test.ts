import { Clock, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  ctcpDequote,
  ctcpExtract,
  ctcpQuote,
  IRCClient,
  IRCInjectionError,
  ServerSupportedFeatures,
  splitByBytes,
} from "../../src/index.js";

type Call = [string, ...unknown[]];

const CALLBACKS = [
  "signedOn",
  "yourHost",
  "created",
  "myInfo",
  "isupport",
  "bounce",
  "luserClient",
  "luserOp",
  "luserChannels",
  "luserMe",
  "receivedMOTD",
  "joined",
  "left",
  "kickedFrom",
  "nickChanged",
  "privmsg",
  "noticed",
  "action",
  "userJoined",
  "userLeft",
  "userQuit",
  "userKicked",
  "userRenamed",
  "topicUpdated",
  "pong",
  "irc_unknown",
] as const;

class Recorder extends IRCClient {
  calls: Call[] = [];
  override clock = new Clock();
  override nickname = "me";
  // Twisted's defaults: no IRCv3 negotiation, no send queue (both are tested elsewhere).
  override capabilities: string[] = [];
  override lineRate: number | null = null;
  constructor() {
    super();
    this.clock.advance(1000);
    for (const name of CALLBACKS) {
      const original = (IRCClient.prototype as unknown as Record<string, Function>)[name];
      (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        this.calls.push([name, ...args]);
        return original?.apply(this, args);
      };
    }
  }
}

function connect(): { client: Recorder; transport: StringTransport } {
  const client = new Recorder();
  const transport = new StringTransport();
  client.makeConnection(transport);
  return { client, transport };
}

function feed(client: IRCClient, ...lines: string[]): void {
  for (const line of lines) client.dataReceived(Buffer.from(`${line}\r\n`));
}

function sent(transport: StringTransport): string[] {
  const text = transport.value().toString("utf8");
  transport.clear();
  return text === "" ? [] : text.replace(/\r\n$/, "").split("\r\n");
}

function fresh(): { client: Recorder; transport: StringTransport } {
  const pair = connect();
  pair.transport.clear();
  return pair;
}

describe("IRCClient registration", () => {
  it("sends NICK and USER", () => {
    const { transport } = connect();
    expect(sent(transport)).toEqual(["NICK me", "USER me foo bar me"]);
  });

  it("sends PASS first when a password is set", () => {
    const client = new IRCClient();
    client.password = "secret";
    client.username = "u";
    client.realname = "Real Name";
    const transport = new StringTransport();
    client.makeConnection(transport);
    // By default IRCv3 capability negotiation starts first; registration follows at once.
    expect(sent(transport)).toEqual([
      "CAP LS 302",
      "PASS secret",
      "NICK irc",
      "USER u foo bar :Real Name",
    ]);
  });

  it("001 sets hostname and nickname and calls signedOn", () => {
    const { client } = fresh();
    client.setNick("other");
    feed(client, ":irc.example 001 other :Welcome");
    expect(client.hostname).toBe("irc.example");
    expect(client.nickname).toBe("other");
    expect(client.calls).toEqual([["signedOn"]]);
  });

  it("retries a nick in use with _ appended, compounding", () => {
    const { client, transport } = fresh();
    feed(client, ":s 433 * me :in use", ":s 433 * me_ :in use");
    expect(sent(transport)).toEqual(["NICK me_", "NICK me__"]);
    feed(client, ":s 001 me__ :hi");
    expect(client.nickname).toBe("me__");
  });

  it("uses the fallback on 432 only before registration", () => {
    const { client, transport } = fresh();
    feed(client, ":s 432 * bad :Erroneous");
    expect(sent(transport)).toEqual(["NICK defaultnick"]);
    feed(client, ":s 001 defaultnick :hi", ":s 432 defaultnick x :Erroneous");
    expect(sent(transport)).toEqual([]);
  });
});

describe("IRCClient callbacks", () => {
  const cases: [string, Call[]][] = [
    [":s 002 me :Your host is s", [["yourHost", "Your host is s"]]],
    [":s 003 me :created today", [["created", "created today"]]],
    [":s 004 me s v1 iw ntk", [["myInfo", "s", "v1", "iw", "ntk"]]],
    [":s 004 me s", [["myInfo", "s", null, null, null]]],
    [":s 010 me other.example 6667", [["bounce", "other.example 6667"]]],
    [":s 251 me :There are 3 users", [["luserClient", "There are 3 users"]]],
    [":s 252 me 4 :operators", [["luserOp", 4]]],
    [":s 252 me x :operators", []],
    [":s 254 me 7 :channels", [["luserChannels", 7]]],
    [":s 255 me :I have 3 clients", [["luserMe", "I have 3 clients"]]],
    [":me!u@h JOIN #c", [["joined", "#c"]]],
    [":ME!u@h JOIN :#c", [["joined", "#c"]]],
    [":bob!u@h JOIN #c", [["userJoined", "bob", "#c"]]],
    [":me!u@h PART #c", [["left", "#c"]]],
    [":bob!u@h PART #c :bye", [["userLeft", "bob", "#c"]]],
    [":bob!u@h QUIT :gone", [["userQuit", "bob", "gone"]]],
    [":op!u@h KICK #c me :out", [["kickedFrom", "#c", "op", "out"]]],
    [":op!u@h KICK #c bob :out", [["userKicked", "bob", "#c", "op", "out"]]],
    [":me!u@h NICK new", [["nickChanged", "new"]]],
    [":bob!u@h NICK :robert", [["userRenamed", "bob", "robert"]]],
    [":bob!u@h PRIVMSG #c :hello there", [["privmsg", "bob!u@h", "#c", "hello there"]]],
    [":bob!u@h PRIVMSG me :psst", [["privmsg", "bob!u@h", "me", "psst"]]],
    [":bob!u@h PRIVMSG #c :", []],
    [":bob!u@h NOTICE me :note", [["noticed", "bob!u@h", "me", "note"]]],
    [":bob!u@h PRIVMSG #c :\x01ACTION waves\x01", [["action", "bob!u@h", "#c", "waves"]]],
    [":bob!u@h TOPIC #c :new topic", [["topicUpdated", "bob", "#c", "new topic"]]],
    [":s 332 me #c :the topic", [["topicUpdated", "s", "#c", "the topic"]]],
    [":s 331 me #c :No topic", [["topicUpdated", "s", "#c", ""]]],
    [":s 999 me x :what", [["irc_unknown", "s", "999", ["me", "x", "what"]]]],
    [":s FOO a b", [["irc_unknown", "s", "FOO", ["a", "b"]]]],
    [
      ":s 311 me bob u h * :Bob",
      [["irc_unknown", "s", "311", ["me", "bob", "u", "h", "*", "Bob"]]],
    ],
  ];
  for (const [line, expected] of cases) {
    it(`${JSON.stringify(line)}`, () => {
      const { client } = fresh();
      feed(client, line);
      expect(client.calls).toEqual(expected);
    });
  }

  it("nickChanged sets nickname", () => {
    const { client } = fresh();
    feed(client, ":me!u@h NICK new");
    expect(client.nickname).toBe("new");
  });

  it("collects the MOTD, with or without 375", () => {
    const { client } = fresh();
    feed(client, ":s 375 me :- s MOTD", ":s 372 me :- line one", ":s 372 me :line two");
    feed(client, ":s 376 me :End");
    expect(client.calls).toEqual([["receivedMOTD", ["s MOTD", "line one", "line two"]]]);
    expect(client.motd).toBeNull();
    client.calls = [];
    feed(client, ":s 372 me :- only", ":s 376 me :End");
    expect(client.calls).toEqual([["receivedMOTD", ["only"]]]);
  });

  it("005 updates supported and calls isupport", () => {
    const { client } = fresh();
    feed(
      client,
      ":s 005 me PREFIX=(qov)~@+ CHANTYPES=# CASEMAPPING=ascii NETWORK=Ex :are supported",
    );
    expect(client.calls).toEqual([
      ["isupport", ["PREFIX=(qov)~@+", "CHANTYPES=#", "CASEMAPPING=ascii", "NETWORK=Ex"]],
    ]);
    expect(client.supported.prefix.get("q")).toEqual({ symbol: "~", rank: 0 });
    expect(client.supported.chanTypes).toBe("#");
    expect(client.supported.caseMapping).toBe("ascii");
    expect(client.supported.getFeature("network")).toBe("Ex");
  });

  it("answers PING with PONG", () => {
    const { client, transport } = fresh();
    feed(client, "PING :irc.example", "PING :a b");
    expect(sent(transport)).toEqual(["PONG irc.example", "PONG :a b"]);
  });

  it("accepts bare LF line ends and ignores blank lines", () => {
    const { client } = fresh();
    client.dataReceived(Buffer.from(":bob!u@h QUIT :x\n\r\n\n"));
    expect(client.calls).toEqual([["userQuit", "bob", "x"]]);
  });

  it("ignores a malformed line without crashing and goes on", () => {
    const { client } = fresh();
    expect(() => feed(client, ":only-a-prefix", "@a=b", ":bob!u@h QUIT :x")).not.toThrow();
    expect(client.calls).toEqual([["userQuit", "bob", "x"]]);
  });

  it("logs an exception from a callback and goes on", () => {
    const { client } = fresh();
    client.userQuit = () => {
      throw new Error("boom");
    };
    expect(() => feed(client, ":bob!u@h QUIT :x", ":bob!u@h JOIN #c")).not.toThrow();
    expect(client.calls).toEqual([["userJoined", "bob", "#c"]]);
  });

  it("delivers the same callbacks when the input is split at any byte offset", () => {
    const text = [
      ":s 001 me :Welcome",
      ":bob!u@h PRIVMSG #c :héllo 😀 wörld",
      ":bob!u@h PRIVMSG #c :\x01ACTION dances\x01",
      ":me!u@h JOIN #c",
      "PING :x",
    ]
      .map((l) => `${l}\r\n`)
      .join("");
    const bytes = Buffer.from(text);
    const whole = fresh();
    whole.client.dataReceived(bytes);
    const expected = whole.client.calls;
    const expectedSent = whole.transport.value().toString();
    expect(expected.length).toBe(4);
    for (let i = 0; i <= bytes.length; i++) {
      const { client, transport } = fresh();
      client.dataReceived(Buffer.from(bytes.subarray(0, i)));
      client.dataReceived(Buffer.from(bytes.subarray(i)));
      expect(client.calls).toEqual(expected);
      expect(transport.value().toString()).toBe(expectedSent);
    }
  });
});

describe("IRCClient CTCP", () => {
  it("quotes and extracts", () => {
    expect(ctcpQuote("a\\b\x01c")).toBe("a\\\\b\\ac");
    expect(ctcpDequote("a\\\\b\\ac")).toBe("a\\b\x01c");
    expect(ctcpExtract("hi \x01ACTION x y\x01 there\x01VERSION\x01")).toEqual({
      extended: [
        ["ACTION", "x y"],
        ["VERSION", null],
      ],
      normal: ["hi ", " there"],
    });
  });

  it("answers VERSION only when versionName is set", () => {
    const { client, transport } = fresh();
    feed(client, ":bob!u@h PRIVMSG me :\x01VERSION\x01");
    expect(sent(transport)).toEqual([]);
    client.versionName = "tt";
    client.versionNum = "1.0";
    client.versionEnv = "node";
    feed(client, ":bob!u@h PRIVMSG me :\x01VERSION\x01");
    expect(sent(transport)).toEqual(["NOTICE bob :\x01VERSION tt:1.0:node\x01"]);
  });

  it("answers PING, ERRMSG, SOURCE, USERINFO, FINGER and TIME", () => {
    const { client, transport } = fresh();
    client.userinfo = "info";
    client.fingerReply = () => "finger";
    client.clock.advance(Date.UTC(2020, 0, 2, 3, 4, 5) / 1000 - client.clock.seconds());
    feed(
      client,
      ":bob!u@h PRIVMSG me :\x01PING 123\x01",
      ":bob!u@h PRIVMSG me :\x01ERRMSG oops\x01",
      ":bob!u@h PRIVMSG me :\x01SOURCE\x01",
      ":bob!u@h PRIVMSG me :\x01USERINFO\x01",
      ":bob!u@h PRIVMSG me :\x01FINGER\x01",
      ":bob!u@h PRIVMSG me :\x01TIME\x01",
    );
    const lines = sent(transport);
    expect(lines.slice(0, 5)).toEqual([
      "NOTICE bob :\x01PING 123\x01",
      "NOTICE bob :\x01ERRMSG oops :No error has occurred.\x01",
      "NOTICE bob :\x01SOURCE http://twistedmatrix.com/downloads/\x01\x01SOURCE\x01",
      "NOTICE bob :\x01USERINFO info\x01",
      "NOTICE bob :\x01FINGER finger\x01",
    ]);
    expect(lines[5]?.replaceAll("\x01", "|")).toMatch(
      /^NOTICE bob :\|TIME :\w{3} Jan {1,2}\d \d\d:\d\d:05 2020\|$/,
    );
  });

  it("answers CLIENTINFO with the sorted tags, help, or ERRMSG; unknown queries get nothing", () => {
    const { client, transport } = fresh();
    feed(
      client,
      ":bob!u@h PRIVMSG me :\x01CLIENTINFO\x01",
      ":bob!u@h PRIVMSG me :\x01CLIENTINFO PING\x01",
      ":bob!u@h PRIVMSG me :\x01CLIENTINFO NOPE\x01",
      ":bob!u@h PRIVMSG me :\x01NOPE\x01",
    );
    expect(sent(transport)).toEqual([
      "NOTICE bob :\x01CLIENTINFO ACTION CLIENTINFO ERRMSG FINGER PING SOURCE TIME USERINFO VERSION\x01",
      "NOTICE bob :\x01CLIENTINFO Echo the data, to measure round-trip time.\x01",
      "NOTICE bob :\x01ERRMSG CLIENTINFO NOPE :Unknown query 'NOPE'\x01",
    ]);
  });

  it("handles a repeated tag once and passes text on to privmsg", () => {
    const { client, transport } = fresh();
    feed(client, ":bob!u@h PRIVMSG me :\x01PING a\x01\x01PING b\x01 hi");
    expect(sent(transport)).toEqual(["NOTICE bob :\x01PING a\x01"]);
    expect(client.calls).toEqual([["privmsg", "bob!u@h", "me", " hi"]]);
  });

  it("sends ACTION with describe and times ping/pong", () => {
    const { client, transport } = fresh();
    client.describe("#c", "waves");
    client.ping("bob", "k1");
    expect(sent(transport)).toEqual([
      "PRIVMSG #c :\x01ACTION waves\x01",
      "PRIVMSG bob :\x01PING k1\x01",
    ]);
    client.clock.advance(2.5);
    feed(client, ":bob!u@h NOTICE me :\x01PING k1\x01", ":bob!u@h NOTICE me :\x01PING zz\x01");
    expect(client.calls).toEqual([["pong", "bob!u@h", 2.5]]);
  });

  it("keeps only the last 12 pings", () => {
    const { client } = fresh();
    for (let i = 0; i < 20; i++) client.ping("bob", `k${i}`);
    feed(client, ":bob!u@h NOTICE me :\x01PING k0\x01", ":bob!u@h NOTICE me :\x01PING k19\x01");
    expect(client.calls.map((c) => c[0])).toEqual(["pong"]);
  });
});

describe("IRCClient commands", () => {
  it("sends each command", () => {
    const { client, transport } = fresh();
    client.join("c");
    client.join("#c", "key");
    client.leave("c", "bye now");
    client.part("&c");
    client.kick("c", "bob", "spam");
    client.invite("bob", "c");
    client.topic("c");
    client.topic("c", "new topic");
    client.mode("#c", true, "o", undefined, "bob");
    client.mode("#c", false, "l");
    client.mode("#c", true, "l", 10);
    client.say("c", "hi");
    client.msg("bob", "hi");
    client.notice("bob", "hi there");
    client.away("lunch");
    client.back();
    client.whois("bob");
    client.whois("bob", "srv");
    client.setNick("n2");
    client.quit("bye");
    client.sendCommand("TAGMSG", ["#c"], { "+typing": "active" });
    expect(sent(transport)).toEqual([
      "JOIN #c",
      "JOIN #c key",
      "PART #c :bye now",
      "PART &c",
      "KICK #c bob spam",
      "INVITE bob #c",
      "TOPIC #c",
      "TOPIC #c :new topic",
      "MODE #c +o bob",
      "MODE #c -l",
      "MODE #c +l 10",
      "PRIVMSG #c hi",
      "PRIVMSG bob hi",
      "NOTICE bob :hi there",
      "AWAY lunch",
      "AWAY :",
      "WHOIS bob",
      "WHOIS srv bob",
      "NICK n2",
      "QUIT bye",
      "@+typing=active TAGMSG #c",
    ]);
  });

  it("refuses CR, LF and NUL with IRCInjectionError and sends nothing", () => {
    const { client, transport } = fresh();
    expect(() => client.msg("#c", "hi\r\nQUIT :pwned")).toThrow(IRCInjectionError);
    expect(() => client.say("#c", "a\nb")).toThrow(IRCInjectionError);
    expect(() => client.notice("bob", "a\0b")).toThrow(IRCInjectionError);
    expect(() => client.msg("bob\r\nQUIT", "x")).toThrow(IRCInjectionError);
    expect(() => client.join("#c\r\nQUIT")).toThrow(IRCInjectionError);
    expect(() => client.quit("a\rb")).toThrow(IRCInjectionError);
    expect(() => client.sendLine("PRIVMSG a :b\r\nQUIT")).toThrow(IRCInjectionError);
    expect(transport.value().length).toBe(0);
  });
});

describe("msg splitting", () => {
  it("splits long text by bytes so every line is at most 512 bytes", () => {
    const { client, transport } = fresh();
    const text = "héllo wörld 😀 ".repeat(100).trim();
    const chunks = client.msg("#channel", text);
    const lines = transport.value().toString("utf8").split("\r\n").slice(0, -1);
    expect(lines.length).toBe(chunks.length);
    expect(chunks.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(Buffer.byteLength(`${line}\r\n`)).toBeLessThanOrEqual(512 - 77 - 9);
      expect(line.startsWith("PRIVMSG #channel :")).toBe(true);
    }
    expect(chunks.join(" ")).toBe(text);
  });

  it("never splits inside a multi-byte character", () => {
    const { client, transport } = fresh();
    const text = "é😀€".repeat(300);
    const chunks = client.msg("bob", text, 100);
    const raw = transport.value();
    expect(raw.toString("utf8")).not.toContain("\ufffd");
    expect(chunks.join("")).toBe(text);
    for (const line of raw.toString("utf8").split("\r\n").slice(0, -1)) {
      expect(Buffer.byteLength(`${line}\r\n`)).toBeLessThanOrEqual(100);
    }
    for (const chunk of chunks) expect(chunk).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/u);
  });

  it("fits exactly or splits one byte over", () => {
    const fmt = Buffer.byteLength("PRIVMSG bob :") + 2;
    const { client } = fresh();
    expect(client.msg("bob", "a".repeat(50), fmt + 50)).toEqual(["a".repeat(50)]);
    expect(client.msg("bob", "a".repeat(50), fmt + 49)).toHaveLength(2);
    expect(() => client.msg("bob", "a", fmt + 3)).toThrow(RangeError);
  });

  it("splitByBytes breaks at spaces and drops them", () => {
    expect(splitByBytes("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(splitByBytes("aaaaaaaaaa", 4)).toEqual(["aaaa", "aaaa", "aa"]);
    expect(splitByBytes("", 10)).toEqual([]);
    expect(splitByBytes("😀😀", 5)).toEqual(["😀", "😀"]);
  });
});

describe("ServerSupportedFeatures", () => {
  it("has Twisted's defaults and parses tokens", () => {
    const s = new ServerSupportedFeatures();
    expect(s.nickLen).toBe(9);
    expect(s.getFeature("CHANNELLEN")).toBe(200);
    expect(s.prefix.get("o")).toEqual({ symbol: "@", rank: 0 });
    expect(s.getFeature("CHANMODES")).toEqual({
      addressModes: "b",
      param: "",
      setParam: "lk",
      noParam: "",
    });
    s.parse(["NICKLEN=notanint", "MODES=4", "INVEX", "EXCEPTS=Z", "NETWORK=a\\x20b"]);
    expect(s.nickLen).toBe(9);
    expect(s.getFeature("MODES")).toBe(4);
    expect(s.hasFeature("INVEX")).toBe(true);
    expect(s.getFeature("NETWORK")).toBe("a b");
    s.parse(["-INVEX", "-INVEX", "CASEMAPPING=rfc7613"]);
    expect(s.hasFeature("INVEX")).toBe(false);
    expect(s.caseMapping).toBe("rfc1459");
    expect(s.getFeature("missing", 1)).toBe(1);
  });
});
