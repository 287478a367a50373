import { ConnectionDone, type Deferred, TimeoutError } from "@twisted-ts/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ClientError,
  NoSuchCommand,
  NotConnectedError,
  ServerError,
  UnexpectedReplyError,
} from "../src/errors.js";
import { MemCacheProtocol } from "../src/protocol.js";
import { connected, outcome } from "./helpers.js";

/** Check what a command sends, feed it `recv`, and check its result. */
function check(
  run: (proto: MemCacheProtocol) => Deferred<unknown>,
  send: string,
  recv: string,
  result: unknown,
) {
  const { proto, sent, receive } = connected();
  const seen = outcome(run(proto));
  expect(sent()).toBe(send);
  expect(seen.called).toBe(false);
  receive(recv);
  expect(seen.error).toBeUndefined();
  expect(seen.value).toEqual(result);
  expect(proto.pendingCount).toBe(0);
}

const b = (text: string) => Buffer.from(text);

describe("MemCacheProtocol commands", () => {
  it("get sends get and gives [flags, value]", () => {
    check((p) => p.get("foo"), "get foo\r\n", "VALUE foo 0 3\r\nbar\r\nEND\r\n", [0, b("bar")]);
  });

  it("get gives [0, null] for a miss", () => {
    check((p) => p.get("foo"), "get foo\r\n", "END\r\n", [0, null]);
  });

  it("get keeps the flags", () => {
    check((p) => p.get("foo"), "get foo\r\n", "VALUE foo 42 2\r\nhi\r\nEND\r\n", [42, b("hi")]);
  });

  it("get accepts a bytes key", () => {
    check((p) => p.get(b("foo")), "get foo\r\n", "VALUE foo 0 1\r\nx\r\nEND\r\n", [0, b("x")]);
  });

  it("get takes a value holding CRLF and binary bytes", () => {
    const { proto, receive } = connected();
    const seen = outcome(proto.get("k"));
    receive(
      Buffer.concat([
        b("VALUE k 0 6\r\n"),
        Buffer.from([13, 10, 0, 255, 69, 78]),
        b("\r\nEND\r\n"),
      ]),
    );
    expect(seen.value).toEqual([0, Buffer.from([13, 10, 0, 255, 69, 78])]);
  });

  it("getMultiple gives a Map with a [flags, value] for each key", () => {
    check(
      (p) => p.getMultiple(["foo", "cow"]),
      "get foo cow\r\n",
      "VALUE foo 0 3\r\nbar\r\nVALUE cow 0 7\r\nchicken\r\nEND\r\n",
      new Map([
        ["foo", [0, b("bar")]],
        ["cow", [0, b("chicken")]],
      ]),
    );
  });

  it("getMultiple gives [0, null] for the keys that miss", () => {
    check(
      (p) => p.getMultiple(["foo", "cow"]),
      "get foo cow\r\n",
      "VALUE cow 0 3\r\nbar\r\nEND\r\n",
      new Map([
        ["foo", [0, null]],
        ["cow", [0, b("bar")]],
      ]),
    );
  });

  it("get with withIdentifier sends gets and gives [flags, cas, value]", () => {
    check((p) => p.get("foo", true), "gets foo\r\n", "VALUE foo 0 3 1234\r\nbar\r\nEND\r\n", [
      0,
      "1234",
      b("bar"),
    ]);
  });

  it("gets gives [0, '', null] for a miss", () => {
    check((p) => p.get("foo", true), "gets foo\r\n", "END\r\n", [0, "", null]);
  });

  it("getMultiple with withIdentifier sends gets", () => {
    check(
      (p) => p.getMultiple(new Set(["foo", "bar"]), true),
      "gets foo bar\r\n",
      "VALUE foo 0 3 1234\r\negg\r\nEND\r\n",
      new Map([
        ["foo", [0, "1234", b("egg")]],
        ["bar", [0, "", null]],
      ]),
    );
  });

  it("set sends the flags, expiry and length, then the data", () => {
    check((p) => p.set("foo", "bar", 3, 60), "set foo 3 60 3\r\nbar\r\n", "STORED\r\n", true);
  });

  it("add and replace give true when stored, false when NOT_STORED", () => {
    check((p) => p.add("foo", "bar"), "add foo 0 0 3\r\nbar\r\n", "STORED\r\n", true);
    check((p) => p.add("foo", "bar"), "add foo 0 0 3\r\nbar\r\n", "NOT_STORED\r\n", false);
    check((p) => p.replace("foo", "hi"), "replace foo 0 0 2\r\nhi\r\n", "STORED\r\n", true);
    check((p) => p.replace("foo", "hi"), "replace foo 0 0 2\r\nhi\r\n", "NOT_STORED\r\n", false);
  });

  it("append and prepend send zero flags and expiry", () => {
    check((p) => p.append("foo", "bar"), "append foo 0 0 3\r\nbar\r\n", "STORED\r\n", true);
    check((p) => p.prepend("foo", "bar"), "prepend foo 0 0 3\r\nbar\r\n", "STORED\r\n", true);
  });

  it("checkAndSet sends cas with the unique, and gives false on EXISTS or NOT_FOUND", () => {
    check(
      (p) => p.checkAndSet("foo", "bar", "1234"),
      "cas foo 0 0 3 1234\r\nbar\r\n",
      "STORED\r\n",
      true,
    );
    check(
      (p) => p.checkAndSet("foo", "bar", 1234n, 1, 2),
      "cas foo 1 2 3 1234\r\nbar\r\n",
      "EXISTS\r\n",
      false,
    );
    check(
      (p) => p.checkAndSet("foo", "bar", "1"),
      "cas foo 0 0 3 1\r\nbar\r\n",
      "NOT_FOUND\r\n",
      false,
    );
  });

  it("delete gives true on DELETED, false on NOT_FOUND", () => {
    check((p) => p.delete("bar"), "delete bar\r\n", "DELETED\r\n", true);
    check((p) => p.delete("bar"), "delete bar\r\n", "NOT_FOUND\r\n", false);
  });

  it("increment and decrement give the new value, by 1 or by a given amount", () => {
    check((p) => p.increment("foo"), "incr foo 1\r\n", "4\r\n", 4);
    check((p) => p.decrement("foo"), "decr foo 1\r\n", "5\r\n", 5);
    check((p) => p.increment("foo", 8), "incr foo 8\r\n", "4\r\n", 4);
    check((p) => p.decrement("foo", 3), "decr foo 3\r\n", "5   \r\n", 5);
  });

  it("increment gives false for a missing key", () => {
    check((p) => p.increment("foo"), "incr foo 1\r\n", "NOT_FOUND\r\n", false);
  });

  it("stats gives a Map of every STAT line", () => {
    check(
      (p) => p.stats(),
      "stats\r\n",
      "STAT foo bar\r\nSTAT egg spam and ham\r\nEND\r\n",
      new Map([
        ["foo", "bar"],
        ["egg", "spam and ham"],
      ]),
    );
  });

  it("stats sends its argument", () => {
    check(
      (p) => p.stats("blah"),
      "stats blah\r\n",
      "STAT foo bar\r\nEND\r\n",
      new Map([["foo", "bar"]]),
    );
  });

  it("version gives the version text", () => {
    check((p) => p.version(), "version\r\n", "VERSION 1.1\r\n", "1.1");
  });

  it("flushAll gives true on OK", () => {
    check((p) => p.flushAll(), "flush_all\r\n", "OK\r\n", true);
  });
});

