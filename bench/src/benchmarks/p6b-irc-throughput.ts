/**
 * Benchmark P6b: messages per second through two IRC clients and the embedded server, on
 * loopback.
 *
 * One `IRCServerFactory` (ours) listens on 127.0.0.1 in the bench process. Each side connects
 * two clients of its own to it, a sender and a receiver; a measurement has the sender send
 * 20,000 private PRIVMSGs of 60 bytes to the receiver and times them until the receiver's
 * client has parsed and delivered the last one. The figure is messages per second.
 *
 * - ours: two `IRCClient`s with `lineRate = null` (the send queue off, since irc-framework has
 *   none), capabilities negotiated as usual;
 * - irc-framework 4.14.0: two `Client`s, the most used Node IRC client, through the same server.
 * The server is the same for both sides, so the ratio compares the clients; the absolute figure
 * is the whole path (client, server, client). No target is set by the issue.
 * @packageDocumentation
 */
import { ClientFactory, type IListeningPort, Reactor } from "@twisted-ts/core";
import { IRCClient, IRCServerFactory } from "@twisted-ts/irc";
import IrcFramework, { type Client as FrameworkClient } from "irc-framework";
import type { CustomBenchmark, CustomSide, Measurement } from "../custom.js";

const MESSAGES = 20_000;
const TEXT = "x".repeat(48);

let reactor: Reactor | undefined;
let running: Promise<void> | undefined;
let port: IListeningPort | undefined;
let users = 0;

async function startServer(): Promise<number> {
  if (port === undefined) {
    reactor = new Reactor();
    running = reactor.run({ installSignalHandlers: false });
    const factory = new IRCServerFactory({ serverName: "bench.local", pingInterval: 3600 });
    factory.noisy = false;
    port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  }
  users++;
  return (port.getHost() as { port: number }).port;
}

async function stopServer(): Promise<void> {
  if (--users > 0 || reactor === undefined) return;
  await port?.stopListening();
  reactor.stop();
  await running;
  reactor = undefined;
  port = undefined;
}

function waitFor(ready: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out: ${what}`));
      else setTimeout(check, 1);
    };
    check();
  });
}

class Counter extends IRCClient {
  received = 0;
  signed = false;
  override lineRate: number | null = null;
  override heartbeatInterval: number | null = null;
  override signedOn(): void {
    this.signed = true;
  }
  override privmsg(): void {
    this.received++;
  }
}

function oursSide(): CustomSide {
  let sender: Counter | undefined;
  let receiver: Counter | undefined;
  const connect = async (nick: string, p: number): Promise<Counter> => {
    const factory = new ClientFactory<Counter>();
    let client: Counter | undefined;
    factory.buildProtocol = () => {
      client = new Counter();
      client.nickname = nick;
      client.factory = factory;
      return client;
    };
    reactor?.connectTCP("127.0.0.1", p, factory);
    await waitFor(() => client?.signed === true, `${nick} to sign on`);
    return client as Counter;
  };
  return {
    key: "ours",
    name: "twisted-ts IRCClient ×2",
    start: async () => {
      const p = await startServer();
      sender = await connect("oursend", p);
      receiver = await connect("oursrecv", p);
    },
    measure: async (): Promise<Measurement> => {
      const s = sender as Counter;
      const r = receiver as Counter;
      const target = r.received + MESSAGES;
      const started = process.hrtime.bigint();
      for (let i = 0; i < MESSAGES; i++) s.msg("oursrecv", TEXT);
      await waitFor(() => r.received >= target, "ours: every message");
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { value: MESSAGES / seconds };
    },
    stop: async () => {
      sender?.quit("done");
      receiver?.quit("done");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await stopServer();
    },
  };
}

function frameworkSide(): CustomSide {
  const clients: FrameworkClient[] = [];
  let received = 0;
  const connect = async (nick: string, p: number): Promise<FrameworkClient> => {
    const client = new IrcFramework.Client({ auto_reconnect: false });
    let registered = false;
    client.on("registered", () => {
      registered = true;
    });
    client.connect({ host: "127.0.0.1", port: p, nick });
    clients.push(client);
    await waitFor(() => registered, `${nick} to register`);
    return client;
  };
  let sender: FrameworkClient | undefined;
  return {
    key: "irc-framework",
    name: "irc-framework 4.14.0 Client ×2",
    start: async () => {
      const p = await startServer();
      sender = await connect("fwsend", p);
      const receiver = await connect("fwrecv", p);
      receiver.on("privmsg", () => {
        received++;
      });
    },
    measure: async (): Promise<Measurement> => {
      const s = sender as FrameworkClient;
      const target = received + MESSAGES;
      const started = process.hrtime.bigint();
      for (let i = 0; i < MESSAGES; i++) s.say("fwrecv", TEXT);
      await waitFor(() => received >= target, "irc-framework: every message");
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { value: MESSAGES / seconds };
    },
    stop: async () => {
      for (const client of clients) client.quit("done");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await stopServer();
    },
  };
}

/** P6b. */
export const benchmark: CustomBenchmark = {
  kind: "custom",
  id: "P6b",
  title: `IRC messages through two clients and the embedded server (${MESSAGES.toLocaleString("en-US")} per run)`,
  unit: "message",
  metric: "messages/s",
  better: "higher",
  repetitions: 5,
  sides: [oursSide(), frameworkSide()],
  comparisons: [
    {
      id: "P6b",
      title: "PRIVMSG throughput, client → embedded server → client",
      ours: "ours",
      baseline: "irc-framework",
    },
  ],
};
