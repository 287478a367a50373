import { globalLogPublisher, type LogEvent } from "@twisted-ts/core";
import { StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { NetstringParseError, NotImplementedError } from "../../src/errors.js";
import { NetstringReceiver } from "../../src/framing/index.js";
import { atEveryChunkSize, chunkSizes, feed, splitBy, text } from "./helpers.js";

/** Twisted's TestNetstring: MAX_LENGTH 50, keeps and echoes every string. */
class TestNetstring extends NetstringReceiver {
  override MAX_LENGTH = 50;
  received: Buffer[] = [];
  closed = false;
  override stringReceived(string: Buffer): void {
    this.received.push(string);
    this.transport!.write(string);
  }
  override connectionLost(): void {
    this.closed = true;
  }
}

function connected<P extends NetstringReceiver>(protocol: P): P {
  protocol.makeConnection(new StringTransport());
  return protocol;
}

function disconnecting(p: NetstringReceiver): boolean {
  return (p.transport as StringTransport).disconnecting;
}

const observers: ((event: LogEvent) => void)[] = [];
afterEach(() => {
  for (const o of observers.splice(0)) globalLogPublisher.removeObserver(o);
});

describe("NetstringReceiver", () => {
  const strings = ["hello", "world", "how", "are", "you123", ":today", "a".repeat(515)];

  it("receives what sendString sent at every chunk size", () => {
    const sender = connected(new TestNetstring());
    sender.MAX_LENGTH = 699;
    for (const s of strings) sender.sendString(s);
    const wire = (sender.transport as StringTransport).value();
    // Every size up to 80, then a few larger ones up to the whole stream.
    for (const size of [
      ...Array.from({ length: 80 }, (_, i) => i + 1),
      100,
      515,
      600,
      wire.length,
    ]) {
      const p = connected(new TestNetstring());
      p.MAX_LENGTH = 699;
      feed(p, wire, size);
      expect([size, text(p.received)]).toEqual([size, strings]);
    }
  });

  it("frames a string as its length, a colon, the bytes and a comma", () => {
    const p = connected(new TestNetstring());
    p.sendString("hello");
    p.sendString(Buffer.alloc(0));
    p.sendString("é");
    expect((p.transport as StringTransport).value().toString()).toBe("5:hello,0:,2:é,");
  });

  it.each([
    ["an empty netstring", "0:,", [""]],
    ["a one-byte netstring", "1:a,", ["a"]],
    ["a two-byte netstring", "2:ab,", ["ab"]],
    ["a netstring holding a netstring", "4:1:a,,", ["1:a,"]],
    ["two netstrings in one chunk", "1:a,1:b,", ["a", "b"]],
  ])("receives %s at every chunk size", (_name, input, expected) => {
    atEveryChunkSize(
      input,
      () => connected(new TestNetstring()),
      (p, size) => {
        expect([size, text(p.received), disconnecting(p), p.brokenPeer]).toEqual([
          size,
          expected,
          false,
          0,
        ]);
      },
    );
  });

  it.each([
    ["more data than declared", "2:aaa,", "missing-comma"],
    ["data in an empty netstring", "0:a,", "missing-comma"],
    ["a missing number", ":aaa,", "missing-length"],
    ["a missing colon", "3aaa,", "missing-length"],
    ["a missing number and colon", "aaa,", "missing-length"],
    ["only data", "aaa", "missing-length"],
    ["a leading zero", "01:a,", "missing-length"],
    ["two zeros", "00:,", "missing-length"],
    ["too many digits", "9999999999999999999999", "too-long"],
    ["a length over MAX_LENGTH", "51:a", "too-long"],
    ["a wrong terminator", "3:abc;", "missing-comma"],
  ])("refuses %s at every chunk size", (_name, input, kind) => {
    atEveryChunkSize(
      input,
      () => {
        const p = connected(new TestNetstring());
        p.handleParseError = function (this: TestNetstring, error: NetstringParseError) {
          (this as TestNetstring & { errors?: string[] }).errors ??= [];
          (this as TestNetstring & { errors?: string[] }).errors!.push(error.kind);
          NetstringReceiver.prototype.handleParseError.call(this, error);
        };
        return p;
      },
      (p, size) => {
        const errors = (p as TestNetstring & { errors?: string[] }).errors ?? [];
        expect([size, text(p.received), disconnecting(p), p.brokenPeer, errors[0]]).toEqual([
          size,
          [],
          true,
          1,
          kind,
        ]);
      },
    );
  });

  it("refuses Twisted's illegal strings fed one byte at a time", () => {
    for (const s of ["9999999999999999999999", "abc", "4:abcde", `51:${"a".repeat(51)}b,`]) {
      const p = connected(new TestNetstring());
      feed(p, s, 1);
      expect([s, disconnecting(p)]).toEqual([s, true]);
    }
  });

  it("receives a netstring in two portions", () => {
    const p = connected(new TestNetstring());
    p.dataReceived(Buffer.from("4:aa"));
    p.dataReceived(Buffer.from("aa,"));
    expect(text(p.received)).toEqual(["aaaa"]);
  });

  it("receives a netstring whose length is split across portions", () => {
    const p = connected(new TestNetstring());
    for (const part of ["1", "0:01234", "56789", ","]) p.dataReceived(Buffer.from(part));
    expect(text(p.received)).toEqual(["0123456789"]);
  });

  it("receives two netstrings when the first chunk ends in the second length", () => {
    const p = connected(new TestNetstring());
    p.dataReceived(Buffer.from("1:a,1"));
    expect(text(p.received)).toEqual(["a"]);
    p.dataReceived(Buffer.from(":b,"));
    expect(text(p.received)).toEqual(["a", "b"]);
  });

  it("accepts a length of exactly MAX_LENGTH and refuses MAX_LENGTH + 1 unread", () => {
    const ok = connected(new TestNetstring());
    ok.dataReceived(Buffer.from(`50:${"a".repeat(50)},`));
    expect([ok.received.length, disconnecting(ok)]).toEqual([1, false]);
    const tooLong = connected(new TestNetstring());
    // Refused on the length alone, before the payload arrives.
    tooLong.dataReceived(Buffer.from("51:"));
    expect([tooLong.received.length, disconnecting(tooLong)]).toEqual([0, true]);
  });

  it("refuses a length over MAX_LENGTH while its digits are still arriving", () => {
    const p = connected(new TestNetstring());
    p.dataReceived(Buffer.from("5"));
    expect(disconnecting(p)).toBe(false);
    p.dataReceived(Buffer.from("1"));
    expect(disconnecting(p)).toBe(true);
  });

  it("compares a length with MAX_LENGTH at the border (12 against 12 and 11)", () => {
    const at = connected(new TestNetstring());
    at.MAX_LENGTH = 12;
    at.dataReceived(Buffer.from("12:"));
    expect(disconnecting(at)).toBe(false);
    const over = connected(new TestNetstring());
    over.MAX_LENGTH = 11;
    over.dataReceived(Buffer.from("12:"));
    expect(disconnecting(over)).toBe(true);
    const far = connected(new TestNetstring());
    far.MAX_LENGTH = 11;
    far.dataReceived(Buffer.from("1000:"));
    expect(disconnecting(far)).toBe(true);
  });

  it("refuses more digits than ceil(log10(MAX_LENGTH)) + 1 even with leading small values", () => {
    const p = connected(new NetstringReceiver());
    // 99999 allows 6 digits; 7 are refused at once, before any colon.
    p.dataReceived(Buffer.from("100000"));
    expect([disconnecting(p), p.brokenPeer]).toEqual([true, 1]);
  });

  it("refuses every later chunk once the peer is broken", () => {
    const p = connected(new TestNetstring());
    p.dataReceived(Buffer.from("x"));
    p.dataReceived(Buffer.from("1:a,"));
    expect([text(p.received), p.brokenPeer]).toEqual([[], 1]);
  });

  it("logs the parse error with the protocol", () => {
    const events: LogEvent[] = [];
    const observer = (event: LogEvent) => events.push(event);
    observers.push(observer);
    globalLogPublisher.addObserver(observer);
    const p = connected(new TestNetstring());
    p.dataReceived(Buffer.from("x:"));
    const event = events.find((e) => e.error instanceof NetstringParseError);
    expect(event).toBeDefined();
    expect(event!.protocol).toBe("TestNetstring");
    expect((event!.error as NetstringParseError).kind).toBe("missing-length");
  });

  it("handles a NetstringParseError thrown by stringReceived as a broken peer", () => {
    class Nested extends NetstringReceiver {
      override stringReceived(_string: Buffer): void {
        throw new NetstringParseError("missing-comma", "inner netstring");
      }
    }
    const p = connected(new Nested());
    p.dataReceived(Buffer.from("1:a,"));
    expect([disconnecting(p), p.brokenPeer]).toEqual([true, 1]);
  });

  it("lets other errors from stringReceived through", () => {
    class Throwing extends NetstringReceiver {
      override stringReceived(_string: Buffer): void {
        throw new RangeError("boom");
      }
    }
    const p = connected(new Throwing());
    expect(() => p.dataReceived(Buffer.from("1:a,"))).toThrow(RangeError);
  });

  it("raises NotImplementedError from stringReceived when it is not overridden", () => {
    expect(() => new NetstringReceiver().stringReceived(Buffer.from("foo"))).toThrow(
      NotImplementedError,
    );
  });

  it("starts a new connection with a fresh parser", () => {
    const p = connected(new TestNetstring());
    p.dataReceived(Buffer.from("x"));
    expect(p.brokenPeer).toBe(1);
    p.makeConnection(new StringTransport());
    p.dataReceived(Buffer.from("1:a,"));
    expect([text(p.received), p.brokenPeer]).toEqual([["a"], 0]);
  });
});

describe("NetstringReceiver: properties", () => {
  it("delivers the same strings for any split of the stream", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 60 })), chunkSizes, (payloads, sizes) => {
        const sender = connected(new TestNetstring());
        sender.MAX_LENGTH = 99;
        for (const payload of payloads) sender.sendString(payload);
        const p = connected(new TestNetstring());
        p.MAX_LENGTH = 99;
        for (const chunk of splitBy((sender.transport as StringTransport).value(), sizes)) {
          p.dataReceived(chunk);
        }
        expect(p.received.map((b) => Buffer.from(b))).toEqual(payloads.map((b) => Buffer.from(b)));
        expect(p.brokenPeer).toBe(0);
      }),
    );
  });

  it("reaches the same verdict on random bytes whatever the split, without throwing", () => {
    const netstringish = fc
      .array(fc.constantFrom("0", "1", "2", "3", "9", ":", ",", "a", "1:a,", "2:", "0:,"), {
        maxLength: 30,
      })
      .map((parts) => Buffer.from(parts.join("")));
    fc.assert(
      fc.property(netstringish, chunkSizes, (stream, sizes) => {
        const whole = connected(new TestNetstring());
        whole.dataReceived(stream);
        const split = connected(new TestNetstring());
        for (const chunk of splitBy(stream, sizes)) split.dataReceived(chunk);
        expect([text(split.received), split.brokenPeer]).toEqual([
          text(whole.received),
          whole.brokenPeer,
        ]);
      }),
      { numRuns: 1000 },
    );
  });
});
