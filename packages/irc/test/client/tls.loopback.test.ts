/**
 * IRC over TLS on loopback: our IRCClient, through `connectSSL` with a verified certificate, to
 * the embedded server behind `listenSSL`; the reconnecting factory works the same over TLS.
 */
import type { IPv4Address } from "@twisted-ts/core";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor, until } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { IRCClient, IRCClientFactory, IRCServerFactory } from "../../src/index.js";

class Peer extends IRCClient {
  override lineRate: number | null = null;
  lines: string[] = [];
  override privmsg(user: string, channel: string, message: string): void {
    this.lines.push(`${user.split("!")[0]} ${channel} ${message}`);
  }
}

describe("IRC over TLS", () => {
  it("registers, joins and exchanges messages through listenSSL/connectSSL", async () => {
    const reactor = testReactor();
    const tls = localhostCertificate();
    const server = new IRCServerFactory({ clock: reactor });
    const port = reactor.listenSSL(0, server, tls, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const portNumber = (port.getHost() as IPv4Address).port;

    const connect = (nick: string) => {
      const factory = new IRCClientFactory(() => {
        const peer = new Peer();
        peer.nickname = nick;
        peer.clock = reactor;
        return peer;
      }, ["#secure"]);
      factory.clock = reactor;
      reactor.connectSSL("127.0.0.1", portNumber, factory, {
        ca: tls.cert,
        servername: "localhost",
      });
      onCleanup(() => factory.stopTrying());
      return factory;
    };
    const alice = connect("alice");
    const bob = connect("bob");
    await until(
      () => alice.client?.getChannel("#secure")?.hasMember("bob") === true,
      10_000,
      () => "both in #secure",
    );
    expect(alice.client?.transport?.getHost()).toBeDefined();
    bob.client?.say("#secure", "over TLS");
    await until(
      () => (alice.client?.lines.length ?? 0) > 0,
      5000,
      () => "the message",
    );
    expect(alice.client?.lines).toEqual(["bob #secure over TLS"]);
    expect(server.service.getChannel("#secure")?.members.size).toBe(2);
  }, 30_000);

  it("fails the attempt when the server's certificate does not verify", async () => {
    const reactor = testReactor();
    const tls = localhostCertificate();
    const other = localhostCertificate();
    const port = reactor.listenSSL(0, new IRCServerFactory({ clock: reactor }), tls, {
      interface: "127.0.0.1",
    });
    onCleanup(async () => {
      await port.stopListening();
    });
    let failed: string | undefined;
    const factory = new IRCClientFactory(() => new Peer());
    factory.clock = reactor;
    factory.clientConnectionFailed = (_connector, reason) => {
      failed = reason.getErrorMessage();
      factory.stopTrying();
    };
    reactor.connectSSL("127.0.0.1", (port.getHost() as IPv4Address).port, factory, {
      ca: other.cert,
      servername: "localhost",
    });
    await until(
      () => failed !== undefined,
      10_000,
      () => "the failure",
    );
    expect(failed).toMatch(/certificate|self.signed|verify/i);
    expect(factory.client).toBeNull();
  }, 30_000);
});
