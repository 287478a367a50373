import { StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NotImplementedError } from "../../src/errors.js";
import { LineOnlyReceiver } from "../../src/framing/index.js";
import {
  atEveryChunkSize,
  chunkSizes,
  type Event,
  LineOnlyReceiverModel,
  splitBy,
  streamOfFragments,
  text,
} from "./helpers.js";

/** Twisted's LineOnlyTester: `\n`, MAX_LENGTH 64, keeps every line. */
class LineOnlyTester extends LineOnlyReceiver {
  override delimiter = Buffer.from("\n");
  override MAX_LENGTH = 64;
  received: Buffer[] = [];
  override lineReceived(line: Buffer): void {
    this.received.push(line);
  }
}

function connected<P extends LineOnlyReceiver>(protocol: P): P {
  protocol.makeConnection(new StringTransport());
  return protocol;
}

const FIXTURE = "foo\n    bleakness\n    desolation\n    plastic forks\n    ";

describe("LineOnlyReceiver", () => {
  it("delivers the same lines at every chunk size", () => {
    atEveryChunkSize(
      FIXTURE,
      () => connected(new LineOnlyTester()),
      (p, size) => {
        expect([size, text(p.received)]).toEqual([size, FIXTURE.split("\n").slice(0, -1)]);
      },
    );
  });

  it("disconnects on a line longer than MAX_LENGTH + delimiter length", () => {
    const p = connected(new LineOnlyTester());
    p.dataReceived(Buffer.from(`${"x".repeat(p.MAX_LENGTH + 2)}\r\nr`));
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("disconnects as soon as the unfinished line is longer than MAX_LENGTH", () => {
    const p = connected(new LineOnlyTester());
    p.dataReceived(Buffer.from("x".repeat(p.MAX_LENGTH)));
    expect((p.transport as StringTransport).disconnecting).toBe(false);
    p.dataReceived(Buffer.from("x"));
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("accepts a line of exactly MAX_LENGTH at every chunk size", () => {
    const line = "y".repeat(64);
    atEveryChunkSize(
      `${line}\n${line}\n`,
      () => connected(new LineOnlyTester()),
      (p, size) => {
        expect([size, text(p.received), (p.transport as StringTransport).disconnecting]).toEqual([
          size,
          [line, line],
          false,
        ]);
      },
    );
  });

  it("drops the rest of the chunk after a line that is too long", () => {
    class Catcher extends LineOnlyTester {
      long: Buffer[] = [];
      override lineLengthExceeded(line: Buffer): void {
        this.long.push(line);
      }
    }
    const p = connected(new Catcher());
    p.MAX_LENGTH = 3;
    p.dataReceived(Buffer.from("ab\nabcd\ncd\nef\ngh"));
    expect(text(p.received)).toEqual(["ab"]);
    expect(text(p.long)).toEqual(["abcd"]);
    // The unfinished line of that chunk was kept.
    p.dataReceived(Buffer.from("i\nj\n"));
    expect(text(p.received)).toEqual(["ab", "ghi", "j"]);
  });

  it("checks disconnecting before each line", () => {
    class Quitting extends LineOnlyTester {
      override lineReceived(line: Buffer): void {
        super.lineReceived(line);
        if (line.toString() === "QUIT") this.transport!.loseConnection();
      }
    }
    const p = connected(new Quitting());
    p.dataReceived(Buffer.from("a\nQUIT\nb\nc\n"));
    expect(text(p.received)).toEqual(["a", "QUIT"]);
    p.dataReceived(Buffer.from("d\n"));
    expect(text(p.received)).toEqual(["a", "QUIT"]);
  });

  it("sends a line with one writeSequence of the line and the delimiter", () => {
    const sequences: unknown[][] = [];
    class Recording extends StringTransport {
      override writeSequence(data: readonly (Uint8Array | string)[]): void {
        sequences.push(data.map((d) => Buffer.from(d).toString()));
        super.writeSequence(data);
      }
    }
    const p = new LineOnlyReceiver();
    const t = new Recording();
    p.makeConnection(t);
    p.sendLine("héllo");
    p.sendLine(Buffer.from("x"));
    expect(sequences).toEqual([
      ["héllo", "\r\n"],
      ["x", "\r\n"],
    ]);
    expect(t.value().toString()).toBe("héllo\r\nx\r\n");
  });

  it("raises NotImplementedError from lineReceived when it is not overridden", () => {
    expect(() => new LineOnlyReceiver().lineReceived(Buffer.from("foo"))).toThrow(
      NotImplementedError,
    );
  });

  it("splits with a delimiter whose occurrences overlap as Python's split does", () => {
    atEveryChunkSize(
      "xaaayaaaaz",
      () => {
        const p = connected(new LineOnlyTester());
        p.delimiter = Buffer.from("aa");
        return p;
      },
      (p, size) => expect([size, text(p.received)]).toEqual([size, ["x", "ay", ""]]),
    );
  });

  it("hands out lines that later chunks never change", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i}:${"z".repeat(i % 50)}`);
    for (const size of [1, 3, 5, 17, 128, 4096]) {
      const p = connected(new LineOnlyTester());
      for (const chunk of splitBy(Buffer.from(`${lines.join("\n")}\n`), [size])) {
        p.dataReceived(chunk);
      }
      expect([size, text(p.received)]).toEqual([size, lines]);
    }
  });
});

describe("LineOnlyReceiver: properties", () => {
  it("agrees with a plain model of Twisted on random bytes, limits and splits", () => {
    fc.assert(
      fc.property(
        streamOfFragments,
        fc.constantFrom("\r\n", "\n", "ab", "aa", "xyz"),
        fc.integer({ min: 0, max: 12 }),
        chunkSizes,
        (stream, delimiterText, max, sizes) => {
          const delimiter = Buffer.from(delimiterText);
          const events: Event[] = [];
          class Recording extends LineOnlyReceiver {
            override delimiter = delimiter;
            override MAX_LENGTH = max;
            override lineReceived(line: Buffer): void {
              events.push(["line", line.toString("hex")]);
            }
            override lineLengthExceeded(line: Buffer): void {
              events.push(["long", line.toString("hex")]);
            }
          }
          const p = connected(new Recording());
          const model = new LineOnlyReceiverModel(delimiter, max);
          for (const chunk of splitBy(stream, sizes)) {
            p.dataReceived(chunk);
            model.dataReceived(chunk);
          }
          expect(events).toEqual(model.events);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("delivers the same lines for any split of the stream", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[^\r\n]{0,30}$/), { maxLength: 30 }),
        chunkSizes,
        (lines, sizes) => {
          const p = connected(new LineOnlyTester());
          p.delimiter = Buffer.from("\r\n");
          const stream = Buffer.from(lines.map((l) => `${l}\r\n`).join(""));
          for (const chunk of splitBy(stream, sizes)) p.dataReceived(chunk);
          expect(p.received.map((b) => b.toString())).toEqual(lines);
        },
      ),
    );
  });

  it("never throws out of dataReceived on random bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 }), (chunks) => {
        const p = connected(new LineOnlyTester());
        p.MAX_LENGTH = 16;
        for (const chunk of chunks) p.dataReceived(Buffer.from(chunk));
      }),
    );
  });
});
