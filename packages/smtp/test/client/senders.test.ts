import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import {
  CancelledError,
  ConnectionDone,
  ConnectionLost,
  Deferred,
  Failure,
  IPv4Address,
} from "@twisted-ts/core";
import { Clock, MemoryReactorClock, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  ESMTPSenderFactory,
  type SendResult,
  SMTPConnectError,
  SMTPDeliveryError,
  SMTPProtocolError,
  SMTPSenderFactory,
  sendmail,
  TLSRequiredError,
} from "../../src/index.js";
import { drain, feed, written } from "./helpers.js";

const ADDR = new IPv4Address("TCP", "127.0.0.1", 25);

function outcome<T>(d: Deferred<T>): { value?: T; error?: unknown } {
  const box: { value?: T; error?: unknown } = {};
  d.addCallbacks(
    (v: T) => {
      box.value = v;
      return undefined;
    },
    (f: Failure) => {
      box.error = f.value;
      return undefined;
    },
  );
  return box;
}

/** Connect the factory's next protocol to a fresh StringTransport. */
function attempt(factory: SMTPSenderFactory) {
  const client = factory.buildProtocol(ADDR);
  const transport = new StringTransport();
  client.makeConnection(transport);
  return { client, transport };
}

const lost = () => new Failure(new ConnectionLost("gone"));

