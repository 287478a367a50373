/**
 * `FakeTransport`: one end of an in-memory connection that an `IOPump` drives.
 * @packageDocumentation
 */
import { type IAddress, IPv4Address } from "../address.js";
import { ConnectionAborted, ConnectionDone } from "../errors.js";
import { Failure } from "../failure.js";
import { type IProtocol, isHalfCloseable } from "../interfaces/protocol.js";
import type {
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  WriteData,
} from "../interfaces/transport.js";
import { bytesOf, bytesOfSequence } from "./bytes.js";

/** Options of `new FakeTransport(...)`. */
export interface FakeTransportOptions {
  /** What `getHost()` returns; see `FakeTransport` for the default. */
  hostAddress?: IAddress | undefined;
  /** What `getPeer()` returns; see `FakeTransport` for the default. */
  peerAddress?: IAddress | undefined;
}

/** The address of the accepting side when none is given (as `StringTransport`'s host). */
export const DEFAULT_SERVER_ADDRESS: IPv4Address = new IPv4Address("TCP", "10.0.0.1", 12345);
/** The address of the connecting side when none is given (as `StringTransport`'s peer). */
export const DEFAULT_CLIENT_ADDRESS: IPv4Address = new IPv4Address("TCP", "192.168.1.1", 54321);

let nextSerial = 0;

/**
 * One end of an in-memory connection: Twisted's `twisted.test.iosim.FakeTransport`. Writes are
 * queued until an `IOPump` moves them to the other end's protocol; `loseConnection` and
 * `abortConnection` only mark the transport, and the pump then tells both protocols
 * `connectionLost` (the peer first, as in Twisted). Make pairs with `connectedServerAndClient`
 * or `connect` rather than by hand.
 *
 * - Writes after `loseConnection`, `abortConnection` or `loseWriteConnection` are dropped.
 * - `abortConnection` drops what is still queued; this side's protocol gets `ConnectionAborted`
 *   and the peer's `ConnectionLost`. A clean close gives both `ConnectionDone` (or
 *   `disconnectReason`, when a test sets it).
 * - A pull producer is asked for a chunk (`resumeProducing`) on every pump; a push producer is
 *   never paused. When the connection is lost, the producer gets `stopProducing`.
 * - `pauseProducing` stops delivery to this side's protocol (bytes wait in the peer's queue)
 *   until `resumeProducing`; `stopProducing` is `loseConnection`.
 * - `loseWriteConnection` sends an end-of-stream once the queue is delivered: this side's
 *   protocol gets `writeConnectionLost` (when it implements `IHalfCloseableProtocol`), then a
 *   half-closeable peer gets `readConnectionLost`, and any other peer closes the connection.
 *
 * The default addresses pair up: the accepting side's host (and the connecting side's peer) is
 * 10.0.0.1:12345, the connecting side's host (and the accepting side's peer) is
 * 192.168.1.1:54321, as `StringTransport`'s.
 *
 * Differences from Twisted: Twisted aborts exactly as it loses (no data dropped,
 * `ConnectionDone` on both sides), never stops or refuses a second producer, ignores
 * `pauseProducing` and `loseWriteConnection`, and uses a featureless `FakeAddress`. `startTLS`
 * is not simulated. `write` takes strings too (UTF-8).
 */
export class FakeTransport implements ITCPTransport {
  /** A number unique to this transport, for telling them apart in test output. */
  readonly serial: number = nextSerial++;
  /** Whether `loseConnection` or `abortConnection` has been called (or the peer closed). */
  disconnecting = false;
  /** Whether the pump has handled the disconnection. */
  disconnected = false;
  /** Whether `abortConnection` has been called. */
  aborted = false;
  /** What this side's protocol is told on a clean close. */
  disconnectReason: Error = new ConnectionDone("Connection done");
  /** The registered producer, or undefined. */
  producer: IPushProducer | IPullProducer | undefined = undefined;
  /** Whether the registered producer is a push producer. */
  streamingProducer = false;
  /** Whether `pauseProducing` has stopped delivery to this side's protocol. */
  readPaused = false;
  /** Whether `loseWriteConnection` has been called. */
  writeClosed = false;
  /** The last value given to `setTcpNoDelay`. */
  tcpNoDelay = false;
  /** The last value given to `setTcpKeepAlive`. */
  tcpKeepAlive = false;
  /** The address `getHost()` returns. */
  readonly hostAddress: IAddress;
  /** The address `getPeer()` returns. */
  readonly peerAddress: IAddress;
  /** @internal Whether an end-of-stream is waiting to be delivered to the peer. */
  endOfStreamPending = false;
  private stream: Buffer[] = [];

  /**
   * @param protocol - the protocol this transport delivers bytes to.
   * @param isServer - true for the accepting side, false for the connecting side.
   * @param options - the host and peer addresses.
   */
  constructor(
    readonly protocol: IProtocol,
    readonly isServer: boolean,
    options: FakeTransportOptions = {},
  ) {
    const [host, peer] = isServer
      ? [DEFAULT_SERVER_ADDRESS, DEFAULT_CLIENT_ADDRESS]
      : [DEFAULT_CLIENT_ADDRESS, DEFAULT_SERVER_ADDRESS];
    this.hostAddress = options.hostAddress ?? host;
    this.peerAddress = options.peerAddress ?? peer;
  }

