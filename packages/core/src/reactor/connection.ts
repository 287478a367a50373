/**
 * `Connection`: the transport of a TCP, TLS or Unix stream connection, over a `net.Socket`.
 * @packageDocumentation
 */
import type { Socket } from "node:net";
import {
  type ConnectionOptions,
  type TLSSocket,
  TLSSocket as TLSSocketClass,
  connect as tlsConnect,
} from "node:tls";
import type { IAddress } from "../address.js";
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../errors.js";
import { Failure } from "../failure.js";
import { type IProtocol, isHalfCloseable } from "../interfaces/protocol.js";
import type { TLSOptions } from "../interfaces/reactor.js";
import type {
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  WriteData,
} from "../interfaces/transport.js";
import { Logger } from "../logger/index.js";
import type { ShutdownResource } from "./base.js";

const log = new Logger({ namespace: "twisted-ts.internet.tcp" });

/** The port or connector a connection belongs to. */
export interface ConnectionOwner {
  /** The connection is over; `reason` is what the protocol was told. */
  connectionEnded(connection: Connection, reason: Failure): void;
  /** This end's address, for `getHost()`. */
  hostOf(socket: Socket): IAddress;
  /** The other end's address, for `getPeer()`. */
  peerOf(socket: Socket): IAddress;
}

const DISCONNECTING = 1 << 0;
const DISCONNECTED = 1 << 1;
const STREAMING = 1 << 2;
const PRODUCER_PAUSED = 1 << 3;
const READ_PAUSED = 1 << 4;
const ABORTED = 1 << 5;
const WRITE_CLOSED = 1 << 6;
const NO_DELAY = 1 << 7;
const KEEP_ALIVE = 1 << 8;
const IS_SERVER = 1 << 9;

/**
 * The socket's listeners are module functions that find their Connection through this key,
 * rather than closures made per connection: an idle connection then costs a few hundred bytes
 * less, which counts at 10,000 connections.
 */
const kConnection: unique symbol = Symbol("twisted-ts.Connection");
type TaggedSocket = Socket & { [kConnection]?: Connection | undefined };

function onSocketData(this: TaggedSocket, data: Buffer): void {
  this[kConnection]?.handleData(data);
}
function onSocketEnd(this: TaggedSocket): void {
  this[kConnection]?.handleEnd();
}
function onSocketError(this: TaggedSocket, error: Error): void {
  this[kConnection]?.handleError(error);
}
function onSocketClose(this: TaggedSocket): void {
  this[kConnection]?.handleClose();
}
function onSocketDrain(this: TaggedSocket): void {
  this[kConnection]?.handleDrain();
}

/**
 * Check and normalise what `write` takes.
 * @throws TypeError for anything but a Uint8Array or a string.
 */
export function toChunk(data: WriteData): Uint8Array | string {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  throw new TypeError(
    `transport.write takes a Uint8Array or a string, not ${data === null ? "null" : typeof data}`,
  );
}

/**
 * A stream connection's transport: Twisted's `tcp.Connection` (and `tcp.Server`/`tcp.Client`).
 * Bytes from the socket go to `protocol.dataReceived`; `write` queues bytes on the socket;
 * `loseConnection` closes once they are flushed; producers are paused and resumed by the
 * socket's write buffer.
 */
export class Connection implements ITCPTransport, ShutdownResource {
  /** Whether `loseConnection` or `abortConnection` has been called. */
  // Ten booleans live in one integer: at 10,000 idle connections every field counts.
  private flags = 0;

