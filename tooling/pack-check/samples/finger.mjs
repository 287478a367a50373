// @twisted-ts/finger: a finger server over an in-memory database, queried with the client.
import { Reactor } from "@twisted-ts/core";
import { FingerFactory, finger, MemoryFingerService } from "@twisted-ts/finger";

const reactor = new Reactor();
const running = reactor.run({ installSignalHandlers: false });
const service = new MemoryFingerService({ moshez: "Happy and well" });
const port = reactor.listenTCP(0, new FingerFactory(service, { clock: reactor }), {
  interface: "127.0.0.1",
});
const answer = await finger(reactor, "moshez", "127.0.0.1", { port: port.getHost().port });
reactor.stop();
await running;
if (!answer.includes("Happy and well")) throw new Error(`got ${answer}`);
console.log("finger esm ok");
