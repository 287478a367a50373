import {
  ClientCreator,
  type Failure,
  type IPv4Address,
  type ITCPTransport,
  type Reactor,
} from "@twisted-ts/core";
import { LineClient, onCleanup, testReactor, until } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { IRCClient, IRCServerFactory } from "../../src/index.js";

type Event = [string, ...string[]];

/** An IRCClient that records what it is told. */
class Recorder extends IRCClient {
  /** No flood control: the test sends a handful of lines. */
  override lineRate: number | null = null;
  events: Event[] = [];
  lost = false;
  override signedOn(): void {
    this.events.push(["signedOn", this.nickname]);
  }
  override joined(channel: string): void {
    this.events.push(["joined", channel]);
  }
  override userJoined(user: string, channel: string): void {
    this.events.push(["userJoined", user, channel]);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(["privmsg", user, channel, message]);
  }
  override noticed(user: string, channel: string, message: string): void {
    this.events.push(["noticed", user, channel, message]);
  }
  override action(user: string, channel: string, data: string): void {
    this.events.push(["action", user, channel, data]);
  }
  override userRenamed(oldname: string, newname: string): void {
    this.events.push(["userRenamed", oldname, newname]);
  }
  override userLeft(user: string, channel: string): void {
    this.events.push(["userLeft", user, channel]);
  }
  override userQuit(user: string, quitMessage: string): void {
    this.events.push(["userQuit", user, quitMessage]);
  }
  override connectionLost(reason: Failure): void {
    this.lost = true;
    super.connectionLost(reason);
  }
  has(...event: string[]): boolean {
    return this.events.some((e) => JSON.stringify(e) === JSON.stringify(event));
  }
  async waitFor(...event: string[]): Promise<void> {
    await until(
      () => this.has(...event),
      5000,
      () => `${JSON.stringify(event)} in ${JSON.stringify(this.events)}`,
    );
  }
}

function serve(reactor: Reactor, factory = new IRCServerFactory({ clock: reactor })): number {
  factory.noisy = false;
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  onCleanup(async () => {
    await port.stopListening();
  });
  return (port.getHost() as IPv4Address).port;
}

async function connect(reactor: Reactor, port: number, nick: string): Promise<Recorder> {
  class Named extends Recorder {
    override nickname = nick;
  }
  const client = await new ClientCreator(reactor, Named).connectTCP("127.0.0.1", port);
  onCleanup(() => {
    if (!client.lost) (client.transport as ITCPTransport | undefined)?.abortConnection();
  });
  await client.waitFor("signedOn", nick);
  return client;
}

describe("the IRC server over TCP with our IRCClient", () => {
  it("registers two clients, which join, talk, act, rename, part and quit", async () => {
    const reactor = testReactor();
    const factory = new IRCServerFactory({ clock: reactor, motd: ["hi"] });
    const port = serve(reactor, factory);
    const alice = await connect(reactor, port, "alice");
    const bob = await connect(reactor, port, "bob");
    expect(alice.hostname).toBe("irc.twisted-ts.local");
    expect(alice.supported.caseMapping).toBe("rfc1459");
    alice.join("#twisted");
    await alice.waitFor("joined", "#twisted");
    bob.join("#twisted");
    await bob.waitFor("joined", "#twisted");
    await alice.waitFor("userJoined", "bob", "#twisted");

    alice.say("#twisted", "hello, bob");
    await bob.waitFor("privmsg", "alice!alice@127.0.0.1", "#twisted", "hello, bob");
    bob.msg("alice", "hi alice, in private");
    await alice.waitFor("privmsg", "bob!bob@127.0.0.1", "alice", "hi alice, in private");
    bob.notice("#twisted", "a notice");
    await alice.waitFor("noticed", "bob!bob@127.0.0.1", "#twisted", "a notice");
    alice.describe("#twisted", "waves");
    await bob.waitFor("action", "alice!alice@127.0.0.1", "#twisted", "waves");

    bob.setNick("robert");
    await alice.waitFor("userRenamed", "bob", "robert");
    await until(
      () => bob.nickname === "robert",
      5000,
      () => "bob's nick change",
    );
    expect(factory.service.getUser("robert")).toBeDefined();

    bob.part("#twisted", "lunch");
    await alice.waitFor("userLeft", "robert", "#twisted");
    bob.join("#twisted");
    await alice.waitFor("userJoined", "robert", "#twisted");
    alice.quit("good night");
    await bob.waitFor("userQuit", "alice", "good night");
    await until(
      () => alice.lost,
      5000,
      () => "the server to close alice's connection",
    );
    expect(factory.service.getUser("alice")).toBeUndefined();
    expect(factory.service.getChannel("#twisted")?.members.size).toBe(1);
    // The server and the other client carry on.
    const carol = await connect(reactor, port, "carol");
    carol.join("#twisted");
    await bob.waitFor("userJoined", "carol", "#twisted");
  });

  it("tells peers when a client's connection drops without QUIT", async () => {
    const reactor = testReactor();
    const factory = new IRCServerFactory({ clock: reactor });
    const port = serve(reactor, factory);
    const a = await connect(reactor, port, "a");
    const b = await connect(reactor, port, "b");
    a.join("#c");
    await a.waitFor("joined", "#c");
    b.join("#c");
    await a.waitFor("userJoined", "b", "#c");
    (b.transport as ITCPTransport | undefined)?.abortConnection();
    await a.waitFor("userQuit", "b", "Connection closed");
    expect(factory.service.users.size).toBe(1);
    expect(factory.connections.size).toBe(1);
  });
});

