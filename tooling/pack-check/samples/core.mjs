// @twisted-ts/core from its tarball, as ESM: a Deferred chain, then the reactor's callLater.
import { Deferred, Reactor } from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";

const d = new Deferred();
const seen = [];
d.addCallback((x) => x * 2).addCallback((x) => seen.push(x));
d.callback(21);
if (seen[0] !== 42) throw new Error(`Deferred chain gave ${seen[0]}`);

const clock = new Clock();
let fired = false;
clock.callLater(5, () => {
  fired = true;
});
clock.advance(5);
if (!fired) throw new Error("Clock did not fire");

const reactor = new Reactor();
reactor.callLater(0.01, () => reactor.stop());
await reactor.run({ installSignalHandlers: false });
console.log("core esm ok");
