import { ConnectionDone, Deferred, Failure, fail, succeed } from "@twisted-ts/core";
import { Clock, StringTransport } from "@twisted-ts/core/testing";
import { MemoryFingerService } from "@twisted-ts/finger";
import { describe, expect, it } from "vitest";
import { type FingerBot, makeIRCBotFactory, parseQuestion, USAGE } from "../src/ircBot.js";

const USERS = { joe: "Having lunch", multi: "line one\nline two\r\nline three" };

function signedOnBot(
  service = new MemoryFingerService(USERS),
  options: Partial<ConstructorParameters<typeof FingerBot>[1]> = {},
): { bot: FingerBot; t: StringTransport; clock: Clock } {
  const clock = new Clock();
  const factory = makeIRCBotFactory(service, {
    nickname: "fingerbot",
    clock,
    lineRate: null,
    ...options,
  });
  const bot = factory.buildProtocol({ type: "TCP" } as never);
  const t = new StringTransport();
  bot.makeConnection(t);
  feed(bot, ":irc.test 001 fingerbot :Welcome");
  t.clear();
  return { bot, t, clock };
}

function feed(bot: FingerBot, ...lines: string[]): void {
  for (const line of lines) bot.dataReceived(Buffer.from(`${line}\r\n`));
}

function sent(t: StringTransport): string[] {
  const text = t.value().toString("utf8");
  t.clear();
  return text === "" ? [] : text.replace(/\r\n$/, "").split("\r\n");
}

describe("parseQuestion", () => {
  it.each([
    ["joe", "joe"],
    ["who is joe?", "joe"],
    ["Who is joe", "joe"],
    ["WHO IS joe ??", "joe"],
    ["who's joe?", "joe"],
    ["whois joe", "joe"],
    ["finger joe", "joe"],
    ["  joe  ", "joe"],
    ["joe?", "joe"],
  ])("reads %j as a question about %s", (message, user) => {
    expect(parseQuestion(message)).toBe(user);
  });

  it.each(["", "   ", "tell me about joe", "who is joe and ann?"])(
    "finds no question in %j",
    (m) => {
      expect(parseQuestion(m)).toBeNull();
    },
  );
});

describe("FingerBot (the IRC front end)", () => {
  it("registers with the nick the factory holds", () => {
    const clock = new Clock();
    const factory = makeIRCBotFactory(new MemoryFingerService(), { nickname: "fbot", clock });
    const bot = factory.buildProtocol({ type: "TCP" } as never);
    const t = new StringTransport();
    bot.makeConnection(t);
    expect(sent(t)).toEqual(expect.arrayContaining(["NICK fbot", expect.stringMatching(/^USER /)]));
    expect(factory.client).toBe(bot);
  });

  it('answers "who is joe?" in private with the status', () => {
    const { bot, t } = signedOnBot();
    feed(bot, ":alice!a@host PRIVMSG fingerbot :who is joe?");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of joe: Having lunch"]);
  });

  it("answers a bare user name, whatever the case of its own nick", () => {
    const { bot, t } = signedOnBot();
    feed(bot, ":alice!a@host PRIVMSG FingerBot :joe");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of joe: Having lunch"]);
  });

  it("answers an unknown user with the service's answer", () => {
    const { bot, t } = signedOnBot();
    feed(bot, ":alice!a@host PRIVMSG fingerbot :who is nobody?");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of nobody: No such user"]);
  });

  it("ignores messages to a channel", () => {
    const { bot, t } = signedOnBot();
    feed(bot, ":alice!a@host PRIVMSG #finger :joe");
    expect(sent(t)).toEqual([]);
  });

  it("explains itself when a message is not a question", () => {
    const { bot, t } = signedOnBot();
    feed(bot, ":alice!a@host PRIVMSG fingerbot :tell me everything");
    expect(sent(t)).toEqual([`PRIVMSG alice :${USAGE}`]);
  });

  it("sends a status of several lines as several messages, cut at maxReplyLines", () => {
    const { bot, t } = signedOnBot(undefined, { maxReplyLines: 2 });
    feed(bot, ":alice!a@host PRIVMSG fingerbot :multi");
    expect(sent(t)).toEqual([
      "PRIVMSG alice :Status of multi: line one",
      "PRIVMSG alice :line two …",
    ]);
  });

  it('answers "Internal error in server" when the service fails', () => {
    const broken = { getUser: () => fail(new Error("boom")), getUsers: () => succeed([]) };
    const { bot, t } = signedOnBot(broken as never);
    feed(bot, ":alice!a@host PRIVMSG fingerbot :joe");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of joe: Internal error in server"]);
  });

  it("answers a slow service later, and not at all once disconnected", () => {
    const waiting: Deferred<string>[] = [];
    const slow = {
      getUser: () => {
        const d = new Deferred<string>();
        waiting.push(d);
        return d;
      },
      getUsers: () => succeed([]),
    };
    const { bot, t } = signedOnBot(slow as never);
    feed(bot, ":alice!a@host PRIVMSG fingerbot :joe", ":bob!b@host PRIVMSG fingerbot :ann");
    expect(sent(t)).toEqual([]);
    waiting[0]?.callback("here");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of joe: here"]);
    bot.connectionLost(new Failure(new ConnectionDone()));
    waiting[1]?.callback("gone");
    expect(sent(t)).toEqual([]);
  });

  it("paces its answers with lineRate on the clock", () => {
    const { bot, t, clock } = signedOnBot(undefined, { lineRate: 1 });
    bot.lineBurst = 1;
    feed(bot, ":alice!a@host PRIVMSG fingerbot :joe", ":bob!b@host PRIVMSG fingerbot :joe");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of joe: Having lunch"]);
    clock.advance(1);
    expect(sent(t)).toEqual(["PRIVMSG bob :Status of joe: Having lunch"]);
  });

  it("strips CR and NUL so a status cannot inject IRC commands", () => {
    const service = new MemoryFingerService({ evil: "ok\r\nQUIT :bye\u0000" });
    const { bot, t } = signedOnBot(service);
    feed(bot, ":alice!a@host PRIVMSG fingerbot :evil");
    expect(sent(t)).toEqual(["PRIVMSG alice :Status of evil: ok", "PRIVMSG alice :QUIT :bye"]);
  });
});