describe("the IRC server over TCP with a raw socket", () => {
  it("registers, answers PING, relays to our IRCClient, and closes on QUIT", async () => {
    const reactor = testReactor();
    const port = serve(reactor);
    const raw = await LineClient.connect(port);
    raw.send("CAP LS 302\r\nNICK raw\r\nUSER raw 0 * :Raw Socket\r\n");
    await raw.waitForLines(1);
    expect(raw.lines[0]).toBe(":irc.twisted-ts.local CAP * LS :");
    raw.send("CAP END\r\n");
    await until(
      () => raw.lines.some((l) => / 422 /.test(l)),
      5000,
      () => `the welcome in ${JSON.stringify(raw.lines)}`,
    );
    expect(raw.lines[1]).toMatch(/^:irc\.twisted-ts\.local 001 raw :Welcome /);
    const bot = await connect(reactor, port, "bot");
    raw.send("PING :are you there\r\nJOIN #c\r\nPRIVMSG bot :hello bot\r\n");
    await bot.waitFor("privmsg", "raw!raw@127.0.0.1", "bot", "hello bot");
    bot.msg("#c", "not a member, but +n");
    bot.msg("raw", "hi raw");
    await until(
      () => raw.lines.some((l) => l.endsWith("PRIVMSG raw :hi raw")),
      5000,
      () => JSON.stringify(raw.lines),
    );
    expect(raw.lines).toContain(":irc.twisted-ts.local PONG irc.twisted-ts.local :are you there");
    expect(raw.lines).toContain(":raw!raw@127.0.0.1 JOIN #c");
    raw.send("QUIT :done\r\n");
    await raw.waitForEnd();
    expect(raw.lines.at(-1)).toBe("ERROR :Closing Link: 127.0.0.1 (done)");
  });

  it("refuses connections over the cap and survives garbage from one client", async () => {
    const reactor = testReactor();
    const port = serve(reactor, new IRCServerFactory({ clock: reactor, maxConnections: 2 }));
    const first = await LineClient.connect(port);
    const garbage = "\0\xff garbage\r\n:\r\n@@@\r\n".repeat(50);
    first.send(`${garbage}${"x".repeat(20000)}\r\nPING :end\r\n`);
    const second = await connect(reactor, port, "second");
    const third = await LineClient.connect(port);
    await third.waitForEnd();
    expect(third.lines).toEqual(["ERROR :Too many connections"]);
    second.msg("second", "still alive");
    await second.waitFor("privmsg", "second!second@127.0.0.1", "second", "still alive");
    await until(
      () => first.lines.some((l) => l.endsWith("PONG irc.twisted-ts.local end")),
      5000,
      () => JSON.stringify(first.lines),
    );
    // Malformed lines are ignored; the long one gets a single 417.
    expect(first.lines).toEqual([
      ":irc.twisted-ts.local 417 * :Input line was too long",
      ":irc.twisted-ts.local PONG irc.twisted-ts.local end",
    ]);
  });
});
