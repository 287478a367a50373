import { createHmac } from "node:crypto";
import { fail } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { InMemoryUsernamePasswordDatabaseDontUse } from "../../src/cred/checkers.js";
import { Portal } from "../../src/cred/portal.js";
import { ESMTP } from "../../src/server/esmtp.js";
import { ESMTPFactory } from "../../src/server/factory.js";
import { DEFAULT_CHALLENGERS } from "../../src/server/sasl.js";
import { connect, MemoryDelivery } from "./helpers.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

function esmtp(
  options: {
    delivery?: MemoryDelivery;
    tls?: boolean;
    portal?: Portal | null;
    enhanced?: boolean;
  } = {},
): ESMTP {
  const p = new ESMTP(
    { ...DEFAULT_CHALLENGERS },
    options.tls === false ? null : { key: "k", cert: "c" },
  );
  p.host = "test.local";
  p.delivery = options.delivery ?? new MemoryDelivery();
  p.portal = options.portal === undefined ? null : options.portal;
  p.enhancedStatusCodes = options.enhanced ?? true;
  return p;
}

class AuthRealm {
  readonly logins: unknown[] = [];
  constructor(readonly delivery: MemoryDelivery) {}
  requestAvatar(id: unknown) {
    this.logins.push(id);
    return ["IMessageDelivery", this.delivery, () => {}] as const;
  }
}

function portal(d = new MemoryDelivery()): Portal {
  return new Portal(new AuthRealm(d), [
    new InMemoryUsernamePasswordDatabaseDontUse({ joe: "secret" }),
  ]);
}

describe("ESMTP greeting and EHLO", () => {
  it("greets with ESMTP", () => {
    const s = connect(esmtp(), { keepGreeting: true });
    expect(s.take()).toBe("220 test.local NO UCE NO UBE NO RELAY PROBES ESMTP\r\n");
  });

  it("announces the extensions, STARTTLS before TLS and AUTH after", () => {
    const s = connect(esmtp({ portal: portal() }));
    s.send("EHLO client\r\n");
    expect(s.lines()).toEqual([
      "250-test.local Hello 10.0.0.9, nice to meet you",
      "250-PIPELINING",
      "250-SIZE 10485760",
      "250-STARTTLS",
      "250-ENHANCEDSTATUSCODES",
      "250-8BITMIME",
      "250-DSN",
      "250-SMTPUTF8",
      "250 CHUNKING",
    ]);
    s.send("STARTTLS\r\n");
    expect(s.lines()).toEqual(["220 2.0.0 Begin TLS negotiation now"]);
    s.send("EHLO client\r\n");
    const after = s.lines();
    expect(after).toContain("250-AUTH CRAM-MD5 LOGIN PLAIN");
    expect(after).not.toContain("250-STARTTLS");
  });

  it("leaves STARTTLS out without a TLS context or a TLS-capable transport", () => {
    const a = connect(esmtp({ tls: false }));
    a.send("EHLO x\r\nSTARTTLS\r\n");
    const lines = a.lines();
    expect(lines).not.toContain("250-STARTTLS");
    expect(lines.at(-1)).toBe("454 4.7.0 TLS not available");
    const b = connect(esmtp(), { tls: false });
    b.send("EHLO x\r\n");
    expect(b.lines()).not.toContain("250-STARTTLS");
  });

  it("answers a second STARTTLS with 503", () => {
    const s = connect(esmtp());
    s.send("STARTTLS\r\n");
    s.take();
    s.send("STARTTLS\r\n");
    expect(s.lines()).toEqual(["503 5.5.1 TLS already negotiated"]);
  });

  it("sends Twisted's exact texts with enhanced status codes off", () => {
    const s = connect(esmtp({ enhanced: false }));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRSET\r\nFOO\r\n");
    expect(s.lines()).toEqual([
      "250 Sender address accepted",
      "250 Recipient address accepted",
      "250 I remember nothing.",
      "500 Command not implemented",
    ]);
  });

  it("puts enhanced status codes in replies", () => {
    const s = connect(esmtp());
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhi\r\n.\r\nFOO\r\n");
    expect(s.lines()).toEqual([
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
      "354 Continue",
      "250 2.0.0 Delivery in progress",
      "500 5.5.1 Command not implemented",
    ]);
  });
});

