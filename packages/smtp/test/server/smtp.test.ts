import { Deferred, Failure } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { Address, User } from "../../src/address.js";
import {
  AllowAnonymousAccess,
  InMemoryUsernamePasswordDatabaseDontUse,
} from "../../src/cred/checkers.js";
import { UnauthorizedLogin } from "../../src/cred/errors.js";
import { Portal } from "../../src/cred/portal.js";
import { SMTPBadRcpt, SMTPBadSender, SMTPServerError } from "../../src/errors.js";
import { SMTPFactory } from "../../src/server/factory.js";
import type { IMessageDelivery } from "../../src/server/interfaces.js";
import { defaultReceivedHeader, SMTP } from "../../src/server/smtp.js";
import { connect, MemoryDelivery, MemoryMessage } from "./helpers.js";

function smtp(delivery: IMessageDelivery | null = new MemoryDelivery()): SMTP {
  const p = new SMTP(delivery);
  p.host = "test.local";
  return p;
}

describe("SMTP greeting and basic commands", () => {
  it("greets with the host and NO UCE NO UBE NO RELAY PROBES", () => {
    const s = connect(smtp(), { keepGreeting: true });
    expect(s.take()).toBe("220 test.local NO UCE NO UBE NO RELAY PROBES\r\n");
  });

  it("answers a blank line with 500 Error: bad syntax", () => {
    const s = connect(smtp());
    s.send("\r\n   \r\n");
    expect(s.lines()).toEqual(["500 Error: bad syntax", "500 Error: bad syntax"]);
  });

  it("answers an unknown verb with 500 Command not implemented", () => {
    const s = connect(smtp());
    s.send("FOO bar\r\nconstructor\r\n__proto__ x\r\nEHLO x\r\n");
    expect(s.lines()).toEqual(Array(4).fill("500 Command not implemented"));
  });

  it("matches verbs in any case and greets HELO with the peer", () => {
    const s = connect(smtp());
    s.send("helo   client.example\r\n");
    expect(s.lines()).toEqual(["250 test.local Hello 10.0.0.9, nice to meet you"]);
    expect((s.protocol as unknown as { _helo: unknown })._helo).toEqual([
      "client.example",
      "10.0.0.9",
    ]);
  });

  it("answers RSET, NOOP, VRFY and QUIT, then closes", () => {
    const s = connect(smtp());
    s.send("RSET\r\nNOOP\r\nVRFY joe\r\nQUIT\r\nNOOP\r\n");
    expect(s.lines()).toEqual([
      "250 I remember nothing.",
      "250 OK",
      "252 Cannot VRFY user, but will accept message and attempt delivery",
      "221 See you later",
    ]);
    expect(s.transport.connected).toBe(false);
  });

  it("accepts bare LF as the end of a command", () => {
    const s = connect(smtp());
    s.send("NOOP\nNOOP\r\n");
    expect(s.lines()).toEqual(["250 OK", "250 OK"]);
  });
});

