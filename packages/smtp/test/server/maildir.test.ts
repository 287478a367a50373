import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Address, User } from "../../src/address.js";
import { ANONYMOUS } from "../../src/cred/checkers.js";
import { SMTPBadRcpt, SMTPServerError } from "../../src/errors.js";
import { ESMTP } from "../../src/server/esmtp.js";
import { MaildirDelivery, MaildirMessage, MaildirRealm } from "../../src/server/maildir.js";
import { connect } from "./helpers.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "smtp-maildir-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const user = (to: string, protocol: unknown = null) =>
  new User(new Address(to), ["h", "1.2.3.4"], protocol, new Address("a@b.c"));

describe("MaildirMessage", () => {
  it("writes to tmp/, renames into new/ and fires with the path only then", async () => {
    const root = tmp();
    const m = new MaildirMessage(join(root, "box"));
    m.lineReceived(Buffer.from("Subject: hi"));
    m.lineReceived(Buffer.from(""));
    m.lineReceived(Buffer.from("body"));
    expect(m.name).toMatch(/^\d+\.\d+_\d+\..+$/);
    const path = await m.eomReceived();
    expect(path).toBe(join(root, "box", "new", m.name));
    expect(readFileSync(path, "utf8")).toBe("Subject: hi\n\nbody\n");
    expect(readdirSync(join(root, "box", "tmp"))).toEqual([]);
    expect(readdirSync(join(root, "box", "cur"))).toEqual([]);
  });

  it("writes big messages in batches and keeps every byte", async () => {
    const root = tmp();
    const m = new MaildirMessage(join(root, "box"), { fsync: false });
    const line = Buffer.from("x".repeat(999));
    for (let i = 0; i < 3000; i++) m.lineReceived(line);
    const path = await m.eomReceived();
    expect(readFileSync(path).length).toBe(3000 * 1000);
  });

  it("leaves nothing behind when abandoned", async () => {
    const root = tmp();
    const m = new MaildirMessage(join(root, "box"), { fsync: false });
    for (let i = 0; i < 2000; i++) m.lineReceived(Buffer.alloc(999, 0x41));
    m.connectionLost();
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(root, "box", "tmp"))).toEqual([]);
    expect(readdirSync(join(root, "box", "new"))).toEqual([]);
  });

  it("fails with a 451 SMTPServerError when it cannot write", async () => {
    const root = tmp();
    writeFileSync(join(root, "file"), "not a directory");
    const m = new MaildirMessage(join(root, "file", "box"));
    m.lineReceived(Buffer.from("x"));
    const error = await m
      .eomReceived()
      .asPromise()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SMTPServerError);
    expect((error as SMTPServerError).replyCode).toBe(451);
  });
});

describe("MaildirDelivery", () => {
  it("accepts local users, refuses unknown ones, and uses the catch-all", () => {
    const root = tmp();
    const d = new MaildirDelivery({ root, domains: ["Example.com"], users: ["joe"] });
    expect(typeof d.validateTo(user("Joe@example.COM"))).toBe("function");
    expect(() => d.validateTo(user("bob@example.com"))).toThrow(SMTPBadRcpt);
    expect(() => d.validateTo(user("../etc@example.com"))).toThrow(SMTPBadRcpt);
    const c = new MaildirDelivery({
      root,
      domains: ["example.com"],
      users: ["joe"],
      catchAll: "joe",
    });
    expect(typeof c.validateTo(user("bob@example.com"))).toBe("function");
  });

  it("refuses to relay for anyone by default, and for anonymous users with relay on", () => {
    const root = tmp();
    const d = new MaildirDelivery({ root, domains: ["example.com"], relay: true });
    try {
      d.validateTo(user("x@elsewhere.org"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SMTPBadRcpt);
      expect((e as SMTPBadRcpt).resp).toBe("Relaying denied");
      expect((e as SMTPBadRcpt).enhancedCode).toBe("5.7.1");
    }
    expect(typeof d.forAvatar("joe").validateTo(user("x@elsewhere.org"))).toBe("function");
    expect(() =>
      new MaildirDelivery({ root, domains: ["example.com"] })
        .forAvatar("joe")
        .validateTo(user("x@elsewhere.org")),
    ).toThrow(SMTPBadRcpt);
  });

  it("gives logged-in users a relaying delivery through the realm", async () => {
    const root = tmp();
    const realm = new MaildirRealm(
      new MaildirDelivery({ root, domains: ["example.com"], relay: true }),
    );
    const [, anon] = await realm.requestAvatar(ANONYMOUS, null, "IMessageDelivery");
    const [, joe] = await realm.requestAvatar("joe", null, "IMessageDelivery");
    expect((anon as MaildirDelivery).avatarId).toBeNull();
    expect((joe as MaildirDelivery).avatarId).toBe("joe");
    const factory = (joe as MaildirDelivery).validateTo(user("x@elsewhere.org"));
    const m = factory();
    m.lineReceived(Buffer.from("hi"));
    const path = (await (m as MaildirMessage).eomReceived()) as string;
    expect(path.startsWith(join(root, ".relay", "new"))).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(
      "X-Envelope-From: <a@b.c>\nX-Envelope-To: <x@elsewhere.org>\nhi\n",
    );
  });

  it("answers 250 over ESMTP only once the file is in new/", async () => {
    const root = tmp();
    const p = new ESMTP();
    p.host = "mx.example.com";
    p.delivery = new MaildirDelivery({ root, domains: ["example.com"], host: "mx.example.com" });
    const s = connect(p);
    s.send(
      "EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<x@other.org>\r\nDATA\r\nSubject: t\r\n\r\n..dot\r\n.\r\n",
    );
    const first = s.lines();
    expect(first.slice(-3)).toEqual([
      "250 2.1.5 Recipient address accepted",
      "550 5.7.1 Relaying denied",
      "354 Continue",
    ]);
    for (let i = 0; i < 100 && s.transport.value().length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(s.lines()).toEqual(["250 2.0.0 Delivery in progress"]);
    const box = join(root, "example.com", "joe", "new");
    const [file] = readdirSync(box);
    const text = readFileSync(join(box, file as string), "utf8");
    expect(text).toMatch(
      /^Received: from c \(\[10\.0\.0\.9\] helo=c\)\n\tby mx\.example\.com with ESMTP \(twisted-ts\)\n\tfor <joe@example\.com>; .+\nSubject: t\n\n\.dot\n$/,
    );
  });
});
