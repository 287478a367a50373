// @twisted-ts/qotd: serve a quote on 127.0.0.1 and read it with the client.
import { Reactor } from "@twisted-ts/core";
import { getQuote, QOTDFactory, StaticQuoter } from "@twisted-ts/qotd";

const reactor = new Reactor();
const running = reactor.run({ installSignalHandlers: false });
const port = reactor.listenTCP(0, new QOTDFactory(new StaticQuoter("An apple a day.")), {
  interface: "127.0.0.1",
});
const quote = await getQuote(reactor, "127.0.0.1", port.getHost().port);
reactor.stop();
await running;
if (!String(quote).includes("An apple a day.")) throw new Error(`got ${quote}`);
console.log("qotd esm ok");
