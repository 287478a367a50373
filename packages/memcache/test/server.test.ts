import { IPv4Address } from "@twisted-ts/core";
import { Clock, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemCacheProtocol } from "../src/protocol.js";
import { MemCacheServerFactory, SERVER_VERSION } from "../src/server.js";
import { MemCacheStore } from "../src/store.js";
import { outcome } from "./helpers.js";

const address = new IPv4Address("TCP", "127.0.0.1", 50000);

function server(options: { maxValueLength?: number } = {}) {
  const clock = new Clock();
  const factory = new MemCacheServerFactory({ clock, ...options });
  const protocol = factory.buildProtocol(address);
  const transport = new StringTransportWithDisconnection();
  transport.protocol = protocol;
  protocol.makeConnection(transport);
  /** Send `input`, return what the server answered to it. */
  const talk = (input: string | Buffer) => {
    transport.clear();
    protocol.dataReceived(typeof input === "string" ? Buffer.from(input, "latin1") : input);
    return transport.value().toString("latin1");
  };
  return { clock, factory, protocol, transport, talk };
}

describe("MemCacheServerProtocol", () => {
  it("stores and retrieves values with their flags and cas uniques", () => {
    const { talk } = server();
    expect(talk("set foo 5 0 3\r\nbar\r\n")).toBe("STORED\r\n");
    expect(talk("get foo missing\r\n")).toBe("VALUE foo 5 3\r\nbar\r\nEND\r\n");
    expect(talk("gets foo\r\n")).toBe("VALUE foo 5 3 1\r\nbar\r\nEND\r\n");
    expect(talk("set foo 0 0 2\r\nhi\r\n")).toBe("STORED\r\n");
    expect(talk("gets foo\r\n")).toBe("VALUE foo 0 2 2\r\nhi\r\nEND\r\n");
  });

  it("answers add, replace, append, prepend and cas as memcached does", () => {
    const { talk } = server();
    expect(talk("replace k 0 0 1\r\na\r\n")).toBe("NOT_STORED\r\n");
    expect(talk("append k 0 0 1\r\na\r\n")).toBe("NOT_STORED\r\n");
    expect(talk("cas k 0 0 1 1\r\na\r\n")).toBe("NOT_FOUND\r\n");
    expect(talk("add k 7 0 1\r\nb\r\n")).toBe("STORED\r\n");
    expect(talk("add k 0 0 1\r\nc\r\n")).toBe("NOT_STORED\r\n");
    expect(talk("append k 0 0 1\r\nc\r\nprepend k 0 0 1\r\na\r\n")).toBe("STORED\r\nSTORED\r\n");
    expect(talk("gets k\r\n")).toBe("VALUE k 7 3 3\r\nabc\r\nEND\r\n");
    expect(talk("cas k 0 0 1 1\r\nx\r\n")).toBe("EXISTS\r\n");
    expect(talk("cas k 0 0 1 3\r\nx\r\n")).toBe("STORED\r\n");
    expect(talk("replace k 0 0 1\r\ny\r\nget k\r\n")).toBe("STORED\r\nVALUE k 0 1\r\ny\r\nEND\r\n");
  });

  it("deletes, counts and flushes", () => {
    const { talk } = server();
    expect(talk("delete n\r\nincr n 1\r\n")).toBe("NOT_FOUND\r\nNOT_FOUND\r\n");
    talk("set n 0 0 2\r\n10\r\n");
    expect(talk("incr n 5\r\ndecr n 20\r\n")).toBe("15\r\n0\r\n");
    talk("set n 0 0 20\r\n18446744073709551615\r\n");
    expect(talk("incr n 2\r\n")).toBe("1\r\n");
    talk("set s 0 0 3\r\nabc\r\n");
    expect(talk("incr s 1\r\n")).toBe(
      "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n",
    );
    expect(talk("incr n x\r\n")).toBe("CLIENT_ERROR invalid numeric delta argument\r\n");
    expect(talk("delete n\r\nget n\r\n")).toBe("DELETED\r\nEND\r\n");
    expect(talk("flush_all\r\nget s\r\n")).toBe("OK\r\nEND\r\n");
  });

  it("expires items on its clock, relative up to 30 days and absolute beyond", () => {
    const { clock, talk } = server();
    clock.advance(3_000_000);
    talk("set a 0 10 1\r\na\r\nset b 0 0 1\r\nb\r\nset c 0 -1 1\r\nc\r\n");
    // Beyond 30 days, a Unix time: one in the past, one 5 seconds ahead.
    talk("set d 0 2592100 1\r\nd\r\nset e 0 3000005 1\r\ne\r\n");
    expect(talk("get a b c d e\r\n")).toBe(
      "VALUE a 0 1\r\na\r\nVALUE b 0 1\r\nb\r\nVALUE e 0 1\r\ne\r\nEND\r\n",
    );
    clock.advance(10);
    expect(talk("get a b c e\r\n")).toBe("VALUE b 0 1\r\nb\r\nEND\r\n");
    expect(talk("touch b 5\r\ntouch a 5\r\n")).toBe("TOUCHED\r\nNOT_FOUND\r\n");
    clock.advance(5);
    expect(talk("get b\r\n")).toBe("END\r\n");
  });

  it("honours noreply", () => {
    const { talk } = server();
    expect(talk("set k 0 0 1 noreply\r\n1\r\nincr k 1 noreply\r\ndelete x noreply\r\n")).toBe("");
    expect(talk("get k\r\n")).toBe("VALUE k 0 1\r\n2\r\nEND\r\n");
  });

  it("answers stats, stats settings and version", () => {
    const { talk } = server();
    talk("set k 0 0 1\r\n1\r\nget k nope\r\n");
    const stats = talk("stats\r\n");
    expect(stats).toMatch(/^STAT pid \d+\r\n/);
    expect(stats).toContain("STAT curr_items 1\r\n");
    expect(stats).toContain("STAT get_hits 1\r\nSTAT get_misses 1\r\n");
    expect(stats.endsWith("END\r\n")).toBe(true);
    expect(talk("stats settings\r\n")).toContain("STAT item_size_max 1048576\r\n");
    expect(talk("stats nonsense\r\n")).toBe("ERROR\r\n");
    expect(talk("version\r\n")).toBe(`VERSION ${SERVER_VERSION}\r\n`);
  });

  it("answers ERROR, CLIENT_ERROR and SERVER_ERROR as memcached does", () => {
    const { talk } = server({ maxValueLength: 4 });
    expect(talk("bogus\r\n\r\nget\r\n")).toBe("ERROR\r\nERROR\r\nERROR\r\n");
    expect(talk(`get ${"k".repeat(251)}\r\n`)).toBe("CLIENT_ERROR bad command line format\r\n");
    expect(talk("set k x 0 1\r\n")).toBe("CLIENT_ERROR bad command line format\r\n");
    expect(talk("set k 0 0 2\r\nabcd\r\n")).toBe("CLIENT_ERROR bad data chunk\r\nERROR\r\n");
    expect(talk("set k 0 0 5\r\n12345\r\nget k\r\n")).toBe(
      "SERVER_ERROR object too large for cache\r\nEND\r\n",
    );
  });

  it("closes the connection on quit and on a line over MAX_LENGTH", () => {
    const quit = server();
    quit.talk("quit\r\n");
    expect(quit.transport.connected).toBe(false);
    const long = server();
    expect(long.talk(`get ${"k".repeat(long.protocol.MAX_LENGTH)}\r\n`)).toBe(
      "CLIENT_ERROR line too long\r\n",
    );
    expect(long.transport.connected).toBe(false);
  });

  it("answers the same whatever the chunking of the input", () => {
    const input = Buffer.from(
      "set a 1 0 3\r\nx\r\n\r\nget a b\r\nappend a 0 0 1\r\n!\r\ngets a\r\nincr a 1\r\nversion\r\n",
      "latin1",
    );
    const { talk } = server();
    const whole = talk(input);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: input.length - 1 }), { maxLength: 10 }),
        (cuts) => {
          const fresh = server();
          const points = [0, ...cuts.sort((x, y) => x - y), input.length];
          for (let i = 1; i < points.length; i++) {
            fresh.protocol.dataReceived(input.subarray(points[i - 1], points[i]));
          }
          expect(fresh.transport.value().toString("latin1")).toBe(whole);
        },
      ),
    );
  });

  it("needs a store or a clock", () => {
    expect(() => new MemCacheServerFactory({})).toThrow(TypeError);
    const store = new MemCacheStore(new Clock());
    expect(new MemCacheServerFactory({ store }).store).toBe(store);
  });
});

