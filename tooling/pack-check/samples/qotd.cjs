const { Reactor } = require("@twisted-ts/core");
const { getQuote, QOTDFactory, StaticQuoter } = require("@twisted-ts/qotd");

(async () => {
  const reactor = new Reactor();
  const running = reactor.run({ installSignalHandlers: false });
  const port = reactor.listenTCP(0, new QOTDFactory(new StaticQuoter("cjs quote")), {
    interface: "127.0.0.1",
  });
  const quote = await getQuote(reactor, "127.0.0.1", port.getHost().port);
  reactor.stop();
  await running;
  if (!String(quote).includes("cjs quote")) throw new Error(`got ${quote}`);
  console.log("qotd cjs ok");
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
