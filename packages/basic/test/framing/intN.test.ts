import { StringTransport } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NotImplementedError, StringTooLongError } from "../../src/errors.js";
import {
  Int8StringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
  type IntNStringReceiver,
  NetstringReceiver,
  StatefulStringProtocol,
} from "../../src/framing/index.js";
import {
  atEveryChunkSize,
  chunkSizes,
  feed,
  OnlyProducerTransport,
  splitBy,
  text,
} from "./helpers.js";

type Receiver = IntNStringReceiver & { received: Buffer[] };

/** Twisted's TestInt8/16/32: MAX_LENGTH 50, keeps every string. */
function recording(Base: new () => IntNStringReceiver): new () => Receiver {
  const Parent = Base as typeof Int32StringReceiver;
  return class extends Parent {
    override MAX_LENGTH = 50;
    received: Buffer[] = [];
    override stringReceived(string: Buffer): void {
      this.received.push(string);
    }
  };
}

function prefix(prefixLength: number, length: number): Buffer {
  const out = Buffer.alloc(prefixLength);
  out.writeUIntBE(length, 0, prefixLength);
  return out;
}

function message(prefixLength: number, payload: string | Buffer): Buffer {
  const bytes = Buffer.from(payload);
  return Buffer.concat([prefix(prefixLength, bytes.length), bytes]);
}

function connected<P extends { makeConnection(transport: StringTransport): void }>(protocol: P): P {
  protocol.makeConnection(new StringTransport());
  return protocol;
}

const kinds = [
  {
    name: "Int8StringReceiver",
    Class: recording(Int8StringReceiver),
    size: 1,
    illegal: "\x00\x00aaaaaa",
    partial: ["\x08", "dzadz", ""],
    wire: "\x03foo",
  },
  {
    name: "Int16StringReceiver",
    Class: recording(Int16StringReceiver),
    size: 2,
    illegal: "\x10\x00aaaaaa",
    partial: ["\x00", "hello there", ""],
    wire: "\x00\x03foo",
  },
  {
    name: "Int32StringReceiver",
    Class: recording(Int32StringReceiver),
    size: 4,
    illegal: "\x10\x00\x00\x00aaaaaa",
    partial: ["\x00\x00\x00", "hello there", ""],
    wire: "\x00\x00\x00\x03foo",
  },
] as const;

