/**
 * The demo: Twisted's first tutorial programs in one reactor run.
 *
 * 1. echoserv + echoclient: an echo server on a free port, and a client that sends
 *    "hello, world!" and prints what the server said.
 * 2. countdown: callLater counting down.
 * 3. "I fall down. But I get up again.": a callback throws, the error is logged, and the reactor
 *    goes on.
 *
 *   pnpm demo            (from the repository root)
 */
import {
  ClientFactory,
  Deferred,
  type Failure,
  globalLogBeginner,
  type IConnector,
  type IPv4Address,
  reactor,
  textFileLogObserver,
} from "@twisted-ts/core";
import { Countdown } from "./countdown.js";
import { EchoClient } from "./echoclient.js";
import { listen } from "./echoserv.js";
import { falldown } from "./falldown.js";

globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)], {
  redirectStandardIO: false,
});

/** The tutorial's EchoFactory, but it moves the demo on instead of stopping the reactor. */
class DemoEchoFactory extends ClientFactory<EchoClient> {
  override protocol = EchoClient;
  override noisy = false;
  readonly done = new Deferred<void>();
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    console.log("Connection failed - goodbye!", reason.getErrorMessage());
    this.done.callback(undefined);
  }
  override clientConnectionLost(_c: IConnector, _reason: Failure): void {
    console.log("Connection lost - goodbye!");
    this.done.callback(undefined);
  }
}

async function main(): Promise<void> {
  console.log("== echoserv.py + echoclient.py");
  const port = listen(0);
  const { port: number } = port.getHost() as IPv4Address;
  console.log(`echo server listening on 127.0.0.1:${number}`);
  const client = new DemoEchoFactory();
  reactor.connectTCP("127.0.0.1", number, client);
  await client.done;
  await port.stopListening();

  console.log("\n== countdown.py (0.3 s steps)");
  const countdown = new Countdown(0.3);
  const original = reactor.stop.bind(reactor);
  const finished = new Deferred<void>();
  reactor.stop = () => finished.callback(undefined);
  countdown.count();
  await finished;
  reactor.stop = original;
  console.log("Stop!");

  console.log("\n== I fall down. But I get up again.");
  reactor.callLater(0, falldown);
  reactor.callLater(0.1, () => {
    console.log("But I get up again.");
    reactor.stop();
  });
}

reactor.callWhenRunning(() => {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
    reactor.stop();
  });
});
await reactor.run();