describe("SMTP MAIL and RCPT", () => {
  it("accepts a sender, refuses a second, and accepts <>", () => {
    const s = connect(smtp());
    s.send("MAIL FROM:<a@b.c>\r\nMAIL FROM:<a@b.c>\r\nRSET\r\nMAIL FROM:<>\r\n");
    expect(s.lines()).toEqual([
      "250 Sender address accepted",
      "503 Only one sender per message, please",
      "250 I remember nothing.",
      "250 Sender address accepted",
    ]);
  });

  it("answers bad syntax with 501 and a bad address with 553", () => {
    const s = connect(smtp());
    s.send("MAIL TO:<a@b>\r\nMAIL FROM:<a@b\r\nMAIL FROM:<a b@c>\r\nMAIL FROM:<a@-bad->\r\n");
    const lines = s.lines();
    expect(lines.slice(0, 2)).toEqual(["501 Syntax error", "501 Syntax error"]);
    expect(lines[2]).toMatch(/^(553|501) /);
    expect(lines[3]).toMatch(/^553 /);
  });

  it("strips source routes and ignores ESMTP parameters", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    s.send(
      "MAIL FROM:<@this,@is,@ignored:foo@bar.com> SIZE=100\r\nRCPT TO:<@a,@b:bar@foo.com> NOTIFY=NEVER\r\n",
    );
    expect(s.lines()).toEqual(["250 Sender address accepted", "250 Recipient address accepted"]);
    expect(d.froms[0]?.[1].toString()).toBe("foo@bar.com");
    expect(d.tos[0]?.[0].dest.toString()).toBe("bar@foo.com");
  });

  it("needs a sender before a recipient", () => {
    const s = connect(smtp());
    s.send("RCPT TO:<a@b.c>\r\n");
    expect(s.lines()).toEqual(["503 Must have sender before recipient"]);
  });

  it("gives SMTPBadSender's code, an SMTPServerError's code, and 451 for anything else", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    d.acceptFrom = (o) => new SMTPBadSender(o);
    s.send("MAIL FROM:<x@y.z>\r\n");
    d.acceptFrom = () => new SMTPServerError(421, "go away");
    s.send("MAIL FROM:<x@y.z>\r\n");
    d.acceptFrom = () => new Error("boom");
    s.send("MAIL FROM:<x@y.z>\r\n");
    expect(s.lines()).toEqual([
      "550 Cannot receive from specified address <x@y.z>: Sender not acceptable",
      "421 go away",
      "451 Requested action aborted: local error in processing",
    ]);
  });

  it("gives 550 for SMTPBadRcpt and 451 for an unexpected error", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    d.acceptTo = (u) => (u.dest.local === "bad" ? new SMTPBadRcpt(u) : new TypeError("oops"));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<bad@b.c>\r\nRCPT TO:<odd@b.c>\r\n");
    expect(s.lines()).toEqual([
      "250 Sender address accepted",
      "550 Cannot receive for specified address",
      "451 Requested action aborted: local error in processing",
    ]);
  });

  it("refuses RCPT TO:<> with 501", () => {
    const s = connect(smtp());
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<>\r\n");
    expect(s.lines()[1]).toBe("501 Syntax error");
  });

  it("refuses the sender without a delivery or a portal", () => {
    const s = connect(smtp(null));
    s.send("MAIL FROM:<a@b.c>\r\n");
    expect(s.lines()).toEqual([
      "550 Cannot receive from specified address <a@b.c>: Sender not acceptable",
    ]);
  });
});

