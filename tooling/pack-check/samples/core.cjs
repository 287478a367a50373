// @twisted-ts/core from its tarball, as CommonJS.
const { Deferred, Reactor, succeed } = require("@twisted-ts/core");
const { Clock } = require("@twisted-ts/core/testing");

let result;
succeed(1).addCallback((x) => {
  result = x + 1;
});
if (result !== 2) throw new Error("succeed() chain failed");
if (!(new Deferred() instanceof Deferred)) throw new Error("Deferred class");
const clock = new Clock();
clock.advance(1);
if (clock.seconds() !== 1) throw new Error("Clock");
const reactor = new Reactor();
reactor.callLater(0.01, () => reactor.stop());
reactor.run({ installSignalHandlers: false }).then(() => console.log("core cjs ok"));
