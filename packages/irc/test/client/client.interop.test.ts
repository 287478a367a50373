/**
 * Our IRCClient against independently written servers: ngIRCd (the main peer) and InspIRCd
 * (for IRCv3 capabilities). Both are installed and started by the test helpers; under CI=true a
 * missing server fails the run.
 */
import type { Reactor } from "@twisted-ts/core";
import { type IRCServerPeer, startInspircd, startNgircd } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor, until } from "@twisted-ts/testing-helpers/loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IRCClient, IRCClientFactory } from "../../src/index.js";

type Event = [string, ...unknown[]];

class Peer extends IRCClient {
  events: Event[] = [];
  signed = false;
  override heartbeatInterval: number | null = null;
  override signedOn(): void {
    this.signed = true;
  }
  override joined(channel: string): void {
    this.events.push(["joined", channel]);
  }
  override userJoined(user: string, channel: string): void {
    this.events.push(["userJoined", user, channel]);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(["privmsg", user.split("!")[0], channel, message, this.messageTime()]);
  }
  override noticed(user: string, channel: string, message: string): void {
    this.events.push(["noticed", user.split("!")[0], channel, message]);
  }
  override action(user: string, channel: string, data: string): void {
    this.events.push(["action", user.split("!")[0], channel, data]);
  }
  override userRenamed(oldname: string, newname: string): void {
    this.events.push(["userRenamed", oldname, newname]);
  }
  override modeChanged(
    user: string,
    channel: string,
    set: boolean,
    modes: string,
    args: ReadonlyArray<string | null>,
  ): void {
    this.events.push(["modeChanged", user.split("!")[0], channel, set, modes, [...args]]);
  }
  override topicUpdated(user: string, channel: string, topic: string): void {
    this.events.push(["topicUpdated", user, channel, topic]);
  }
  override userLeft(user: string, channel: string): void {
    this.events.push(["userLeft", user, channel]);
  }
  override userQuit(user: string, message: string): void {
    this.events.push(["userQuit", user, message]);
  }
  override messageEchoed(command: string, target: string, message: string): void {
    this.events.push(["echoed", command, target, message]);
  }
  has(name: string, ...args: unknown[]): boolean {
    return this.events.some(
      (e) => e[0] === name && args.every((a, i) => JSON.stringify(e[i + 1]) === JSON.stringify(a)),
    );
  }
}

async function connectPeer(reactor: Reactor, server: IRCServerPeer, nick: string): Promise<Peer> {
  const factory = new IRCClientFactory(() => {
    const peer = new Peer();
    peer.nickname = nick;
    peer.clock = reactor;
    return peer;
  });
  factory.clock = reactor;
  reactor.connectTCP(server.host, server.port, factory);
  onCleanup(() => factory.stopTrying());
  await until(
    () => factory.client?.signed === true,
    15_000,
    () => `${nick} to sign on`,
  );
  return factory.client as Peer;
}

