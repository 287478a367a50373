import { Clock, StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IRCClient } from "../../src/index.js";

/** Records every callback the transcript below reaches, with its arguments. */
class Recorder extends IRCClient {
  override clock = new Clock();
  override nickname = "me";
  override lineRate: number | null = null;
  seen: string[] = [];
  override signedOn(): void {
    this.seen.push("signedOn");
  }
  override joined(channel: string): void {
    this.seen.push(`joined ${channel}`);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.seen.push(`privmsg ${user} ${channel} ${message}`);
  }
  override action(user: string, channel: string, data: string): void {
    this.seen.push(`action ${user} ${channel} ${data}`);
  }
  override userRenamed(oldname: string, newname: string): void {
    this.seen.push(`renamed ${oldname} ${newname}`);
  }
  override modeChanged(
    user: string,
    channel: string,
    set: boolean,
    modes: string,
    args: ReadonlyArray<string | null>,
  ): void {
    this.seen.push(`mode ${user} ${channel} ${set} ${modes} ${args.join(",")}`);
  }
  override capabilitiesNegotiated(enabled: string[]): void {
    this.seen.push(`caps ${enabled.join(",")}`);
  }
}

const TRANSCRIPT = Buffer.from(
  [
    ":s CAP * LS :multi-prefix server-time",
    ":s CAP me ACK :multi-prefix server-time",
    ":s 001 me :Welcome me!u@h",
    ":s 005 me PREFIX=(ov)@+ CHANMODES=b,k,l,imnst :are supported",
    ":me!u@h JOIN #chan",
    ":s 353 me = #chan :@me +bob",
    ":s 366 me #chan :End",
    "@time=2024-01-01T00:00:00Z :bob!b@h PRIVMSG #chan :héllo wörld 👋",
    ":bob!b@h PRIVMSG #chan :\x01ACTION dances\x01",
    ":bob!b@h NICK robert",
    ":me!u@h MODE #chan +o-v robert robert",
    "PING :tick",
    "",
  ].join("\r\n"),
);

function run(chunks: Buffer[]): { seen: string[]; sent: string; members: string[] } {
  const client = new Recorder();
  const transport = new StringTransport();
  client.makeConnection(transport);
  for (const chunk of chunks) client.dataReceived(chunk);
  const chan = client.getChannel("#chan");
  return {
    seen: client.seen,
    sent: transport.value().toString("utf8"),
    members: [...(chan?.members.values() ?? [])].map((m) => `${m.modes}${m.nick}`),
  };
}

describe("IRCClient properties", () => {
  it("any split of the byte stream gives the same callbacks, state and replies", () => {
    const whole = run([TRANSCRIPT]);
    expect(whole.seen).toContain("privmsg bob!b@h #chan héllo wörld 👋");
    expect(whole.members).toEqual(["ome", "orobert"]);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: TRANSCRIPT.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const points = [0, ...[...cuts].sort((a, b) => a - b), TRANSCRIPT.length];
          const chunks = points.slice(1).map((end, i) => TRANSCRIPT.subarray(points[i], end));
          expect(run(chunks)).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("random bytes never throw out of dataReceived, and nothing sent holds a bare CR or LF", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }),
        fc.boolean(),
        (chunks, prefixed) => {
          const client = new Recorder();
          const transport = new StringTransport();
          client.makeConnection(transport);
          if (prefixed) client.dataReceived(Buffer.from(":s 001 me :hi\r\n:me!u@h JOIN #c\r\n"));
          for (const chunk of chunks) client.dataReceived(Buffer.from(chunk));
          const out = transport.value().toString("latin1");
          expect(out.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