describe("ESMTP STARTTLS resets the session (RFC 3207)", () => {
  it("forgets HELO, the transaction and discards input pipelined after STARTTLS", () => {
    const d = new MemoryDelivery();
    const s = connect(esmtp({ delivery: d }));
    s.send("EHLO before\r\nMAIL FROM:<a@b.c>\r\n");
    s.take();
    s.send("STARTTLS\r\nRCPT TO:<injected@y.z>\r\n");
    expect(s.lines()).toEqual(["220 2.0.0 Begin TLS negotiation now"]);
    expect(s.transport.tls).toEqual({ key: "k", cert: "c" });
    expect((s.protocol as unknown as { _helo: unknown })._helo).toEqual([null, "10.0.0.9"]);
    expect(d.tos).toEqual([]);
    s.send("RCPT TO:<x@y.z>\r\n");
    expect(s.lines()).toEqual(["503 5.5.1 Must have sender before recipient"]);
  });

  it("knows a TLS port is already secure", () => {
    const s = connect(esmtp({ portal: portal() }), { secure: true });
    s.send("EHLO x\r\nSTARTTLS\r\n");
    const lines = s.lines();
    expect(lines).toContain("250-AUTH CRAM-MD5 LOGIN PLAIN");
    expect(lines.at(-1)).toBe("503 5.5.1 TLS already negotiated");
    expect(s.protocol.withProtocol()).toBe("ESMTPS");
  });
});

