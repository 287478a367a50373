/**
 * `ProtocolWrapper` and `WrappingFactory`: a protocol that sits between a transport and another
 * protocol, and the factory that puts one around each protocol it builds. The base of every
 * policy in `twisted.protocols.policies`.
 * @packageDocumentation
 */
import {
  ClientFactory,
  connectionDone,
  type Failure,
  type IAddress,
  type IClientFactory,
  type IConnector,
  type IHalfCloseableProtocol,
  type IProtocol,
  type IProtocolFactory,
  type IPullProducer,
  type IPushProducer,
  type ITCPTransport,
  type ITransport,
  isHalfCloseable,
  Protocol,
  transportOf,
  type WriteData,
} from "@twisted-ts/core";

/** The methods of `ITCPTransport` that a plain `ITransport` may lack. */
type TCPOnlyMethod =
  | "abortConnection"
  | "loseWriteConnection"
  | "pauseProducing"
  | "resumeProducing"
  | "stopProducing"
  | "getTcpNoDelay"
  | "setTcpNoDelay"
  | "getTcpKeepAlive"
  | "setTcpKeepAlive";

/**
 * What a {@link ProtocolWrapper} tells about itself: the factory (or other owner) that keeps
 * track of live wrappers. {@link WrappingFactory} and `LimitTotalConnectionsFactory` are ones.
 */
export interface IWrapperRegistry {
  /**
   * A wrapper's connection was made.
   * @param protocol - the wrapper.
   */
  registerProtocol(protocol: ProtocolWrapper): void;
  /**
   * A wrapper's connection was lost.
   * @param protocol - the wrapper.
   */
  unregisterProtocol(protocol: ProtocolWrapper): void;
}

/**
 * The log prefix of a wrapper around `wrapped`: `"Inner (Wrapper)"`, where Inner is the wrapped
 * object's own `logPrefix()` (or its class name when it has none) and Wrapper is the wrapper's
 * class name. Twisted's `_wrappedLogPrefix`.
 * @param wrapper - the wrapping protocol or factory.
 * @param wrapped - the protocol or factory inside.
 * @returns the prefix, e.g. `"Echo (ProtocolWrapper)"`.
 */
export function wrappedLogPrefix(wrapper: object, wrapped: unknown): string {
  const w = wrapped as { logPrefix?: unknown; constructor?: { name?: unknown } } | null;
  let inner: string;
  if (w !== null && typeof w === "object" && typeof w.logPrefix === "function") {
    inner = String((w.logPrefix as () => unknown).call(w));
  } else {
    inner = String(w?.constructor?.name ?? String(w));
  }
  return `${inner} (${wrapper.constructor.name})`;
}

/**
 * A protocol that wraps another protocol and is its transport: bytes, connection events and
 * half-closes from the real transport go through it to the wrapped protocol, and everything the
 * wrapped protocol asks of its transport (writes, closes, addresses, producers, read pausing,
 * TCP options) goes through it to the real one. Subclass it and override a method to watch or
 * change one of those paths; that is how every policy in this module works. Twisted's
 * `policies.ProtocolWrapper`.
 *
 * On `makeConnection` it registers with its factory, then connects the wrapped protocol to
 * itself; on `connectionLost` it unregisters, then passes the reason on.
 *
 * Differences from Twisted: Twisted forwards any other attribute to the transport
 * (`__getattr__`); here every `ITCPTransport` member is forwarded explicitly, and one the real
 * transport lacks throws a `TypeError`. Half-closes are forwarded: `readConnectionLost` goes to a
 * wrapped `IHalfCloseableProtocol`, and closes the connection otherwise (what the transport
 * would have done); `writeConnectionLost` goes to the wrapped protocol when it has the method.
 * `wrappedProtocol` is kept after `connectionLost` (Twisted sets it to None to break a
 * reference cycle, which JavaScript's collector does not need).
 *
 * @typeParam F - the owner's type, for typed access through `this.factory`.
 */
