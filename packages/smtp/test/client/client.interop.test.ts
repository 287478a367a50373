import { Readable } from "node:stream";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import {
  AUTHRequiredError,
  normalizeLineEndings,
  SMTPDeliveryError,
  sendmail,
} from "../../src/index.js";
import { eventually, startAiosmtpd, startPostfix, startTwistedESMTP } from "./peers.js";

const cert = localhostCertificate();

/** A message with the awkward cases: a leading dot, dots after line ends, a fake end, CRLF. */
const MESSAGE = Buffer.from(
  "Subject: interop\r\nFrom: a@example.com\n\n.first line starts with a dot\n" +
    "..two dots\r\n.\r\nnot the end\n" +
    `${"long line ".repeat(90)}\n.\nlast line without newline`,
  "utf8",
);
const WIRE = normalizeLineEndings(MESSAGE);

function streamOf(bytes: Buffer, size: number): () => Readable {
  return () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    return Readable.from(chunks);
  };
}

describe("our client against aiosmtpd", () => {
  it("delivers a stream exactly, and SMTPUTF8 addresses", async () => {
    const peer = await startAiosmtpd("plain");
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const result = await sendmail(
      "127.0.0.1",
      "alice@example.com",
      ["bob@example.com"],
      streamOf(MESSAGE, 777),
      {
        reactor,
        port: peer.port,
      },
    );
    expect(result).toEqual([1, [["bob@example.com", 250, "OK"]]]);
    await sendmail("127.0.0.1", "josé@example.com", ["zoë@example.com"], "Subject: utf8\n\nhi\n", {
      reactor,
      port: peer.port,
    });
    const [first, second] = peer.messages();
    expect(first?.from).toBe("alice@example.com");
    expect(Buffer.from(first?.content ?? "", "base64").equals(WIRE)).toBe(true);
    expect(second?.from).toBe("josé@example.com");
    expect(second?.to).toEqual(["zoë@example.com"]);
    expect(second?.mail_options).toContain("SMTPUTF8");
  });

  it("starts TLS and authenticates (LOGIN) when the server requires both", async () => {
    const peer = await startAiosmtpd("tls-auth", cert);
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const result = await sendmail("localhost", "alice@example.com", "bob@example.com", MESSAGE, {
      reactor,
      port: peer.port,
      username: "joe",
      password: "secret",
      requireTransportSecurity: true,
      requireAuthentication: true,
      tls: { ca: cert.cert },
    });
    expect(result[0]).toBe(1);
    const [record] = peer.messages();
    expect(record).toMatchObject({ tls: true, auth: true });
    expect(Buffer.from(record?.content ?? "", "base64").equals(WIRE)).toBe(true);
  });

  it("is refused by aiosmtpd without the password", async () => {
    const peer = await startAiosmtpd("tls-auth", cert);
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const error = await sendmail("localhost", "alice@example.com", "bob@example.com", "x", {
      reactor,
      port: peer.port,
      tls: { ca: cert.cert },
      retries: 0,
    })
      .asPromise()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SMTPDeliveryError);
    expect(peer.messages()).toEqual([]);
  });
});

describe("our client against Twisted 22.4's ESMTP server", () => {
  it("delivers a message, dot-stuffed so that Twisted unstuffs it exactly", async () => {
    const peer = await startTwistedESMTP({ auth: false });
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const result = await sendmail(
      "127.0.0.1",
      "alice@example.com",
      ["bob@example.com", "carol@example.com"],
      MESSAGE,
      {
        reactor,
        port: peer.port,
      },
    );
    expect(result[0]).toBe(2);
    const files = peer.messages();
    expect(files).toHaveLength(2);
    // tmail.tac writes its two envelope headers and Twisted's Received line, then the lines.
    const body = files[0]?.split("\n").slice(3).join("\n") ?? "";
    expect(body).toBe(WIRE.toString("latin1").replaceAll("\r\n", "\n"));
  });

  it("authenticates with CRAM-MD5, the first mechanism Twisted offers that we prefer", async () => {
    const peer = await startTwistedESMTP({ auth: true });
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    await sendmail("127.0.0.1", "alice@example.com", "bob@example.com", "Subject: a\n\nhi\n", {
      reactor,
      port: peer.port,
      username: "joe",
      password: "secret",
      requireAuthentication: true,
    });
    expect(peer.messages()[0]).toContain("X-Authenticated: joe");
  });

  it("fails with AUTHRequiredError when Twisted offers no AUTH and it is required", async () => {
    const peer = await startTwistedESMTP({ auth: false });
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const error = await sendmail("127.0.0.1", "a@example.com", "b@example.com", "x", {
      reactor,
      port: peer.port,
      username: "joe",
      password: "secret",
      requireAuthentication: true,
    })
      .asPromise()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AUTHRequiredError);
  });
});

describe("our client against a private Postfix", () => {
  it("delivers with PIPELINING and CHUNKING over STARTTLS into the Maildir", async () => {
    const peer = await startPostfix({ tls: cert });
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const result = await sendmail(
      "localhost",
      "alice@example.com",
      ["bob@example.com"],
      streamOf(MESSAGE, 4096),
      {
        reactor,
        port: peer.port,
        requireTransportSecurity: true,
        tls: { ca: cert.cert },
      },
    );
    expect(result[0]).toBe(1);
    await eventually(() => peer.messages().length === 1);
    const stored = peer.messages()[0] ?? "";
    expect(stored).toMatch(/with ESMTPS/);
    // Postfix stores LF line endings and adds headers of its own; the body is ours, exactly.
    const body = (text: string) => text.slice(text.indexOf("\n\n") + 2);
    expect(body(stored)).toBe(body(WIRE.toString("latin1").replaceAll("\r\n", "\n")));
    await eventually(() => /disconnect from .* bdat=\d+/.test(peer.log()));
    expect(peer.log()).toMatch(/starttls=1 mail=1 rcpt=1 bdat=\d+/);
  });

  it("refuses locally a message over Postfix's SIZE, with 552", async () => {
    const peer = await startPostfix({ messageSizeLimit: 10_000 });
    onCleanup(() => peer.stop());
    const reactor = testReactor();
    const error = await sendmail(
      "127.0.0.1",
      "alice@example.com",
      "bob@example.com",
      "x".repeat(20_000),
      {
        reactor,
        port: peer.port,
      },
    )
      .asPromise()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SMTPDeliveryError);
    expect((error as SMTPDeliveryError).smtpCode).toBe(552);
  });
});
