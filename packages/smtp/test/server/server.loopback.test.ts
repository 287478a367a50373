import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IListeningPort } from "@twisted-ts/core";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { MailService } from "../../src/server/service.js";
import { RawSMTP } from "./rawClient.js";

async function start(extra: Partial<ConstructorParameters<typeof MailService>[1]> = {}) {
  const reactor = testReactor();
  const root = mkdtempSync(join(tmpdir(), "smtp-loop-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const service = new MailService(reactor, {
    listen: ["tcp:0:interface=127.0.0.1"],
    maildir: join(root, "mail"),
    domains: ["example.com"],
    users: { joe: "secret" },
    hostname: "mx.example.com",
    ...extra,
  });
  await service.startService().asPromise();
  onCleanup(() => service.stopService().asPromise());
  const port = ((service.ports[0] as IListeningPort).getHost() as { port: number }).port;
  const client = await RawSMTP.connect(port);
  onCleanup(() => client.close());
  return { root, port, client, service };
}

function newFiles(root: string, user = "joe"): string[] {
  const dir = join(root, "mail", "example.com", user, "new");
  try {
    return readdirSync(dir).map((f) => readFileSync(join(dir, f), "latin1"));
  } catch {
    return [];
  }
}

describe("ESMTP server over TCP (loopback)", () => {
  it("receives a message into the Maildir with a plain session", async () => {
    const { root, client } = await start();
    expect(await client.reply()).toEqual([
      "220 mx.example.com NO UCE NO UBE NO RELAY PROBES ESMTP",
    ]);
    const ehlo = await client.command("EHLO client.test");
    expect(ehlo[0]).toBe("250-mx.example.com Hello 127.0.0.1, nice to meet you");
    expect(ehlo).toContain("250-PIPELINING");
    expect(ehlo).not.toContain("250-AUTH CRAM-MD5 LOGIN PLAIN");
    expect(await client.command("MAIL FROM:<alice@elsewhere.org>")).toEqual([
      "250 2.1.0 Sender address accepted",
    ]);
    expect(await client.command("RCPT TO:<joe@example.com>")).toEqual([
      "250 2.1.5 Recipient address accepted",
    ]);
    expect(await client.command("RCPT TO:<bob@elsewhere.org>")).toEqual([
      "550 5.7.1 Relaying denied",
    ]);
    expect(await client.command("DATA")).toEqual(["354 Continue"]);
    client.send("Subject: loop\r\n\r\nline one\r\n..dotted\r\n");
    expect(await client.command(".")).toEqual(["250 2.0.0 Delivery in progress"]);
    const [text] = newFiles(root);
    expect(text).toMatch(
      /^Received: from client\.test \(\[127\.0\.0\.1\] helo=client\.test\)\n\tby mx\.example\.com with ESMTP/,
    );
    expect(text?.endsWith("Subject: loop\n\nline one\n.dotted\n")).toBe(true);
    expect(await client.command("QUIT")).toEqual(["221 2.0.0 See you later"]);
  });

  it("answers a pipelined transaction sent in one write, in order", async () => {
    const { root, client } = await start();
    await client.reply();
    client.send(
      "EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\nSubject: p\r\n\r\nhi\r\n.\r\nQUIT\r\n",
    );
    const replies: string[][] = [];
    for (let i = 0; i < 7; i++) replies.push(await client.reply());
    expect(replies.slice(1).map((r) => r[0])).toEqual([
      "250 2.1.0 Sender address accepted",
      "250 2.1.5 Recipient address accepted",
      "550 5.1.1 Cannot receive for specified address",
      "354 Continue",
      "250 2.0.0 Delivery in progress",
      "221 2.0.0 See you later",
    ]);
    expect(newFiles(root)).toHaveLength(1);
  });

  it("upgrades with STARTTLS, resets, then takes AUTH PLAIN and relays for the user", async () => {
    const cert = localhostCertificate();
    const dir = mkdtempSync(join(tmpdir(), "smtp-cert-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "cert.pem"), cert.cert);
    writeFileSync(join(dir, "key.pem"), cert.key);
    const { root, client } = await start({
      tlsCert: join(dir, "cert.pem"),
      tlsKey: join(dir, "key.pem"),
      relay: true,
    });
    await client.reply();
    const ehlo = await client.command("EHLO c");
    expect(ehlo).toContain("250-STARTTLS");
    expect(
      await client.command(`AUTH PLAIN ${Buffer.from("\0joe\0secret").toString("base64")}`),
    ).toEqual(["538 5.7.11 Encryption required for requested authentication mechanism"]);
    expect(await client.command("STARTTLS")).toEqual(["220 2.0.0 Begin TLS negotiation now"]);
    await client.startTLS();
    const ehlo2 = await client.command("EHLO c");
    expect(ehlo2).not.toContain("250-STARTTLS");
    expect(ehlo2).toContain("250-AUTH CRAM-MD5 LOGIN PLAIN");
    expect(
      await client.command(`AUTH PLAIN ${Buffer.from("\0joe\0wrong").toString("base64")}`),
    ).toEqual(["535 5.7.8 Authentication failed"]);
    expect(
      await client.command(`AUTH PLAIN ${Buffer.from("\0joe\0secret").toString("base64")}`),
    ).toEqual(["235 2.7.0 Authentication successful."]);
    await client.command("MAIL FROM:<joe@example.com>");
    expect(await client.command("RCPT TO:<friend@elsewhere.org>")).toEqual([
      "250 2.1.5 Recipient address accepted",
    ]);
    expect(await client.command("RCPT TO:<joe@example.com>")).toEqual([
      "250 2.1.5 Recipient address accepted",
    ]);
    await client.command("DATA");
    client.send("Subject: tls\r\n\r\nsecret stuff\r\n");
    expect(await client.command(".")).toEqual(["250 2.0.0 Delivery in progress"]);
    const [text] = newFiles(root);
    expect(text).toMatch(/with ESMTPSA \(twisted-ts\)/);
    const relayed = readdirSync(join(root, "mail", ".relay", "new"));
    expect(relayed).toHaveLength(1);
  });

  it("takes a 1 MB message in BDAT chunks and keeps every byte", async () => {
    const { root, client } = await start();
    await client.reply();
    await client.command("EHLO c");
    await client.command("MAIL FROM:<a@b.c> SIZE=1100000 BODY=8BITMIME");
    await client.command("RCPT TO:<joe@example.com>");
    const line = `${"ä".repeat(10)}${"x".repeat(978)}\r\n`;
    const body = Buffer.from(`Subject: big\r\n\r\n${line.repeat(1000)}`, "utf8");
    const half = 600_000;
    client.send(Buffer.concat([Buffer.from(`BDAT ${half}\r\n`), body.subarray(0, half)]));
    expect(await client.reply()).toEqual([`250 2.0.0 ${half} octets received`]);
    client.send(
      Buffer.concat([Buffer.from(`BDAT ${body.length - half} LAST\r\n`), body.subarray(half)]),
    );
    expect(await client.reply()).toEqual(["250 2.0.0 Delivery in progress"]);
    const dir = join(root, "mail", "example.com", "joe", "new");
    const [file] = readdirSync(dir);
    const stored = readFileSync(join(dir, file as string));
    const expected = body.toString("latin1").replace(/\r\n/g, "\n");
    expect(stored.toString("latin1").endsWith(`${expected}\n`.replace(/\n\n$/, "\n"))).toBe(true);
  });

  it("refuses a message past the size limit with 552 and stores nothing", async () => {
    const { root, client } = await start({ maxMessageSize: 50_000 });
    await client.reply();
    const ehlo = await client.command("EHLO c");
    expect(ehlo).toContain("250-SIZE 50000");
    expect(await client.command("MAIL FROM:<a@b.c> SIZE=60000")).toEqual([
      "552 5.3.4 Message size exceeds fixed maximum message size",
    ]);
    await client.command("MAIL FROM:<a@b.c>");
    await client.command("RCPT TO:<joe@example.com>");
    await client.command("DATA");
    client.send(`${"y".repeat(998)}\r\n`.repeat(100));
    expect(await client.command(".")).toEqual([
      "552 5.3.4 Message size exceeds fixed maximum message size",
    ]);
    expect(newFiles(root)).toEqual([]);
    const tmpDir = join(root, "mail", "example.com", "joe", "tmp");
    expect(existsSync(tmpDir) ? readdirSync(tmpDir) : []).toEqual([]);
  });
});
