import { globalLogPublisher, type LogEvent } from "@twisted-ts/core";
import { StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { IRC, IRCInjectionError, type IRCMessage, IRCSerializeError } from "../../src/index.js";
import { makeServer } from "./helpers.js";

const S = "irc.twisted-ts.local";

const observers: ((e: LogEvent) => void)[] = [];
afterEach(() => {
  for (const o of observers.splice(0)) globalLogPublisher.removeObserver(o);
});
function captureLogs(): LogEvent[] {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent) => {
    if (e.log_namespace === "twisted-ts.words.service") events.push(e);
  };
  observers.push(observer);
  globalLogPublisher.addObserver(observer);
  return events;
}

class Recorder extends IRC {
  calls: unknown[][] = [];
  irc_HELLO(prefix: string, params: string[], message: IRCMessage): void {
    this.calls.push(["HELLO", prefix, params, message.tags]);
  }
  override irc_unknown(prefix: string, command: string, params: string[]): void {
    this.calls.push(["unknown", prefix, command, params]);
  }
}

function recorder(): { proto: Recorder; transport: StringTransport } {
  const proto = new Recorder();
  const transport = new StringTransport();
  proto.makeConnection(transport);
  return { proto, transport };
}

describe("IRC (the server protocol base)", () => {
  it("dispatches to irc_<COMMAND> upper-cased, with prefix, params and tags, or irc_unknown", () => {
    const { proto } = recorder();
    proto.dataReceived(Buffer.from("@t=1 :me hello a :b c\nWHAT x\r\n\r\n"));
    expect(proto.calls).toEqual([
      ["HELLO", "me", ["a", "b c"], { t: "1" }],
      ["unknown", "", "WHAT", ["x"]],
    ]);
  });

  it("sendMessage writes a CRLF line with a prefix, and refuses CR, LF and NUL", () => {
    const { proto, transport } = recorder();
    proto.sendMessage("PRIVMSG", ["#c", "hi"], "n!u@h");
    proto.sendMessage("PING", ["x"]);
    expect(transport.value().toString()).toBe(":n!u@h PRIVMSG #c :hi\r\nPING x\r\n");
    transport.clear();
    for (const bad of ["a\r\nQUIT", "a\nb", "a\0b"]) {
      expect(() => proto.sendMessage("PRIVMSG", ["#c", bad])).toThrow(IRCInjectionError);
    }
    expect(() => proto.sendMessage("PRIVMSG", ["#c"], "bad\nprefix")).toThrow(IRCInjectionError);
    expect(() => proto.sendLine("a\r\nb")).toThrow(IRCInjectionError);
    expect(() => proto.sendMessage("", [])).toThrow(IRCSerializeError);
    expect(transport.value().length).toBe(0);
  });

  it("has Twisted's reply helpers", () => {
    const { proto, transport } = recorder();
    proto.privmsg("a!u@h", "#c", "hi");
    proto.notice("a!u@h", "b", "note");
    proto.action("a!u@h", "#c", "waves");
    proto.join("a!u@h", "#c");
    proto.part("a!u@h", "#c");
    proto.part("a!u@h", "#c", "bye");
    proto.topic("a", "#c", "");
    proto.topic("a", "#c", "t");
    proto.topic("a", "#c", "new", "b!u@h");
    proto.topicAuthor("a", "#c", "b", 12.5);
    proto.channelMode("a", "#c", "+nt");
    proto.who("a", "#c", [["#c", "u", "h", "s", "b", "H", "0", "Real Name"]]);
    expect(transport.value().toString().split("\r\n")).toEqual([
      ":a!u@h PRIVMSG #c :hi",
      ":a!u@h NOTICE b :note",
      ":a!u@h PRIVMSG #c :\x01ACTION waves\x01",
      ":a!u@h JOIN #c",
      ":a!u@h PART #c",
      ":a!u@h PART #c :bye",
      `:${S} 331 a #c :No topic is set.`,
      `:${S} 332 a #c :t`,
      ":b!u@h TOPIC #c :new",
      `:${S} 333 a #c b 12`,
      `:${S} 324 a #c +nt`,
      `:${S} 352 a #c u h s b H :0 Real Name`,
      `:${S} 315 a #c :End of /WHO list.`,
      "",
    ]);
  });

  it("logs an exception from a handler and goes on with the next line", () => {
    const events = captureLogs();
    const { proto } = recorder();
    proto.irc_HELLO = () => {
      throw new Error("boom");
    };
    proto.dataReceived(Buffer.from("HELLO\r\nOTHER\r\n"));
    expect(proto.calls).toEqual([["unknown", "", "OTHER", []]]);
    expect(events.some((e) => e.log_format?.includes("Error handling IRC command"))).toBe(true);
    expect(events.find((e) => e.command === "HELLO")?.log_failure).toBeDefined();
  });
});