describe("MemCacheProtocol replies", () => {
  it("matches pipelined replies to commands in order", () => {
    const { proto, sent, receive } = connected();
    const set = outcome(proto.set("foo", "bar"));
    const get = outcome(proto.get("foo", true));
    const del = outcome(proto.delete("foo"));
    expect(sent()).toBe("set foo 0 0 3\r\nbar\r\ngets foo\r\ndelete foo\r\n");
    receive("STORED\r\nVALUE foo 0 3 1234\r\nbar\r\nEND\r\nDELETED\r\n");
    expect([set.value, get.value, del.value]).toEqual([true, [0, "1234", b("bar")], true]);
  });

  it("takes a value arriving in chunks", () => {
    const { proto, receive } = connected();
    const seen = outcome(proto.get("foo"));
    for (const chunk of ["VALUE foo 0 10\r\n0123456", "789", "\r", "\nEND", "\r\n"]) {
      receive(chunk);
    }
    expect(seen.value).toEqual([0, b("0123456789")]);
  });

  it("gives the same results whatever the chunking of the replies", () => {
    const stream = Buffer.from(
      "STORED\r\nVALUE foo 5 3 99\r\nb\r\n\r\nEND\r\nVALUE a 0 1\r\n1\r\nVALUE b 0 2\r\n22\r\nEND\r\n" +
        "7\r\nNOT_FOUND\r\nSTAT x y z\r\nEND\r\nVERSION 1.6\r\nERROR\r\nCLIENT_ERROR no\r\nOK\r\n",
    );
    const run = (chunks: Buffer[]) => {
      const { proto, receive } = connected();
      const results = [
        outcome(proto.set("foo", "b\r\n")),
        outcome(proto.get("foo", true)),
        outcome(proto.getMultiple(["a", "b", "c"])),
        outcome(proto.increment("n")),
        outcome(proto.decrement("m")),
        outcome(proto.stats()),
        outcome(proto.version()),
        outcome(proto.set("z", "")),
        outcome(proto.delete("z")),
        outcome(proto.flushAll()),
      ];
      for (const chunk of chunks) receive(chunk);
      return results.map((r) => (r.error === undefined ? r.value : (r.error as Error).name));
    };
    const whole = run([stream]);
    expect(whole).toEqual([
      true,
      [5, "99", b("b\r\n")],
      new Map([
        ["a", [0, b("1")]],
        ["b", [0, b("22")]],
        ["c", [0, null]],
      ]),
      7,
      false,
      new Map([["x", "y z"]]),
      "1.6",
      "NoSuchCommand",
      "ClientError",
      true,
    ]);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const points = [0, ...cuts.sort((x, y) => x - y), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(run(chunks)).toEqual(whole);
        },
      ),
    );
  });

  it("fails a command answered ERROR with NoSuchCommand", () => {
    const { proto, receive } = connected();
    const seen = outcome(proto.get("egg"));
    receive("ERROR\r\n");
    expect(seen.error).toBeInstanceOf(NoSuchCommand);
  });

  it("fails a command answered CLIENT_ERROR with ClientError, keeping the text", () => {
    const { proto, receive } = connected();
    const seen = outcome(proto.get("egg"));
    receive("CLIENT_ERROR We don't like egg and spam\r\n");
    expect(seen.error).toBeInstanceOf(ClientError);
    expect((seen.error as ClientError).reply).toBe("We don't like egg and spam");
    expect((seen.error as ClientError).code).toBe("ERR_MEMCACHE_CLIENT");
  });

  it("fails a command answered SERVER_ERROR with ServerError, keeping the text", () => {
    const { proto, receive } = connected();
    const seen = outcome(proto.get("egg"));
    receive("SERVER_ERROR zomg\r\n");
    expect(seen.error).toBeInstanceOf(ServerError);
    expect((seen.error as ServerError).reply).toBe("zomg");
  });

  it.each([
    [
      "a value for another key",
      (p: MemCacheProtocol) => p.get("foo"),
      "VALUE bar 0 7\r\nspamegg\r\nEND\r\n",
    ],
    [
      "a value for a key not asked for",
      (p: MemCacheProtocol) => p.getMultiple(["foo", "bar"]),
      "VALUE egg 0 7\r\nspamegg\r\nEND\r\n",
    ],
    ["END to a set", (p: MemCacheProtocol) => p.set("key", "value"), "END\r\n"],
    ["a number to a get", (p: MemCacheProtocol) => p.get("key"), "12\r\n"],
    ["STORED to a get", (p: MemCacheProtocol) => p.get("key"), "STORED\r\n"],
    ["garbage", (p: MemCacheProtocol) => p.version(), "HELLO there\r\n"],
    ["a data block without CRLF", (p: MemCacheProtocol) => p.get("foo"), "VALUE foo 0 3\r\nbarXX"],
    [
      "a gets reply without a cas",
      (p: MemCacheProtocol) => p.get("foo", true),
      "VALUE foo 0 3\r\nbar\r\nEND\r\n",
    ],
  ])("fails every pending command and drops the connection on %s", (_what, run, reply) => {
    const { proto, transport, receive } = connected();
    const first = outcome(run(proto) as Deferred<unknown>);
    const second = outcome(proto.version());
    receive(reply);
    expect(first.error).toBeInstanceOf(UnexpectedReplyError);
    expect(second.error).toBeInstanceOf(UnexpectedReplyError);
    expect(transport.connected).toBe(false);
    expect(outcome(proto.version()).error).toBeInstanceOf(NotConnectedError);
  });

  it("drops the connection on a reply when nothing is pending", () => {
    const { transport, receive } = connected();
    receive("STORED\r\n");
    expect(transport.connected).toBe(false);
  });

  it("drops the connection on a value longer than maxValueLength", () => {
    const { proto, transport, receive } = connected();
    proto.maxValueLength = 4;
    const seen = outcome(proto.get("foo"));
    receive("VALUE foo 0 5\r\n");
    expect(seen.error).toBeInstanceOf(UnexpectedReplyError);
    expect(transport.connected).toBe(false);
  });

  it("drops the connection on a reply line longer than MAX_LENGTH", () => {
    const { proto, transport, receive } = connected();
    const seen = outcome(proto.stats());
    receive(`STAT x ${"y".repeat(proto.MAX_LENGTH)}\r\n`);
    expect(seen.error).toBeInstanceOf(UnexpectedReplyError);
    expect(transport.connected).toBe(false);
  });
});

