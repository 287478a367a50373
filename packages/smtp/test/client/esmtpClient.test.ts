import { createHmac } from "node:crypto";
import type { TLSOptions } from "@twisted-ts/core";
import { StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  AUTHDeclinedError,
  AUTHRequiredError,
  AuthenticationError,
  CramMD5ClientAuthenticator,
  EHLORequiredError,
  ESMTPClient,
  LOGINAuthenticator,
  PLAINAuthenticator,
  type SMTPClientError,
  SMTPTLSError,
  SMTPUTF8RequiredError,
  TLSRequiredError,
} from "../../src/index.js";
import { drain, feed, type Outgoing, record, written } from "./helpers.js";

/** A StringTransport that can start TLS (recording the options) and says whether it is TLS. */
class TLSStringTransport extends StringTransport {
  secure = false;
  tlsStarted: TLSOptions[] = [];
  startTLS(options: TLSOptions): void {
    this.tlsStarted.push(options);
    this.secure = true;
  }
}

const CONTEXT: TLSOptions = { servername: "mx.example" };
const MESSAGE: Outgoing = { from: "a@x.example", to: ["b@y.example"], data: "hello\n" };

interface Setup {
  secret?: string | undefined;
  context?: TLSOptions | undefined;
  secure?: boolean;
  heloFallback?: boolean;
  requireAuthentication?: boolean;
  requireTransportSecurity?: boolean;
  authenticators?: "all" | "none";
  messages?: Outgoing[];
}