describe("IRCUser on bad input", () => {
  it("ignores malformed lines (empty source, NUL, tags only) and goes on", () => {
    const events = captureLogs();
    const { register } = makeServer();
    const a = register("a");
    a.feed(": \r\n@a=b\r\nPING a\0b\r\n:\r\n   \r\nPING ok\r\n");
    expect(a.take()).toEqual([`:${S} PONG ${S} ok`]);
    expect(events.filter((e) => e.log_format?.startsWith("Ignoring a malformed")).length).toBe(5);
  });

  it("answers 417 to a line over 512 bytes and goes on with the next lines", () => {
    const { register } = makeServer();
    const a = register("a");
    a.feed(`PRIVMSG a :${"x".repeat(600)}\r\nPING one\r\n`);
    expect(a.take()).toEqual([`:${S} 417 a :Input line was too long`, `:${S} PONG ${S} one`]);
  });

  it("answers 417 once to a line over the buffer limit, skipping it up to its end", () => {
    const { register } = makeServer();
    const a = register("a");
    a.feed(`PRIVMSG a :${"x".repeat(9000)}`);
    a.feed("y".repeat(9000));
    a.feed("QUIT :the tail must not run\r\nPING two\r\n");
    expect(a.take()).toEqual([`:${S} 417 a :Input line was too long`, `:${S} PONG ${S} two`]);
    expect(a.closed).toBe(false);
    a.feed(`PING ${"z".repeat(9000)}\r\nPING three\r\n`);
    expect(a.take()).toEqual([`:${S} 417 a :Input line was too long`, `:${S} PONG ${S} three`]);
  });

  it("accepts 8191 bytes of tags, and answers 417 to more", () => {
    const { register } = makeServer();
    const a = register("a");
    a.feed(`@k=${"v".repeat(8191 - 4)} PING ok\r\n@k=${"v".repeat(8191)} PING no\r\n`);
    expect(a.take()).toEqual([`:${S} PONG ${S} ok`, `:${S} 417 a :Input line was too long`]);
  });

  it("answers with the first word of a name that cannot be a middle parameter", () => {
    const events = captureLogs();
    const { register } = makeServer();
    const a = register("a");
    a.send("PART :#a b", "NICK :x y", "PRIVMSG b,:c :hi", "WHOIS :n m", "MODE #x +b :a b");
    expect(a.take()).toEqual([
      `:${S} 403 a #a :No such channel`,
      `:${S} 432 a x :Erroneous nickname`,
      `:${S} 401 a b :No such nick/channel`,
      `:${S} 401 a c :No such nick/channel`,
      `:${S} 401 a n :No such nick/channel`,
      `:${S} 318 a n :End of /WHOIS list.`,
      `:${S} 403 a #x :No such channel`,
    ]);
    a.send("JOIN #x", "MODE #x +b :a b", "MODE #x +b", "INVITE a :not a channel");
    expect(a.take().slice(3)).toEqual([
      `:${S} 368 a #x :End of channel ban list`,
      `:${S} 403 a not :No such channel`,
    ]);
    expect(events.filter((e) => e.log_failure !== undefined)).toEqual([]);
  });

  it("decodes latin-1 lines and relays them as UTF-8", () => {
    const { register } = makeServer();
    const a = register("a");
    const b = register("b");
    a.feed(Buffer.from([...Buffer.from("PRIVMSG b :caf"), 0xe9, 0x0d, 0x0a]));
    expect(b.take()).toEqual([":a!a@10.0.0.2 PRIVMSG b :café"]);
  });

  it("parses the same whatever the split, one byte at a time included", () => {
    const text = "NICK a\r\nUSER a 0 * :A\r\nJOIN #c\r\nPRIVMSG #c :héllo 😀\r\nPING x\r\n";
    const bytes = Buffer.from(text);
    const whole = makeServer().connect();
    whole.feed(bytes);
    const expected = whole.take();
    for (let i = 0; i <= bytes.length; i++) {
      const c = makeServer().connect();
      c.feed(Buffer.from(bytes.subarray(0, i)));
      c.feed(Buffer.from(bytes.subarray(i)));
      expect(c.take()).toEqual(expected);
    }
    const c = makeServer().connect();
    for (const byte of bytes) c.feed(Buffer.from([byte]));
    expect(c.take()).toEqual(expected);
  });

  it("never throws on random bytes, and other connections are untouched", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        const { register } = makeServer();
        const a = register("a");
        const b = register("b");
        a.send("JOIN #c");
        b.send("JOIN #c");
        b.take();
        expect(() => a.feed(Buffer.from(data))).not.toThrow();
        a.send("PRIVMSG b :still here");
        b.send("PING alive");
        expect(b.take().at(-1)).toBe(`:${S} PONG ${S} alive`);
      }),
      { numRuns: 200 },
    );
  });
});