describe("IRCClient against ngIRCd", () => {
  let server: IRCServerPeer;
  beforeAll(async () => {
    server = await startNgircd();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("registers, joins, tracks NAMES and talks to a second client", async () => {
    const reactor = testReactor();
    const alice = await connectPeer(reactor, server, "alice");
    expect(alice.hostname).toBe("irc.test.local");
    expect(alice.supported.caseMapping).toBe("ascii");
    alice.join("#room");
    await until(
      () => alice.has("joined", "#room"),
      5000,
      () => "alice to join",
    );
    const bob = await connectPeer(reactor, server, "bob");
    bob.join("#room");
    await until(
      () => alice.has("userJoined", "bob", "#room"),
      5000,
      () => "bob to join",
    );
    await until(
      () => bob.getChannel("#ROOM")?.namesComplete === true,
      5000,
      () => "bob's NAMES",
    );
    expect(bob.getChannel("#room")?.getMember("alice")?.modes).toBe("o");
    expect(bob.getChannel("#room")?.nicks().sort()).toEqual(["alice", "bob"]);

    bob.say("#room", "hello, world! ünïcödé 👋");
    bob.describe("#room", "waves");
    bob.notice("alice", "psst");
    await until(
      () => alice.has("noticed", "bob", "alice", "psst"),
      5000,
      () => "the notice",
    );
    expect(alice.has("privmsg", "bob", "#room", "hello, world! ünïcödé 👋", null)).toBe(true);
    expect(alice.has("action", "bob", "#room", "waves")).toBe(true);

    alice.mode("#room", true, "v", undefined, "bob");
    alice.topic("#room", "a topic");
    await until(
      () => bob.has("topicUpdated", "alice", "#room", "a topic"),
      5000,
      () => "topic",
    );
    expect(bob.has("modeChanged", "alice", "#room", true, "v", ["bob"])).toBe(true);
    expect(alice.getChannel("#room")?.getMember("bob")?.modes).toBe("v");

    bob.setNick("robert");
    await until(
      () => alice.has("userRenamed", "bob", "robert"),
      5000,
      () => "the rename",
    );
    expect(alice.getChannel("#room")?.getMember("robert")?.modes).toBe("v");
    expect(bob.nickname).toBe("robert");

    bob.quit("bye now");
    // ngIRCd relays a user's quit message in double quotes.
    await until(
      () => alice.has("userQuit", "robert", '"bye now"'),
      5000,
      () => "the quit",
    );
    expect(alice.getChannel("#room")?.nicks()).toEqual(["alice"]);
  }, 60_000);

  it("splits a long message so the server relays every byte, graphemes whole", async () => {
    const reactor = testReactor();
    const alice = await connectPeer(reactor, server, "alice2");
    const bob = await connectPeer(reactor, server, "bob2");
    alice.join("#split");
    bob.join("#split");
    await until(
      () => alice.has("userJoined", "bob2", "#split"),
      5000,
      () => "the join",
    );
    const text = Array.from({ length: 120 }, (_, i) => `word${i} 👨‍👩‍👧 é`).join(" ");
    alice.lineRate = null;
    const chunks = alice.say("#split", text);
    expect(chunks.length).toBeGreaterThan(2);
    await until(
      () => bob.events.filter((e) => e[0] === "privmsg").length === chunks.length,
      10_000,
      () => "every chunk",
    );
    const received = bob.events.filter((e) => e[0] === "privmsg").map((e) => e[3]);
    expect(received).toEqual(chunks);
    expect(received.join(" ")).toBe(text);
  }, 60_000);

  it("queues a burst of lines and delivers all of them, in order", async () => {
    const reactor = testReactor();
    const alice = await connectPeer(reactor, server, "alice3");
    const bob = await connectPeer(reactor, server, "bob3");
    alice.lineRate = 0.05;
    alice.lineBurst = 5;
    for (let i = 0; i < 30; i++) alice.msg("bob3", `line ${i}`);
    expect(alice.pendingLines).toBeGreaterThan(0);
    await until(
      () => bob.events.filter((e) => e[0] === "privmsg").length === 30,
      15_000,
      () => "30 lines",
    );
    expect(bob.events.filter((e) => e[0] === "privmsg").map((e) => e[3])).toEqual(
      Array.from({ length: 30 }, (_, i) => `line ${i}`),
    );
  }, 60_000);

  it("reconnects after the server restarts, and rejoins its channels", async () => {
    const reactor = testReactor();
    const factory = new IRCClientFactory(() => {
      const peer = new Peer();
      peer.nickname = "stayer";
      peer.clock = reactor;
      return peer;
    }, ["#persist"]);
    factory.clock = reactor;
    factory.initialDelay = 0.2;
    factory.delay = 0.2;
    factory.maxDelay = 1;
    reactor.connectTCP(server.host, server.port, factory);
    onCleanup(() => factory.stopTrying());
    await until(
      () => factory.client?.has("joined", "#persist") === true,
      15_000,
      () => "join",
    );
    factory.client?.join("#second");
    await until(
      () => factory.client?.has("joined", "#second") === true,
      5000,
      () => "second",
    );
    const first = factory.client;
    await server.restart();
    await until(
      () => factory.client !== first && factory.client?.channels.size === 2,
      30_000,
      () => `the rejoin (${server.output().slice(-500)})`,
    );
    expect([...(factory.client?.channels.values() ?? [])].map((c) => c.name).sort()).toEqual([
      "#persist",
      "#second",
    ]);
  }, 90_000);
});

describe("IRCClient against InspIRCd (IRCv3)", () => {
  let server: IRCServerPeer;
  beforeAll(async () => {
    server = await startInspircd();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("negotiates capabilities and uses server-time, echo-message and multi-prefix", async () => {
    const reactor = testReactor();
    const alice = await connectPeer(reactor, server, "alice");
    for (const cap of ["server-time", "echo-message", "multi-prefix", "cap-notify", "batch"]) {
      expect(alice.enabledCapabilities.has(cap), cap).toBe(true);
    }
    const bob = await connectPeer(reactor, server, "bob");
    alice.join("#v3");
    await until(
      () => alice.has("joined", "#v3"),
      5000,
      () => "alice to join",
    );
    bob.join("#v3");
    await until(
      () => alice.has("userJoined", "bob", "#v3"),
      5000,
      () => "bob to join",
    );
    bob.say("#v3", "timed");
    await until(
      () => bob.has("echoed", "PRIVMSG", "#v3", "timed"),
      5000,
      () => "the echo",
    );
    await until(
      () => alice.events.some((e) => e[0] === "privmsg"),
      5000,
      () => "the message",
    );
    const message = alice.events.find((e) => e[0] === "privmsg") as Event;
    expect(message[4]).toBeInstanceOf(Date);
    expect(Math.abs((message[4] as Date).getTime() - Date.now())).toBeLessThan(60_000);
    expect(bob.events.some((e) => e[0] === "privmsg")).toBe(false);
    await until(
      () => bob.getChannel("#v3")?.namesComplete === true,
      5000,
      () => "NAMES",
    );
    expect(bob.getChannel("#v3")?.getMember("alice")?.modes).toBe("o");
  }, 60_000);
});
