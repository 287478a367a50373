import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryUsernamePasswordDatabaseDontUse } from "../../src/cred/checkers.js";
import { Portal } from "../../src/cred/portal.js";
import { ESMTP } from "../../src/server/esmtp.js";
import { LMTP } from "../../src/server/lmtp.js";
import { DEFAULT_CHALLENGERS } from "../../src/server/sasl.js";
import { SMTP } from "../../src/server/smtp.js";
import { connect, MemoryDelivery } from "./helpers.js";

const bodyLine = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/\r\n/g, "")),
  fc.constantFrom(".", "..", "...x", ".x", "", "a\nb", "a\rb", "\n.", ".\r", "Subject: hi"),
);

const message = fc.record({
  from: fc.constantFrom("<a@b.c>", "<>", "<@r1,@r2:x@y.z>"),
  to: fc.array(fc.constantFrom("<x@y.z>", "<w@y.z>", "<bad>"), { minLength: 1, maxLength: 3 }),
  body: fc.array(bodyLine, { maxLength: 12 }),
  bdat: fc.boolean(),
});

interface Msg {
  from: string;
  to: string[];
  body: string[];
  bdat: boolean;
}

function script(messages: Msg[], esmtp: boolean): Buffer {
  let text = esmtp ? "EHLO client\r\n" : "HELO client\r\n";
  for (const m of messages) {
    text += `MAIL FROM:${m.from}\r\n`;
    for (const t of m.to) text += `RCPT TO:${t}\r\n`;
    if (m.bdat && esmtp) {
      const content = m.body.map((l) => `${l}\r\n`).join("");
      const half = Math.floor(content.length / 2);
      text += `BDAT ${half}\r\n${content.slice(0, half)}BDAT ${content.length - half} LAST\r\n${content.slice(half)}`;
    } else {
      text += "DATA\r\n";
      for (const l of m.body) text += `${l.startsWith(".") ? "." : ""}${l}\r\n`;
      text += ".\r\n";
    }
    text += "RSET\r\n";
  }
  return Buffer.from(`${text}QUIT\r\n`, "latin1");
}

function feed(make: () => SMTP, bytes: Buffer, cuts: number[]) {
  const d = new MemoryDelivery();
  const p = make();
  p.delivery = d;
  const s = connect(p);
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    s.send(bytes.subarray(at, cut));
    at = cut;
  }
  s.send(bytes.subarray(at));
  return {
    replies: s.take(),
    delivered: d.delivered.map((m) => [
      m.user.toString(),
      Buffer.concat(m.lines.slice(1).flatMap((l) => [l, Buffer.from("\n")])).toString("latin1"),
    ]),
  };
}

describe("properties of the server's input handling", () => {
  for (const [name, make, esmtp] of [
    ["SMTP", () => new SMTP(), false],
    ["ESMTP", () => new ESMTP(), true],
  ] as const) {
    it(`${name}: random splits of a session give the same replies and delivered bytes`, () => {
      fc.assert(
        fc.property(
          fc.array(message, { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(2000), { maxLength: 30 }),
          (messages, cuts) => {
            const bytes = script(messages, esmtp);
            const whole = feed(make, bytes, []);
            const split = feed(make, bytes, cuts);
            expect(split).toEqual(whole);
            expect(
              whole.replies.endsWith("221 2.0.0 See you later\r\n") ||
                whole.replies.endsWith("221 See you later\r\n"),
            ).toBe(true);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("delivers each body line exactly (dot-unstuffed) over DATA and BDAT", () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = script([{ ...m, to: ["<x@y.z>"] }], true);
        const { delivered } = feed(() => new ESMTP(), bytes, []);
        const lines = m.body;
        // Twisted's rule: a blank line goes before a body that starts without a header.
        const first = lines[0];
        const pad = first !== undefined && first !== "" && !first.includes(":") ? "\n" : "";
        expect(delivered[0]?.[1]).toBe(pad + lines.map((l) => `${l}\n`).join(""));
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on random bytes (SMTP, ESMTP with AUTH, LMTP)", () => {
    const makers = [
      () => new SMTP(),
      () => {
        const p = new ESMTP({ ...DEFAULT_CHALLENGERS }, { key: "k", cert: "c" });
        p.allowInsecureAuth = true;
        p.portal = new Portal(
          { requestAvatar: () => ["IMessageDelivery", new MemoryDelivery(), () => {}] as const },
          [new InMemoryUsernamePasswordDatabaseDontUse({ joe: "pw" })],
        );
        return p;
      },
      () => new LMTP(),
    ];
    const verbs = fc.constantFrom(
      "EHLO x\r\n",
      "LHLO x\r\n",
      "MAIL FROM:<a@b>\r\n",
      "RCPT TO:<c@d>\r\n",
      "DATA\r\n",
      "BDAT 3\r\n",
      "BDAT 2 LAST\r\n",
      ".\r\n",
      "AUTH PLAIN\r\n",
      "AUTH LOGIN\r\n",
      "*\r\n",
      "RSET\r\n",
      "STARTTLS\r\n",
    );
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      verbs.map((v) => Buffer.from(v)),
    );
    fc.assert(
      fc.property(fc.nat(2), fc.array(chunk, { maxLength: 40 }), (which, chunks) => {
        const s = connect((makers[which] as () => SMTP)());
        for (const c of chunks) s.send(c);
        s.take();
      }),
      { numRuns: 300 },
    );
  });
});
