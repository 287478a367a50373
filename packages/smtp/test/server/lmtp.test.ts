import { describe, expect, it } from "vitest";
import { SMTPServerError } from "../../src/errors.js";
import { LMTPFactory } from "../../src/server/factory.js";
import { LMTP } from "../../src/server/lmtp.js";
import { connect, MemoryDelivery } from "./helpers.js";

function lmtp(d = new MemoryDelivery()): LMTP {
  const p = new LMTP();
  p.host = "test.local";
  p.delivery = d;
  return p;
}

describe("LMTP", () => {
  it("greets with LMTP, takes LHLO and refuses HELO and EHLO", () => {
    const s = connect(lmtp(), { keepGreeting: true });
    s.send("HELO x\r\nEHLO x\r\nLHLO x\r\n");
    const lines = s.lines();
    expect(lines.slice(0, 3)).toEqual([
      "220 test.local NO UCE NO UBE NO RELAY PROBES LMTP",
      "500 5.5.1 Command not implemented",
      "500 5.5.1 Command not implemented",
    ]);
    expect(lines[3]).toBe("250-test.local Hello 10.0.0.9, nice to meet you");
  });

  it("answers once per accepted recipient after DATA, in order", () => {
    const d = new MemoryDelivery();
    d.onMessage = (m) => {
      if (m.user.dest.local === "full")
        m.failWith = new SMTPServerError(452, "Mailbox full", "4.2.2");
      if (m.user.dest.local === "broken") m.failWith = new Error("x");
    };
    const s = connect(lmtp(d));
    s.send("LHLO x\r\n");
    s.take();
    s.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<ok@y.z>\r\nRCPT TO:<full@y.z>\r\nRCPT TO:<broken@y.z>\r\nDATA\r\nhi\r\n.\r\n",
    );
    expect(s.lines()).toEqual([
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
      "250 2.1.5 Recipient address accepted",
      "250 2.1.5 Recipient address accepted",
      "354 Continue",
      "250 2.1.5 <ok@y.z> Delivery in progress",
      "452 4.2.2 <full@y.z> Mailbox full",
      "550 5.0.0 <broken@y.z> Could not send e-mail",
    ]);
    expect(s.protocol.withProtocol()).toBe("LMTP");
  });

  it("answers once per recipient after BDAT LAST, and per recipient for a refused message", () => {
    const p = lmtp();
    p.maxMessageSize = 5;
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<u@y.z>\r\nRCPT TO:<v@y.z>\r\nBDAT 3 LAST\r\nabc");
    s.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<u@y.z>\r\nRCPT TO:<v@y.z>\r\nDATA\r\n0123456789\r\n.\r\n",
    );
    const lines = s.lines();
    expect(lines.slice(3, 5)).toEqual([
      "250 2.1.5 <u@y.z> Delivery in progress",
      "250 2.1.5 <v@y.z> Delivery in progress",
    ]);
    expect(lines.slice(-2)).toEqual([
      "552 5.3.4 <u@y.z> Message size exceeds fixed maximum message size",
      "552 5.3.4 <v@y.z> Message size exceeds fixed maximum message size",
    ]);
  });

  it("does not count the per-recipient outcomes as session errors", () => {
    const d = new MemoryDelivery();
    d.onMessage = (m) => {
      m.failWith = new Error("x");
    };
    const p = lmtp(d);
    p.maxErrors = 2;
    const s = connect(p);
    s.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<u@y.z>\r\nRCPT TO:<v@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n",
    );
    const lines = s.lines();
    expect(lines.filter((l) => l.startsWith("550 5.0.0 <"))).toHaveLength(3);
    expect(lines.at(-1)).toBe("250 2.0.0 OK");
    expect(s.transport.connected).toBe(true);
  });

  it("is built by LMTPFactory", () => {
    expect(
      new LMTPFactory(null, { domain: "lmtp.local" }).buildProtocol(undefined as never),
    ).toBeInstanceOf(LMTP);
  });
});