describe("SMTP DATA", () => {
  it("needs a sender and a recipient", () => {
    const s = connect(smtp());
    s.send("DATA\r\nMAIL FROM:<a@b.c>\r\nDATA\r\n");
    expect(s.lines()).toEqual([
      "503 Must have valid receiver and originator",
      "250 Sender address accepted",
      "503 Must have valid receiver and originator",
    ]);
  });

  it("runs the table-driven session of Twisted's tests with exact delivered bytes", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    const messages: [string, string[], string, string[], string[]][] = [
      [
        "moshez@foo.com",
        ["moshez@bar.com"],
        "moshez@foo.com",
        ["moshez@bar.com"],
        ["From: Moshe", "To: Moshe", "", "Hi,", "how are you?"],
      ],
      [
        "tttt@rrr.com",
        ["uuu@ooo", "yyy@eee"],
        "tttt@rrr.com",
        ["uuu@ooo", "yyy@eee"],
        ["Subject: pass", "", "..rrrr.."],
      ],
      [
        "@this,@is,@ignored:foo@bar.com",
        ["@ignore,@this,@too:bar@foo.com"],
        "foo@bar.com",
        ["bar@foo.com"],
        ["Subject: apa", "To: foo", "", "123", ".", "456"],
      ],
    ];
    s.send("HELO foo.com\r\nRSET\r\n");
    expect(s.lines()).toEqual([
      "250 test.local Hello 10.0.0.9, nice to meet you",
      "250 I remember nothing.",
    ]);
    for (const [from, to, expFrom, expTo, body] of messages) {
      d.delivered.length = 0;
      s.send(`MAIL FROM:<${from}>\r\n`);
      for (const rcpt of to) s.send(`RCPT TO:<${rcpt}>\r\n`);
      s.send("DATA\r\n");
      for (const line of body) s.send(`${line.startsWith(".") ? "." : ""}${line}\r\n`);
      s.send(".\r\n");
      expect(s.lines()).toEqual([
        "250 Sender address accepted",
        ...to.map(() => "250 Recipient address accepted"),
        "354 Continue",
        "250 Delivery in progress",
      ]);
      expect(d.delivered.map((m) => m.user.dest.toString())).toEqual(expTo);
      for (const m of d.delivered) {
        expect(m.lines[0]?.toString()).toBe(
          `Received: from foo.com for ${m.user.dest.toString()} from ${expFrom}`,
        );
        expect(m.body()).toBe(body.map((l) => l).join("\n"));
      }
    }
  });

  it("unstuffs dots and keeps other leading dots", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    s.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nA: b\r\n\r\n..\r\n...\r\n..x\r\n.y\r\n.\r\n",
    );
    expect(d.delivered[0]?.body()).toBe("A: b\n\n.\n..\n.x\ny");
  });

  it("adds a blank line after the Received header for a message without headers", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhello\r\n.\r\n");
    expect(d.delivered[0]?.body()).toBe("\nhello");
  });

  it("answers an empty message", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n.\r\n");
    expect(s.lines().at(-1)).toBe("250 Delivery in progress");
    expect(d.delivered[0]?.lines.length).toBe(1);
  });

  it("waits for eomReceived before answering, and holds pipelined commands", () => {
    const d = new MemoryDelivery();
    const pending = new Deferred<unknown>();
    d.onMessage = (m) => {
      m.pending = pending;
    };
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n");
    expect(s.lines()).toEqual([
      "250 Sender address accepted",
      "250 Recipient address accepted",
      "354 Continue",
    ]);
    pending.callback(undefined);
    expect(s.lines()).toEqual(["250 Delivery in progress", "250 OK"]);
  });

  it("answers 550 Could not send e-mail, with the count for several recipients", () => {
    const d = new MemoryDelivery();
    let n = 0;
    d.onMessage = (m) => {
      if (n++ % 2 === 0) m.failWith = new Error("disk on fire");
    };
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\n");
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\nhi\r\n.\r\n");
    const lines = s.lines();
    expect(lines[3]).toBe("550 Could not send e-mail");
    expect(lines.at(-1)).toBe("550 Could not send e-mail (1 failures out of 2 recipients)");
  });

  it("answers with the SMTPServerError of a failed eomReceived (451 keeps mail retried)", () => {
    const d = new MemoryDelivery();
    d.onMessage = (m) => {
      m.failWith = new SMTPServerError(451, "try later");
    };
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\n");
    expect(s.lines().at(-1)).toBe("451 try later");
  });

  it("aborts every message on an SMTPServerError from lineReceived and sends it at the end", () => {
    const d = new MemoryDelivery();
    d.onMessage = (m) => {
      m.lineReceived = (line: Buffer) => {
        if (line.toString() === "bad") throw new SMTPServerError(554, "No thanks");
      };
    };
    const s = connect(smtp(d));
    s.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\nok\r\nbad\r\nmore\r\n.\r\nNOOP\r\n",
    );
    expect(s.lines().slice(-2)).toEqual(["554 No thanks", "250 OK"]);
    expect(d.made.every((m) => m.lost)).toBe(true);
    expect(d.delivered).toEqual([]);
  });

  it("answers 550 Internal server error when a message factory throws", () => {
    const d = new MemoryDelivery();
    d.onMessage = () => {
      throw new Error("no");
    };
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nNOOP\r\n");
    expect(s.lines().slice(-2)).toEqual(["550 Internal server error", "250 OK"]);
  });

  it("tells the messages when the connection is lost during DATA", () => {
    const d = new MemoryDelivery();
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhalf");
    s.protocol.connectionLost(new Failure(new Error("gone")));
    expect(d.made[0]?.lost).toBe(true);
  });
});

