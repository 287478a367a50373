/**
 * `StringTransport` and `StringTransportWithDisconnection`: transports that keep what is written
 * in memory, for unit tests of protocols.
 * @packageDocumentation
 */
import { type IAddress, IPv4Address } from "../address.js";
import { ConnectionDone } from "../errors.js";
import { Failure } from "../failure.js";
import type { IProtocol } from "../interfaces/protocol.js";
import type {
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  WriteData,
} from "../interfaces/transport.js";
import { bytesOf, bytesOfSequence } from "./bytes.js";

/** Options of `new StringTransport(...)`. */
export interface StringTransportOptions {
  /** What `getHost()` returns; `IPv4Address("TCP", "10.0.0.1", 12345)` by default. */
  hostAddress?: IAddress | undefined;
  /** What `getPeer()` returns; `IPv4Address("TCP", "192.168.1.1", 54321)` by default. */
  peerAddress?: IAddress | undefined;
  /**
   * Allow `pauseProducing` and `resumeProducing` after `loseConnection` (false by default).
   * Set it only when a test calls them after closing on purpose.
   */
  lenient?: boolean | undefined;
}

/** The state of a `StringTransport` in its role of push producer (of the bytes it reads). */
export type ProducerState = "producing" | "paused" | "stopped";

/**
 * A transport that records everything written to it and does nothing else: Twisted's
 * `twisted.internet.testing.StringTransport`. Hand it to `protocol.makeConnection(transport)`,
 * feed the protocol with `dataReceived`, and read what it wrote with `value()`. No socket, no
 * event loop, no time: the test drives everything.
 *
 * Closing only sets flags: `loseConnection()` sets `disconnecting`, `abortConnection()` also sets
 * `disconnected`; the protocol's `connectionLost` is never called (use
 * `StringTransportWithDisconnection`, or call it yourself). The transport is also a push producer
 * (of the bytes the protocol reads): `pauseProducing`, `resumeProducing` and `stopProducing`
 * only move `producerState`, and pausing or resuming raise once the transport is stopped, or
 * once it is closing (unless `lenient`), because a protocol that does so expects data that will
 * never come.
 *
 * The fields that are not part of `ITCPTransport` (`value`, `clear`, `producer`, `streaming`,
 * `producerState`, `tcpNoDelay`, …) are for tests to read; protocol code must not use them.
 *
 * Differences from Twisted: `write` takes a string too, encoded as UTF-8, as every transport of
 * this project does (anything else is a `TypeError`); the addresses and `lenient` are given as an
 * options object. It also implements the rest of `ITCPTransport`: `loseWriteConnection` sets
 * `writeClosed`, and `setTcpNoDelay`/`setTcpKeepAlive` are recorded in `tcpNoDelay` and
 * `tcpKeepAlive`.
 */
export class StringTransport implements ITCPTransport {
  /** Whether `loseConnection` (or `abortConnection`) has been called. */
  disconnecting = false;
  /** Whether `abortConnection` has been called. */
  disconnected = false;
  /** True until a subclass's `loseConnection` says otherwise; never changed by this class. */
  connected = true;
  /** The producer registered with `registerProducer`, or undefined. */
  producer: IPushProducer | IPullProducer | undefined = undefined;
  /** The `streaming` flag it was registered with, or undefined when none is registered. */
  streaming: boolean | undefined = undefined;
  /** What `getHost()` returns, or undefined for the default. */
  hostAddr: IAddress | undefined;
  /** What `getPeer()` returns, or undefined for the default. */
  peerAddr: IAddress | undefined;
  /** Where `pauseProducing`, `resumeProducing` and `stopProducing` have left this transport. */
  producerState: ProducerState = "producing";
  /** Whether `loseWriteConnection` has been called. */
  writeClosed = false;
  /** The last value given to `setTcpNoDelay` (false at first). */
  tcpNoDelay = false;
  /** The last value given to `setTcpKeepAlive` (false at first). */
  tcpKeepAlive = false;
  /** Whether pausing and resuming are allowed after `loseConnection`. */
  readonly lenient: boolean;
  private chunks: Buffer[] = [];

  /**
   * @param options - the host and peer addresses, and `lenient`.
   */
  constructor(options: StringTransportOptions = {}) {
    this.hostAddr = options.hostAddress;
    this.peerAddr = options.peerAddress;
    this.lenient = options.lenient ?? false;
  }

  /**
   * Everything written since the transport was made or last cleared. A test helper, not a
   * transport method.
   * @returns the bytes, as a new Buffer.
   */
  value(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return Buffer.from(this.chunks[0] ?? Buffer.alloc(0));
  }