  /** Whether `loseConnection` or `abortConnection` has been called. */
  get disconnecting(): boolean {
    return (this.flags & DISCONNECTING) !== 0;
  }
  private set disconnecting(on: boolean) {
    this.setFlag(DISCONNECTING, on);
  }
  /** Whether the connection is over. */
  get disconnected(): boolean {
    return (this.flags & DISCONNECTED) !== 0;
  }
  private set disconnected(on: boolean) {
    this.setFlag(DISCONNECTED, on);
  }
  /** The protocol on this connection. */
  protocol: IProtocol | undefined;
  private producer: IPushProducer | IPullProducer | undefined;
  private get streamingProducer(): boolean {
    return (this.flags & STREAMING) !== 0;
  }
  private set streamingProducer(on: boolean) {
    this.setFlag(STREAMING, on);
  }
  private get producerPaused(): boolean {
    return (this.flags & PRODUCER_PAUSED) !== 0;
  }
  private set producerPaused(on: boolean) {
    this.setFlag(PRODUCER_PAUSED, on);
  }
  private get readPaused(): boolean {
    return (this.flags & READ_PAUSED) !== 0;
  }
  private set readPaused(on: boolean) {
    this.setFlag(READ_PAUSED, on);
  }
  private get aborted(): boolean {
    return (this.flags & ABORTED) !== 0;
  }
  private set aborted(on: boolean) {
    this.setFlag(ABORTED, on);
  }
  private get writeClosed(): boolean {
    return (this.flags & WRITE_CLOSED) !== 0;
  }
  private set writeClosed(on: boolean) {
    this.setFlag(WRITE_CLOSED, on);
  }
  private lostReason: Failure | undefined;
  private get tcpNoDelay(): boolean {
    return (this.flags & NO_DELAY) !== 0;
  }
  private set tcpNoDelay(on: boolean) {
    this.setFlag(NO_DELAY, on);
  }
  private get tcpKeepAlive(): boolean {
    return (this.flags & KEEP_ALIVE) !== 0;
  }
  private set tcpKeepAlive(on: boolean) {
    this.setFlag(KEEP_ALIVE, on);
  }
  /** Chunks written for a pull producer and not yet flushed. */
  private pullOutstanding = 0;
  /** The write callback counting them down; made when a pull producer first registers. */
  private pullFlushed: (() => void) | undefined;

  /**
   * @param socket - the connected socket.
   * @param owner - the port or connector, told when the connection ends.
   * @param isServer - whether this is the accepting side (for `startTLS`).
   */
  constructor(
    public socket: Socket,
    private readonly owner: ConnectionOwner,
    isServer: boolean,
  ) {
    if (isServer) this.flags = IS_SERVER;
  }

  private get isServer(): boolean {
    return (this.flags & IS_SERVER) !== 0;
  }

  private setFlag(flag: number, on: boolean): void {
    this.flags = on ? this.flags | flag : this.flags & ~flag;
  }

  /**
   * Connect a protocol: it gets `makeConnection(this)` now and data from here on.
   * @param protocol - the protocol built for this connection.
   */
  start(protocol: IProtocol): void {
    this.protocol = protocol;
    this.attach(this.socket);
    try {
      protocol.makeConnection(this);
    } catch (error) {
      log.failure("Unhandled error in connectionMade of {protocol}", error, {
        protocol: nameOf(protocol),
      });
      this.fail(error);
    }
  }

  private attach(socket: TaggedSocket): void {
    socket[kConnection] = this;
    socket.on("data", onSocketData);
    socket.on("error", onSocketError);
    socket.on("close", onSocketClose);
    socket.on("drain", onSocketDrain);
    if (isHalfCloseable(this.protocol)) {
      socket.on("end", onSocketEnd);
    } else {
      // Without IHalfCloseableProtocol a peer's FIN ends the whole connection: Node ends our
      // side once what we wrote is flushed, and "close" then tells the protocol.
      socket.allowHalfOpen = false;
    }
  }

  private detach(socket: TaggedSocket): void {
    socket[kConnection] = undefined;
    socket.off("data", onSocketData);
    socket.off("error", onSocketError);
    socket.off("close", onSocketClose);
    socket.off("drain", onSocketDrain);
    socket.off("end", onSocketEnd);
  }

  /** @internal Bytes arrived. */
  handleData(data: Buffer): void {
    const protocol = this.protocol;
    if (protocol === undefined || this.disconnected) return;
    try {
      protocol.dataReceived(data);
    } catch (error) {
      log.failure("Unhandled error in dataReceived of {protocol}", error, {
        protocol: nameOf(protocol),
      });
      this.fail(error);
    }
  }