describe.each(kinds)("$name", ({ Class, size, illegal, partial, wire }) => {
  const make = () => connected(new Class());

  it("has a prefix of the right size", () => {
    expect(make().prefixLength).toBe(size);
  });

  it("receives its strings at every chunk size", () => {
    const strings = ["a", "b".repeat(16), "", "xyz"];
    atEveryChunkSize(Buffer.concat(strings.map((s) => message(size, s))), make, (p, chunk) =>
      expect([chunk, text(p.received)]).toEqual([chunk, strings]),
    );
  });

  it("delivers nothing from a partial message", () => {
    for (const s of partial) {
      const p = make();
      feed(p, Buffer.from(s, "latin1"), 1);
      expect(p.received).toEqual([]);
    }
  });

  it("closes on an illegal length fed one byte at a time", () => {
    if (size === 1) {
      // A one-byte length never exceeds 50... unless MAX_LENGTH is lowered.
      const p = make();
      p.MAX_LENGTH = 0;
      feed(p, Buffer.from("\x01aaaaaa", "latin1"), 1);
      expect((p.transport as StringTransport).disconnecting).toBe(true);
      return;
    }
    const p = make();
    feed(p, Buffer.from(illegal, "latin1"), 1);
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("sends a string with its length prefix in one write", () => {
    const p = make();
    p.sendString("b".repeat(16));
    p.sendString(Buffer.from("foo"));
    expect((p.transport as StringTransport).value()).toEqual(
      Buffer.concat([message(size, "b".repeat(16)), Buffer.from(wire, "latin1")]),
    );
    p.dataReceived(message(size, "ubar"));
    expect(text(p.received)).toEqual(["ubar"]);
  });

  it("calls lengthLimitExceeded with a length above MAX_LENGTH", () => {
    const lengths: number[] = [];
    const p = make();
    p.lengthLimitExceeded = (n) => {
      lengths.push(n);
    };
    p.MAX_LENGTH = 10;
    p.dataReceived(prefix(size, 11));
    expect(lengths).toEqual([11]);
  });

  it("never delivers a string over MAX_LENGTH, even when it arrives whole", () => {
    const p = make();
    p.MAX_LENGTH = 10;
    p.dataReceived(message(size, "x".repeat(11)));
    expect(p.received).toEqual([]);
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("raises StringTooLongError from sendString at 2^(8 × prefix) bytes", () => {
    if (size === 4) return; // 4 GiB does not fit in a Buffer on every platform.
    const p = make();
    const limit = 2 ** (8 * size);
    const error = (() => {
      try {
        p.sendString(Buffer.alloc(limit));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StringTooLongError);
    expect((error as StringTooLongError).code).toBe("ERR_STRING_TOO_LONG");
    expect((error as StringTooLongError).maximum).toBe(limit - 1);
    expect((p.transport as StringTransport).value()).toEqual(Buffer.alloc(0));
    p.sendString(Buffer.alloc(limit - 1));
    expect((p.transport as StringTransport).value()).toHaveLength(size + limit - 1);
  });

  it("shows the rest of the chunk in recvd inside stringReceived", () => {
    const seen: Buffer[] = [];
    const p = make();
    p.stringReceived = () => {
      seen.push(Buffer.from(p.recvd));
    };
    const complete = message(size, "aaaaa");
    const incomplete = Buffer.concat([prefix(size, 5), Buffer.from("bbbb")]);
    p.dataReceived(Buffer.concat([complete, incomplete]));
    expect(seen).toEqual([incomplete]);
  });

  it("parses from recvd when stringReceived replaces it", () => {
    const seen: string[] = [];
    const p = make();
    p.stringReceived = (s) => {
      if (seen.length === 0) p.recvd = message(size, "ccccc");
      seen.push(s.toString());
    };
    p.dataReceived(Buffer.concat([message(size, "aaaaa"), message(size, "bbbbb")]));
    expect(seen).toEqual(["aaaaa", "ccccc"]);
  });

  it("does not parse twice what stringReceived consumed from recvd", () => {
    const strings = ["a", "b".repeat(16)];
    const SWITCH = Buffer.from("\x00\x00\x00\x00", "latin1");
    const seen: string[] = [];
    const p = make();
    p.stringReceived = (s) => {
      seen.push(s.toString());
      p.recvd = p.recvd.subarray(SWITCH.length);
    };
    p.dataReceived(Buffer.concat(strings.flatMap((s) => [message(size, s), SWITCH])));
    p.dataReceived(Buffer.from([1]));
    expect(seen).toEqual(strings);
    expect(p.recvd).toEqual(Buffer.from([1]));
  });

  it("keeps everything from the refused prefix in recvd inside lengthLimitExceeded", () => {
    const p = make();
    const data = "too long";
    p.MAX_LENGTH = data.length - 1;
    const seen: [number, Buffer][] = [];
    p.lengthLimitExceeded = (n) => {
      seen.push([n, Buffer.from(p.recvd)]);
    };
    const msg = message(size, data);
    p.dataReceived(Buffer.concat([message(size, "ok"), msg]));
    expect(seen).toEqual([[data.length, msg]]);
    expect(text(p.received)).toEqual(["ok"]);
  });

  it("holds strings while paused and delivers them on resumeProducing", () => {
    const p = new Class();
    const t = new OnlyProducerTransport();
    p.makeConnection(t);
    p.stringReceived = (s) => {
      p.received.push(s);
      p.pauseProducing();
    };
    p.dataReceived(Buffer.concat([message(size, "one"), message(size, "two")]));
    expect([text(p.received), t.paused]).toEqual([["one"], true]);
    p.resumeProducing();
    expect([text(p.received), t.paused]).toEqual([["one", "two"], true]);
    p.resumeProducing();
    expect([text(p.received), t.paused]).toEqual([["one", "two"], false]);
  });
});

describe("IntNStringReceiver", () => {
  it("raises NotImplementedError from stringReceived when it is not overridden", () => {
    expect(() => new Int32StringReceiver().stringReceived(Buffer.from("foo"))).toThrow(
      NotImplementedError,
    );
  });

  it("reads a prefix of another size through readUIntBE", () => {
    class Int24 extends Int32StringReceiver {
      override readonly prefixLength = 3;
      received: Buffer[] = [];
      override stringReceived(s: Buffer): void {
        this.received.push(s);
      }
    }
    const p = connected(new Int24());
    p.sendString("abc");
    const wire = (p.transport as StringTransport).value();
    expect(wire).toEqual(Buffer.from("\x00\x00\x03abc", "latin1"));
    feed(p, wire, 1);
    expect(text(p.received)).toEqual(["abc"]);
  });

  it("parses a dataReceived made from inside stringReceived after the current string", () => {
    const seen: string[] = [];
    const p = connected(new (recording(Int16StringReceiver))());
    p.stringReceived = (s) => {
      seen.push(s.toString());
      if (s.toString() === "a") p.dataReceived(message(2, "c"));
    };
    p.dataReceived(Buffer.concat([message(2, "a"), message(2, "b")]));
    expect(seen).toEqual(["a", "b", "c"]);
  });
});

describe("StatefulStringProtocol", () => {
  class Login extends StatefulStringProtocol(Int32StringReceiver) {
    log: string[] = [];
    proto_init(name: Buffer): string {
      this.log.push(`name ${name}`);
      return "password";
    }
    proto_password(password: Buffer): string {
      this.log.push(`password ${password}`);
      return password.toString() === "secret" ? "session" : "done";
    }
    proto_session(command: Buffer): string {
      this.log.push(`command ${command}`);
      return command.toString() === "quit" ? "done" : "session";
    }
  }

  it("dispatches each string to proto_<state> and follows the state returned", () => {
    const p = connected(new Login());
    const stream = Buffer.concat(["alice", "secret", "ls", "quit"].map((s) => message(4, s)));
    atEveryChunkSize(
      stream,
      () => connected(new Login()),
      (q, size) =>
        expect([size, q.log]).toEqual([
          size,
          ["name alice", "password secret", "command ls", "command quit"],
        ]),
    );
    p.dataReceived(stream);
    expect(p.state).toBe("done");
    expect((p.transport as StringTransport).disconnecting).toBe(true);
  });

  it("closes the connection when a handler returns done", () => {
    const p = connected(new Login());
    p.dataReceived(Buffer.concat([message(4, "bob"), message(4, "wrong")]));
    expect([p.state, (p.transport as StringTransport).disconnecting]).toEqual(["done", true]);
  });

  it("drops a string whose state has no handler", () => {
    const p = connected(new Login());
    p.state = "nowhere";
    p.dataReceived(message(4, "x"));
    expect([p.log, p.state, (p.transport as StringTransport).disconnecting]).toEqual([
      [],
      "nowhere",
      false,
    ]);
  });

  it("works over netstrings too", () => {
    class Echo extends StatefulStringProtocol(NetstringReceiver) {
      proto_init(s: Buffer): string {
        this.sendString(s);
        return s.toString() === "bye" ? "done" : "init";
      }
    }
    const p = connected(new Echo());
    p.dataReceived(Buffer.from("2:hi,3:bye,"));
    const t = p.transport as StringTransport;
    expect([t.value().toString(), t.disconnecting]).toEqual(["2:hi,3:bye,", true]);
  });
});

describe("IntNStringReceiver: properties", () => {
  it.each(kinds)("delivers the same strings for any split ($name)", ({ Class, size }) => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: Math.min(50, 2 ** (8 * size) - 1) })),
        chunkSizes,
        (payloads, sizes) => {
          const stream = Buffer.concat(payloads.map((b) => message(size, Buffer.from(b))));
          const p = connected(new Class());
          for (const chunk of splitBy(stream, sizes)) p.dataReceived(chunk);
          expect(p.received.map((b) => Buffer.from(b))).toEqual(
            payloads.map((b) => Buffer.from(b)),
          );
        },
      ),
    );
  });

  it.each(kinds)(
    "reaches the same verdict on random bytes whatever the split ($name)",
    ({ Class }) => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), chunkSizes, (bytes, sizes) => {
          const stream = Buffer.from(bytes);
          const whole = connected(new Class());
          whole.dataReceived(stream);
          const split = connected(new Class());
          for (const chunk of splitBy(stream, sizes)) split.dataReceived(chunk);
          expect([
            text(split.received),
            (split.transport as StringTransport).disconnecting,
          ]).toEqual([text(whole.received), (whole.transport as StringTransport).disconnecting]);
        }),
      );
    },
  );
});
