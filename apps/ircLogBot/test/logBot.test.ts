import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  Failure,
  IPv4Address,
} from "@twisted-ts/core";
import { Clock, FakeConnector, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { parseLogBotArgs, parseServer } from "../src/args.js";
import { type LogBot, LogBotFactory } from "../src/logBot.js";
import { type LogFile, MessageLogger, openLogFile } from "../src/messageLogger.js";
import { asctime, clockTime } from "../src/timeFormat.js";

/** 2026-11-03 09:05:01 local time, in seconds since the epoch. */
const T0 = new Date(2026, 10, 3, 9, 5, 1).getTime() / 1000;
const ADDR = new IPv4Address("TCP", "127.0.0.1", 6667);

/** A log file in memory that remembers what was written and whether it was closed. */
class MemoryLogFile implements LogFile {
  text = "";
  closed = false;
  write(text: string): void {
    if (this.closed) throw new Error("write after close");
    this.text += text;
  }
  close(): void {
    this.closed = true;
  }
  lines(): string[] {
    return this.text.split("\n").slice(0, -1);
  }
}

interface Setup {
  factory: LogBotFactory;
  bot: LogBot;
  transport: StringTransport;
  clock: Clock;
  files: MemoryLogFile[];
  opened: string[];
  printed: string[];
  stops: number[];
  sent(): string[];
  feed(...lines: string[]): void;
}

function setup(nickname?: string): Setup {
  const clock = new Clock();
  clock.advance(T0);
  const files: MemoryLogFile[] = [];
  const opened: string[] = [];
  const printed: string[] = [];
  const stops: number[] = [];
  const factory = new LogBotFactory("twisted", "bot.log", {
    reactor: {
      get running() {
        return stops.length === 0;
      },
      stop: () => stops.push(clock.seconds()),
    },
    now: () => clock.seconds(),
    openLog: (path) => {
      opened.push(path);
      const file = new MemoryLogFile();
      files.push(file);
      return file;
    },
    nickname,
    print: (text) => printed.push(text),
  });
  const bot = factory.buildProtocol(ADDR);
  bot.clock = clock;
  const transport = new StringTransport();
  bot.makeConnection(transport);
  return {
    factory,
    bot,
    transport,
    clock,
    files,
    opened,
    printed,
    stops,
    sent: () => {
      const lines = transport.value().toString("utf8").split("\r\n").slice(0, -1);
      transport.clear();
      return lines;
    },
    feed: (...lines) => {
      for (const line of lines) bot.dataReceived(Buffer.from(`${line}\r\n`));
    },
  };
}

/** A bot that has signed on and joined #twisted, with its log and output so far cleared. */
function joinedBot(nickname?: string): Setup {
  const s = setup(nickname);
  const nick = s.bot.nickname;
  s.feed(
    `:irc.test 001 ${nick} :Welcome ${nick}!bot@127.0.0.1`,
    `:${nick}!bot@127.0.0.1 JOIN #twisted`,
    `:irc.test 353 ${nick} = #twisted :${nick} alice`,
    `:irc.test 366 ${nick} #twisted :End of NAMES list`,
  );
  s.sent();
  return s;
}

const stamp = (seconds: number) => `[${clockTime(seconds)}]`;

describe("the time formats of ircLogBot.py", () => {
  it("formats time.asctime with a space-padded day of the month", () => {
    expect(asctime(T0)).toBe("Tue Nov  3 09:05:01 2026");
    expect(asctime(new Date(2026, 0, 23, 23, 59, 9).getTime() / 1000)).toBe(
      "Fri Jan 23 23:59:09 2026",
    );
  });

  it("formats the line prefix as %H:%M:%S", () => {
    expect(clockTime(T0)).toBe("09:05:01");
    expect(clockTime(new Date(2026, 0, 1, 0, 0, 0).getTime() / 1000)).toBe("00:00:00");
  });
});

describe("MessageLogger", () => {
  it("prefixes each line with [HH:MM:SS] and ends it with a newline", () => {
    const file = new MemoryLogFile();
    let now = T0;
    const logger = new MessageLogger(file, () => now);
    logger.log("<alice> hello");
    now += 61;
    logger.log("* alice waves");
    expect(file.text).toBe("[09:05:01] <alice> hello\n[09:06:02] * alice waves\n");
  });

  it("flushes each line to the file at once, appending to what was there", () => {
    const path = join(mkdtempSync(join(tmpdir(), "irclogbot-")), "test.log");
    const first = new MessageLogger(openLogFile(path), () => T0);
    first.log("first");
    expect(readFileSync(path, "utf8")).toBe("[09:05:01] first\n");
    first.close();
    const second = new MessageLogger(openLogFile(path), () => T0 + 1);
    second.log("second");
    expect(readFileSync(path, "utf8")).toBe("[09:05:01] first\n[09:05:02] second\n");
    second.log("third");
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(4);
    second.close();
  });
});

describe("LogBot", () => {
  it("opens the factory's file and logs [connected at <asctime>] on connectionMade", () => {
    const s = setup();
    expect(s.opened).toEqual(["bot.log"]);
    expect(s.files[0]?.lines()).toEqual(["[09:05:01] [connected at Tue Nov  3 09:05:01 2026]"]);
    expect(s.bot.nickname).toBe("twistedbot");
    expect(s.sent()).toContain("NICK twistedbot");
  });

  it("joins the factory's channel once signed on, and logs [I have joined #channel]", () => {
    const s = setup();
    s.sent();
    s.feed(":irc.test 001 twistedbot :Welcome");
    expect(s.sent()).toContain("JOIN #twisted");
    s.clock.advance(2);
    s.feed(":twistedbot!bot@127.0.0.1 JOIN #twisted");
    expect(s.files[0]?.lines()[1]).toBe(`${stamp(T0 + 2)} [I have joined #twisted]`);
  });

  it("logs a channel message as <user> message and does not answer it", () => {
    const s = joinedBot();
    s.feed(":alice!a@host PRIVMSG #twisted :hello, world");
    expect(s.files[0]?.lines().at(-1)).toBe(`${stamp(T0)} <alice> hello, world`);
    expect(s.sent()).toEqual([]);
  });

  it("logs an action as * user action", () => {
    const s = joinedBot();
    s.feed(":alice!a@host PRIVMSG #twisted :\x01ACTION waves at everyone\x01");
    expect(s.files[0]?.lines().at(-1)).toBe(`${stamp(T0)} * alice waves at everyone`);
  });

  it("answers a whisper with the seed's reproach, and logs the whisper", () => {
    const s = joinedBot();
    s.feed(":alice!a@host PRIVMSG twistedbot :psst");
    expect(s.sent()).toEqual([
      "PRIVMSG alice :It isn't nice to whisper!  Play nice with the group.",
    ]);
    expect(s.files[0]?.lines().at(-1)).toBe(`${stamp(T0)} <alice> psst`);
  });

  it("answers '<botnick>:' in the channel with '<user>: I am a log bot', and logs both", () => {
    const s = joinedBot();
    s.feed(":alice!a@host PRIVMSG #twisted :twistedbot: hello");
    expect(s.sent()).toEqual(["PRIVMSG #twisted :alice: I am a log bot"]);
    expect(s.files[0]?.lines().slice(-2)).toEqual([
      `${stamp(T0)} <alice> twistedbot: hello`,
      `${stamp(T0)} <twistedbot> alice: I am a log bot`,
    ]);
  });

  it("does not answer its nick without the colon, or later in the line", () => {
    const s = joinedBot();
    s.feed(
      ":alice!a@host PRIVMSG #twisted :twistedbot hello",
      ":alice!a@host PRIVMSG #twisted :hello twistedbot:",
    );
    expect(s.sent()).toEqual([]);
    expect(s.files[0]?.lines()).toHaveLength(4);
  });

  it("uses the nick given to the factory for whispers and mentions", () => {
    const s = joinedBot("logbot");
    s.feed(":alice!a@host PRIVMSG #twisted :logbot: hi", ":alice!a@host PRIVMSG logbot :psst");
    // IRCClient's send queue (a token bucket, 1 line a second) may hold the second reply.
    s.clock.advance(2);
    expect(s.sent()).toEqual([
      "PRIVMSG #twisted :alice: I am a log bot",
      "PRIVMSG alice :It isn't nice to whisper!  Play nice with the group.",
    ]);
    expect(s.files[0]?.lines().slice(-3)).toEqual([
      `${stamp(T0)} <alice> logbot: hi`,
      `${stamp(T0)} <logbot> alice: I am a log bot`,
      `${stamp(T0)} <alice> psst`,
    ]);
  });

  it("logs a nick change as 'old is now known as new' and keeps tracking the member", () => {
    const s = joinedBot();
    s.feed(":alice!a@host NICK :alicia");
    expect(s.files[0]?.lines().at(-1)).toBe(`${stamp(T0)} alice is now known as alicia`);
    const members = [...(s.bot.getChannel("#twisted")?.members.values() ?? [])].map((m) => m.nick);
    expect(members).toContain("alicia");
    expect(members).not.toContain("alice");
  });

  it("appends ^ to a nick in use", () => {
    const s = setup();
    s.sent();
    s.feed(":irc.test 433 * twistedbot :Nickname already in use");
    expect(s.sent()).toContain("NICK twistedbot^");
  });

  it("logs [disconnected at <asctime>] and closes the file on connectionLost", () => {
    const s = joinedBot();
    s.clock.advance(3600);
    s.bot.connectionLost(new Failure(new ConnectionDone()));
    const file = s.files[0] as MemoryLogFile;
    expect(file.lines().at(-1)).toBe(`${stamp(T0 + 3600)} [disconnected at ${asctime(T0 + 3600)}]`);
    expect(asctime(T0 + 3600)).toBe("Tue Nov  3 10:05:01 2026");
    expect(file.closed).toBe(true);
  });
});

describe("LogBotFactory", () => {
  it("builds a LogBot with its factory set, a new one per connection", () => {
    const factory = new LogBotFactory("twisted", "x.log", {
      reactor: { running: true, stop: () => {} },
    });
    const a = factory.buildProtocol(ADDR);
    const b = factory.buildProtocol(ADDR);
    expect(a.factory).toBe(factory);
    expect(a).not.toBe(b);
    expect(factory.channel).toBe("twisted");
    expect(factory.filename).toBe("x.log");
  });

  it("reconnects through the connector when the connection is lost", () => {
    const s = joinedBot();
    const connector = new FakeConnector(ADDR);
    s.factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
    expect(connector.connectCalls).toBe(1);
    expect(s.stops).toEqual([]);
    // The next connection opens the log again and logs a new [connected at …].
    const next = s.factory.buildProtocol(ADDR);
    next.makeConnection(new StringTransport());
    expect(s.files[1]?.lines()).toEqual([`${stamp(T0)} [connected at ${asctime(T0)}]`]);
  });

  it("does not reconnect once the reactor is shutting down", () => {
    const s = joinedBot();
    s.stops.push(0);
    const connector = new FakeConnector(ADDR);
    s.factory.clientConnectionLost(connector, new Failure(new ConnectionDone()));
    expect(connector.connectCalls).toBe(0);
  });

  it("prints 'connection failed: <reason>' and stops the reactor when the connection fails", () => {
    const s = setup();
    const connector = new FakeConnector(ADDR);
    const reason = new Failure(new ConnectionRefusedError("Connection refused"));
    s.factory.clientConnectionFailed(connector, reason);
    expect(s.printed).toHaveLength(1);
    expect(s.printed[0]).toMatch(/^connection failed: \[Failure ConnectionRefusedError: .*refused/);
    expect(s.stops).toHaveLength(1);
    expect(s.factory.failure).toBe(reason);
    expect(connector.connectCalls).toBe(0);
  });
});

describe("the command line", () => {
  it("takes a channel and a log file, with --server and --nick", () => {
    expect(parseLogBotArgs(["test", "test.log"])).toEqual({
      channel: "test",
      logfile: "test.log",
      host: "irc.libera.chat",
      port: 6667,
      nick: undefined,
    });
    expect(
      parseLogBotArgs(["#x", "x.log", "--server", "127.0.0.1:7000", "--nick", "logbot"]),
    ).toEqual({ channel: "#x", logfile: "x.log", host: "127.0.0.1", port: 7000, nick: "logbot" });
  });

  it("refuses a missing argument, a bad port and a bad nick", () => {
    expect(() => parseLogBotArgs(["test"])).toThrow(/^usage: ircLogBot <channel> <logfile>/);
    expect(() => parseLogBotArgs(["a", "b", "c"])).toThrow(/^usage/);
    expect(() => parseLogBotArgs(["a", "b", "--server", "h:99999"])).toThrow("bad server");
    expect(() => parseLogBotArgs(["a", "b", "--nick", "bad nick"])).toThrow("bad nick");
    expect(() => parseLogBotArgs(["a", "b", "--bogus"])).toThrow();
  });

  it("splits host:port, [v6]:port, and defaults the port to 6667", () => {
    expect(parseServer("irc.example.org")).toEqual({ host: "irc.example.org", port: 6667 });
    expect(parseServer("[::1]:6697")).toEqual({ host: "::1", port: 6697 });
  });
});
