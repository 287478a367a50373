/**
 * Twisted's echoserv.py: an echo server on a TCP port (8000, or the first argument).
 *
 *   pnpm --filter echo server [port]
 */
import { Factory, Protocol, reactor } from "@twisted-ts/core";

/** This is just about the simplest possible protocol. */
export class Echo extends Protocol {
  /** As soon as any data is received, write it back. */
  override dataReceived(data: Buffer): void {
    this.transport?.write(data);
  }
}

/** Listen on `port` with a factory of Echo protocols. */
export function listen(port: number, iface = "127.0.0.1") {
  const f = new Factory<Echo>();
  f.protocol = Echo;
  return reactor.listenTCP(port, f, { interface: iface });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = listen(Number(process.argv[2] ?? 8000));
  console.log(`echo server listening on ${String(port.getHost())}`);
  await reactor.run();
}
