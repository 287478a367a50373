/**
 * The demo: the TwistedQuotes server from fortunes/quotes.txt, on a free port, over TCP and UDP,
 * asked for a few quotes in one reactor run.
 *
 *   pnpm --filter qotd demo
 */
import { fileURLToPath } from "node:url";
import {
  DatagramProtocol,
  Deferred,
  type IPv4Address,
  reactor,
  type UDPAddressTuple,
} from "@twisted-ts/core";
import { FortuneQuoter, getQuote } from "@twisted-ts/qotd";
import { listen } from "./qotd.js";

const fortunes = fileURLToPath(new URL("../fortunes/quotes.txt", import.meta.url));

/** Sends one datagram and waits for the answer. */
class AskOnce extends DatagramProtocol {
  override noisy = false;
  readonly answer = new Deferred<string>();
  override datagramReceived(data: Buffer, _addr: UDPAddressTuple): void {
    if (!this.answer.called) this.answer.callback(data.toString("utf8").replace(/\r\n$/, ""));
  }
}

async function main(): Promise<void> {
  const quoter = new FortuneQuoter([fortunes]);
  console.log(`== FortuneQuoter: ${await quoter.load()} quotes in fortunes/quotes.txt`);
  const { tcp, udp } = listen(quoter, { port: 0, iface: "127.0.0.1", udp: true });
  const port = (tcp.getHost() as IPv4Address).port;
  console.log(`qotd server listening on 127.0.0.1:${port} (TCP and UDP)`);

  console.log("\n== three TCP connections, three quotes (getQuote)");
  for (let i = 1; i <= 3; i++) {
    const quote = await getQuote(reactor, "127.0.0.1", port, { timeout: 5 });
    console.log(`${i}. ${quote.replaceAll("\r\n", "\n   ")}`);
  }

  console.log("\n== one UDP datagram, one quote");
  const asker = new AskOnce();
  const client = reactor.listenUDP(0, asker, { interface: "127.0.0.1" });
  client.write("?", ["127.0.0.1", port]);
  console.log(`udp: ${await asker.answer.addTimeout(5, reactor)}`);

  await client.stopListening();
  await udp?.stopListening();
  await tcp.stopListening();
  reactor.stop();
}

reactor.callWhenRunning(() => {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
    reactor.stop();
  });
});
await reactor.run();