describe("ESMTP AUTH", () => {
  function secure(p = portal()) {
    return connect(esmtp({ portal: p }), { secure: true });
  }

  it("logs in with PLAIN and an initial response", () => {
    const d = new MemoryDelivery();
    const s = secure(portal(d));
    s.send(`AUTH PLAIN ${b64("\0joe\0secret")}\r\n`);
    expect(s.lines()).toEqual(["235 2.7.0 Authentication successful."]);
    expect(s.protocol.authenticated).toBe(true);
    s.send("MAIL FROM:<joe@b.c>\r\n");
    expect(s.lines()).toEqual(["250 2.1.0 Sender address accepted"]);
    expect(d.froms).toHaveLength(1);
    expect(s.protocol.withProtocol()).toBe("ESMTPSA");
  });

  it("logs in with PLAIN after an empty challenge", () => {
    const s = secure();
    s.send("AUTH PLAIN\r\n");
    expect(s.lines()).toEqual(["334 "]);
    s.send(`${b64("joe\0joe\0secret")}\r\n`);
    expect(s.lines()).toEqual(["235 2.7.0 Authentication successful."]);
  });

  it("refuses PLAIN with an empty password or a wrong one with 535", () => {
    const s = secure();
    s.send(`AUTH PLAIN ${b64("\0joe\0")}\r\nAUTH PLAIN ${b64("\0joe\0nope")}\r\nAUTH PLAIN =\r\n`);
    expect(s.lines()).toEqual([
      "535 5.7.8 Authentication failed",
      "535 5.7.8 Authentication failed",
      "535 5.7.8 Authentication failed",
    ]);
  });

  it("logs in with LOGIN, prompting Username: and Password:", () => {
    const s = secure();
    s.send("AUTH LOGIN\r\n");
    expect(s.lines()).toEqual([`334 ${b64("Username:")}`]);
    s.send(`${b64("joe")}\r\n`);
    expect(s.lines()).toEqual([`334 ${b64("Password:")}`]);
    s.send(`${b64("secret")}\r\n`);
    expect(s.lines()).toEqual(["235 2.7.0 Authentication successful."]);
  });

  it("logs in with LOGIN and the user name as initial response", () => {
    const s = secure();
    s.send(`AUTH LOGIN ${b64("joe")}\r\n`);
    expect(s.lines()).toEqual([`334 ${b64("Password:")}`]);
    s.send(`${b64("secret")}\r\n`);
    expect(s.lines()).toEqual(["235 2.7.0 Authentication successful."]);
  });

  it("logs in with CRAM-MD5", () => {
    const s = secure();
    s.send("AUTH CRAM-MD5\r\n");
    const [line] = s.lines();
    const challenge = Buffer.from((line as string).slice(4), "base64");
    expect(challenge.toString()).toMatch(/^<\d+\.\d+@test\.local>$/);
    const digest = createHmac("md5", "secret").update(challenge).digest("hex");
    s.send(`${b64(`joe ${digest}`)}\r\n`);
    expect(s.lines()).toEqual(["235 2.7.0 Authentication successful."]);
  });

  it("refuses CRAM-MD5 with a wrong digest", () => {
    const s = secure();
    s.send("AUTH CRAM-MD5\r\n");
    s.take();
    s.send(`${b64("joe 00112233445566778899aabbccddeeff")}\r\n`);
    expect(s.lines()).toEqual(["535 5.7.8 Authentication failed"]);
  });

  it("aborts on *, and refuses bad base64", () => {
    const s = secure();
    s.send("AUTH LOGIN\r\n*\r\nAUTH LOGIN\r\n!!notbase64\r\nNOOP\r\n");
    expect(s.lines()).toEqual([
      `334 ${b64("Username:")}`,
      "501 5.0.0 Authentication aborted",
      `334 ${b64("Username:")}`,
      "501 5.5.2 Syntax error in parameters or arguments",
      "250 2.0.0 OK",
    ]);
  });

  it("answers 504 for an unknown mechanism, 503 once authenticated, 503 in a transaction", () => {
    const s = secure();
    s.send(`AUTH GSSAPI\r\nMAIL FROM:<a@b.c>\r\nAUTH PLAIN ${b64("\0joe\0secret")}\r\nRSET\r\n`);
    s.send(`AUTH PLAIN ${b64("\0joe\0secret")}\r\nAUTH PLAIN ${b64("\0joe\0secret")}\r\n`);
    expect(s.lines()).toEqual([
      "504 5.5.4 Unrecognized authentication type",
      "250 2.1.0 Sender address accepted",
      "503 5.5.1 AUTH not allowed during a mail transaction",
      "250 2.0.0 I remember nothing.",
      "235 2.7.0 Authentication successful.",
      "503 5.5.1 Already authenticated",
    ]);
  });

  it("answers 454 without a portal", () => {
    const s = connect(esmtp({ portal: null }), { secure: true });
    s.send(`AUTH PLAIN ${b64("\0joe\0secret")}\r\n`);
    expect(s.lines()).toEqual(["454 4.7.0 Temporary authentication failure"]);
  });

  it("refuses AUTH before TLS with 538 unless allowed", () => {
    const s = connect(esmtp({ portal: portal() }));
    s.send(`AUTH PLAIN ${b64("\0joe\0secret")}\r\n`);
    expect(s.lines()).toEqual([
      "538 5.7.11 Encryption required for requested authentication mechanism",
    ]);
    s.protocol.allowInsecureAuth = true;
    s.send(`EHLO x\r\nAUTH PLAIN ${b64("\0joe\0secret")}\r\n`);
    const lines = s.lines();
    expect(lines).toContain("250-AUTH CRAM-MD5 LOGIN PLAIN");
    expect(lines.at(-1)).toBe("235 2.7.0 Authentication successful.");
  });

  it("answers 451 when the portal fails unexpectedly", () => {
    const p = new Portal({ requestAvatar: () => fail(new Error("db down")) }, [
      new InMemoryUsernamePasswordDatabaseDontUse({ joe: "secret" }),
    ]);
    const s = secure(p);
    s.send(`AUTH PLAIN ${b64("\0joe\0secret")}\r\n`);
    expect(s.lines()).toEqual(["451 4.3.0 Requested action aborted: local error in processing"]);
  });

  it("requires AUTH before MAIL when asked, with 530", () => {
    const p = esmtp({ portal: portal() });
    p.requireAuthentication = true;
    const s = connect(p, { secure: true });
    s.send(`MAIL FROM:<a@b.c>\r\nAUTH PLAIN ${b64("\0joe\0secret")}\r\nMAIL FROM:<a@b.c>\r\n`);
    expect(s.lines()).toEqual([
      "530 5.7.0 Authentication required",
      "235 2.7.0 Authentication successful.",
      "250 2.1.0 Sender address accepted",
    ]);
  });

  it("leaves AUTH mode after an answer past the AUTH line limit", () => {
    const s = secure();
    s.send(`AUTH LOGIN\r\n${"A".repeat(13000)}\r\nNOOP\r\n`);
    expect(s.lines()).toEqual([
      `334 ${b64("Username:")}`,
      "500 5.5.2 Line too long",
      "250 2.0.0 OK",
    ]);
  });

  it("accepts a long AUTH line but not a long other command", () => {
    const s = secure();
    s.send(`AUTH PLAIN ${b64(`\0joe\0${"p".repeat(1000)}`)}\r\nNOOP ${"x".repeat(1000)}\r\n`);
    expect(s.lines()).toEqual(["535 5.7.8 Authentication failed", "500 5.5.2 Line too long"]);
  });
});