export class ProtocolWrapper<F extends IWrapperRegistry = IWrapperRegistry>
  extends Protocol<F>
  implements ITCPTransport, IHalfCloseableProtocol
{
  /** The factory (or other owner) that made this wrapper and tracks it. */
  declare factory: F;
  /** Whether `loseConnection` or `abortConnection` has been called through this wrapper. */
  disconnecting = false;

  /**
   * @param factory - the owner, told when the connection is made and lost.
   * @param wrappedProtocol - the protocol inside; this wrapper is its transport.
   */
  constructor(
    factory: F,
    readonly wrappedProtocol: IProtocol,
  ) {
    super();
    this.factory = factory;
  }

  /** `"Inner (Wrapper)"`: the wrapped protocol's prefix and this class's name. */
  override logPrefix(): string {
    return wrappedLogPrefix(this, this.wrappedProtocol);
  }

  /**
   * Keep the real transport, register with the factory, and connect the wrapped protocol to
   * this wrapper.
   * @param transport - the real transport.
   */
  override makeConnection(transport: ITransport): void {
    super.makeConnection(transport);
    this.factory.registerProtocol(this);
    this.wrappedProtocol.makeConnection(this);
  }

  // ---- protocol side: from the real transport to the wrapped protocol ----

  /**
   * Pass bytes to the wrapped protocol.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    this.wrappedProtocol.dataReceived(data);
  }

  /**
   * Unregister from the factory, then tell the wrapped protocol.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure = connectionDone): void {
    super.connectionLost(reason);
    this.factory.unregisterProtocol(this);
    this.wrappedProtocol.connectionLost(reason);
  }

  /**
   * The peer closed its write side: a half-closeable wrapped protocol is told; any other one
   * sees the whole connection closed, as the transport would have done.
   */
  readConnectionLost(): void {
    if (isHalfCloseable(this.wrappedProtocol)) {
      this.wrappedProtocol.readConnectionLost();
    } else {
      this.disconnecting = true;
      this.realTransport().loseConnection();
    }
  }

  /** Our write side is closed: passed to the wrapped protocol when it has the method. */
  writeConnectionLost(): void {
    const wrapped = this.wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (typeof wrapped.writeConnectionLost === "function") wrapped.writeConnectionLost();
  }

  // ---- transport side: from the wrapped protocol to the real transport ----

  /**
   * Write to the real transport.
   * @param data - bytes, or a string sent as UTF-8.
   */
  write(data: WriteData): void {
    this.realTransport().write(data);
  }

  /**
   * Write several chunks to the real transport.
   * @param data - the chunks.
   */
  writeSequence(data: readonly WriteData[]): void {
    this.realTransport().writeSequence(data);
  }

  /** Set `disconnecting` and close the real transport once its data is sent. */
  loseConnection(): void {
    this.disconnecting = true;
    this.realTransport().loseConnection();
  }

  /**
   * Set `disconnecting` and abort the real transport.
   * @throws TypeError when the real transport cannot abort.
   */
  abortConnection(): void {
    this.disconnecting = true;
    this.tcp("abortConnection").call(this.realTransport());
  }

  /**
   * Close the real transport's write side.
   * @throws TypeError when the real transport cannot half-close.
   */
  loseWriteConnection(): void {
    this.tcp("loseWriteConnection").call(this.realTransport());
  }

  /** The real transport's peer address. */
  getPeer(): IAddress {
    return this.realTransport().getPeer();
  }

  /** The real transport's own address. */
  getHost(): IAddress {
    return this.realTransport().getHost();
  }

  /**
   * Register a producer with the real transport.
   * @param producer - the producer.
   * @param streaming - true for a push producer, false for a pull producer.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.realTransport().registerProducer(producer, streaming);
  }

  /** Unregister the producer from the real transport. */
  unregisterProducer(): void {
    this.realTransport().unregisterProducer();
  }

  /**
   * Stop reading from the real transport.
   * @throws TypeError when the real transport cannot pause.
   */
  pauseProducing(): void {
    this.tcp("pauseProducing").call(this.realTransport());
  }

  /**
   * Read from the real transport again.
   * @throws TypeError when the real transport cannot resume.
   */
  resumeProducing(): void {
    this.tcp("resumeProducing").call(this.realTransport());
  }

  /**
   * Stop the real transport reading for good (it closes).
   * @throws TypeError when the real transport cannot stop.
   */
  stopProducing(): void {
    this.tcp("stopProducing").call(this.realTransport());
  }

  /**
   * The real transport's no-delay setting.
   * @throws TypeError when the real transport has none.
   */
  getTcpNoDelay(): boolean {
    return this.tcp("getTcpNoDelay").call(this.realTransport());
  }

  /**
   * Set the real transport's no-delay option.
   * @param enabled - true to turn Nagle's algorithm off.
   * @throws TypeError when the real transport has none.
   */
  setTcpNoDelay(enabled: boolean): void {
    this.tcp("setTcpNoDelay").call(this.realTransport(), enabled);
  }

  /**
   * The real transport's keepalive setting.
   * @throws TypeError when the real transport has none.
   */
  getTcpKeepAlive(): boolean {
    return this.tcp("getTcpKeepAlive").call(this.realTransport());
  }

  /**
   * Set the real transport's keepalive option.
   * @param enabled - true to turn TCP keepalive on.
   * @throws TypeError when the real transport has none.
   */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcp("setTcpKeepAlive").call(this.realTransport(), enabled);
  }

  /** Whether the real transport says it is disconnected (or, when it cannot say, not connected). */
  get disconnected(): boolean {
    const flag = (this.transport as Partial<ITCPTransport> | undefined)?.disconnected;
    return typeof flag === "boolean" ? flag : !this.connected;
  }

  /** The real transport, or an error when the connection has not been made yet. */
  private realTransport(): ITransport {
    return transportOf(this);
  }

  /** A method of the real transport that only TCP-like transports have, or a TypeError. */
  private tcp<K extends TCPOnlyMethod>(name: K): ITCPTransport[K] {
    const transport = this.realTransport() as Partial<ITCPTransport>;
    const method = transport[name];
    if (typeof method !== "function") {
      throw new TypeError(`the wrapped transport ${String(transport)} has no ${name}()`);
    }
    return method as ITCPTransport[K];
  }
}