describe("MemCacheProtocol limits", () => {
  it("refuses a key longer than 250 bytes with ClientError, sending nothing", () => {
    const { proto, sent } = connected();
    const key = "x".repeat(251);
    const calls = [
      proto.get(key),
      proto.getMultiple(["ok", key]),
      proto.set(key, "v"),
      proto.add(key, "v"),
      proto.replace(key, "v"),
      proto.append(key, "v"),
      proto.prepend(key, "v"),
      proto.checkAndSet(key, "v", "1"),
      proto.delete(key),
      proto.increment(key),
      proto.decrement(key),
    ];
    for (const d of calls) {
      const seen = outcome(d as Deferred<unknown>);
      expect(seen.error).toBeInstanceOf(ClientError);
      expect((seen.error as Error).message).toBe("Key too long");
    }
    expect(sent()).toBe("");
    expect(outcome(proto.get("x".repeat(250))).error).toBeUndefined();
  });

  it("refuses keys that are empty or hold a space or a control character", () => {
    const { proto, sent } = connected();
    for (const key of ["", "a b", "a\r\nb", "tab\t", "nul\0", "del\x7f", "\u00a0".repeat(126)]) {
      expect(outcome(proto.get(key)).error, JSON.stringify(key)).toBeInstanceOf(ClientError);
    }
    expect(outcome(proto.get("\u00e9t\u00e9")).error).toBeUndefined();
    expect(sent()).toBe("get \u00c3\u00a9t\u00c3\u00a9\r\n");
  });

  it("refuses a key or value that is neither a string nor bytes", () => {
    const { proto } = connected();
    expect(outcome(proto.get(12 as unknown as string)).error).toBeInstanceOf(ClientError);
    expect(outcome(proto.set("k", {} as unknown as string)).error).toBeInstanceOf(ClientError);
  });

  it("refuses a value longer than maxValueLength", () => {
    const { proto, sent } = connected();
    proto.maxValueLength = 3;
    expect(outcome(proto.set("k", "abcd")).error).toBeInstanceOf(ClientError);
    expect(outcome(proto.set("k", "abc")).error).toBeUndefined();
    expect(sent()).toBe("set k 0 0 3\r\nabc\r\n");
  });

  it("refuses bad flags, expiry, delta, cas and stats argument", () => {
    const { proto, sent } = connected();
    for (const d of [
      proto.set("k", "v", -1),
      proto.set("k", "v", 2 ** 32),
      proto.set("k", "v", 1.5),
      proto.set("k", "v", 0, 0.5),
      proto.increment("k", -1),
      proto.decrement("k", 1.5),
      proto.checkAndSet("k", "v", "12a"),
      proto.stats("a\r\nflush_all"),
      proto.getMultiple([]),
    ] as Deferred<unknown>[]) {
      expect(outcome(d).error).toBeInstanceOf(ClientError);
    }
    expect(sent()).toBe("");
  });
});

