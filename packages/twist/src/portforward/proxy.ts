/**
 * A TCP port forwarder: Twisted's `twisted.protocols.portforward` (`Proxy`, `ProxyClient`,
 * `ProxyClientFactory`, `ProxyServer`, `ProxyFactory`).
 * @packageDocumentation
 */
import {
  ClientFactory,
  Factory,
  type Failure,
  type IConnector,
  type IPushProducer,
  type IReactorTCP,
  type ITCPTransport,
  type ITransport,
  Logger,
  Protocol,
} from "@twisted-ts/core";

const log = new Logger({ namespace: "twisted-ts.protocols.portforward" });

function canHalfClose(transport: ITransport): transport is ITransport & ITCPTransport {
  return typeof (transport as Partial<ITCPTransport>).loseWriteConnection === "function";
}

function pausable(transport: ITransport): transport is ITransport & IPushProducer {
  const t = transport as Partial<IPushProducer>;
  return (
    typeof t.pauseProducing === "function" &&
    typeof t.resumeProducing === "function" &&
    typeof t.stopProducing === "function"
  );
}

/**
 * One side of a forwarded connection: what arrives is written to the peer's transport; when
 * this side closes, the peer's closes too (after its pending data is sent). Twisted's `Proxy`.
 *
 * Differences from Twisted: a half-close is forwarded (a FIN from one side becomes a FIN to the
 * other, which may still answer), where Twisted closes both connections at the first FIN.
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: Twisted's name (portforward.Proxy), kept for porting.
export class Proxy extends Protocol {
  /** Log "Unable to connect to peer" when the other side never came. */
  noisy = true;
  /** The other side, once connected. */
  peer: Proxy | undefined = undefined;
  /** Whether each side's transport is registered as the other's producer. */
  wired = false;

  /**
   * Pair this side with the other.
   * @param peer - the other side.
   */
  setPeer(peer: Proxy): void {
    this.peer = peer;
  }

  /**
   * Forward bytes to the peer.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    this.peer?.transport?.write(data);
  }

  /** The peer sent FIN: send FIN to the other side, which may still answer. */
  readConnectionLost(): void {
    const transport = this.peer?.transport;
    if (transport !== undefined && canHalfClose(transport)) transport.loseWriteConnection();
    else transport?.loseConnection();
  }

  /** Our FIN has been sent; nothing to do. */
  writeConnectionLost(): void {}

  /**
   * Close the peer's connection once its pending data is sent.
   * @param reason - why this side closed.
   */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const peer = this.peer;
    this.peer = undefined;
    const transport = peer?.transport;
    if (transport !== undefined) {
      // The peer's transport has this side's transport as its producer; a transport closes only
      // once its producer is gone.
      if (this.wired) transport.unregisterProducer();
      transport.loseConnection();
    } else if (this.noisy) {
      log.info("Unable to connect to peer: {reason}", { reason: reason.getErrorMessage() });
    }
  }
}

/**
 * The side connected to the destination: once connected, it pairs itself with the server
 * side, registers each transport as the other's producer (so a slow reader slows the fast
 * writer down), and lets the server side start reading. Twisted's `ProxyClient`.
 */
export class ProxyClient extends Proxy {
  /** Wire the two transports together and start forwarding. */
  override connectionMade(): void {
    const peer = this.peer;
    const transport = this.transport;
    const peerTransport = peer?.transport;
    if (transport === undefined) return;
    if (peer === undefined || peerTransport === undefined || !peer.connected) {
      // The client went away while we were connecting.
      this.peer = undefined;
      transport.loseConnection();
      return;
    }
    peer.setPeer(this);
    if (pausable(peerTransport) && pausable(transport)) {
      transport.registerProducer(peerTransport, true);
      peerTransport.registerProducer(transport, true);
      this.wired = true;
      peer.wired = true;
      peerTransport.resumeProducing();
    }
  }
}

/** Connects a `ProxyClient` for one server-side connection: Twisted's `ProxyClientFactory`. */
export class ProxyClientFactory extends ClientFactory<ProxyClient> {
  override protocol = ProxyClient;
  /** The server side this client forwards for. */
  server: ProxyServer | undefined = undefined;

  /**
   * Name the server side.
   * @param server - the server-side protocol.
   */
  setServer(server: ProxyServer): void {
    this.server = server;
  }

  /**
   * A `ProxyClient` paired with the server side.
   * @param addr - the destination's address.
   */
  override buildProtocol(addr: Parameters<ClientFactory["buildProtocol"]>[0]): ProxyClient | null {
    const protocol = super.buildProtocol(addr);
    if (protocol !== null && this.server !== undefined) protocol.setPeer(this.server);
    return protocol;
  }

  /**
   * The destination cannot be reached: close the server side.
   * @param _connector - the connector.
   * @param _reason - why.
   */
  override clientConnectionFailed(_connector: IConnector, _reason: Failure): void {
    this.server?.transport?.loseConnection();
  }
}

/**
 * The side a client connected to: it stops reading until the destination is connected, then
 * forwards. Twisted's `ProxyServer`.
 */
export class ProxyServer extends Proxy {
  /** Makes the factory for the outgoing connection; override to use another client class. */
  clientProtocolFactory: () => ProxyClientFactory = () => new ProxyClientFactory();

  /** Pause reading and connect to the destination. */
  override connectionMade(): void {
    const factory = this.factory as ProxyFactory | undefined;
    const transport = this.transport;
    if (factory === undefined || transport === undefined) return;
    // Nothing is read from the client until there is somewhere to send it.
    if (pausable(transport)) transport.pauseProducing();
    const client = this.clientProtocolFactory();
    client.setServer(this);
    factory.reactor.connectTCP(factory.host, factory.port, client);
  }
}

/**
 * Forwards every connection to `host:port`: Twisted's `ProxyFactory(host, port)`. Listen with
 * it (`reactor.listenTCP(6666, new ProxyFactory("localhost", 6665, reactor))`) to forward a
 * local port.
 */
export class ProxyFactory extends Factory<ProxyServer> {
  override protocol = ProxyServer;

  /**
   * @param host - the destination host (a name or an address).
   * @param port - the destination port.
   * @param reactor - the reactor to connect with.
   */
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reactor: IReactorTCP,
  ) {
    super();
  }
}
