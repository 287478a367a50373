// @twisted-ts/memcache: the client against the package's own in-memory server.
import { Reactor } from "@twisted-ts/core";
import { connectMemCache, MemCacheServerFactory } from "@twisted-ts/memcache";

const reactor = new Reactor();
const running = reactor.run({ installSignalHandlers: false });
const port = reactor.listenTCP(0, new MemCacheServerFactory({ clock: reactor }), {
  interface: "127.0.0.1",
});
const client = await connectMemCache(reactor, "127.0.0.1", port.getHost().port);
await client.set("greeting", Buffer.from("hello"));
const [, value] = await client.get("greeting");
client.transport.loseConnection();
reactor.stop();
await running;
if (String(value) !== "hello") throw new Error(`got ${value}`);
console.log("memcache esm ok");