describe("MemCacheProtocol timeout", () => {
  it("fails every pending command with TimeoutError and drops the connection", () => {
    const { clock, proto, transport } = connected();
    const d1 = outcome(proto.get("foo"));
    const d2 = outcome(proto.get("bar"));
    clock.advance(proto.persistentTimeOut);
    expect(d1.error).toBeInstanceOf(TimeoutError);
    expect(d2.error).toBeInstanceOf(TimeoutError);
    expect((d1.error as TimeoutError).timeout).toBe(60);
    expect(transport.connected).toBe(false);
  });

  it("leaves no pending call once every command is answered", () => {
    const { clock, proto, receive } = connected();
    const seen = outcome(proto.get("foo"));
    clock.advance(proto.persistentTimeOut - 1);
    receive("VALUE foo 0 3\r\nbar\r\nEND\r\n");
    expect(seen.value).toEqual([0, b("bar")]);
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it("times out while a value is only partly received", () => {
    const { clock, proto, transport, receive } = connected();
    const seen = outcome(proto.get("foo"));
    receive("VALUE foo 0 10\r\n12345");
    clock.advance(proto.persistentTimeOut);
    expect(seen.error).toBeInstanceOf(TimeoutError);
    expect(transport.connected).toBe(false);
  });

  it("times out while stats are only partly received", () => {
    const { clock, proto, receive } = connected();
    const seen = outcome(proto.stats());
    receive("STAT foo bar\r\n");
    clock.advance(proto.persistentTimeOut);
    expect(seen.error).toBeInstanceOf(TimeoutError);
  });

  it("restarts the countdown on each reply while commands remain", () => {
    const { clock, proto, receive } = connected();
    const d1 = outcome(proto.get("foo"));
    const d2 = outcome(proto.get("bar"));
    clock.advance(proto.persistentTimeOut - 1);
    receive("VALUE foo 0 3\r\nbar\r\nEND\r\n");
    expect(d1.value).toEqual([0, b("bar")]);
    expect(clock.getDelayedCalls()).toHaveLength(1);
    clock.advance(proto.persistentTimeOut - 1);
    expect(d2.called).toBe(false);
    clock.advance(1);
    expect(d2.error).toBeInstanceOf(TimeoutError);
    expect(clock.seconds()).toBe(2 * proto.persistentTimeOut - 1);
  });

  it("does not restart the countdown for each new command", () => {
    const { clock, proto } = connected();
    const d1 = outcome(proto.get("foo"));
    clock.advance(proto.persistentTimeOut - 1);
    const d2 = outcome(proto.get("bar"));
    clock.advance(1);
    expect(d1.error).toBeInstanceOf(TimeoutError);
    expect(d2.error).toBeInstanceOf(TimeoutError);
  });

  it("fails later commands with NotConnectedError after a timeout", () => {
    const { clock, proto } = connected();
    outcome(proto.get("foo"));
    clock.advance(proto.persistentTimeOut);
    expect(outcome(proto.get("bar")).error).toBeInstanceOf(NotConnectedError);
  });

  it("uses the timeout given to the constructor, in seconds", () => {
    const { clock, proto } = connected(2.5);
    expect([proto.persistentTimeOut, proto.timeOut]).toEqual([2.5, 2.5]);
    const seen = outcome(proto.version());
    clock.advance(2.4);
    expect(seen.called).toBe(false);
    clock.advance(0.1);
    expect(seen.error).toBeInstanceOf(TimeoutError);
  });

  it("has no timeout without a clock", () => {
    const proto = new MemCacheProtocol();
    expect(proto.clock).toBeUndefined();
    expect(proto.persistentTimeOut).toBe(60);
  });
});

describe("MemCacheProtocol connection", () => {
  it("fails pending commands with the reason when the connection is lost", () => {
    const { proto, transport } = connected();
    const d1 = outcome(proto.get("foo"));
    const d2 = outcome(proto.get("bar"));
    transport.loseConnection();
    expect(d1.error).toBeInstanceOf(ConnectionDone);
    expect(d2.error).toBeInstanceOf(ConnectionDone);
  });

  it("fails commands with NotConnectedError before connecting and after the connection is lost", () => {
    const fresh = new MemCacheProtocol();
    expect(outcome(fresh.version()).error).toBeInstanceOf(NotConnectedError);
    const { proto, transport } = connected();
    transport.loseConnection();
    const seen = outcome(proto.set("k", "v"));
    expect(seen.error).toBeInstanceOf(NotConnectedError);
    expect((seen.error as NotConnectedError).code).toBe("ERR_MEMCACHE_NOT_CONNECTED");
  });
});
