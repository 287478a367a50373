/**
 * Our client against our server, over real sockets, across every extension: PIPELINING,
 * CHUNKING/BDAT, SIZE, 8BITMIME, SMTPUTF8, STARTTLS and AUTH, with the Maildir checked.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Failure, IListeningPort } from "@twisted-ts/core";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ESMTP, MailService, SMTPDeliveryError, sendmail } from "../src/index.js";

/** What the server received, decrypted, on every connection of the test. */
let received: string[] = [];
const original = ESMTP.prototype.dataReceived;
beforeEach(() => {
  received = [];
  ESMTP.prototype.dataReceived = function (this: ESMTP, data: Buffer): void {
    received.push(data.toString("utf8"));
    original.call(this, data);
  };
});
afterEach(() => {
  ESMTP.prototype.dataReceived = original;
});

async function server(extra: Partial<ConstructorParameters<typeof MailService>[1]> = {}) {
  const reactor = testReactor();
  const root = mkdtempSync(join(tmpdir(), "smtp-cs-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const service = new MailService(reactor, {
    listen: ["tcp:0:interface=127.0.0.1"],
    maildir: join(root, "mail"),
    domains: ["example.com"],
    users: { joe: "secret", ann: "pw" },
    hostname: "mx.example.com",
    ...extra,
  });
  await service.startService().asPromise();
  onCleanup(() => service.stopService().asPromise());
  const port = ((service.ports[0] as IListeningPort).getHost() as { port: number }).port;
  const mailbox = (user: string): string[] => {
    const dir = join(root, "mail", "example.com", user, "new");
    try {
      return readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8"));
    } catch {
      return [];
    }
  };
  return { reactor, port, mailbox, root };
}

/** The stored body: what follows the Received header's continuation lines. */
function body(stored: string): string {
  return stored.replace(/^Received:[^\n]*\n(?:\t[^\n]*\n)*/, "");
}

const commands = (): string => received.join("");

describe("our client against our server", () => {
  it("delivers with PIPELINING and BDAT, dot-stuffing and CRLF intact, per recipient", async () => {
    const { reactor, port, mailbox } = await server();
    const message = "Subject: both\n\n.starts with a dot\r\nmiddle\n..two dots\n.\nend";
    const [ok, results] = await sendmail(
      "127.0.0.1",
      "alice@elsewhere.org",
      ["joe@example.com", "nobody@example.com", "ann@example.com"],
      message,
      { port, reactor, requireTransportSecurity: false },
    ).asPromise();
    expect(ok).toBe(2);
    expect(results.map(([addr, code]) => [addr, code])).toEqual([
      ["joe@example.com", 250],
      ["nobody@example.com", 550],
      ["ann@example.com", 250],
    ]);
    const expected = "Subject: both\n\n.starts with a dot\nmiddle\n..two dots\n.\nend\n";
    expect(mailbox("joe").map(body)).toEqual([expected]);
    expect(mailbox("ann").map(body)).toEqual([expected]);
    // MAIL and the RCPTs went in one write (PIPELINING); the body as BDAT … LAST (CHUNKING).
    expect(received.some((chunk) => /^MAIL FROM:.*\r\nRCPT TO:.*\r\nRCPT TO:/s.test(chunk))).toBe(
      true,
    );
    expect(commands()).toMatch(/BDAT \d+ LAST\r\n/);
    expect(commands()).toMatch(/MAIL FROM:<alice@elsewhere\.org> SIZE=\d+/);
  });

  it("streams a 2 MB message with flow control and declares 8BITMIME and SMTPUTF8", async () => {
    const { reactor, port, mailbox } = await server();
    const line = `Grüße, ${"x".repeat(90)}\n`;
    const big = `Subject: big\n\n${line.repeat(Math.ceil((2 * 1024 * 1024) / line.length))}`;
    const stream = Readable.from(
      (function* () {
        for (let at = 0; at < big.length; at += 8191) yield Buffer.from(big.slice(at, at + 8191));
      })(),
    );
    const [ok] = await sendmail("127.0.0.1", "üser@elsewhere.org", ["joe@example.com"], stream, {
      port,
      reactor,
      requireTransportSecurity: false,
    }).asPromise();
    expect(ok).toBe(1);
    const [stored] = mailbox("joe");
    expect(body(stored ?? "")).toBe(big.endsWith("\n") ? big : `${big}\n`);
    expect(commands()).toMatch(/MAIL FROM:<üser@elsewhere\.org>[^\r]*SMTPUTF8/);
    expect(commands()).toMatch(/MAIL FROM:<[^>]+>[^\r]*BODY=8BITMIME/);
  });

  it("refuses a message over the server's SIZE before MAIL is ever sent", async () => {
    const { reactor, port, mailbox } = await server({ maxMessageSize: 1000 });
    const failure = await sendmail(
      "127.0.0.1",
      "alice@elsewhere.org",
      ["joe@example.com"],
      `Subject: large\n\n${"y".repeat(5000)}\n`,
      { port, reactor, requireTransportSecurity: false, retries: 0 },
    )
      .asPromise()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SMTPDeliveryError);
    expect((failure as SMTPDeliveryError).smtpCode).toBe(552);
    expect(commands()).not.toMatch(/MAIL FROM/);
    expect(mailbox("joe")).toEqual([]);
  });

  it("upgrades with STARTTLS, logs in with AUTH, and refuses without TLS when TLS is required", async () => {
    const tls = localhostCertificate();
    const dir = mkdtempSync(join(tmpdir(), "smtp-cs-tls-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "cert.pem"), tls.cert);
    writeFileSync(join(dir, "key.pem"), tls.key);
    const { reactor, port, mailbox } = await server({
      tlsCert: join(dir, "cert.pem"),
      tlsKey: join(dir, "key.pem"),
    });
    const [ok] = await sendmail(
      "127.0.0.1",
      "joe@example.com",
      ["ann@example.com"],
      "Subject: secret\n\nover TLS\n",
      {
        port,
        reactor,
        username: "joe",
        password: "secret",
        requireTransportSecurity: true,
        requireAuthentication: true,
        tls: { ca: tls.cert, servername: "localhost" },
      },
    ).asPromise();
    expect(ok).toBe(1);
    expect(mailbox("ann").map(body)).toEqual(["Subject: secret\n\nover TLS\n"]);
    // The cleartext part ended at STARTTLS; AUTH and the transaction came after the handshake.
    const clear = received[0] ?? "";
    expect(commands()).toMatch(/STARTTLS\r\n/);
    expect(clear).not.toMatch(/AUTH/);
    expect(commands()).toMatch(/AUTH (CRAM-MD5|LOGIN|PLAIN)/);

    // The same server without a certificate: a client that requires TLS refuses to send.
    const plain = await server();
    const refused = await sendmail(
      "127.0.0.1",
      "joe@example.com",
      ["ann@example.com"],
      "Subject: x\n\nno\n",
      { port: plain.port, reactor: plain.reactor, requireTransportSecurity: true, retries: 0 },
    )
      .asPromise()
      .catch((error: unknown) => error as Error | Failure);
    expect(String(refused)).toMatch(/TLS/);
    expect(plain.mailbox("ann")).toEqual([]);
  });
});