describe("SMTP limits", () => {
  it("times out after 600 s of silence with Twisted's 421", () => {
    const s = connect(smtp());
    s.clock.advance(599);
    s.send("NOOP\r\n");
    s.take();
    s.clock.advance(599);
    expect(s.take()).toBe("");
    s.clock.advance(1);
    expect(s.lines()).toEqual(["421 test.local Timeout. Try talking faster next time!"]);
    expect(s.transport.connected).toBe(false);
  });

  it("answers 500 Line too long for a command past 512 octets and goes on", () => {
    const s = connect(smtp());
    s.send(`NOOP ${"x".repeat(520)}\r\nNOOP\r\n`);
    expect(s.lines()).toEqual(["500 Line too long", "250 OK"]);
  });

  it("drops a huge line as it comes and reports it once", () => {
    const s = connect(smtp());
    for (let i = 0; i < 10; i++) s.send("y".repeat(10000));
    s.send("\r\nNOOP\r\n");
    expect(s.lines()).toEqual(["500 Line too long", "250 OK"]);
    expect((s.protocol as unknown as { reader: { buffered: number } }).reader.buffered).toBe(0);
  });

  it("limits the recipients of one message to 100 with 452", () => {
    const s = connect(smtp());
    let text = "MAIL FROM:<a@b.c>\r\n";
    for (let i = 0; i < 101; i++) text += `RCPT TO:<u${i}@y.z>\r\n`;
    s.send(text);
    const lines = s.lines();
    expect(lines.filter((l) => l === "250 Recipient address accepted")).toHaveLength(100);
    expect(lines.at(-1)).toBe("452 Too many recipients");
  });

  it("closes with 421 after too many errors", () => {
    const p = smtp();
    p.maxErrors = 3;
    const s = connect(p);
    s.send("BAD\r\nBAD\r\nBAD\r\nNOOP\r\n");
    expect(s.lines()).toEqual([
      "500 Command not implemented",
      "500 Command not implemented",
      "500 Command not implemented",
      "421 test.local Too many errors, closing connection",
    ]);
    expect(s.transport.connected).toBe(false);
  });

  it("discards a message past maxMessageSize and answers 552 at its end", () => {
    const d = new MemoryDelivery();
    const p = smtp(d);
    p.maxMessageSize = 100;
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    for (let i = 0; i < 50; i++) s.send("0123456789\r\n");
    s.send(".\r\nNOOP\r\n");
    expect(s.lines().slice(-2)).toEqual([
      "552 Message size exceeds fixed maximum message size",
      "250 OK",
    ]);
    expect(d.made[0]?.lost).toBe(true);
    expect(d.made[0]?.lines.length).toBeLessThan(12);
  });

  it("fails a message with a line past maxDataLineLength at its end, without leaving DATA", () => {
    const d = new MemoryDelivery();
    const p = smtp(d);
    p.maxDataLineLength = 100;
    const s = connect(p);
    s.send(
      `MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n${"z".repeat(300)}\r\nQUIT\r\n.\r\nNOOP\r\n`,
    );
    expect(s.lines().slice(-2)).toEqual(["500 Line too long", "250 OK"]);
    expect(s.transport.connected).toBe(true);
  });

  it("closes with 421 when one DATA takes longer than maxDataTime", () => {
    const p = smtp();
    p.maxDataTime = 60;
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    s.take();
    for (let i = 0; i < 7; i++) {
      s.clock.advance(10);
      s.send("x\r\n");
    }
    expect(s.lines()).toEqual(["421 test.local Error: timeout exceeded"]);
    expect(s.transport.connected).toBe(false);
  });
});

describe("SMTP with a portal", () => {
  class Realm {
    constructor(readonly delivery: MemoryDelivery) {}
    requestAvatar(_id: unknown, _mind: unknown) {
      return ["IMessageDelivery", this.delivery, () => {}] as const satisfies readonly [
        string,
        unknown,
        () => void,
      ];
    }
  }

  it("logs in anonymously and validates through the avatar", () => {
    const d = new MemoryDelivery();
    const p = smtp(null);
    p.portal = new Portal(new Realm(d), [new AllowAnonymousAccess()]);
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\n");
    expect(s.lines()).toEqual(["250 Sender address accepted"]);
    expect(d.froms).toHaveLength(1);
  });

  it("refuses the sender when anonymous logins are not handled", () => {
    const p = smtp(null);
    p.portal = new Portal(new Realm(new MemoryDelivery()), [
      new InMemoryUsernamePasswordDatabaseDontUse(),
    ]);
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\n");
    expect(s.lines()).toEqual([
      "550 Cannot receive from specified address <a@b.c>: Unauthenticated senders not allowed",
    ]);
  });

  it("refuses the sender when the anonymous login is refused", () => {
    const p = smtp(null);
    p.portal = new Portal(new Realm(new MemoryDelivery()), [
      {
        credentialInterfaces: ["IAnonymous"],
        requestAvatarId: () => {
          throw new UnauthorizedLogin();
        },
      },
    ]);
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\n");
    expect(s.lines()).toEqual([
      "550 Cannot receive from specified address <a@b.c>: Sender not acceptable",
    ]);
  });
});

