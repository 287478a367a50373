/**
 * `IOPump` and `connectedServerAndClient`: two protocols talking over an in-memory connection,
 * Twisted's `twisted.test.iosim`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import { ConnectionLost } from "../errors.js";
import type { IProtocol } from "../interfaces/protocol.js";
import { DEFAULT_CLIENT_ADDRESS, DEFAULT_SERVER_ADDRESS, FakeTransport } from "./fakeTransport.js";
import { MemoryReactorClock } from "./memoryReactorClock.js";

/** A clock an `IOPump` can advance: a `Clock` or a `MemoryReactorClock`. */
export interface AdvanceableClock {
  /** Move time forward by `amount` seconds and run what has come due. */
  advance(amount: number): void;
}

/** How many pumps `flush` allows before deciding the two sides will never go quiet. */
const MAX_PUMPS = 1000;

/**
 * Moves bytes between the two ends of an in-memory connection: Twisted's `IOPump`. Each `pump()`
 * first runs the clock's calls that are due (`advance(0)`), then takes what each side has written
 * and hands it to the other side's protocol, then (when no bytes moved) carries out a pending
 * end-of-stream or disconnection. `flush()` pumps until nothing moves. Nothing happens between
 * pumps, so a test sees each exchange step by step.
 *
 * Differences from Twisted: no `debug` printing (tests must not print); a side whose transport
 * is paused (`pauseProducing`) is not delivered to until it resumes; `flush` throws an `Error`
 * ("Too long") where Twisted's asserts.
 */
export class IOPump {
  /** The clock advanced by each pump (a new `MemoryReactorClock` when none was given). */
  readonly clock: AdvanceableClock;

  /**
   * @param client - the connecting side's protocol.
   * @param server - the accepting side's protocol.
   * @param clientIO - the client's transport.
   * @param serverIO - the server's transport.
   * @param clock - the clock to advance on each pump.
   */
  constructor(
    readonly client: IProtocol,
    readonly server: IProtocol,
    readonly clientIO: FakeTransport,
    readonly serverIO: FakeTransport,
    clock?: AdvanceableClock,
  ) {
    this.clock = clock ?? new MemoryReactorClock();
  }

  /**
   * Pump until nothing more moves (no bytes, no disconnection).
   * @param advanceClock - run the clock's due calls on each pump (true by default).
   * @returns whether anything moved.
   * @throws Error "Too long" after 1000 pumps that all moved something; whatever a protocol
   *   throws.
   */
  flush(advanceClock = true): boolean {
    let result = false;
    for (let i = 0; i < MAX_PUMPS; i++) {
      if (!this.pump(advanceClock)) return result;
      result = true;
    }
    throw new Error("Too long: the connection is still busy after 1000 pumps");
  }

  /**
   * Move bytes once in each direction; when none moved, carry out one pending end-of-stream or
   * disconnection instead.
   * @param advanceClock - run the clock's due calls first (true by default).
   * @returns whether anything moved.
   * @throws whatever a protocol throws.
   */
  pump(advanceClock = true): boolean {
    if (advanceClock) this.clock.advance(0);
    const { clientIO, serverIO } = this;
    const sData = clientIO.readPaused ? undefined : serverIO.getOutBuffer();
    const cData = serverIO.readPaused ? undefined : clientIO.getOutBuffer();
    clientIO.checkProducer();
    serverIO.checkProducer();
    if (cData !== undefined) serverIO.bufferReceived(cData);
    if (sData !== undefined) clientIO.bufferReceived(sData);
    if (cData !== undefined || sData !== undefined) return true;
    if (this.closeOne(serverIO, clientIO)) return true;
    if (this.closeOne(clientIO, serverIO)) return true;
    if (this.endStream(serverIO, clientIO)) return true;
    return this.endStream(clientIO, serverIO);
  }

  /** When `closing` is disconnecting, mark it disconnected and tell the other side. */
  private closeOne(closing: FakeTransport, other: FakeTransport): boolean {
    if (!closing.disconnecting || closing.disconnected) return false;
    closing.disconnected = true;
    other.disconnecting = true;
    other.reportDisconnect(closing.aborted ? new ConnectionLost() : undefined);
    return true;
  }

  private endStream(writer: FakeTransport, reader: FakeTransport): boolean {
    if (!writer.endOfStreamPending || writer.disconnecting) return false;
    writer.deliverEndOfStream(reader);
    return true;
  }
}

/** Options of `connect`. */
export interface ConnectOptions {
  /** Flush once before returning, so greetings are exchanged (true by default). */
  greet?: boolean | undefined;
  /** The clock each pump advances; a new `MemoryReactorClock` by default. */
  clock?: AdvanceableClock | undefined;
}