/**
 * A factory that wraps another factory: each protocol the wrapped factory builds is put inside
 * a {@link ProtocolWrapper} (see {@link WrappingFactory.wrapProtocol}), and the live wrappers are
 * kept in `protocols`. Starting, stopping and the client-side events are passed to the wrapped
 * factory. Subclass it to apply a policy to every connection of an existing factory. Twisted's
 * `policies.WrappingFactory`.
 *
 * Differences from Twisted: `protocols` is a `Set` (Twisted's is a dict whose values are all 1).
 * Twisted names the wrapper class in the `protocol` attribute; here a subclass overrides
 * `wrapProtocol` (the `protocol` field of `Factory` is for classes built with no arguments). When
 * the wrapped factory refuses a connection (`buildProtocol` returns null), so does this one
 * (Twisted would wrap None). The client-side events reach the wrapped factory only when it has
 * the method.
 */
export class WrappingFactory extends ClientFactory<ProtocolWrapper> implements IWrapperRegistry {
  /** The wrappers whose connection is live (registered and not yet unregistered). */
  readonly protocols: Set<ProtocolWrapper> = new Set();

  /**
   * @param wrappedFactory - the factory whose protocols are wrapped.
   */
  constructor(readonly wrappedFactory: IProtocolFactory) {
    super();
  }

  /** `"Inner (Wrapper)"`: the wrapped factory's prefix and this class's name. */
  override logPrefix(): string {
    return wrappedLogPrefix(this, this.wrappedFactory);
  }

  /** Start the wrapped factory, then this one. */
  override doStart(): void {
    this.wrappedFactory.doStart();
    super.doStart();
  }

  /** Stop the wrapped factory, then this one. */
  override doStop(): void {
    this.wrappedFactory.doStop();
    super.doStop();
  }

  /**
   * Passed to the wrapped factory.
   * @param connector - the connector.
   */
  override startedConnecting(connector: IConnector): void {
    this.client()?.startedConnecting?.(connector);
  }

  /**
   * Passed to the wrapped factory.
   * @param connector - the connector.
   * @param reason - why the attempt failed.
   */
  override clientConnectionFailed(connector: IConnector, reason: Failure): void {
    this.client()?.clientConnectionFailed?.(connector, reason);
  }

  /**
   * Passed to the wrapped factory.
   * @param connector - the connector.
   * @param reason - why the connection ended.
   */
  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    this.client()?.clientConnectionLost?.(connector, reason);
  }

  /**
   * Build the wrapped factory's protocol and wrap it.
   * @param addr - the peer's address.
   * @returns the wrapper, or null when the wrapped factory refuses the connection.
   */
  override buildProtocol(addr: IAddress): ProtocolWrapper | null {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    if (wrapped === null) return null;
    return this.wrapProtocol(wrapped, addr);
  }

  /**
   * Put a built protocol inside a wrapper. Override to use a subclass of `ProtocolWrapper`.
   * @param wrapped - the protocol the wrapped factory built.
   * @param _addr - the peer's address.
   * @returns a new `ProtocolWrapper(this, wrapped)`.
   */
  wrapProtocol(wrapped: IProtocol, _addr: IAddress): ProtocolWrapper {
    return new ProtocolWrapper(this, wrapped);
  }

  /**
   * Called by a wrapper when its connection is made: adds it to `protocols`.
   * @param protocol - the wrapper.
   */
  registerProtocol(protocol: ProtocolWrapper): void {
    this.protocols.add(protocol);
  }

  /**
   * Called by a wrapper when its connection is lost: removes it from `protocols`.
   * @param protocol - the wrapper.
   */
  unregisterProtocol(protocol: ProtocolWrapper): void {
    this.protocols.delete(protocol);
  }

  private client(): Partial<IClientFactory> | undefined {
    return this.wrappedFactory as Partial<IClientFactory>;
  }
}
