import { type IPv4Address, type StreamServerEndpointService, TimeoutError } from "@twisted-ts/core";
import { LineClient, onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import defaultPlugin, { DEFAULT_LISTEN, makeService, memcachePlugin } from "../src/plugin.js";
import { connectMemCache } from "../src/protocol.js";
import { MemCacheServerFactory } from "../src/server.js";

/** Start the twist plugin's service on a free port; return the port. */
function startPlugin(
  reactor: ReturnType<typeof testReactor>,
  extra: { "max-item-size"?: string } = {},
) {
  const service = makeService({ listen: ["tcp:0:interface=127.0.0.1"], ...extra }, reactor);
  service.privilegedStartService();
  service.startService();
  onCleanup(async () => {
    await service.stopService();
  });
  const [child] = [...service];
  const port = (child as StreamServerEndpointService).listeningPort;
  if (port === undefined) throw new Error("the plugin's service is not listening");
  return (port.getHost() as IPv4Address).port;
}

describe("memcache over real sockets", () => {
  it("declares the twist plugin", () => {
    expect(defaultPlugin).toBe(memcachePlugin);
    expect(memcachePlugin.name).toBe("memcache");
    expect(memcachePlugin.options.listen.default).toEqual([DEFAULT_LISTEN]);
    expect(DEFAULT_LISTEN).toBe("tcp:11211:interface=127.0.0.1");
    expect(() => makeService({ "max-item-size": "0" }, testReactor())).toThrow(TypeError);
  });

  it("a plain socket client talks to the plugin's server", async () => {
    const reactor = testReactor();
    const client = await LineClient.connect(startPlugin(reactor));
    client.send("set greeting 0 0 5\r\nhello\r\nget greeting\r\nversion\r\nquit\r\n");
    const lines = await client.waitForLines(5);
    expect(lines.slice(0, 4)).toEqual(["STORED", "VALUE greeting 0 5", "hello", "END"]);
    expect(lines[4]).toMatch(/^VERSION /);
    await client.waitForEnd();
  });

  it("MemCacheProtocol runs every command against the plugin's server", async () => {
    const reactor = testReactor();
    const port = startPlugin(reactor, { "max-item-size": "1000" });
    const mc = await connectMemCache(reactor, "127.0.0.1", port, { timeOut: 5 });
    onCleanup(() => mc.transport?.loseConnection());
    expect(await mc.set("k", "v", 9, 100)).toBe(true);
    expect(await mc.add("k", "w")).toBe(false);
    expect(await mc.replace("k", "x")).toBe(true);
    expect(await mc.append("k", "y")).toBe(true);
    expect(await mc.prepend("k", "w")).toBe(true);
    const [flags, cas, value] = await mc.get("k", true);
    expect([flags, value?.toString()]).toEqual([0, "wxy"]);
    expect(await mc.checkAndSet("k", "z", cas)).toBe(true);
    expect(await mc.checkAndSet("k", "zz", cas)).toBe(false);
    expect(await mc.set("n", "41")).toBe(true);
    const [inc, dec, miss] = await Promise.all([
      mc.increment("n"),
      mc.decrement("n", 2),
      mc.increment("nope"),
    ]);
    expect([inc, dec, miss]).toEqual([42, 40, false]);
    expect(await mc.getMultiple(["k", "n", "nope"])).toEqual(
      new Map([
        ["k", [0, Buffer.from("z")]],
        ["n", [0, Buffer.from("40")]],
        ["nope", [0, null]],
      ]),
    );
    await expect(mc.set("big", Buffer.alloc(1001)).asPromise()).rejects.toMatchObject({
      name: "ServerError",
      reply: "object too large for cache",
    });
    expect(await mc.delete("k")).toBe(true);
    expect((await mc.stats()).get("curr_items")).toBe("1");
    expect(await mc.version()).toMatch(/twisted-ts/);
    expect(await mc.flushAll()).toBe(true);
    expect(await mc.get("n")).toEqual([0, null]);
  });

  it("drops a server that does not answer, after persistentTimeOut seconds", async () => {
    const reactor = testReactor();
    // A server that never answers: reads and ignores everything.
    const factory = new MemCacheServerFactory({ clock: reactor });
    factory.protocol = class Silent extends factory.protocol {
      override dataReceived(): void {}
    };
    const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const mc = await connectMemCache(reactor, "127.0.0.1", (port.getHost() as IPv4Address).port, {
      timeOut: 0.2,
    });
    const started = Date.now();
    await expect(mc.version().asPromise()).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});