function esmtp(setup: Setup = {}) {
  const client = new ESMTPClient(setup.secret, setup.context, "client.example");
  if (setup.heloFallback !== undefined) client.heloFallback = setup.heloFallback;
  client.requireAuthentication = setup.requireAuthentication ?? false;
  client.requireTransportSecurity = setup.requireTransportSecurity ?? false;
  if (setup.authenticators !== "none") {
    client.registerAuthenticator(new CramMD5ClientAuthenticator("joe"));
    client.registerAuthenticator(new LOGINAuthenticator("joe"));
    client.registerAuthenticator(new PLAINAuthenticator("joe"));
  }
  const rec = record(client, setup.messages ?? [MESSAGE]);
  const transport = new TLSStringTransport();
  transport.secure = setup.secure ?? false;
  client.makeConnection(transport);
  return { client, rec, transport };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("ESMTPClient: EHLO and the downgrade matrix", () => {
  it("greets with EHLO and reads the extensions", () => {
    const { client, transport } = esmtp();
    feed(client, "220 mx\r\n");
    expect(written(transport)).toEqual(["EHLO client.example"]);
    feed(client, "250-mx hello\r\n250-SIZE 1000\r\n250-8bitmime\r\n250 HELP\r\n");
    expect([...client.extensions]).toEqual([
      ["SIZE", "1000"],
      ["8BITMIME", null],
      ["HELP", null],
    ]);
    expect(written(transport)[1]).toBe("MAIL FROM:<a@x.example> SIZE=7");
  });

  // [heloFallback, requireAuthentication, requireTransportSecurity, already TLS] → outcome
  const matrix: [boolean, boolean, boolean, boolean, "HELO" | "EHLORequired"][] = [
    [true, false, false, false, "HELO"],
    [true, false, false, true, "HELO"],
    [true, true, false, false, "EHLORequired"],
    [true, true, false, true, "EHLORequired"],
    [true, false, true, false, "EHLORequired"],
    [true, false, true, true, "HELO"],
    [true, true, true, true, "EHLORequired"],
    [false, false, false, false, "EHLORequired"],
    [false, false, false, true, "EHLORequired"],
  ];
  it.each(matrix)(
    "when EHLO is refused: fallback=%s, auth required=%s, TLS required=%s, over TLS=%s → %s",
    (heloFallback, requireAuthentication, requireTransportSecurity, secure, outcome) => {
      const { client, rec, transport } = esmtp({
        heloFallback,
        requireAuthentication,
        requireTransportSecurity,
        secure,
        secret: "pw",
        context: CONTEXT,
      });
      feed(client, "220 mx\r\n500 what is EHLO\r\n");
      if (outcome === "HELO") {
        expect(written(transport).at(-1)).toBe("HELO client.example");
        expect(rec.errors).toEqual([]);
      } else {
        expect(rec.errors[0]).toBeInstanceOf(EHLORequiredError);
        expect(written(transport).at(-1)).toBe("QUIT");
      }
    },
  );

  // [STARTTLS offered, context, TLS required, already TLS] → next command
  const tlsMatrix: [boolean, boolean, boolean, boolean, string][] = [
    [true, true, false, false, "STARTTLS"],
    [true, true, true, false, "STARTTLS"],
    [false, true, true, false, "TLSRequired"],
    [false, false, true, false, "TLSRequired"],
    [true, false, true, false, "TLSRequired"],
    [true, false, false, false, "MAIL"],
    [false, true, false, false, "MAIL"],
    [true, true, true, true, "MAIL"],
    [false, false, true, true, "MAIL"],
  ];
  it.each(tlsMatrix)(
    "after EHLO: STARTTLS offered=%s, context=%s, TLS required=%s, over TLS=%s → %s",
    (offered, hasContext, requireTransportSecurity, secure, outcome) => {
      const { client, rec, transport } = esmtp({
        context: hasContext ? CONTEXT : undefined,
        requireTransportSecurity,
        secure,
      });
      feed(client, `220 mx\r\n250-mx\r\n${offered ? "250-STARTTLS\r\n" : ""}250 HELP\r\n`);
      const last = written(transport).at(-1) ?? "";
      if (outcome === "TLSRequired") {
        expect(rec.errors[0]).toBeInstanceOf(TLSRequiredError);
        expect(last).toBe("QUIT");
      } else {
        expect(last.startsWith(outcome)).toBe(true);
      }
    },
  );
});

describe("ESMTPClient: STARTTLS", () => {
  it("starts TLS with the context on 220, drops what came with the 220, and sends EHLO again", () => {
    const { client, transport } = esmtp({ context: CONTEXT, requireTransportSecurity: true });
    feed(client, "220 mx\r\n250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n");
    expect(written(transport).at(-1)).toBe("STARTTLS");
    // An injected reply rides along with the 220: it must not be taken as the EHLO's.
    feed(client, "220 go ahead\r\n250-evil\r\n250 PIPELINING\r\n");
    expect(transport.tlsStarted).toEqual([CONTEXT]);
    expect(client.extensions.size).toBe(0);
    expect(written(transport).slice(-1)).toEqual(["EHLO client.example"]);
    feed(client, "250-mx\r\n250 SIZE\r\n");
    expect(written(transport).at(-1)).toBe("MAIL FROM:<a@x.example> SIZE=7");
  });

  it("fails with SMTPTLSError when STARTTLS is refused", () => {
    const { client, rec } = esmtp({ context: CONTEXT });
    feed(client, "220 mx\r\n250-mx\r\n250 STARTTLS\r\n454 TLS not available\r\n");
    expect(rec.errors[0]).toBeInstanceOf(SMTPTLSError);
    expect((rec.errors[0] as SMTPClientError).smtpCode).toBe(454);
  });

  it("fails with SMTPTLSError when the transport cannot start TLS", () => {
    const { client, rec, transport } = esmtp({ context: CONTEXT });
    transport.startTLS = () => {
      throw new Error("no TLS here");
    };
    feed(client, "220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n");
    expect(rec.errors[0]).toBeInstanceOf(SMTPTLSError);
    expect(written(transport).filter((l) => l.startsWith("EHLO"))).toHaveLength(1);
  });
});

describe("ESMTPClient: AUTH", () => {
  it("uses the first registered mechanism the server offers (CRAM-MD5, LOGIN, PLAIN)", () => {
    for (const [offered, expected] of [
      ["PLAIN LOGIN CRAM-MD5", "AUTH CRAM-MD5"],
      ["PLAIN LOGIN", "AUTH LOGIN"],
      ["plain", `AUTH PLAIN ${b64("joe\0joe\0pw")}`],
    ] as const) {
      const { client, transport } = esmtp({ secret: "pw" });
      feed(client, `220 mx\r\n250-mx\r\n250 AUTH ${offered}\r\n`);
      expect(written(transport).at(-1)).toBe(expected);
    }
  });

  it("answers a CRAM-MD5 challenge with the keyed digest (RFC 2195's example)", () => {
    const auth = new CramMD5ClientAuthenticator("tim");
    const challenge = Buffer.from("<1896.697170952@postoffice.reston.mci.net>");
    expect(auth.challengeResponse(Buffer.from("tanstaaftanstaaf"), challenge).toString()).toBe(
      "tim b913a602c7eda7a495b4e6e7334d3890",
    );
  });

  it("authenticates with CRAM-MD5, then sends MAIL", () => {
    const { client, transport } = esmtp({ secret: "pw", requireAuthentication: true });
    feed(client, "220 mx\r\n250-mx\r\n250 AUTH CRAM-MD5\r\n");
    feed(client, `334 ${b64("<123@mx>")}\r\n`);
    const digest = createHmac("md5", "pw").update("<123@mx>").digest("hex");
    expect(written(transport).at(-1)).toBe(b64(`joe ${digest}`));
    feed(client, "235 ok\r\n");
    expect(written(transport).at(-1)).toBe("MAIL FROM:<a@x.example>");
  });

  it("authenticates with LOGIN against the usual and an odd server", () => {
    for (const [first, second] of [
      ["Username:", "Password:"],
      ["User Name\0", "Password\0"],
      ["", ""],
    ]) {
      const { client, transport } = esmtp({ secret: "pw" });
      feed(client, "220 mx\r\n250-mx\r\n250 AUTH LOGIN\r\n");
      feed(client, `334 ${b64(first ?? "")}\r\n`);
      expect(written(transport).at(-1)).toBe(b64("joe"));
      feed(client, `334 ${b64(second ?? "")}\r\n`);
      expect(written(transport).at(-1)).toBe(b64("pw"));
      feed(client, "235 ok\r\n");
      expect(written(transport).at(-1)).toBe("MAIL FROM:<a@x.example>");
    }
  });

  it("answers the password when a LOGIN server asks for it first", () => {
    const auth = new LOGINAuthenticator("joe");
    expect(auth.challengeResponse(Buffer.from("pw"), Buffer.from("Password:")).toString()).toBe(
      "pw",
    );
  });

  it("answers * to a malformed challenge and fails with AuthenticationError 501", () => {
    const { client, rec, transport } = esmtp({ secret: "pw" });
    feed(client, "220 mx\r\n250-mx\r\n250 AUTH LOGIN\r\n334 not*base64!\r\n");
    expect(written(transport).at(-1)).toBe("*");
    feed(client, "501 aborted\r\n");
    expect(rec.errors[0]).toBeInstanceOf(AuthenticationError);
    expect((rec.errors[0] as SMTPClientError).smtpCode).toBe(501);
    expect(written(transport).at(-1)).toBe("QUIT");
  });

  it("fails with AUTHDeclinedError when the credentials are refused", () => {
    const { client, rec } = esmtp({ secret: "pw" });
    feed(client, "220 mx\r\n250-mx\r\n250 AUTH CRAM-MD5\r\n334 PDEyMz4=\r\n535 no\r\n");
    expect(rec.errors[0]).toBeInstanceOf(AUTHDeclinedError);
  });

  it("retries PLAIN without an authorisation identity, then gives up", () => {
    const { client, rec, transport } = esmtp({ secret: "pw" });
    feed(client, "220 mx\r\n250-mx\r\n250 AUTH PLAIN\r\n535 no\r\n");
    expect(written(transport).at(-1)).toBe(`AUTH PLAIN ${b64("\0joe\0pw")}`);
    feed(client, "535 still no\r\n");
    expect(rec.errors[0]).toBeInstanceOf(AUTHDeclinedError);
  });

  it("fails with AUTHRequiredError when authentication is required and impossible", () => {
    for (const [ext, secret, auths] of [
      ["250 AUTH GSSAPI", "pw", "all"],
      ["250 HELP", "pw", "all"],
      ["250 AUTH PLAIN", undefined, "all"],
      ["250 AUTH PLAIN", "pw", "none"],
    ] as const) {
      const { client, rec } = esmtp({ secret, requireAuthentication: true, authenticators: auths });
      feed(client, `220 mx\r\n250-mx\r\n${ext}\r\n`);
      expect(rec.errors[0]).toBeInstanceOf(AUTHRequiredError);
    }
  });

  it("goes on without AUTH when it is not required", () => {
    const { client, transport } = esmtp({ secret: "pw" });
    feed(client, "220 mx\r\n250-mx\r\n250 AUTH GSSAPI\r\n");
    expect(written(transport).at(-1)).toBe("MAIL FROM:<a@x.example>");
  });

  it("never writes the secret to the log", () => {
    const { client, rec } = esmtp({ secret: "sekrit" });
    feed(client, "220 mx\r\n250-mx\r\n250 AUTH PLAIN\r\n535 no\r\n535 no\r\n");
    const log = (rec.errors[0] as SMTPClientError).log ?? "";
    expect(log).not.toContain(b64("joe\0joe\0sekrit"));
    expect(log).toContain("AUTH PLAIN <secret>");
  });
});

describe("ESMTPClient: transaction extensions", () => {
  it("pipelines MAIL, every RCPT and DATA, and matches the replies in order", async () => {
    const { client, rec, transport } = esmtp({
      messages: [{ from: "a@x.example", to: ["b@y.example", "c@y.example"], data: "hi" }],
    });
    feed(client, "220 mx\r\n250-mx\r\n250 PIPELINING\r\n");
    const before = transport.value().length;
    expect(written(transport).slice(1)).toEqual([
      "MAIL FROM:<a@x.example>",
      "RCPT TO:<b@y.example>",
      "RCPT TO:<c@y.example>",
      "DATA",
    ]);
    expect(before).toBeGreaterThan(0);
    feed(client, "250 ok\r\n550 no\r\n250 ok\r\n354 go\r\n");
    await drain(transport);
    feed(client, "250 queued\r\n");
    expect(rec.sent[0]).toMatchObject({
      code: 250,
      numOk: 1,
      addresses: [
        ["b@y.example", 550, "no"],
        ["c@y.example", 250, "ok"],
      ],
    });
    expect(written(transport).slice(5)).toEqual(["hi", ".", "RSET"]);
  });

  it("pipelined: no recipient accepted and DATA refused ends the transaction", () => {
    const { client, rec, transport } = esmtp();
    feed(
      client,
      "220 mx\r\n250-mx\r\n250 PIPELINING\r\n250 ok\r\n550 no\r\n554 no valid recipients\r\n",
    );
    expect(rec.sent[0]).toMatchObject({ code: 550, resp: "No recipients accepted", numOk: 0 });
    expect(written(transport).at(-1)).toBe("RSET");
  });

  it("pipelined: DATA accepted with nobody to deliver to gets an empty message's end", () => {
    const { client, rec, transport } = esmtp();
    feed(client, "220 mx\r\n250-mx\r\n250 PIPELINING\r\n250 ok\r\n550 no\r\n354 go\r\n");
    expect(written(transport).at(-1)).toBe(".");
    feed(client, "554 nothing\r\n");
    expect(rec.sent[0]).toMatchObject({ code: 550, numOk: 0 });
    expect(written(transport).at(-1)).toBe("RSET");
  });

  it("pipelined: a refused MAIL fails the transaction even if RCPT says 250", () => {
    const { client, rec } = esmtp();
    feed(client, "220 mx\r\n250-mx\r\n250 PIPELINING\r\n553 bad sender\r\n250 ok\r\n503 no\r\n");
    expect(rec.sent[0]).toMatchObject({ code: 553, resp: "bad sender", numOk: 0 });
  });

  it("sends the body in BDAT chunks with CHUNKING, LAST at the end", async () => {
    const { client, rec, transport } = esmtp({
      messages: [{ from: "a@x.example", to: ["b@y.example"], data: `${"x".repeat(70_000)}\n.dot` }],
    });
    feed(client, "220 mx\r\n250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
    expect(written(transport).slice(1)).toEqual([
      "MAIL FROM:<a@x.example>",
      "RCPT TO:<b@y.example>",
    ]);
    feed(client, "250 ok\r\n250 ok\r\n");
    transport.clear();
    await drain(transport);
    const wire = transport.value().toString("latin1");
    const frames = wire.match(/BDAT \d+(?: LAST)?\r\n/g);
    expect(frames).toEqual(["BDAT 65536\r\n", "BDAT 4470\r\n", "BDAT 2 LAST\r\n"]);
    expect(wire.endsWith(`${"x".repeat(10)}\r\n.dotBDAT 2 LAST\r\n\r\n`)).toBe(true);
    feed(client, "250 chunk\r\n250 chunk\r\n");
    expect(rec.sent).toEqual([]);
    feed(client, "250 queued\r\n");
    expect(rec.sent[0]).toMatchObject({ code: 250, resp: "queued", numOk: 1 });
  });

  it("stops sending BDAT chunks after a failed one and reports its code", async () => {
    const { client, rec, transport } = esmtp({
      messages: [{ from: "a@x.example", to: ["b@y.example"], data: "y".repeat(300_000) }],
    });
    feed(client, "220 mx\r\n250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n250 ok\r\n250 ok\r\n");
    transport.producer?.resumeProducing();
    await new Promise((r) => setImmediate(r));
    transport.producer?.resumeProducing();
    const sent = (
      transport
        .value()
        .toString("latin1")
        .match(/BDAT \d+/g) ?? []
    ).length;
    expect(sent).toBeGreaterThan(0);
    feed(client, "552 too big\r\n");
    expect(transport.producer).toBeUndefined();
    for (let i = 1; i < sent; i++) feed(client, "552 too big\r\n");
    expect(rec.sent[0]).toMatchObject({ code: 552, resp: "too big" });
    const wire = transport.value().toString("latin1");
    expect(wire.includes("LAST")).toBe(false);
    expect(wire.endsWith("RSET\r\n")).toBe(true);
  });

  it("refuses locally a message larger than the server's SIZE (552, no MAIL sent)", () => {
    const { client, rec, transport } = esmtp({
      messages: [{ from: "a@x.example", to: ["b@y.example"], data: "z".repeat(2000) }],
    });
    feed(client, "220 mx\r\n250-mx\r\n250 SIZE 1000\r\n");
    expect(rec.sent[0]?.code).toBe(552);
    expect(written(transport).some((l) => l.startsWith("MAIL"))).toBe(false);
    expect(written(transport).at(-1)).toBe("QUIT");
  });

  it("declares BODY=8BITMIME for 8-bit bodies and streams, not for 7-bit text", () => {
    for (const [data, declared] of [
      ["plain", false],
      ["café", true],
    ] as const) {
      const { client, transport } = esmtp({
        messages: [{ from: "a@x.example", to: ["b@y.example"], data }],
      });
      feed(client, "220 mx\r\n250-mx\r\n250 8BITMIME\r\n");
      expect(written(transport).at(-1)?.includes("BODY=8BITMIME")).toBe(declared);
    }
    async function* stream(): AsyncGenerator<Buffer> {
      yield Buffer.from("x");
    }
    const { client, transport } = esmtp({
      messages: [{ from: "a@x.example", to: ["b@y.example"], data: stream() }],
    });
    feed(client, "220 mx\r\n250-mx\r\n250-SIZE 10\r\n250 8BITMIME\r\n");
    expect(written(transport).at(-1)).toBe("MAIL FROM:<a@x.example> BODY=8BITMIME");
  });

  it("declares SMTPUTF8 for a non-ASCII address, and refuses one without it", () => {
    const utf8 = { from: "josé@x.example", to: ["b@y.example"], data: "hi" };
    const offered = esmtp({ messages: [utf8] });
    feed(offered.client, "220 mx\r\n250-mx\r\n250 SMTPUTF8\r\n");
    expect(written(offered.transport).at(-1)).toBe("MAIL FROM:<josé@x.example> SMTPUTF8");
    const refused = esmtp({ messages: [utf8] });
    feed(refused.client, "220 mx\r\n250 mx\r\n");
    expect(refused.rec.errors[0]).toBeInstanceOf(SMTPUTF8RequiredError);
    expect(written(refused.transport).at(-1)).toBe("QUIT");
  });
});