  /** @internal The peer closed its write side (only heard for half-closeable protocols). */
  handleEnd(): void {
    const protocol = this.protocol;
    if (protocol === undefined || !isHalfCloseable(protocol) || this.disconnecting) return;
    try {
      protocol.readConnectionLost();
    } catch (error) {
      log.failure("Unhandled error in readConnectionLost", error);
      this.fail(error);
    }
  }

  /** @internal The socket failed; the reason is kept for `connectionLost`. */
  handleError(error: Error): void {
    this.lostReason ??= new Failure(new ConnectionLost(error.message, { cause: error }));
  }

  /** @internal The socket's write buffer has drained. */
  handleDrain(): void {
    const producer = this.producer;
    if (producer === undefined) return;
    // Pull producers are asked for more when what they wrote has been flushed (see write).
    if (this.streamingProducer && this.producerPaused) {
      this.producerPaused = false;
      (producer as IPushProducer).resumeProducing();
    }
  }

  /** The write callback for a pull producer's chunks: once all are flushed, ask for more. */
  private pullFlushedCallback(): () => void {
    this.pullFlushed ??= () => {
      this.pullOutstanding--;
      if (this.pullOutstanding === 0) setImmediate(() => this.pullMore());
    };
    return this.pullFlushed;
  }

  /** Ask the pull producer for one more chunk: Twisted's "the buffer has drained". */
  private pullMore(): void {
    const producer = this.producer;
    if (producer === undefined || this.streamingProducer || this.disconnected) return;
    try {
      producer.resumeProducing();
    } catch (error) {
      log.failure("Unhandled error in resumeProducing of {producer}", error, {
        producer: String(producer),
      });
      this.fail(error);
    }
  }

