/**
 * Twisted's echoclient.py: connect, send "hello, world!", print the reply, disconnect, stop.
 *
 *   pnpm --filter echo client [host] [port]
 */
import { ClientFactory, type Failure, type IConnector, Protocol, reactor } from "@twisted-ts/core";

/** Once connected, send a message, then print the result. */
export class EchoClient extends Protocol {
  override connectionMade(): void {
    this.transport?.write("hello, world!");
  }

  /** As soon as any data is received, write it out and hang up. */
  override dataReceived(data: Buffer): void {
    console.log("Server said:", data.toString());
    this.transport?.loseConnection();
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    console.log("connection lost");
  }
}

/** Stops the reactor when the connection fails or ends. */
export class EchoFactory extends ClientFactory<EchoClient> {
  override protocol = EchoClient;
  override noisy = false;

  override clientConnectionFailed(_connector: IConnector, _reason: Failure): void {
    console.log("Connection failed - goodbye!");
    reactor.stop();
  }

  override clientConnectionLost(_connector: IConnector, _reason: Failure): void {
    console.log("Connection lost - goodbye!");
    reactor.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = new EchoFactory();
  reactor.connectTCP(process.argv[2] ?? "localhost", Number(process.argv[3] ?? 8000), f);
  await reactor.run();
}
