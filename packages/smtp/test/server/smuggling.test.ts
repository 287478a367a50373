import { describe, expect, it } from "vitest";
import { ESMTP } from "../../src/server/esmtp.js";
import { SMTP } from "../../src/server/smtp.js";
import { connect, MemoryDelivery } from "./helpers.js";

/** Ends of data that are not CRLF.CRLF: each must stay message content. */
const FAKE_ENDS = [
  "\n.\n",
  "\r.\r",
  "\n.\r\n",
  "\r\n.\n",
  "\r.\r\n",
  "\r\n.\r",
  "\n.\r",
  "\r.\n",
  "\r\n.\r\r\n",
];

function run(proto: () => SMTP, end: string, chunk: number) {
  const d = new MemoryDelivery();
  const p = proto();
  p.delivery = d;
  const s = connect(p);
  const input =
    "MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: t\r\n\r\nbody" +
    end +
    "MAIL FROM:<evil@x.example>\r\nRCPT TO:<victim@y.example>\r\nDATA\r\nsmuggled\r\n.\r\n";
  const bytes = Buffer.from(input, "latin1");
  for (let i = 0; i < bytes.length; i += chunk) s.send(bytes.subarray(i, i + chunk));
  return { d, lines: s.lines() };
}

describe("SMTP smuggling defence: only CRLF.CRLF ends DATA", () => {
  for (const make of [() => new SMTP(), () => new ESMTP()]) {
    for (const end of FAKE_ENDS) {
      it(`${make().constructor.name}: ${JSON.stringify(end)} is message content, at every chunk size`, () => {
        for (const chunk of [1, 2, 3, 7, 64, 100000]) {
          const { d, lines } = run(make, end, chunk);
          expect(d.froms.map(([, o]) => o.toString())).toEqual(["a@b.c"]);
          expect(d.tos.map(([u]) => u.toString())).toEqual(["x@y.z"]);
          expect(d.delivered).toHaveLength(1);
          const body = d.delivered[0]?.lines.map((l) => l.toString("latin1")).join("\n") ?? "";
          expect(body).toContain("MAIL FROM:<evil@x.example>");
          expect(lines.filter((l) => /^250 (2\.0\.0 )?Delivery in progress$/.test(l))).toHaveLength(
            1,
          );
        }
      });
    }
  }

  it("ends DATA at CRLF.CRLF even when split one byte at a time", () => {
    const { d } = run(() => new ESMTP(), "\r\n.\r\n", 1);
    expect(d.delivered).toHaveLength(2);
    expect(d.tos.map(([u]) => u.toString())).toEqual(["x@y.z", "victim@y.example"]);
  });

  it("keeps bare CR and LF inside the delivered lines", () => {
    const { d } = run(() => new ESMTP(), "\n.\n", 5);
    expect(d.delivered[0]?.lines.some((l) => l.includes("body\n.\nMAIL", 0, "latin1"))).toBe(true);
  });
});