describe("ESMTP MAIL and RCPT parameters", () => {
  it("passes SIZE, BODY, SMTPUTF8, RET, ENVID and NOTIFY, ORCPT to the delivery", () => {
    const d = new MemoryDelivery();
    const s = connect(esmtp({ delivery: d }));
    s.send(
      "MAIL FROM:<a@b.c> SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2Bx\r\n" +
        "RCPT TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+40y.z\r\n",
    );
    expect(s.lines()).toEqual([
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
    ]);
    const params = d.froms[0]?.[2];
    expect(params).toMatchObject({
      size: 1000,
      body: "8BITMIME",
      smtputf8: true,
      ret: "HDRS",
      envid: "QQ+x",
    });
    expect(d.tos[0]?.[1]).toMatchObject({
      notify: ["SUCCESS", "FAILURE"],
      orcpt: { addrType: "rfc822", address: "x@y.z" },
    });
  });

  it("refuses a declared SIZE past the limit with 552", () => {
    const p = esmtp();
    p.maxMessageSize = 1000;
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c> SIZE=1001\r\nMAIL FROM:<a@b.c> SIZE=1000\r\n");
    expect(s.lines()).toEqual([
      "552 5.3.4 Message size exceeds fixed maximum message size",
      "250 2.1.0 Sender address accepted",
    ]);
  });

  it("answers 555 for an unknown parameter and 501 for bad values", () => {
    const s = connect(esmtp());
    s.send(
      "MAIL FROM:<a@b.c> FOO=1\r\nMAIL FROM:<a@b.c> SIZE=x\r\nMAIL FROM:<a@b.c> BODY=BINARYMIME\r\n",
    );
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z> NOTIFY=NEVER,SUCCESS\r\nRCPT TO:<x@y.z> BAR\r\n");
    expect(s.lines()).toEqual([
      "555 5.5.4 Unsupported parameter FOO",
      "501 5.5.4 Bad value for parameter SIZE",
      "501 5.5.4 Bad value for parameter BODY",
      "250 2.1.0 Sender address accepted",
      "501 5.5.4 Bad value for parameter NOTIFY",
      "555 5.5.4 Unsupported parameter BAR",
    ]);
  });

  it("needs SMTPUTF8 for a UTF-8 address", () => {
    const s = connect(esmtp());
    s.send(
      Buffer.from(
        "MAIL FROM:<jösé@b.c>\r\nMAIL FROM:<jösé@b.c> SMTPUTF8\r\nRCPT TO:<ñ@ü.example>\r\n",
        "utf8",
      ),
    );
    expect(s.lines()).toEqual([
      "553 5.6.7 SMTPUTF8 is required for this address",
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
    ]);
  });
});

describe("ESMTP SIZE while reading", () => {
  it("discards the rest past the limit, bounded in memory, and answers 552", () => {
    const d = new MemoryDelivery();
    const p = esmtp({ delivery: d });
    p.maxMessageSize = 10_000;
    const s = connect(p);
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    const block = `${"a".repeat(998)}\r\n`.repeat(100);
    for (let i = 0; i < 100; i++) s.send(block);
    s.send(".\r\nNOOP\r\n");
    expect(s.lines().slice(-2)).toEqual([
      "552 5.3.4 Message size exceeds fixed maximum message size",
      "250 2.0.0 OK",
    ]);
    const kept = d.made[0]?.lines.reduce((n, l) => n + l.length, 0) ?? 0;
    expect(kept).toBeLessThanOrEqual(10_000 + 100); // plus the Received header
  });
});