  /** @internal The socket has closed. */
  handleClose(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.disconnecting = true;
    const reason =
      this.lostReason ??
      (this.aborted ? new Failure(new ConnectionAborted()) : new Failure(new ConnectionDone()));
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) {
      try {
        producer.stopProducing();
      } catch (error) {
        log.failure("Error in stopProducing", error);
      }
    }
    const protocol = this.protocol;
    if (protocol !== undefined) {
      try {
        protocol.connectionLost(reason);
      } catch (error) {
        log.failure("Unhandled error in connectionLost of {protocol}", error, {
          protocol: nameOf(protocol),
        });
      }
    }
    this.owner.connectionEnded(this, reason);
  }

  /** Drop the connection after a protocol callback threw. */
  private fail(error: unknown): void {
    this.lostReason ??= new Failure(
      new ConnectionLost(`protocol error: ${String(error)}`, { cause: error }),
    );
    this.abortConnection();
  }

  /** @inheritDoc */
  write(data: WriteData): void {
    const chunk = toChunk(data);
    if (this.disconnecting || this.writeClosed || chunk.length === 0) return;
    if (this.producer !== undefined && !this.streamingProducer) {
      this.pullOutstanding++;
      if (!this.socket.write(chunk, this.pullFlushedCallback())) this.bufferFull();
    } else if (!this.socket.write(chunk)) {
      this.bufferFull();
    }
  }

  /** @inheritDoc */
  writeSequence(data: readonly WriteData[]): void {
    const chunks = data.map(toChunk);
    if (this.disconnecting || this.writeClosed) return;
    let ok = true;
    const pulling = this.producer !== undefined && !this.streamingProducer;
    this.socket.cork();
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      if (pulling) this.pullOutstanding++;
      ok = this.socket.write(chunk, pulling ? this.pullFlushedCallback() : undefined) && ok;
    }
    this.socket.uncork();
    if (!ok) this.bufferFull();
  }

  private bufferFull(): void {
    if (this.producer !== undefined && this.streamingProducer && !this.producerPaused) {
      this.producerPaused = true;
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /** @inheritDoc */
  loseConnection(): void {
    if (this.disconnecting || this.disconnected) return;
    this.disconnecting = true;
    if (this.producer !== undefined) return; // closes on unregisterProducer
    this.closeAfterFlush();
  }

  private closeAfterFlush(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (socket.writableEnded) {
      socket.destroy();
      return;
    }
    socket.end(() => socket.destroy());
  }

  /** @inheritDoc */
  abortConnection(): void {
    if (this.disconnected) return;
    this.disconnecting = true;
    this.aborted = true;
    this.socket.destroy();
  }

  /** @inheritDoc */
  loseWriteConnection(): void {
    if (this.writeClosed || this.disconnecting) return;
    this.writeClosed = true;
    this.socket.end(() => {
      const protocol = this.protocol;
      if (protocol !== undefined && isHalfCloseable(protocol) && !this.disconnected) {
        try {
          protocol.writeConnectionLost();
        } catch (error) {
          log.failure("Unhandled error in writeConnectionLost", error);
        }
      }
    });
  }

  /** Close at reactor shutdown: the protocol sees `ConnectionLost`, as in Twisted. */
  closeForShutdown(): void {
    if (this.disconnected) return;
    this.lostReason ??= new Failure(new ConnectionLost("Connection lost at reactor shutdown."));
    this.abortConnection();
    // Tell the protocol now, within the shutdown phase, as Twisted's disconnectAll does.
    this.handleClose();
  }

  /** @inheritDoc */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== undefined) {
      throw new Error(
        `Cannot register producer ${String(producer)}, because producer ${String(this.producer)} was never unregistered.`,
      );
    }
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (streaming) {
      if (this.socket.writableNeedDrain) {
        this.producerPaused = true;
        (producer as IPushProducer).pauseProducing();
      }
    } else {
      this.pullMore();
    }
  }

  /** @inheritDoc */
  unregisterProducer(): void {
    this.producer = undefined;
    this.producerPaused = false;
    if (this.disconnecting && !this.disconnected) this.closeAfterFlush();
  }

  /** Stop reading from the socket: no `dataReceived` until `resumeProducing`. */
  pauseProducing(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.socket.pause();
  }

  /** Start reading from the socket again. */
  resumeProducing(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.socket.resume();
  }

  /** Stop reading for good: closes the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** @inheritDoc */
  getPeer(): IAddress {
    return this.owner.peerOf(this.socket);
  }

  /** @inheritDoc */
  getHost(): IAddress {
    return this.owner.hostOf(this.socket);
  }

  /** @inheritDoc */
  getTcpNoDelay(): boolean {
    return this.tcpNoDelay;
  }

  /** @inheritDoc */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
    this.socket.setNoDelay(enabled);
  }

  /** @inheritDoc */
  getTcpKeepAlive(): boolean {
    return this.tcpKeepAlive;
  }

  /** @inheritDoc */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcpKeepAlive = enabled;
    this.socket.setKeepAlive(enabled);
  }

  /**
   * Switch this connection to TLS, now: data written after this call is encrypted. The
   * accepting side of the connection acts as the TLS server. Twisted's `ITLSTransport.startTLS`.
   * @param options - key and certificate (server), or verification settings (client).
   */
  startTLS(options: TLSOptions): void {
    const plain = this.socket;
    this.detach(plain);
    let secure: TLSSocket;
    if (this.isServer) {
      secure = new TLSSocketClass(plain, { ...options, isServer: true });
    } else {
      secure = tlsConnect({ ...(options as ConnectionOptions), socket: plain });
    }
    this.socket = secure;
    this.attach(secure);
    if (this.readPaused) secure.pause();
  }

  /** Whether the connection is encrypted. */
  get secure(): boolean {
    return (this.socket as Partial<TLSSocket>).encrypted === true;
  }

  /** `<Connection to 127.0.0.1:1234>`. */
  toString(): string {
    return `<${nameOf(this.protocol)} on ${String(this.getPeer())}>`;
  }
}

function nameOf(protocol: IProtocol | undefined): string {
  return protocol?.constructor.name ?? "Connection";
}