/**
 * Connect two protocols through their transports and return the pump that moves bytes between
 * them: the server's `makeConnection` runs first, then the client's, then (with `greet`) a
 * `flush`. Twisted's `iosim.connect`.
 * @param serverProtocol - the accepting side's protocol.
 * @param serverTransport - its transport.
 * @param clientProtocol - the connecting side's protocol.
 * @param clientTransport - its transport.
 * @param options - `greet` and `clock`.
 * @returns the pump.
 */
export function connect(
  serverProtocol: IProtocol,
  serverTransport: FakeTransport,
  clientProtocol: IProtocol,
  clientTransport: FakeTransport,
  options: ConnectOptions = {},
): IOPump {
  serverProtocol.makeConnection(serverTransport);
  clientProtocol.makeConnection(clientTransport);
  const pump = new IOPump(
    clientProtocol,
    serverProtocol,
    clientTransport,
    serverTransport,
    options.clock,
  );
  if (options.greet ?? true) pump.flush();
  return pump;
}

/**
 * Where `connectedServerAndClient` gets a protocol: a factory (its `buildProtocol` is called with
 * the peer's address), a protocol class with a constructor that takes no arguments, or a
 * function that returns a protocol.
 */
export type ProtocolSource<P extends IProtocol> = ProtocolBuilder<P> | (new () => P) | (() => P);

/** A factory, as far as `connectedServerAndClient` needs one. */
export interface ProtocolBuilder<P extends IProtocol> {
  /**
   * Make the protocol for a connection.
   * @param addr - the peer's address.
   * @returns the protocol, or null to refuse the connection.
   */
  buildProtocol(addr: IAddress): P | null;
}

/** Options of `connectedServerAndClient`. */
export interface ConnectedServerAndClientOptions extends ConnectOptions {
  /** The server's address (its host, the client's peer); 10.0.0.1:12345 by default. */
  serverAddress?: IAddress | undefined;
  /** The client's address (its host, the server's peer); 192.168.1.1:54321 by default. */
  clientAddress?: IAddress | undefined;
  /** Makes the client's transport (`makeFakeClient`, say); by default one with the addresses. */
  clientTransportFactory?: ((protocol: IProtocol) => FakeTransport) | undefined;
  /** Makes the server's transport (`makeFakeServer`, say); by default one with the addresses. */
  serverTransportFactory?: ((protocol: IProtocol) => FakeTransport) | undefined;
}

function isClass(fn: object): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function protocolFrom<P extends IProtocol>(source: ProtocolSource<P>, peer: IAddress): P {
  if (typeof source === "function") {
    return isClass(source) ? new (source as new () => P)() : (source as () => P)();
  }
  const protocol = source.buildProtocol(peer);
  if (protocol === null) throw new Error("buildProtocol returned null: the connection is refused");
  return protocol;
}

/**
 * Make a server protocol and a client protocol, connect them through a pair of `FakeTransport`s,
 * and greet (flush once): Twisted's `connectedServerAndClient`. The client is made first, then
 * the server; the server's `makeConnection` runs first.
 *
 * ```ts
 * const [client, server, pump] = connectedServerAndClient(
 *   Factory.forProtocol(Echo),
 *   () => new AccumulatingProtocol(),
 * );
 * client.transport?.write("hello");
 * pump.flush();
 * expect(client.data.toString()).toBe("hello");
 * ```
 *
 * @param server - where the server's protocol comes from.
 * @param client - where the client's protocol comes from.
 * @param options - `greet`, `clock`, the two addresses and the transport factories.
 * @returns `[client, server, pump]`, in Twisted's order.
 * @throws Error when a factory's `buildProtocol` returns null.
 *
 * Differences from Twisted: a factory is accepted beside a class or function (its `buildProtocol`
 * gets the peer's address; `doStart` is not called); the addresses are real `IPv4Address`es;
 * there is no `debug` flag.
 */
export function connectedServerAndClient<S extends IProtocol, C extends IProtocol>(
  server: ProtocolSource<S>,
  client: ProtocolSource<C>,
  options: ConnectedServerAndClientOptions = {},
): [client: C, server: S, pump: IOPump] {
  const serverAddress = options.serverAddress ?? DEFAULT_SERVER_ADDRESS;
  const clientAddress = options.clientAddress ?? DEFAULT_CLIENT_ADDRESS;
  const c = protocolFrom(client, serverAddress);
  const s = protocolFrom(server, clientAddress);
  const cio =
    options.clientTransportFactory?.(c) ??
    new FakeTransport(c, false, { hostAddress: clientAddress, peerAddress: serverAddress });
  const sio =
    options.serverTransportFactory?.(s) ??
    new FakeTransport(s, true, { hostAddress: serverAddress, peerAddress: clientAddress });
  return [c, s, connect(s, sio, c, cio, options)];
}
