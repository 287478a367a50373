import { type Failure, IPv4Address, Protocol, ServerFactory } from "@twisted-ts/core";

/** An address for `buildProtocol`. */
export const ADDR = new IPv4Address("TCP", "127.0.0.1", 35);

/** Notes whether it connected and disconnected, and keeps what it received. */
export class SimpleProtocol extends Protocol {
  made = false;
  disconnected = false;
  reason: Failure | undefined = undefined;
  buffer: Buffer = Buffer.alloc(0);

  override connectionMade(): void {
    this.made = true;
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.disconnected = true;
    this.reason = reason;
  }

  override dataReceived(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
  }
}

/** Echoes, and is a push producer that only notes whether it is paused. */
export class EchoProtocol extends Protocol {
  paused = false;

  pauseProducing(): void {
    this.paused = true;
  }

  resumeProducing(): void {
    this.paused = false;
  }

  stopProducing(): void {}

  override dataReceived(data: Buffer): void {
    this.transport?.write(data);
  }
}

/** A server factory building `EchoProtocol`s. */
export class Server extends ServerFactory<EchoProtocol> {
  override protocol = EchoProtocol;
  override noisy = false;
}