describe("ESMTP PIPELINING", () => {
  it("answers a whole pipelined transaction in order, in one write", () => {
    const d = new MemoryDelivery();
    const s = connect(esmtp({ delivery: d }));
    const writes: number[] = [];
    const write = s.transport.write.bind(s.transport);
    s.transport.write = (data) => {
      writes.push(1);
      write(data);
    };
    s.send(
      "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<bad@y.z>\r\nDATA\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n",
    );
    const lines = s.lines();
    expect(lines.slice(-6)).toEqual([
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
      "250 2.1.5 Recipient address accepted",
      "354 Continue",
      "250 2.0.0 Delivery in progress",
      "221 2.0.0 See you later",
    ]);
    expect(writes).toHaveLength(1);
    expect(d.delivered).toHaveLength(2);
  });
});

describe("ESMTP CHUNKING (BDAT)", () => {
  it("receives a message in chunks with LAST, without unstuffing", () => {
    const d = new MemoryDelivery();
    const s = connect(esmtp({ delivery: d }));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
    const part1 = "Subject: c\r\n\r\n.leading dot\r\nsplit ";
    const part2 = "line\r\n.\r\nend";
    s.send(`BDAT ${part1.length}\r\n${part1}BDAT ${part2.length} LAST\r\n${part2}NOOP\r\n`);
    expect(s.lines()).toEqual([
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
      `250 2.0.0 ${part1.length} octets received`,
      "250 2.0.0 Delivery in progress",
      "250 2.0.0 OK",
    ]);
    expect(d.delivered[0]?.body()).toBe("Subject: c\n\n.leading dot\nsplit line\n.\nend");
  });

  it("accepts BDAT 0 LAST and a chunk split across reads", () => {
    const d = new MemoryDelivery();
    const s = connect(esmtp({ delivery: d }));
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 10\r\nA: 1\r");
    s.send("\nB: 2");
    s.send("BDAT 0 LAST\r\n");
    expect(s.lines().slice(-2)).toEqual([
      "250 2.0.0 10 octets received",
      "250 2.0.0 Delivery in progress",
    ]);
    expect(d.delivered[0]?.body()).toBe("A: 1\nB: 2");
  });

  it("reads and refuses a chunk without a transaction, and DATA after BDAT", () => {
    const s = connect(esmtp());
    s.send("BDAT 6\r\nQUIT\r\nNOOP\r\n");
    s.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 2\r\nhiDATA\r\nRSET\r\n");
    expect(s.lines()).toEqual([
      "503 5.5.1 Must have valid receiver and originator",
      "250 2.0.0 OK",
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
      "250 2.0.0 2 octets received",
      "503 5.5.1 DATA not allowed after BDAT",
      "250 2.0.0 I remember nothing.",
    ]);
  });

  it("ends the transaction with 552 when the chunks pass the size limit", () => {
    const d = new MemoryDelivery();
    const p = esmtp({ delivery: d });
    p.maxMessageSize = 100;
    const s = connect(p);
    s.send(
      `MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 80\r\n${"x".repeat(80)}BDAT 80\r\n${"y".repeat(80)}`,
    );
    s.send(`BDAT 1 LAST\r\nz`);
    expect(s.lines().slice(-3)).toEqual([
      "250 2.0.0 80 octets received",
      "552 5.3.4 Message size exceeds fixed maximum message size",
      "503 5.5.1 Must have valid receiver and originator",
    ]);
    expect(d.delivered).toEqual([]);
  });

  it("closes after a BDAT with a bad size (the stream cannot be resynchronised)", () => {
    const s = connect(esmtp());
    s.send("BDAT x\r\nNOOP\r\n");
    expect(s.lines()).toEqual(["501 5.5.4 Syntax: BDAT count [LAST]"]);
    expect(s.transport.connected).toBe(false);
  });
});

describe("ESMTPFactory", () => {
  it("offers CRAM-MD5, LOGIN and PLAIN and copies its TLS and AUTH settings", () => {
    const f = new ESMTPFactory(portal(), {
      domain: "mx",
      contextFactory: { key: "k", cert: "c" },
      allowInsecureAuth: true,
    });
    const p = f.buildProtocol(undefined as never);
    expect(Object.keys(p.challengers)).toEqual(["CRAM-MD5", "LOGIN", "PLAIN"]);
    expect(p.ctx).toEqual({ key: "k", cert: "c" });
    expect(p.allowInsecureAuth).toBe(true);
    expect(p.host).toBe("mx");
  });
});
