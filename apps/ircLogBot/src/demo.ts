/**
 * The demo: ircLogBot at work for a few seconds, then its log file.
 *
 * 1. An embedded IRC server (`IRCServerFactory` from @twisted-ts/irc) on 127.0.0.1 and a free
 *    port, unless `--server host:port` names one.
 * 2. The log bot (nick `logbot`) joins the channel (#twisted by default) and logs to a file.
 * 3. A scripted user, alice (an `IRCClient`), joins, talks, does an ACTION, mentions the bot,
 *    whispers to it, and renames herself, over about three seconds.
 * 4. Everything stops and the log file is printed.
 *
 *   pnpm --filter irclogbot demo [channel] [--server host:port] [--log file]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  ClientFactory,
  Deferred,
  type Failure,
  type IConnector,
  type IPv4Address,
  reactor,
} from "@twisted-ts/core";
import { IRCClient, IRCServerFactory } from "@twisted-ts/irc";
import { parseServer } from "./args.js";
import { LogBotFactory } from "./logBot.js";

const BOT = "logbot";

/** The demo's command line. */
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { server: { type: "string" }, log: { type: "string" } },
  allowPositionals: true,
});
const channel = `#${(positionals[0] ?? "twisted").replace(/^#/, "")}`;
const logfile =
  values.log ?? join(mkdtempSync(join(tmpdir(), "irclogbot-demo-")), `${channel.slice(1)}.log`);

/** One step of alice's script: what she does, and how she says it on the console. */
type Step = [echo: string, act: (user: ScriptedUser) => void];

const SCRIPT: Step[] = [
  ["<alice> hello, world", (u) => u.say(channel, "hello, world")],
  ["* alice waves", (u) => u.describe(channel, "waves")],
  [`<alice> ${BOT}: hello`, (u) => u.say(channel, `${BOT}: hello`)],
  [`alice -> ${BOT}: psst, over here`, (u) => u.msg(BOT, "psst, over here")],
  ["alice is now known as alicia", (u) => u.setNick("alicia")],
  ["<alicia> bye for now", (u) => u.say(channel, "bye for now")],
];

/** Alice: waits in the channel for the bot, then plays her script, one step every 0.5 s. */
class ScriptedUser extends IRCClient<ScriptFactory> {
  override nickname = "alice";
  override lineRate: number | null = null;

  override signedOn(): void {
    this.join(channel);
  }

  override userJoined(user: string, joined: string): void {
    if (user.split("!")[0] !== BOT || joined.toLowerCase() !== channel.toLowerCase()) return;
    SCRIPT.forEach(([echo, act], i) => {
      reactor.callLater(0.3 + 0.5 * i, () => {
        console.log(`  ${echo}`);
        act(this);
      });
    });
    reactor.callLater(0.3 + 0.5 * SCRIPT.length + 0.5, () => {
      this.quit("that's all");
      this.factory?.done.callback(undefined);
    });
  }

  override privmsg(user: string, target: string, message: string): void {
    const where = target === this.nickname ? " (to alice)" : "";
    console.log(`  <${user.split("!")[0]}>${where} ${message}`);
  }
}

/** Builds alice, and fires `done` when her script is over (or she cannot connect). */
class ScriptFactory extends ClientFactory<ScriptedUser> {
  override protocol = ScriptedUser;
  override noisy = false;
  readonly done = new Deferred<void>();
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.done.errback(reason);
  }
}

async function main(): Promise<void> {
  let host = "127.0.0.1";
  let port: number;
  if (values.server === undefined) {
    const listening = reactor.listenTCP(0, new IRCServerFactory({ serverName: "irc.demo.local" }), {
      interface: "127.0.0.1",
    });
    port = (listening.getHost() as IPv4Address).port;
    console.log(`== embedded IRC server on 127.0.0.1:${port}`);
  } else {
    ({ host, port } = parseServer(values.server));
    console.log(`== IRC server ${host}:${port}`);
  }

  const bot = new LogBotFactory(channel, logfile, { reactor, nickname: BOT });
  bot.noisy = false;
  const user = new ScriptFactory();
  console.log(`== alice joins ${channel}; ${BOT} joins and logs to ${logfile}`);
  reactor.connectTCP(host, port, user);
  reactor.callLater(0.3, () => reactor.connectTCP(host, port, bot));
  await user.done;
  // Let the bot log the last lines, then stop everything: the bot logs its disconnection.
  await new Promise<void>((resolve) => reactor.callLater(0.3, () => resolve()));
}

let failed = false;
reactor.callWhenRunning(() => {
  main()
    .catch((error: unknown) => {
      failed = true;
      const text = error instanceof Error ? error.message : String(error);
      console.error(`demo failed: ${(error as Failure).getErrorMessage?.() ?? text}`);
    })
    .finally(() => {
      if (reactor.running) reactor.stop();
    });
});
await reactor.run();
if (failed) {
  process.exitCode = 1;
} else {
  console.log(`\n== ${logfile}`);
  process.stdout.write(readFileSync(logfile, "utf8"));
}
