/**
 * Transports, producers and consumers: Twisted's `ITransport`, `ITCPTransport`, `IConsumer`,
 * `IPushProducer`, `IPullProducer`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";

/** What `transport.write` accepts: bytes, or a string sent as UTF-8. */
export type WriteData = Uint8Array | string;

/**
 * A producer: something that makes data for a consumer (a transport) and can be told to stop.
 * Twisted's `IProducer`.
 */
export interface IProducer {
  /** Stop producing for good: the consumer is going away. */
  stopProducing(): void;
}

/**
 * A streaming ("push") producer writes whenever it likes until it is paused: Twisted's
 * `IPushProducer`. A transport pauses it when its write buffer passes the high-water mark and
 * resumes it when the buffer drains; pauses and resumes are balanced.
 */
export interface IPushProducer extends IProducer {
  /** Stop writing until `resumeProducing`. */
  pauseProducing(): void;
  /** Start writing again. */
  resumeProducing(): void;
}

/**
 * A pull producer writes one chunk each time it is asked: Twisted's `IPullProducer`. A
 * transport calls `resumeProducing` each time its buffer has drained.
 */
export interface IPullProducer extends IProducer {
  /** Write one chunk (or unregister when there is nothing more). */
  resumeProducing(): void;
}

/**
 * A consumer: something that takes data from a producer (every transport is one). Twisted's
 * `IConsumer`.
 */
export interface IConsumer {
  /**
   * Attach a producer. A streaming producer is a push producer; otherwise it is pulled.
   * @param producer - the producer.
   * @param streaming - true for an `IPushProducer`, false for an `IPullProducer`.
   * @throws Error when a producer is already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Detach the current producer. */
  unregisterProducer(): void;
  /**
   * Consume data.
   * @param data - bytes, or a string sent as UTF-8.
   * @throws TypeError for any other type.
   */
  write(data: WriteData): void;
}

/**
 * One end of a connection, as a protocol sees it: Twisted's `ITransport`. Writes are buffered
 * and never block; `loseConnection` closes after the buffer has been flushed.
 */
export interface ITransport extends IConsumer {
  /**
   * Write several chunks at once (as one `writev` where the transport can).
   * @param data - the chunks.
   */
  writeSequence(data: readonly WriteData[]): void;
  /** Close after everything written so far has been sent; later writes are ignored. */
  loseConnection(): void;
  /** The address of the other end. */
  getPeer(): IAddress;
  /** The address of this end. */
  getHost(): IAddress;
}

/**
 * A transport that is also a push producer: pausing it stops reading from the socket (so the
 * peer is slowed down by TCP's own flow control), resuming restarts it.
 */
export interface IReadPausable {
  /** Stop reading (no more `dataReceived`) until `resumeProducing`. */
  pauseProducing(): void;
  /** Start reading again. */
  resumeProducing(): void;
  /** Stop reading for good and close. */
  stopProducing(): void;
}

/**
 * A TCP (or TLS, or Unix stream) connection: Twisted's `ITCPTransport` plus `ITLSTransport`
 * and `IHalfCloseableDescriptor`.
 */
export interface ITCPTransport extends ITransport, IReadPausable {
  /** Close now, dropping anything not yet sent; `connectionLost` gets `ConnectionAborted`. */
  abortConnection(): void;
  /**
   * Close the write side only (send FIN); the protocol can keep reading. Protocols that
   * implement `IHalfCloseableProtocol` get `writeConnectionLost`.
   */
  loseWriteConnection(): void;
  /** Whether Nagle's algorithm is off. */
  getTcpNoDelay(): boolean;
  /** Turn Nagle's algorithm off (true) or on. */
  setTcpNoDelay(enabled: boolean): void;
  /** Whether TCP keepalive is on. */
  getTcpKeepAlive(): boolean;
  /** Turn TCP keepalive on or off. */
  setTcpKeepAlive(enabled: boolean): void;
  /** Whether `loseConnection` or `abortConnection` has been called. */
  readonly disconnecting: boolean;
  /** Whether the connection has been lost. */
  readonly disconnected: boolean;
}