  /**
   * Queue bytes for the peer (dropped once closing).
   * @throws TypeError when `data` is not bytes or a string.
   */
  write(data: WriteData): void {
    const bytes = bytesOf(data);
    if (this.disconnecting || this.writeClosed || bytes.length === 0) return;
    this.stream.push(bytes);
  }

  /**
   * Queue several chunks for the peer.
   * @throws TypeError when a chunk is not bytes or a string.
   */
  writeSequence(data: readonly WriteData[]): void {
    this.write(bytesOfSequence(data));
  }

  /**
   * Take everything queued for the peer. Used by `IOPump`.
   * @returns the bytes, or undefined when nothing is queued.
   */
  getOutBuffer(): Buffer | undefined {
    if (this.stream.length === 0) return undefined;
    const out = Buffer.concat(this.stream);
    this.stream = [];
    return out;
  }

  /**
   * Deliver bytes from the peer to this side's protocol. Used by `IOPump`.
   * @param data - the bytes.
   */
  bufferReceived(data: Buffer): void {
    this.protocol.dataReceived(data);
  }

  /** Close once the queue has been delivered. */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Close now, dropping what is still queued. */
  abortConnection(): void {
    if (this.disconnected) return;
    this.aborted = true;
    this.disconnecting = true;
    this.stream = [];
  }

  /** Send an end-of-stream after the queue; see the class description. */
  loseWriteConnection(): void {
    if (this.writeClosed || this.disconnecting) return;
    this.writeClosed = true;
    this.endOfStreamPending = true;
  }

  /**
   * Tell this side's protocol the connection is lost, and stop its producer. Used by `IOPump`.
   * @param reason - overrides the reason (the peer's abort); by default `ConnectionAborted` after
   *   an abort, else `disconnectReason`.
   */
  reportDisconnect(reason?: Error): void {
    const error = reason ?? (this.aborted ? new ConnectionAborted() : this.disconnectReason);
    const producer = this.producer;
    this.producer = undefined;
    producer?.stopProducing();
    this.protocol.connectionLost(new Failure(error));
  }

  /** @internal Deliver the end-of-stream to `peer`'s protocol, or close when it cannot take one. */
  deliverEndOfStream(peer: FakeTransport): void {
    this.endOfStreamPending = false;
    if (isHalfCloseable(this.protocol)) this.protocol.writeConnectionLost();
    if (isHalfCloseable(peer.protocol)) peer.protocol.readConnectionLost();
    else peer.loseConnection();
  }

  /** @internal Ask a pull producer for a chunk. Used by `IOPump` on every pump. */
  checkProducer(): void {
    if (this.producer !== undefined && !this.streamingProducer) this.producer.resumeProducing();
  }

  /**
   * Register a producer; a pull producer is asked for its first chunk at once.
   * @throws Error when one is registered already.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) {
      throw new Error("Cannot register a producer: another one is registered");
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    if (!streaming) producer.resumeProducing();
  }

  /** Forget the producer. */
  unregisterProducer(): void {
    this.producer = undefined;
  }

  /** Stop delivering bytes to this side's protocol until `resumeProducing`. */
  pauseProducing(): void {
    this.readPaused = true;
  }

  /** Deliver bytes to this side's protocol again. */
  resumeProducing(): void {
    this.readPaused = false;
  }

  /** The same as `loseConnection`. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** The peer's address. */
  getPeer(): IAddress {
    return this.peerAddress;
  }

  /** This end's address. */
  getHost(): IAddress {
    return this.hostAddress;
  }

  /** @returns the last value given to `setTcpNoDelay`. */
  getTcpNoDelay(): boolean {
    return this.tcpNoDelay;
  }

  /** Record `enabled`. */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  /** @returns the last value given to `setTcpKeepAlive`. */
  getTcpKeepAlive(): boolean {
    return this.tcpKeepAlive;
  }

  /** Record `enabled`. */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcpKeepAlive = enabled;
  }

  /** The name of this transport in logs: "iosim", as in Twisted. */
  logPrefix(): string {
    return "iosim";
  }

  /** `FakeTransport<S,3,Echo>`: side, serial and protocol class. */
  toString(): string {
    return `FakeTransport<${this.isServer ? "S" : "C"},${this.serial},${this.protocol.constructor.name}>`;
  }
}

/**
 * A transport for the connecting side: `new FakeTransport(protocol, false)`. Twisted's
 * `makeFakeClient`.
 * @param clientProtocol - the client's protocol.
 */
export function makeFakeClient(clientProtocol: IProtocol): FakeTransport {
  return new FakeTransport(clientProtocol, false);
}

/**
 * A transport for the accepting side: `new FakeTransport(protocol, true)`. Twisted's
 * `makeFakeServer`.
 * @param serverProtocol - the server's protocol.
 */
export function makeFakeServer(serverProtocol: IProtocol): FakeTransport {
  return new FakeTransport(serverProtocol, true);
}
