import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type IRCServerPeer, startInspircd, startNgircd } from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ASCTIME,
  type BotProcess,
  logLines,
  RawIRCUser,
  said,
  stamped,
  startBot,
  startForwarder,
  waitForLog,
} from "./helpers.js";

let ngircd: IRCServerPeer;
let forwarder: Awaited<ReturnType<typeof startForwarder>>;
let bot: BotProcess | undefined;
const users: RawIRCUser[] = [];

beforeAll(async () => {
  ngircd = await startNgircd();
  forwarder = await startForwarder(ngircd.port);
}, 600_000);

afterAll(async () => {
  for (const user of users) user.close();
  await bot?.stop();
  await forwarder?.close();
  await ngircd?.stop();
});

describe("ircLogBot against ngIRCd", () => {
  it("logs a channel in the seed's format, answers, and rejoins after the server restarts", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "irclogbot-interop-")), "test.log");
    // The bot goes through a forwarder, so its immediate reconnect (the seed's
    // connector.connect()) waits for the restarted server instead of being refused.
    bot = startBot(["test", log, "--server", `127.0.0.1:${forwarder.port}`, "--nick", "logbot"]);
    await waitForLog(log, said("[I have joined #test]"));

    const alice = await RawIRCUser.signOn(ngircd.port, "alice");
    users.push(alice);
    alice.send("JOIN #test");
    await alice.waitFor(/ 366 alice #test /);
    alice.send("PRIVMSG #test :hello, world");
    alice.send("PRIVMSG #test :\x01ACTION waves\x01");
    alice.send("PRIVMSG #test :logbot: hello");
    await alice.waitFor(/^:logbot!\S+ PRIVMSG #test :alice: I am a log bot$/);
    alice.send("PRIVMSG logbot :psst, over here");
    await alice.waitFor(
      /^:logbot!\S+ PRIVMSG alice :It isn't nice to whisper! {2}Play nice with the group\.$/,
    );
    alice.send("NICK alicia");
    await waitForLog(log, said("alice is now known as alicia"));

    expect(logLines(log).map((text, i) => [i, text])).toEqual(
      [
        stamped(`\\[connected at ${ASCTIME}\\]`),
        said("[I have joined #test]"),
        said("<alice> hello, world"),
        said("* alice waves"),
        said("<alice> logbot: hello"),
        said("<logbot> alice: I am a log bot"),
        said("<alice> psst, over here"),
        said("alice is now known as alicia"),
      ].map((pattern, i) => [i, expect.stringMatching(pattern)]),
    );

    // The server goes away and comes back on the same port: the bot logs the disconnection,
    // reconnects at once, and rejoins.
    await ngircd.stop();
    await waitForLog(log, stamped(`\\[disconnected at ${ASCTIME}\\]`));
    await ngircd.restart();
    await waitForLog(log, said("[I have joined #test]"), 2);
    const connected = logLines(log).filter((text) => text.includes("[connected at "));
    expect(connected).toHaveLength(2);

    const bob = await RawIRCUser.signOn(ngircd.port, "bob");
    users.push(bob);
    bob.send("JOIN #test");
    await bob.waitFor(/ 366 bob #test /);
    bob.send("PRIVMSG #test :still logging?");
    await waitForLog(log, said("<bob> still logging?"));
    expect(logLines(log).slice(8)).toEqual([
      expect.stringMatching(stamped(`\\[disconnected at ${ASCTIME}\\]`)),
      expect.stringMatching(stamped(`\\[connected at ${ASCTIME}\\]`)),
      expect.stringMatching(said("[I have joined #test]")),
      expect.stringMatching(said("<bob> still logging?")),
    ]);
    expect(bot.child.exitCode).toBeNull();
  });
});

describe("ircLogBot against InspIRCd (IRCv3: echo-message, server-time)", () => {
  it("logs and answers once, though the server echoes its own messages", async () => {
    const inspircd = await startInspircd();
    const log = join(mkdtempSync(join(tmpdir(), "irclogbot-interop-")), "v3.log");
    const v3bot = startBot(["#v3", log, "--server", `127.0.0.1:${inspircd.port}`]);
    try {
      await waitForLog(log, said("[I have joined #v3]"));
      const dave = await RawIRCUser.signOn(inspircd.port, "dave");
      users.push(dave);
      dave.send("JOIN #v3");
      await dave.waitFor(/ 366 dave #v3 /);
      dave.send("PRIVMSG #v3 :twistedbot: hi");
      await dave.waitFor(/^:twistedbot!\S+ PRIVMSG #v3 :dave: I am a log bot$/);
      dave.send("PRIVMSG #v3 :done");
      await waitForLog(log, said("<dave> done"));
      expect(logLines(log)).toEqual([
        expect.stringMatching(stamped(`\\[connected at ${ASCTIME}\\]`)),
        expect.stringMatching(said("[I have joined #v3]")),
        expect.stringMatching(said("<dave> twistedbot: hi")),
        expect.stringMatching(said("<twistedbot> dave: I am a log bot")),
        expect.stringMatching(said("<dave> done")),
      ]);
    } finally {
      await v3bot.stop();
      await inspircd.stop();
    }
  });
});
