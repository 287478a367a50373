import { Clock, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  AddressError,
  quoteaddr,
  SMTPClient,
  SMTPClientError,
  SMTPConnectError,
  SMTPProtocolError,
  SMTPTimeoutError,
} from "../../src/index.js";
import { drain, feed, record, written } from "./helpers.js";

function session(messages: Parameters<typeof record>[1]) {
  const client = new SMTPClient("client.example");
  const rec = record(client, messages);
  const transport = new StringTransport();
  client.makeConnection(transport);
  return { client, rec, transport };
}

describe("SMTPClient", () => {
  it("runs HELO, MAIL, RCPT per recipient, DATA, the body, then RSET and QUIT", async () => {
    const { client, rec, transport } = session([
      { from: "alice@a.example", to: ["bob@b.example", "carol@c.example"], data: "Hi\nthere\n" },
    ]);
    feed(client, "220 mx ESMTP\r\n");
    expect(written(transport)).toEqual(["HELO client.example"]);
    feed(client, "250 mx\r\n");
    feed(client, "250 ok\r\n");
    feed(client, "250 ok\r\n");
    feed(client, "550 no such user\r\n");
    expect(written(transport).slice(1)).toEqual([
      "MAIL FROM:<alice@a.example>",
      "RCPT TO:<bob@b.example>",
      "RCPT TO:<carol@c.example>",
      "DATA",
    ]);
    feed(client, "354 go\r\n");
    await drain(transport);
    feed(client, "250 queued\r\n");
    expect(written(transport).slice(5)).toEqual(["Hi", "there", ".", "RSET"]);
    expect(rec.sent).toHaveLength(1);
    expect(rec.sent[0]).toMatchObject({
      code: 250,
      resp: "queued",
      numOk: 1,
      addresses: [
        ["bob@b.example", 250, "ok"],
        ["carol@c.example", 550, "no such user"],
      ],
    });
    feed(client, "250 reset\r\n");
    expect(written(transport).at(-1)).toBe("QUIT");
    feed(client, "221 bye\r\n");
    expect(transport.disconnecting).toBe(true);
  });

  it("sends no DATA when no recipient is accepted", () => {
    const { client, rec, transport } = session([
      { from: "a@x.example", to: ["b@y.example"], data: "x" },
    ]);
    feed(client, "220 hi\r\n250 hi\r\n250 ok\r\n551 nope\r\n");
    expect(written(transport)).toEqual([
      "HELO client.example",
      "MAIL FROM:<a@x.example>",
      "RCPT TO:<b@y.example>",
      "RSET",
    ]);
    expect(rec.sent[0]).toMatchObject({ code: 551, resp: "No recipients accepted", numOk: 0 });
  });

  it("ends the transaction when MAIL is refused, and goes on with the next message", async () => {
    const { client, rec, transport } = session([
      { from: "a@x.example", to: ["b@y.example"], data: "one" },
      { from: "c@x.example", to: ["d@y.example"], data: "two" },
    ]);
    feed(client, "220 hi\r\n250 hi\r\n553 bad sender\r\n");
    expect(rec.sent[0]).toMatchObject({ code: 553, resp: "bad sender", numOk: 0 });
    feed(client, "250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    await drain(transport);
    feed(client, "250 done\r\n250 reset\r\n221 bye\r\n");
    expect(written(transport)).toEqual([
      "HELO client.example",
      "MAIL FROM:<a@x.example>",
      "RSET",
      "MAIL FROM:<c@x.example>",
      "RCPT TO:<d@y.example>",
      "DATA",
      "two",
      ".",
      "RSET",
      "QUIT",
    ]);
    expect(rec.sent.map((s) => s.code)).toEqual([553, 250]);
  });

  it("joins the lines of a multi-line reply with \\n", async () => {
    const { client, rec, transport } = session([
      { from: "a@x.example", to: ["b@y.example"], data: "" },
    ]);
    feed(client, "220-first\r\n220 second\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    await drain(transport);
    feed(client, "250-line one\r\n250-line two\r\n250 line three\r\n");
    expect(rec.sent[0]?.resp).toBe("line one\nline two\nline three");
  });

  it("treats a non-numeric reply as a fatal SMTPProtocolError (no QUIT)", () => {
    const { client, rec, transport } = session([]);
    feed(client, "220 hi\r\nwhat?\r\n");
    expect(rec.errors[0]).toBeInstanceOf(SMTPProtocolError);
    expect((rec.errors[0] as SMTPProtocolError).isFatal).toBe(true);
    expect((rec.errors[0] as SMTPProtocolError).retry).toBe(false);
    expect(written(transport)).toEqual(["HELO client.example"]);
    expect(transport.disconnecting).toBe(true);
  });

  it("treats a refused greeting as a fatal, retryable SMTPConnectError", () => {
    const { client, rec, transport } = session([]);
    feed(client, "554 go away\r\n");
    const error = rec.errors[0] as SMTPConnectError;
    expect(error).toBeInstanceOf(SMTPConnectError);
    expect([error.smtpCode, error.resp, error.isFatal, error.retry]).toEqual([
      554,
      "go away",
      true,
      true,
    ]);
    expect(transport.value().length).toBe(0);
    expect(transport.disconnecting).toBe(true);
  });

  it("sends QUIT before closing on a non-fatal error", () => {
    const { client, transport } = session([]);
    feed(client, "220 hi\r\n");
    client.sendError(new SMTPClientError(450, "try later"));
    expect(written(transport).at(-1)).toBe("QUIT");
    expect(transport.disconnecting).toBe(false);
    feed(client, "221 bye\r\n");
    expect(transport.disconnecting).toBe(true);
  });

  it("closes at once on a fatal error", () => {
    const { client, transport } = session([]);
    feed(client, "220 hi\r\n");
    client.sendError(new SMTPClientError(-1, "broken", { isFatal: true }));
    expect(written(transport)).toEqual(["HELO client.example"]);
    expect(transport.disconnecting).toBe(true);
  });

  it("times out with SMTPTimeoutError when the server is silent", () => {
    const client = new SMTPClient("me");
    const rec = record(client, []);
    const clock = new Clock();
    client.clock = clock;
    client.timeout = 30;
    const transport = new StringTransport();
    client.makeConnection(transport);
    clock.advance(29);
    feed(client, "220 hi\r\n");
    clock.advance(29);
    expect(rec.errors).toEqual([]);
    clock.advance(1);
    expect(rec.errors[0]).toBeInstanceOf(SMTPTimeoutError);
    expect((rec.errors[0] as SMTPTimeoutError).log).toContain(">>> HELO me");
    expect(transport.disconnecting).toBe(true);
  });

  it("refuses a timeout without a clock", () => {
    const client = new SMTPClient("me");
    client.timeout = 5;
    expect(() => client.makeConnection(new StringTransport())).toThrow(/clock/);
  });

  it("ignores informational lines starting with 0", () => {
    const { client, transport } = session([]);
    feed(client, "220 hi\r\n");
    feed(client, "000 noise\r\n250 hi\r\n");
    expect(written(transport)).toEqual(["HELO client.example", "QUIT"]);
  });

  it("reports an unreadable message as fatal and never ends the DATA", async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from("partial line\n");
      throw new Error("disk on fire");
    }
    const { client, rec, transport } = session([
      { from: "a@x.example", to: ["b@y.example"], data: broken() },
    ]);
    feed(client, "220 hi\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    await drain(transport);
    expect(rec.errors[0]?.message).toMatch(/disk on fire/);
    expect(transport.value().toString()).not.toContain("\r\n.\r\n");
    expect(transport.disconnecting).toBe(true);
  });
});

describe("quoteaddr", () => {
  it("brackets addresses and keeps the null sender", () => {
    expect(quoteaddr("joe@example.com")).toBe("<joe@example.com>");
    expect(quoteaddr("Joe <joe@example.com>")).toBe("<joe@example.com>");
    expect(quoteaddr("<>")).toBe("<>");
    expect(quoteaddr("")).toBe("<>");
  });

  it("refuses an address that would inject a command", () => {
    expect(() => quoteaddr("a@b.example>\r\nRCPT TO:<c@d.example")).toThrow(AddressError);
    expect(() => quoteaddr("a@b.example\r\nDATA")).toThrow(AddressError);
  });
});
