import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IPv4Address } from "@twisted-ts/core";
import { IRCServerFactory } from "@twisted-ts/irc";
import { runProcess } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import {
  APP,
  ASCTIME,
  logLines,
  RawIRCUser,
  said,
  stamped,
  startBot,
  waitForLog,
} from "./helpers.js";

const tempLog = (name: string) => join(mkdtempSync(join(tmpdir(), "irclogbot-loop-")), name);

/** A port nothing listens on: bound, read, and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("ircLogBot on the embedded IRC server", () => {
  it("logs a channel, and reconnects and rejoins when the server drops it", async () => {
    const reactor = testReactor();
    const factory = new IRCServerFactory({ serverName: "irc.loop.local", clock: reactor });
    const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const { port: number } = port.getHost() as IPv4Address;
    const log = tempLog("loop.log");
    const bot = startBot(["#loop", log, "--server", `127.0.0.1:${number}`]);
    onCleanup(() => bot.stop());
    await waitForLog(log, said("[I have joined #loop]"));

    const carol = await RawIRCUser.signOn(number, "carol");
    onCleanup(() => carol.close());
    carol.send("JOIN #loop");
    await carol.waitFor(/ 366 carol #loop /);
    carol.send("PRIVMSG #loop :twistedbot: are you there?");
    await carol.waitFor(/^:twistedbot!\S+ PRIVMSG #loop :carol: I am a log bot$/);
    expect(logLines(log).slice(-2)).toEqual([
      expect.stringMatching(said("<carol> twistedbot: are you there?")),
      expect.stringMatching(said("<twistedbot> carol: I am a log bot")),
    ]);

    factory.service.getUser("twistedbot")?.transport?.loseConnection();
    await waitForLog(log, said("[I have joined #loop]"), 2);
    carol.send("PRIVMSG #loop :welcome back");
    await waitForLog(log, said("<carol> welcome back"));
    expect(logLines(log).slice(4)).toEqual([
      expect.stringMatching(stamped(`\\[disconnected at ${ASCTIME}\\]`)),
      expect.stringMatching(stamped(`\\[connected at ${ASCTIME}\\]`)),
      expect.stringMatching(said("[I have joined #loop]")),
      expect.stringMatching(said("<carol> welcome back")),
    ]);

    await bot.stop();
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(logLines(log).at(-1)).toMatch(stamped(`\\[disconnected at ${ASCTIME}\\]`));
  });
});

describe("the ircLogBot program", () => {
  it("says why and exits with status 1 when it cannot connect", async () => {
    const port = await closedPort();
    const log = tempLog("never.log");
    const bot = startBot(["test", log, "--server", `127.0.0.1:${port}`]);
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.output()).toMatch(/^connection failed: \[Failure ConnectionRefusedError: /m);
    expect(bot.output()).toContain(`ircLogBot: could not connect to 127.0.0.1:${port}: `);
    expect(logLines(log)).toEqual([]);
  });

  it("prints its usage and exits with status 2 on a bad command line", async () => {
    const bot = startBot(["only-a-channel"]);
    expect((await bot.exited).code).toBe(2);
    expect(bot.output()).toBe(
      "usage: ircLogBot <channel> <logfile> [--server host:port] [--nick name]\n",
    );
  });
});

describe("the demo", () => {
  it("runs a scripted conversation on the embedded server and prints the bot's log", async () => {
    const log = tempLog("demo.log");
    const demo = await runProcess(
      "npx",
      ["tsx", "--conditions=@twisted-ts/source", "src/demo.ts", "--log", log],
      { cwd: APP, timeoutMs: 30_000 },
    );
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^== embedded IRC server on 127\.0\.0\.1:\d+$/m);
    expect(demo.stdout).toContain(
      "  <logbot> (to alice) It isn't nice to whisper!  Play nice with the group.",
    );
    const printed = demo.stdout
      .slice(demo.stdout.indexOf(`== ${log}\n`))
      .split("\n")
      .slice(1, -1);
    const expected = [
      stamped(`\\[connected at ${ASCTIME}\\]`),
      said("[I have joined #twisted]"),
      said("<alice> hello, world"),
      said("* alice waves"),
      said("<alice> logbot: hello"),
      said("<logbot> alice: I am a log bot"),
      said("<alice> psst, over here"),
      said("alice is now known as alicia"),
      said("<alicia> bye for now"),
      stamped(`\\[disconnected at ${ASCTIME}\\]`),
    ];
    expect(printed).toEqual(expected.map((pattern) => expect.stringMatching(pattern)));
    expect(readFileSync(log, "utf8").split("\n").slice(0, -1)).toEqual(printed);
  });
});