describe("IRCUser under random commands", () => {
  it("never fails a handler, whatever the commands and parameters", () => {
    const commands = [
      "NICK",
      "JOIN",
      "PART",
      "PRIVMSG",
      "NOTICE",
      "TOPIC",
      "NAMES",
      "WHO",
      "WHOIS",
    ];
    commands.push(
      "MODE",
      "KICK",
      "INVITE",
      "AWAY",
      "ISON",
      "USERHOST",
      "CAP",
      "PING",
      "LUSERS",
      "LIST",
    );
    const word = fc.constantFrom(
      "a",
      "b",
      "#c",
      "#d",
      "0",
      "+o",
      "-v+b",
      "+kl",
      "*",
      ":",
      "",
      "x y",
    );
    const line = fc
      .tuple(fc.constantFrom(...commands), fc.array(word, { maxLength: 4 }), fc.option(word))
      .map(([c, ps, last]) =>
        [c, ...ps.filter((p) => p !== "" && !p.includes(" ") && p !== ":")]
          .concat(last === null ? [] : [`:${last}`])
          .join(" "),
      );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), line), { maxLength: 30 }), (script) => {
        const events = captureLogs();
        const { register } = makeServer();
        const a = register("a");
        const b = register("b");
        for (const [first, text] of script) (first ? a : b).send(text);
        expect(events.filter((e) => e.log_failure !== undefined)).toEqual([]);
        b.send("PING alive");
        expect(b.take().at(-1)).toBe(`:${S} PONG ${S} alive`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("IRCUser limits", () => {
  it("PINGs a client silent for pingInterval and drops it after pingTimeout", () => {
    const { register, clock } = makeServer({ pingInterval: 120, pingTimeout: 60 });
    const a = register("a");
    const b = register("b");
    a.send("JOIN #c");
    b.send("JOIN #c");
    a.take();
    b.take();
    clock.advance(119);
    expect(a.take()).toEqual([]);
    b.send("PING keep");
    b.take();
    clock.advance(1);
    expect(a.take()).toEqual([`PING ${S}`]);
    clock.advance(59);
    expect(a.closed).toBe(false);
    clock.advance(1);
    expect(a.take()).toEqual(["ERROR :Ping timeout: 60 seconds"]);
    expect(a.closed).toBe(true);
    expect(b.take()).toEqual([":a!a@10.0.0.2 QUIT :Ping timeout: 60 seconds"]);
    clock.advance(58);
    expect(b.take()).toEqual([]);
    clock.advance(1);
    expect(b.take()).toEqual([`PING ${S}`]);
    b.send("PONG :irc.twisted-ts.local");
    clock.advance(1000);
    expect(b.closed).toBe(false);
    expect(clock.getDelayedCalls().length).toBe(1);
  });

  it("never PINGs a client that keeps talking, and pingInterval 0 disables pings", () => {
    const { register, clock } = makeServer({ pingInterval: 10, pingTimeout: 5 });
    const a = register("a");
    for (let i = 0; i < 10; i++) {
      clock.advance(9);
      a.send("PING x");
    }
    expect(a.take().every((l) => l.startsWith(`:${S} PONG`))).toBe(true);
    const off = makeServer({ pingInterval: 0 });
    const b = off.register("b");
    off.clock.advance(100000);
    expect(b.take()).toEqual([]);
    expect(off.clock.getDelayedCalls().length).toBe(0);
  });

  it("drops an unregistered connection that never answers", () => {
    const { connect, clock, factory } = makeServer({ pingInterval: 30, pingTimeout: 30 });
    const c = connect();
    clock.advance(30);
    clock.advance(30);
    expect(c.take()).toEqual([`PING ${S}`, "ERROR :Ping timeout: 30 seconds"]);
    expect(factory.connections.size).toBe(0);
  });

  it("refuses connections beyond maxConnections with ERROR :Too many connections", () => {
    const { connect, register, factory } = makeServer({ maxConnections: 2 });
    const a = register("a");
    connect();
    const third = connect();
    expect(third.take()).toEqual(["ERROR :Too many connections"]);
    expect(third.closed).toBe(true);
    third.send("NICK c", "USER c 0 * :c");
    expect(third.take()).toEqual([]);
    expect(factory.connections.size).toBe(2);
    a.send("QUIT");
    expect(connect().take()).toEqual([]);
  });
});
