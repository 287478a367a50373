import { fileURLToPath } from "node:url";
import { ClientCreator, type IPv4Address, Reactor } from "@twisted-ts/core";
import { DEBIAN_PYTHON, ensureDebianPackages, runProcess } from "@twisted-ts/testing-helpers";
import { until } from "@twisted-ts/testing-helpers/loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IRCClient, IRCServerFactory } from "../../src/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

type Event = [string, ...string[]];

/** Our IRCClient, answering the Twisted peer. */
class TsBot extends IRCClient {
  override nickname = "tsbot";
  override lineRate: number | null = null;
  events: Event[] = [];
  override signedOn(): void {
    this.join("#interop");
  }
  override joined(channel: string): void {
    this.events.push(["joined", channel]);
  }
  override userJoined(user: string, channel: string): void {
    this.events.push(["userJoined", user, channel]);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(["privmsg", user, channel, message]);
    if (message === "hello from twisted") this.say(channel, "hello back, pybot");
  }
  override userRenamed(oldname: string, newname: string): void {
    this.events.push(["userRenamed", oldname, newname]);
  }
  override userQuit(user: string, quitMessage: string): void {
    this.events.push(["userQuit", user, quitMessage]);
  }
}

let reactor: Reactor;
let finished: Promise<void>;
let port: number;
let factory: IRCServerFactory;

beforeAll(() => {
  // The independent peer: Debian's Twisted 22.4 IRCClient. A missing peer fails the test.
  ensureDebianPackages(["python3-twisted"]);
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  factory = new IRCServerFactory({ clock: reactor, motd: ["interop"] });
  factory.noisy = false;
  port = (reactor.listenTCP(0, factory, { interface: "127.0.0.1" }).getHost() as IPv4Address).port;
}, 600_000);

afterAll(async () => {
  if (reactor?.running) reactor.stop();
  await finished;
});

describe("our IRC server with Twisted 22.4's IRCClient", () => {
  it("registers the Twisted client and relays messages and a nick change both ways", async () => {
    const bot = await new ClientCreator(reactor, TsBot).connectTCP("127.0.0.1", port);
    await until(
      () => bot.events.some((e) => e[0] === "joined"),
      5000,
      () => "tsbot to join",
    );
    const run = await runProcess(DEBIAN_PYTHON, [fixture("twisted_irc_client.py"), String(port)]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const peer = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(peer.map((e) => e.event)).toEqual([
      "signedOn",
      "receivedMOTD",
      "joined",
      "privmsg",
      "nickChanged",
      "connectionLost",
    ]);
    expect(peer[0]).toMatchObject({ server: "irc.twisted-ts.local" });
    expect(String(peer[0]?.twisted)).toMatch(/^22\.4/);
    expect(peer[1]).toEqual({
      event: "receivedMOTD",
      motd: ["irc.twisted-ts.local Message of the day - ", "interop"],
      casemapping: ["rfc1459"],
      prefix: [
        ["o", ["@", 0]],
        ["v", ["+", 1]],
      ],
      nicklen: 30,
      chantypes: ["#", "&"],
    });
    expect(peer[2]).toEqual({ event: "joined", channel: "#interop" });
    expect(peer[3]).toEqual({
      event: "privmsg",
      user: "tsbot!tsbot@127.0.0.1",
      channel: "#interop",
      message: "hello back, pybot",
    });
    expect(peer[4]).toEqual({ event: "nickChanged", nick: "pyrenamed" });

    await until(
      () => bot.events.some((e) => e[0] === "userQuit"),
      5000,
      () => JSON.stringify(bot.events),
    );
    expect(bot.events).toEqual([
      ["joined", "#interop"],
      ["userJoined", "pybot", "#interop"],
      ["privmsg", "pybot!pybot@127.0.0.1", "#interop", "hello from twisted"],
      ["userRenamed", "pybot", "pyrenamed"],
      ["privmsg", "pyrenamed!pybot@127.0.0.1", "tsbot", "now I am pyrenamed"],
      ["userQuit", "pyrenamed", "bye from twisted"],
    ]);
    expect(factory.service.getUser("pyrenamed")).toBeUndefined();
    bot.quit("done");
  });
});