describe("SMTP delivery factories and Promises", () => {
  it("gets a fresh delivery per message from an IMessageDeliveryFactory", () => {
    const made: MemoryDelivery[] = [];
    const p = smtp(null);
    p.deliveryFactory = {
      getMessageDelivery: () => {
        const d = new MemoryDelivery();
        made.push(d);
        return d;
      },
    };
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\nMAIL FROM:<a@b.c>\r\n");
    expect(s.lines().at(-1)).toBe("250 Sender address accepted");
    expect(made).toHaveLength(2);
    expect(made[0]?.delivered).toHaveLength(1);
  });

  it("waits for Promises returned by validateFrom, validateTo and eomReceived", async () => {
    const d = new MemoryDelivery();
    const p = smtp({
      receivedHeader: () => null,
      validateFrom: async (_h, origin) => origin,
      validateTo: async (user) => () => ({
        lineReceived: () => {},
        eomReceived: async () => {
          d.delivered.push(new MemoryMessage(user, []));
        },
        connectionLost: () => {},
      }),
    });
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n");
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(s.lines()).toEqual([
      "250 Sender address accepted",
      "250 Recipient address accepted",
      "354 Continue",
      "250 Delivery in progress",
      "250 OK",
    ]);
    expect(d.delivered).toHaveLength(1);
  });
});

describe("SMTP pipelining of Deferred validations", () => {
  it("answers in order when validateFrom and validateTo are asynchronous", () => {
    const d = new MemoryDelivery();
    d.deferFrom = d.deferTo = true;
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\nhi\r\n.\r\n");
    expect(s.lines()).toEqual([]);
    d.waiting[0]?.callback(undefined);
    expect(s.lines()).toEqual(["250 Sender address accepted"]);
    d.waiting[1]?.callback(undefined);
    d.waiting[2]?.callback(undefined);
    expect(s.lines()).toEqual([
      "250 Recipient address accepted",
      "250 Recipient address accepted",
      "354 Continue",
      "250 Delivery in progress",
    ]);
    expect(d.delivered).toHaveLength(2);
  });

  it("pauses the transport while much input waits, and resumes", () => {
    const d = new MemoryDelivery();
    d.deferFrom = true;
    const s = connect(smtp(d));
    s.send("MAIL FROM:<a@b.c>\r\n");
    for (let i = 0; i < 40; i++) s.send(`NOOP ${"n".repeat(400)}\r\n`.repeat(20));
    expect(s.transport.producerState).toBe("paused");
    d.waiting[0]?.callback(undefined);
    expect(s.transport.producerState).toBe("producing");
  });
});

describe("SMTPFactory and the default Received header", () => {
  it("builds protocols with its domain, delivery, clock and limits", () => {
    const d = new MemoryDelivery();
    const f = new SMTPFactory(null, {
      domain: "mx.example",
      delivery: d,
      maxRecipients: 2,
      timeout: 5,
    });
    const p = f.buildProtocol(new (class {})() as never);
    expect(p.host).toBe("mx.example");
    expect(p.delivery).toBe(d);
    expect(p.maxRecipients).toBe(2);
    expect(p.timeout).toBe(5);
  });

  it("formats Twisted's Received header", () => {
    const user = new User(new Address("x@y.z"), ["h", "1.2.3.4"], null, new Address("a@b.c"));
    const text = defaultReceivedHeader(["h", "1.2.3.4"], "mx", "ESMTP", [user], new Date(0));
    expect(text).toBe(
      "Received: from h ([1.2.3.4] helo=h)\n\tby mx with ESMTP (twisted-ts)\n\tfor <x@y.z>; Thu, 01 Jan 1970 00:00:00 +0000",
    );
  });
});