  /** Forget what has been written so far. A test helper, not a transport method. */
  clear(): void {
    this.chunks = [];
  }

  /**
   * Record bytes (a string is recorded as its UTF-8 encoding). Writes are recorded even after
   * `loseConnection`.
   * @param data - bytes or a string.
   * @throws TypeError for anything else.
   */
  write(data: WriteData): void {
    this.chunks.push(bytesOf(data));
  }

  /**
   * Record several chunks, in order.
   * @param data - the chunks.
   * @throws TypeError when any chunk is not bytes or a string (then nothing is recorded).
   */
  writeSequence(data: readonly WriteData[]): void {
    this.chunks.push(bytesOfSequence(data));
  }

  /** Set `disconnecting`; nothing else happens. */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Set `disconnected`, then do what `loseConnection` does. */
  abortConnection(): void {
    this.disconnected = true;
    this.loseConnection();
  }

  /** Set `writeClosed`; nothing else happens. */
  loseWriteConnection(): void {
    this.writeClosed = true;
  }

  /** The peer's address: the one given, or `IPv4Address("TCP", "192.168.1.1", 54321)`. */
  getPeer(): IAddress {
    return this.peerAddr ?? new IPv4Address("TCP", "192.168.1.1", 54321);
  }

  /** This end's address: the one given, or `IPv4Address("TCP", "10.0.0.1", 12345)`. */
  getHost(): IAddress {
    return this.hostAddr ?? new IPv4Address("TCP", "10.0.0.1", 12345);
  }

  /**
   * Record a producer; it is never paused, resumed or stopped by this transport.
   * @param producer - the producer.
   * @param streaming - true for a push producer.
   * @throws Error "Cannot register two producers" when one is registered already.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) throw new Error("Cannot register two producers");
    this.producer = producer;
    this.streaming = streaming;
  }

  /**
   * Forget the producer.
   * @throws Error when none is registered.
   */
  unregisterProducer(): void {
    if (this.producer === undefined) {
      throw new Error("Cannot unregister a producer unless one is registered");
    }
    this.producer = undefined;
    this.streaming = undefined;
  }

  /**
   * Set `producerState` to "paused".
   * @throws Error after `stopProducing`, or after `loseConnection` unless `lenient`.
   */
  pauseProducing(): void {
    this.checkState();
    this.producerState = "paused";
  }

  /**
   * Set `producerState` to "producing".
   * @throws Error after `stopProducing`, or after `loseConnection` unless `lenient`.
   */
  resumeProducing(): void {
    this.checkState();
    this.producerState = "producing";
  }

  /** Set `producerState` to "stopped". */
  stopProducing(): void {
    this.producerState = "stopped";
  }

  /** @returns the last value given to `setTcpNoDelay`. */
  getTcpNoDelay(): boolean {
    return this.tcpNoDelay;
  }

  /** Record `enabled` in `tcpNoDelay`. */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  /** @returns the last value given to `setTcpKeepAlive`. */
  getTcpKeepAlive(): boolean {
    return this.tcpKeepAlive;
  }

  /** Record `enabled` in `tcpKeepAlive`. */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcpKeepAlive = enabled;
  }

  private checkState(): void {
    if (this.disconnecting && !this.lenient) {
      throw new Error("Cannot resume producing after loseConnection");
    }
    if (this.producerState === "stopped") throw new Error("Cannot resume a stopped producer");
  }
}

/**
 * A `StringTransport` whose `loseConnection` tells the protocol: the first call sets `connected`
 * to false and calls `protocol.connectionLost` with `ConnectionDone("Bye.")`; later calls do
 * nothing. Set `protocol` before closing. Twisted's `StringTransportWithDisconnection`.
 *
 * As in Twisted, its `loseConnection` does not set `disconnecting` (so pausing and resuming are
 * still allowed afterwards), and `abortConnection` sets `disconnected` and then closes the same
 * way, with `ConnectionDone`.
 */
export class StringTransportWithDisconnection extends StringTransport {
  /** The protocol told about the disconnection; set it before `loseConnection`. */
  protocol: IProtocol | undefined = undefined;

  /**
   * Tell `protocol` the connection is done, once.
   * @throws Error when `protocol` has not been set.
   */
  override loseConnection(): void {
    if (!this.connected) return;
    const protocol = this.protocol;
    if (protocol === undefined) {
      throw new Error("StringTransportWithDisconnection.protocol must be set before closing");
    }
    this.connected = false;
    protocol.connectionLost(new Failure(new ConnectionDone("Bye.")));
  }
}