describe("MemCacheProtocol against the in-memory server", () => {
  it("runs every command, pumped in memory", () => {
    const { protocol, transport: serverTransport } = server();
    const client = new MemCacheProtocol(60, new Clock());
    const clientTransport = new StringTransportWithDisconnection();
    clientTransport.protocol = client;
    client.makeConnection(clientTransport);
    const pump = () => {
      while (clientTransport.value().length > 0 || serverTransport.value().length > 0) {
        const toServer = clientTransport.value();
        clientTransport.clear();
        if (toServer.length > 0) protocol.dataReceived(toServer);
        const toClient = serverTransport.value();
        serverTransport.clear();
        if (toClient.length > 0) client.dataReceived(toClient);
      }
    };
    const set = outcome(client.set("k", "v1", 3));
    const gets = outcome(client.get("k", true));
    pump();
    expect(set.value).toBe(true);
    expect(gets.value).toEqual([3, "1", Buffer.from("v1")]);
    const cas = outcome(client.checkAndSet("k", "v2", "1"));
    const stale = outcome(client.checkAndSet("k", "v3", "1"));
    const multi = outcome(client.getMultiple(["k", "nope"]));
    const incr = outcome(client.increment("k"));
    const version = outcome(client.version());
    pump();
    expect([cas.value, stale.value]).toEqual([true, false]);
    expect(multi.value).toEqual(
      new Map([
        ["k", [0, Buffer.from("v2")]],
        ["nope", [0, null]],
      ]),
    );
    expect((incr.error as Error).name).toBe("ClientError");
    expect(version.value).toBe(SERVER_VERSION);
  });
});