describe("SMTPSenderFactory", () => {
  it("keeps the timeout from expiring while the body is being sent", async () => {
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const clock = new Clock();
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from("x");
    }
    const factory = new SMTPSenderFactory("source@address", "recipient@address", slow, d, 0, 3, {
      clock,
    });
    factory.domain = "example.org";
    const { client, transport } = attempt(factory);
    feed(client, "220 Ok\r\n250 Ok\r\n250 Ok\r\n250 Ok\r\n354 Ok\r\n");
    expect(transport.producer).toBeDefined();
    expect(transport.streaming).toBe(false);
    clock.advance(2);
    await drain(transport);
    clock.advance(2);
    expect(box.error).toBeUndefined();
    feed(client, "250 Ok\r\n");
    expect(box.value).toEqual([1, [["recipient@address", 250, "Ok"]]]);
    expect(transport.value().toString()).toBe(
      "HELO example.org\r\nMAIL FROM:<source@address>\r\nRCPT TO:<recipient@address>\r\n" +
        "DATA\r\nx\r\n.\r\nRSET\r\n",
    );
    feed(client, "250 Ok\r\n");
    expect(written(transport).at(-1)).toBe("QUIT");
  });

  it("retries after a lost connection, rewinding the message, then succeeds", async () => {
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const reactor = new MemoryReactorClock();
    let opened = 0;
    const message = () => {
      opened++;
      return Readable.from([Buffer.from("Subject: t\n\nline one\n"), Buffer.from(".line two\n")]);
    };
    const factory = new SMTPSenderFactory("a@x.example", ["b@y.example"], message, d, 2);
    reactor.connectTCP("mx", 25, factory);
    const connector = reactor.connectors[0];
    if (connector === undefined) throw new Error("no connector");
    const first = attempt(factory);
    feed(first.client, "220 hi\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    first.transport.producer?.resumeProducing();
    first.client.connectionLost(lost());
    factory.clientConnectionLost(connector, lost());
    expect(factory.currentProtocol).toBeNull();
    expect(connector.connectCalls).toBe(1);
    expect(factory.retries).toBe(1);
    const second = attempt(factory);
    feed(second.client, "220 hi\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    second.transport.clear();
    await drain(second.transport);
    expect(second.transport.value().toString()).toBe(
      "Subject: t\r\n\r\nline one\r\n..line two\r\n.\r\n",
    );
    feed(second.client, "250 queued\r\n");
    expect(box.value?.[0]).toBe(1);
    expect(opened).toBe(2);
  });

  it("copies a single stream to a temporary file, re-reads it on retry, and deletes it", async () => {
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const reactor = new MemoryReactorClock();
    const stream = Readable.from([Buffer.from("hello\n"), Buffer.from("world\n")]);
    const factory = new SMTPSenderFactory("a@x.example", "b@y.example", stream, d, 1);
    reactor.connectTCP("mx", 25, factory);
    const connector = reactor.connectors[0];
    if (connector === undefined) throw new Error("no connector");
    for (let round = 0; round < 2; round++) {
      const { client, transport } = attempt(factory);
      feed(client, "220 hi\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
      transport.clear();
      await drain(transport);
      expect(transport.value().toString()).toBe("hello\r\nworld\r\n.\r\n");
      if (round === 0) {
        client.connectionLost(lost());
        factory.clientConnectionLost(connector, lost());
      } else {
        const path = factory.file.copyPath;
        expect(path !== undefined && existsSync(path)).toBe(true);
        feed(client, "250 queued\r\n");
        expect(box.value?.[0]).toBe(1);
        await new Promise((r) => setTimeout(r, 50));
        expect(existsSync(path as string)).toBe(false);
      }
    }
  });

  it("fails with 'Unable to connect to server.' once the retries are spent", () => {
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const reactor = new MemoryReactorClock();
    const factory = new SMTPSenderFactory("a@x.example", "b@y.example", "hi", d, 2);
    reactor.connectTCP("mx", 25, factory);
    const connector = reactor.connectors[0];
    if (connector === undefined) throw new Error("no connector");
    for (let i = 0; i < 3; i++) {
      factory.clientConnectionFailed(connector, new Failure(new ConnectionDone()));
    }
    expect(connector.connectCalls).toBe(2);
    expect(box.error).toBeInstanceOf(SMTPConnectError);
    expect((box.error as SMTPConnectError).resp).toBe("Unable to connect to server.");
  });

  it("does not retry a refused message: SMTPDeliveryError with the per-recipient log", () => {
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const reactor = new MemoryReactorClock();
    const factory = new SMTPSenderFactory("a@x.example", ["b@y.example", "c@y.example"], "", d);
    reactor.connectTCP("mx", 25, factory);
    const connector = reactor.connectors[0];
    if (connector === undefined) throw new Error("no connector");
    const { client } = attempt(factory);
    feed(client, "220 hi\r\n250 hi\r\n250 ok\r\n550 no b\r\n551 no c\r\n");
    factory.clientConnectionLost(connector, lost());
    expect(connector.connectCalls).toBe(0);
    const error = box.error as SMTPDeliveryError;
    expect(error).toBeInstanceOf(SMTPDeliveryError);
    expect(error.log).toContain("b@y.example: 550 no b");
    expect(error.addresses).toEqual([
      ["b@y.example", 550, "no b"],
      ["c@y.example", 551, "no c"],
    ]);
  });

  it("retries a 4xx greeting, and gives up at once on a protocol error", () => {
    const reactor = new MemoryReactorClock();
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const factory = new SMTPSenderFactory("a@x.example", "b@y.example", "hi", d, 3);
    reactor.connectTCP("mx", 25, factory);
    const connector = reactor.connectors[0];
    if (connector === undefined) throw new Error("no connector");
    const first = attempt(factory);
    feed(first.client, "421 busy\r\n");
    expect(box.error).toBeUndefined();
    factory.clientConnectionLost(connector, lost());
    expect(connector.connectCalls).toBe(1);
    const second = attempt(factory);
    feed(second.client, "220 hi\r\nwhat\r\n");
    expect(box.error).toBeInstanceOf(SMTPProtocolError);
    factory.clientConnectionLost(connector, lost());
    expect(connector.connectCalls).toBe(1);
  });
});

describe("ESMTPSenderFactory", () => {
  it("requires TLS by default", () => {
    const d = new Deferred<SendResult>();
    const box = outcome(d);
    const factory = new ESMTPSenderFactory("joe", "pw", "a@x.example", "b@y.example", "hi", d, {
      contextFactory: { servername: "mx" },
    });
    const { client, transport } = attempt(factory);
    feed(client, "220 hi\r\n250-mx\r\n250 AUTH PLAIN\r\n");
    expect(box.error).toBeInstanceOf(TLSRequiredError);
    expect(written(transport)).toEqual([`EHLO ${factory.domain}`, "QUIT"]);
  });

  it("registers CRAM-MD5, LOGIN and PLAIN in that order", () => {
    const factory = new ESMTPSenderFactory(
      "joe",
      "pw",
      "a@x.example",
      "b@y.example",
      "hi",
      new Deferred(),
    );
    const p = factory.buildProtocol(ADDR);
    expect(p.authenticators.map((a) => a.getName())).toEqual(["CRAM-MD5", "LOGIN", "PLAIN"]);
  });
});

describe("sendmail", () => {
  it("sends a string message and fires with [numOk, addresses]", async () => {
    const reactor = new MemoryReactorClock();
    const d = sendmail("mx.example", "a@x.example", ["b@y.example"], "Hi\n", {
      reactor,
      port: 2525,
      senderDomainName: "me.example",
    });
    const box = outcome(d);
    const [host, port, factory] = reactor.tcpClients[0] ?? [];
    expect([host, port]).toEqual(["mx.example", 2525]);
    const client = (factory as ESMTPSenderFactory).buildProtocol(ADDR);
    const transport = new StringTransport();
    client.makeConnection(transport);
    feed(client, "220 hi\r\n502 no EHLO\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    expect(written(transport).slice(0, 2)).toEqual(["EHLO me.example", "HELO me.example"]);
    await drain(transport);
    feed(client, "250 ok\r\n");
    expect(box.value).toEqual([1, [["b@y.example", 250, "ok"]]]);
  });

  it("cancelled before connecting: stops the attempt and never retries", () => {
    const reactor = new MemoryReactorClock();
    const d = sendmail("mx.example", "a@x.example", "b@y.example", "Hi", { reactor });
    const box = outcome(d);
    d.cancel();
    const connector = reactor.connectors[0];
    expect(connector?.disconnected).toBe(true);
    expect(box.error).toBeInstanceOf(CancelledError);
    const factory = reactor.tcpClients[0]?.[2] as ESMTPSenderFactory;
    if (connector === undefined) throw new Error("no connector");
    factory.clientConnectionFailed(connector, new Failure(new ConnectionDone()));
    expect(connector.connectCalls).toBe(0);
  });

  it("cancelled after connecting: aborts the connection and never retries", () => {
    const reactor = new MemoryReactorClock();
    const d = sendmail("mx.example", "a@x.example", "b@y.example", "Hi", { reactor });
    const box = outcome(d);
    const factory = reactor.tcpClients[0]?.[2] as ESMTPSenderFactory;
    const client = factory.buildProtocol(ADDR);
    const transport = new StringTransport();
    client.makeConnection(transport);
    feed(client, "220 hi\r\n");
    d.cancel();
    expect(transport.disconnected).toBe(true);
    expect(box.error).toBeInstanceOf(CancelledError);
    const connector = reactor.connectors[0];
    if (connector === undefined) throw new Error("no connector");
    factory.clientConnectionLost(connector, lost());
    expect(connector.connectCalls).toBe(0);
  });
});
