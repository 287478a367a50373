import { Clock, StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NotImplementedError } from "../../src/errors.js";
import { LineReceiver } from "../../src/framing/index.js";
import {
  atEveryChunkSize,
  chunkSizes,
  type Event,
  feed,
  LineReceiverModel,
  OnlyProducerTransport,
  splitBy,
  streamOfFragments,
  text,
} from "./helpers.js";

/**
 * Twisted's `LineTester`: acts on some lines ("pause", "rawpause", "stop", "len N",
 * "produce", "unproduce"); an empty line switches to raw mode, which reads `length` bytes.
 */
class LineTester extends LineReceiver {
  override delimiter = Buffer.from("\n");
  override MAX_LENGTH = 64;
  received: Buffer[] = [];
  length = 0;

  constructor(readonly clock?: Clock) {
    super();
  }

  override connectionMade(): void {
    this.received = [];
  }

  override lineReceived(line: Buffer): void {
    this.received.push(line);
    const s = line.toString("latin1");
    if (s === "") {
      this.setRawMode();
    } else if (s === "pause") {
      this.pauseProducing();
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (s === "rawpause") {
      this.pauseProducing();
      this.setRawMode();
      this.received.push(Buffer.alloc(0));
      this.clock!.callLater(0, () => this.resumeProducing());
    } else if (s === "stop") {
      this.stopProducing();
    } else if (s.startsWith("len ")) {
      this.length = Number.parseInt(s.slice(4), 10);
    } else if (s.startsWith("produce")) {
      this.transport!.registerProducer(this, false);
    } else if (s.startsWith("unproduce")) {
      this.transport!.unregisterProducer();
    }
  }

  override rawDataReceived(data: Buffer): void {
    const taken = data.subarray(0, this.length);
    const rest = data.subarray(this.length);
    this.length -= taken.length;
    const last = this.received.length - 1;
    this.received[last] = Buffer.concat([this.received[last]!, taken]);
    if (this.length === 0) this.setLineMode(rest);
  }

  override lineLengthExceeded(line: Buffer): void {
    if (line.length > this.MAX_LENGTH + 1) this.setLineMode(line.subarray(this.MAX_LENGTH + 1));
  }
}

function connected<P extends LineReceiver>(protocol: P): P {
  protocol.makeConnection(new StringTransport());
  return protocol;
}

const MIXED = [
  "len 10",
  "",
  "0123456789len 5",
  "",
  "1234",
  "len 20",
  "foo 123",
  "",
  "0123456789",
  "012345678len 0",
  "foo 5",
  "",
  "1234567890123456789012345678901234567890123456789012345678901234567890",
  "len 1",
  "",
  "a",
].join("\n");

const MIXED_OUTPUT = [
  "len 10",
  "0123456789",
  "len 5",
  "1234\n",
  "len 20",
  "foo 123",
  "0123456789\n012345678",
  "len 0",
  "foo 5",
  "",
  "67890",
  "len 1",
  "a",
];

describe("LineReceiver: lines and raw data", () => {
  it("parses a mixed line and raw stream the same at every chunk size", () => {
    atEveryChunkSize(
      MIXED,
      () => connected(new LineTester()),
      (p, size) => {
        // LineTester feeds the end of a long line back from lineLengthExceeded, which only
        // appends (the re-entrancy guard); one more (empty) chunk parses it, as the last, empty
        // packet of Twisted's own loop does.
        p.dataReceived(Buffer.alloc(0));
        expect([size, text(p.received)]).toEqual([size, MIXED_OUTPUT]);
      },
    );
  });

  it("stops at a pause in lineReceived and drains the rest one clock tick later", () => {
    const input = "twiddle1\ntwiddle2\npause\ntwiddle3\n";
    const clock = new Clock();
    atEveryChunkSize(
      input,
      () => connected(new LineTester(clock)),
      (p, size) => {
        expect([size, text(p.received)]).toEqual([size, ["twiddle1", "twiddle2", "pause"]]);
        clock.advance(0);
        expect([size, text(p.received)]).toEqual([
          size,
          ["twiddle1", "twiddle2", "pause", "twiddle3"],
        ]);
      },
    );
  });

  it("stops at a pause in raw mode and drains the rest one clock tick later", () => {
    const input = "twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n";
    const clock = new Clock();
    atEveryChunkSize(
      input,
      () => connected(new LineTester(clock)),
      (p, size) => {
        expect([size, text(p.received)]).toEqual([
          size,
          ["twiddle1", "twiddle2", "len 5", "rawpause", ""],
        ]);
        clock.advance(0);
        expect([size, text(p.received)]).toEqual([
          size,
          ["twiddle1", "twiddle2", "len 5", "rawpause", "12345", "twiddle3"],
        ]);
      },
    );
  });

  it("drops the rest of the stream after stopProducing in lineReceived", () => {
    atEveryChunkSize(
      "twiddle1\ntwiddle2\nstop\nmore\nstuff\n",
      () => connected(new LineTester()),
      (p, size) =>
        expect([size, text(p.received)]).toEqual([size, ["twiddle1", "twiddle2", "stop"]]),
    );
  });

  it("registers and unregisters itself as a producer from lineReceived", () => {
    const p = connected(new LineTester());
    p.dataReceived(Buffer.from("produce\nhello world\nunproduce\ngoodbye\n"));
    expect(text(p.received)).toEqual(["produce", "hello world", "unproduce", "goodbye"]);
  });

  it("returns the buffered bytes from clearLineBuffer and never delivers those lines", () => {
    class Clearing extends LineReceiver {
      line: Buffer = Buffer.alloc(0);
      rest: Buffer = Buffer.alloc(0);
      override lineReceived(line: Buffer): void {
        this.line = line;
        this.rest = this.clearLineBuffer();
      }
    }
    const p = new Clearing();
    p.dataReceived(Buffer.from("foo\r\nbar\r\nbaz"));
    expect(p.line.toString()).toBe("foo");
    expect(p.rest.toString()).toBe("bar\r\nbaz");
    p.dataReceived(Buffer.from("quux\r\n"));
    expect(p.line.toString()).toBe("quux");
    expect(p.rest.toString()).toBe("");
  });

  it("flips modes a hundred thousand times without growing the stack", () => {
    class Flipping extends LineReceiver {
      override delimiter = Buffer.from("\n");
      lines: Buffer[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line);
        this.setRawMode();
      }
      override rawDataReceived(data: Buffer): void {
        this.setLineMode(data.subarray(1));
      }
    }
    const p = connected(new Flipping());
    const limit = 100_000;
    p.dataReceived(Buffer.from("x\nx".repeat(limit)));
    expect(Buffer.concat(p.lines).toString()).toBe("x".repeat(limit));
  });

  it("only appends on a re-entrant dataReceived, delivering in order at a constant depth", () => {
    const depths: number[] = [];
    let depth = 0;
    class Reentrant extends LineReceiver {
      lines: string[] = [];
      override dataReceived(data: Buffer): unknown {
        depth++;
        try {
          return super.dataReceived(data);
        } finally {
          depth--;
        }
      }
      override lineReceived(line: Buffer): void {
        depths.push(depth);
        this.lines.push(line.toString());
        if (this.lines.length < 1000) this.dataReceived(Buffer.from(`l${this.lines.length}\r\n`));
      }
    }
    const p = connected(new Reentrant());
    p.dataReceived(Buffer.from("l0\r\nfirst-chunk-rest\r\n"));
    expect(p.lines.slice(0, 3)).toEqual(["l0", "first-chunk-rest", "l1"]);
    expect(p.lines).toHaveLength(1001);
    expect(p.lines.at(-1)).toBe("l999");
    // Every line is delivered by the outermost call: nested calls return at once.
    expect(new Set(depths)).toEqual(new Set([1]));
  });

  it("sends bytes after setRawMode in the same chunk to rawDataReceived, and back", () => {
    class Switching extends LineReceiver {
      events: string[] = [];
      override lineReceived(line: Buffer): void {
        this.events.push(`line:${line}`);
        if (line.toString() === "RAW") this.setRawMode();
      }
      override rawDataReceived(data: Buffer): void {
        const end = data.indexOf("!");
        if (end === -1) {
          this.events.push(`raw:${data}`);
          return;
        }
        this.events.push(`raw:${data.subarray(0, end)}`);
        this.setLineMode(data.subarray(end + 1));
      }
    }
    atEveryChunkSize(
      "a\r\nRAW\r\nxx\r\nyy!b\r\nc\r\n",
      () => connected(new Switching()),
      (p, size) => {
        const joined = p.events.filter((e) => e.startsWith("raw:")).join("");
        expect([size, p.events.filter((e) => e.startsWith("line:"))]).toEqual([
          size,
          ["line:a", "line:RAW", "line:b", "line:c"],
        ]);
        expect(joined.replaceAll("raw:", "")).toBe("xx\r\nyy");
      },
    );
  });

  it("stops the loop on a truthy lineReceived, returns it and keeps the rest buffered", () => {
    class Stopping extends LineReceiver {
      lines: string[] = [];
      override lineReceived(line: Buffer): unknown {
        this.lines.push(line.toString());
        return line.toString() === "stop" ? "why" : undefined;
      }
    }
    const p = connected(new Stopping());
    expect(p.dataReceived(Buffer.from("a\r\nstop\r\nb\r\nc"))).toBe("why");
    expect(p.lines).toEqual(["a", "stop"]);
    expect(p.dataReceived(Buffer.from("\r\n"))).toBeUndefined();
    expect(p.lines).toEqual(["a", "stop", "b", "c"]);
  });

  it("stops delivering lines once the transport is disconnecting", () => {
    class Quitting extends LineReceiver {
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line.toString());
        if (line.toString() === "QUIT") this.transport!.loseConnection();
      }
    }
    const p = connected(new Quitting());
    p.dataReceived(Buffer.from("a\r\nQUIT\r\nb\r\nc\r\n"));
    expect(p.lines).toEqual(["a", "QUIT"]);
    // As in Twisted, each later chunk delivers one more line before the check stops the loop
    // (a real transport stops reading once it is closing).
    p.dataReceived(Buffer.from("d\r\n"));
    expect(p.lines).toEqual(["a", "QUIT", "b"]);
  });

  it("forwards what rawDataReceived returns from dataReceived", () => {
    class Raw extends LineReceiver {
      override rawDataReceived(_data: Buffer): unknown {
        return new RangeError("oops");
      }
    }
    const p = connected(new Raw());
    p.setRawMode();
    expect(p.dataReceived(Buffer.from("data"))).toBeInstanceOf(RangeError);
  });

  it("raises NotImplementedError from the hooks that are not overridden", () => {
    const p = new LineReceiver();
    expect(() => p.rawDataReceived(Buffer.from("foo"))).toThrow(NotImplementedError);
    expect(() => p.lineReceived(Buffer.from("foo"))).toThrow(NotImplementedError);
  });

  it("follows a change of delimiter between lines", () => {
    class Changing extends LineReceiver {
      lines: string[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line.toString());
        if (line.toString() === "switch") this.delimiter = Buffer.from("\n");
      }
    }
    atEveryChunkSize(
      "a\r\nswitch\r\nb\nc\r\nd\n",
      () => connected(new Changing()),
      (p, size) => expect([size, p.lines]).toEqual([size, ["a", "switch", "b", "c\r", "d"]]),
    );
  });

  it("hands out lines that later chunks never change", () => {
    const kept: Buffer[] = [];
    class Keeping extends LineReceiver {
      override lineReceived(line: Buffer): void {
        kept.push(line);
      }
    }
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(i % 37)}`);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      kept.length = 0;
      const p = connected(new Keeping());
      feed(p, `${lines.join("\r\n")}\r\n`, size);
      expect(kept.map(String)).toEqual(lines);
    }
  });
});

describe("LineReceiver: sendLine", () => {
  it("writes the line and the delimiter in a single write", () => {
    const transport = new OnlyProducerTransport();
    const p = new LineReceiver();
    p.makeConnection(transport);
    p.sendLine(Buffer.from("hello"));
    p.sendLine("wörld");
    expect(transport.data.map(String)).toEqual(["hello\r\n", "wörld\r\n"]);
  });

  it("uses the protocol's own delimiter", () => {
    const p = connected(new LineTester());
    p.sendLine("x");
    expect((p.transport as StringTransport).value().toString()).toBe("x\n");
  });
});

describe("LineReceiver: line length limits", () => {
  class Catcher extends LineReceiver {
    override MAX_LENGTH = 6;
    longLines: Buffer[] = [];
    lines: Buffer[] = [];
    override lineReceived(line: Buffer): void {
      this.lines.push(line);
    }
    override lineLengthExceeded(line: Buffer): void {
      this.longLines.push(line);
    }
  }
  const excessive = "x".repeat(6 * 2 + 2);

  it("passes a long unended line whole to lineLengthExceeded", () => {
    const p = connected(new Catcher());
    p.dataReceived(Buffer.from(excessive));
    expect(text(p.longLines)).toEqual([excessive]);
  });

  it("passes everything after a short line when a long one follows", () => {
    const p = connected(new Catcher());
    p.dataReceived(Buffer.from(`x\r\n${excessive}`));
    expect(text(p.longLines)).toEqual([excessive]);
  });

  it("passes the whole buffer when the first delimiter comes after MAX_LENGTH", () => {
    const p = connected(new Catcher());
    const data = `${excessive}\r\n${excessive}`;
    p.dataReceived(Buffer.from(data));
    expect(text(p.longLines)).toEqual([data]);
  });

  it("passes the whole buffer with several long lines", () => {
    const p = connected(new Catcher());
    const data = `${excessive}\r\n${excessive}\r\n`;
    p.dataReceived(Buffer.from(data));
    expect(text(p.longLines)).toEqual([data]);
  });

  it("disconnects on MAX_LENGTH + 1 bytes before the delimiter", () => {
    const p = connected(new LineReceiver());
    p.dataReceived(Buffer.from(`${"x".repeat(p.MAX_LENGTH + 1)}\r\nr`));
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("disconnects on an unfinished line of MAX_LENGTH + delimiter length bytes", () => {
    const p = connected(new LineReceiver());
    p.dataReceived(Buffer.from("x".repeat(p.MAX_LENGTH + 2)));
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("accepts a line of exactly MAX_LENGTH whose delimiter is split across chunks", () => {
    const p = connected(new LineTester());
    p.MAX_LENGTH = 4;
    const line = Buffer.from("xxx");
    p.dataReceived(line);
    p.dataReceived(p.delimiter.subarray(0, -1));
    p.dataReceived(Buffer.concat([p.delimiter.subarray(-1), line]));
    expect((p.transport as StringTransport).disconnecting).toBe(false);
    expect(text(p.received)).toEqual(["xxx"]);
  });

  it("waits on MAX_LENGTH bytes plus half a delimiter", () => {
    const p = connected(new LineReceiver());
    p.dataReceived(Buffer.from(`${"x".repeat(p.MAX_LENGTH)}\r`));
    expect((p.transport as StringTransport).disconnecting).toBe(false);
  });

  it("accepts a line of exactly MAX_LENGTH at every chunk size", () => {
    atEveryChunkSize(
      `${"y".repeat(6)}\r\n${"z".repeat(6)}\r\n`,
      () => connected(new Catcher()),
      (p, size) => {
        expect([size, text(p.lines), p.longLines.length]).toEqual([size, ["yyyyyy", "zzzzzz"], 0]);
      },
    );
  });

  it("refuses a line of MAX_LENGTH + 1 at every chunk size", () => {
    class Six extends LineReceiver {
      override MAX_LENGTH = 6;
      lines: Buffer[] = [];
      override lineReceived(line: Buffer): void {
        this.lines.push(line);
      }
    }
    atEveryChunkSize(
      `ok\r\n${"y".repeat(7)}\r\nnext\r\n`,
      () => connected(new Six()),
      (p, size) => {
        const lines = text(p.lines);
        expect([size, lines[0], (p.transport as StringTransport).disconnecting]).toEqual([
          size,
          "ok",
          true,
        ]);
        expect(lines).not.toContain("yyyyyyy");
      },
    );
  });
});

describe("LineReceiver: producer", () => {
  /** Twisted's ConsumingProtocol: echoes each line, then pauses itself. */
  class Consuming extends LineReceiver {
    override lineReceived(line: Buffer): void {
      this.transport!.write(line);
      this.pauseProducing();
    }
  }

  it("pauses and resumes with an echoing consumer as in Twisted", () => {
    const p = new Consuming();
    const t = new OnlyProducerTransport();
    p.makeConnection(t);
    const sent = () => t.data.map(String);

    p.dataReceived(Buffer.from("hello, "));
    expect([sent(), t.paused, p.paused]).toEqual([[], false, false]);

    p.dataReceived(Buffer.from("world\r\n"));
    expect([sent(), t.paused, p.paused]).toEqual([["hello, world"], true, true]);

    p.resumeProducing();
    expect([sent(), t.paused, p.paused]).toEqual([["hello, world"], false, false]);

    p.dataReceived(Buffer.from("hello\r\nworld\r\n"));
    expect([sent(), t.paused, p.paused]).toEqual([["hello, world", "hello"], true, true]);

    p.resumeProducing();
    expect([sent(), t.paused, p.paused]).toEqual([["hello, world", "hello", "world"], true, true]);

    p.dataReceived(Buffer.from("goodbye\r\n"));
    expect([sent(), t.paused, p.paused]).toEqual([["hello, world", "hello", "world"], true, true]);

    p.resumeProducing();
    expect([sent(), t.paused, p.paused]).toEqual([
      ["hello, world", "hello", "world", "goodbye"],
      true,
      true,
    ]);

    p.resumeProducing();
    expect([sent(), t.paused, p.paused]).toEqual([
      ["hello, world", "hello", "world", "goodbye"],
      false,
      false,
    ]);
  });

  it("pauses, resumes and stops the transport", () => {
    const p = connected(new Consuming());
    const t = p.transport as StringTransport;
    p.pauseProducing();
    expect(t.producerState).toBe("paused");
    p.resumeProducing();
    expect(t.producerState).toBe("producing");
    p.stopProducing();
    expect([t.producerState, p.paused]).toEqual(["stopped", true]);
  });
});

describe("LineReceiver: properties", () => {
  it("delivers the same lines for any split of the stream", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[^\r\n]{0,30}$/), { maxLength: 30 }),
        chunkSizes,
        (lines, sizes) => {
          const stream = Buffer.from(lines.map((l) => `${l}\r\n`).join(""));
          const seen: string[] = [];
          class Collect extends LineReceiver {
            override lineReceived(line: Buffer): void {
              seen.push(line.toString());
            }
          }
          const p = connected(new Collect());
          for (const chunk of splitBy(stream, sizes)) p.dataReceived(chunk);
          expect(seen).toEqual(lines);
        },
      ),
    );
  });

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
          class Recording extends LineReceiver {
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
          const model = new LineReceiverModel(delimiter, max);
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

  it("never throws out of dataReceived on random bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 }), (chunks) => {
        class Quiet extends LineReceiver {
          override MAX_LENGTH = 16;
          override lineReceived(_line: Buffer): void {}
        }
        const p = connected(new Quiet());
        for (const chunk of chunks) p.dataReceived(Buffer.from(chunk));
      }),
    );
  });
});
