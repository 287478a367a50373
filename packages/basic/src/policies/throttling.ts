/**
 * `ThrottlingFactory`: read and write bandwidth limits and a connection cap for every
 * connection of a factory.
 * @packageDocumentation
 */
import {
  type IAddress,
  type IDelayedCall,
  type IProtocol,
  type IProtocolFactory,
  type IPullProducer,
  type IPushProducer,
  type IReactorTime,
  Logger,
  type WriteData,
} from "@twisted-ts/core";
import { ProtocolWrapper, WrappingFactory } from "./wrapper.js";

const log = new Logger({ namespace: "twisted-ts.protocols.policies" });

/** How many bytes `data` puts on the wire (a string is sent as UTF-8). */
function byteLengthOf(data: WriteData): number {
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.byteLength;
}

/**
 * The wrapper {@link ThrottlingFactory} puts around each protocol: it counts the bytes read and
 * written on the factory, remembers the registered producer, and pauses or resumes reading
 * (the real transport) and writing (the producer) when the factory says so. Twisted's
 * `policies.ThrottlingProtocol`.
 */
export class ThrottlingProtocol extends ProtocolWrapper<ThrottlingFactory> {
  /** The producer the wrapped protocol registered, which write throttling pauses. */
  producer: IPushProducer | IPullProducer | undefined = undefined;

  /**
   * Count the bytes as written, then write them.
   * @param data - bytes, or a string sent as UTF-8.
   */
  override write(data: WriteData): void {
    this.factory.registerWritten(byteLengthOf(data));
    super.write(data);
  }

  /**
   * Count the bytes as written, then write them.
   * @param data - the chunks.
   */
  override writeSequence(data: readonly WriteData[]): void {
    let total = 0;
    for (const chunk of data) total += byteLengthOf(chunk);
    this.factory.registerWritten(total);
    super.writeSequence(data);
  }

  /**
   * Count the bytes as read, then pass them on.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    this.factory.registerRead(data.length);
    super.dataReceived(data);
  }

  /**
   * Remember the producer (for write throttling), then register it with the real transport.
   * @param producer - the producer.
   * @param streaming - true for a push producer.
   */
  override registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.producer = producer;
    super.registerProducer(producer, streaming);
  }

  /** Forget the producer, then unregister it from the real transport. */
  override unregisterProducer(): void {
    this.producer = undefined;
    super.unregisterProducer();
  }

  /** Stop reading: pause the real transport. */
  throttleReads(): void {
    super.pauseProducing();
  }

  /** Read again: resume the real transport. */
  unthrottleReads(): void {
    super.resumeProducing();
  }

  /** Stop writing: pause the registered producer, when there is one that can be paused. */
  throttleWrites(): void {
    const producer = this.producer as Partial<IPushProducer> | undefined;
    if (typeof producer?.pauseProducing === "function") producer.pauseProducing();
  }

  /** Write again: resume the registered producer, when there is one. */
  unthrottleWrites(): void {
    this.producer?.resumeProducing();
  }
}

/** Options of `new ThrottlingFactory(...)`. */
export interface ThrottlingOptions {
  /** The most connections open at once; more are refused. Unlimited by default. */
  maxConnectionCount?: number | undefined;
  /** The most bytes to read per second, over all connections; no limit by default. */
  readLimit?: number | null | undefined;
  /** The most bytes to write per second, over all connections; no limit by default. */
  writeLimit?: number | null | undefined;
  /** What schedules the once-a-second checks: the reactor, or a `Clock` in tests. Needed when a
   * limit is set (unless `callLater` is overridden). */
  clock?: IReactorTime | undefined;
}

function checkLimit(name: string, value: number | null): void {
  if (value !== null && !(typeof value === "number" && value > 0)) {
    throw new RangeError(`${name} must be a number of bytes per second > 0, got ${String(value)}`);
  }
}

/**
 * Limits the bandwidth and the number of connections of a factory's protocols. Twisted's
 * `policies.ThrottlingFactory`.
 *
 * Every byte read and written through its protocols is counted. Once a second (from the first
 * connection until the last one closes) it compares the counts with `readLimit` and
 * `writeLimit`: when a count is over its limit, every protocol is throttled for
 * `count / limit − 1` seconds (so that the average comes back to the limit), then the count
 * starts again from 0. Throttling reads pauses each real transport (the peer is slowed by TCP's
 * own flow control). **Throttling writes pauses the producer each protocol has registered with
 * `registerProducer`: a protocol that writes without a producer is counted but never slowed.**
 *
 * Beyond `maxConnectionCount` open connections, `buildProtocol` refuses (returns null, so the
 * connection is closed at once) and logs "Max connection count reached!".
 *
 * Differences from Twisted: the clock is an option (Twisted uses the global reactor; tests
 * override `callLater`, which still works). Limits must be positive (Twisted would divide by
 * zero). The checks start with the first *accepted* connection (Twisted starts them even for a
 * refused one), a pending unthrottle is replaced rather than left to fire early when a new
 * throttle starts, and when the last connection closes the pending calls are cancelled and
 * forgotten (Twisted keeps the cancelled ones and cancelling them again later raises). Only a
 * producer that has `pauseProducing` is paused (Twisted calls it on any producer).
 */
export class ThrottlingFactory extends WrappingFactory {
  /** How many of its connections are open. */
  connectionCount = 0;
  /** The most connections open at once. */
  maxConnectionCount: number;
  /** The most bytes read per second (over all connections), or null for no limit. */
  readLimit: number | null;
  /** The most bytes written per second (over all connections), or null for no limit. */
  writeLimit: number | null;
  /** Bytes read since the last check. */
  readThisSecond = 0;
  /** Bytes written since the last check. */
  writtenThisSecond = 0;
  /** The pending call that ends read throttling, or null. */
  unthrottleReadsID: IDelayedCall | null = null;
  /** The pending next read check, or null. */
  checkReadBandwidthID: IDelayedCall | null = null;
  /** The pending call that ends write throttling, or null. */
  unthrottleWritesID: IDelayedCall | null = null;
  /** The pending next write check, or null. */
  checkWriteBandwidthID: IDelayedCall | null = null;
  /** What `callLater` schedules with. */
  readonly clock: IReactorTime | undefined;

  /**
   * @param wrappedFactory - the factory whose protocols are throttled.
   * @param options - `maxConnectionCount`, `readLimit`, `writeLimit` (bytes per second) and the
   *   `clock`.
   * @throws RangeError when a limit is not a positive number, or `maxConnectionCount` is
   *   negative.
   */
  constructor(wrappedFactory: IProtocolFactory, options: ThrottlingOptions = {}) {
    super(wrappedFactory);
    this.maxConnectionCount = options.maxConnectionCount ?? Number.POSITIVE_INFINITY;
    if (!(this.maxConnectionCount >= 0)) {
      throw new RangeError(
        `maxConnectionCount must be >= 0, got ${String(options.maxConnectionCount)}`,
      );
    }
    this.readLimit = options.readLimit ?? null;
    this.writeLimit = options.writeLimit ?? null;
    checkLimit("readLimit", this.readLimit);
    checkLimit("writeLimit", this.writeLimit);
    this.clock = options.clock;
  }

  /**
   * Schedule `func` in `period` seconds. Override it to schedule some other way.
   * @param period - the delay, in seconds.
   * @param func - what to call.
   * @returns the pending call.
   * @throws Error when no `clock` was given.
   */
  callLater(period: number, func: () => void): IDelayedCall {
    if (this.clock === undefined) {
      throw new Error("ThrottlingFactory needs a clock (the reactor) when a limit is set");
    }
    return this.clock.callLater(period, func);
  }

  /**
   * Called by a protocol: `length` more bytes were written.
   * @param length - the byte count.
   */
  registerWritten(length: number): void {
    this.writtenThisSecond += length;
  }

  /**
   * Called by a protocol: `length` more bytes were read.
   * @param length - the byte count.
   */
  registerRead(length: number): void {
    this.readThisSecond += length;
  }

  /** Compare the bytes read since the last check with `readLimit`, then check again in 1 s. */
  checkReadBandwidth(): void {
    const limit = this.readLimit;
    if (limit !== null && this.readThisSecond > limit) {
      this.throttleReads();
      const throttleTime = this.readThisSecond / limit - 1;
      cancelPending(this.unthrottleReadsID);
      this.unthrottleReadsID = this.callLater(throttleTime, () => this.unthrottleReads());
    }
    this.readThisSecond = 0;
    this.checkReadBandwidthID = this.callLater(1, () => this.checkReadBandwidth());
  }

  /** Compare the bytes written since the last check with `writeLimit`, then check again in 1 s. */
  checkWriteBandwidth(): void {
    const limit = this.writeLimit;
    if (limit !== null && this.writtenThisSecond > limit) {
      this.throttleWrites();
      const throttleTime = this.writtenThisSecond / limit - 1;
      cancelPending(this.unthrottleWritesID);
      this.unthrottleWritesID = this.callLater(throttleTime, () => this.unthrottleWrites());
    }
    this.writtenThisSecond = 0;
    this.checkWriteBandwidthID = this.callLater(1, () => this.checkWriteBandwidth());
  }

  /** Throttle reads on every protocol. */
  throttleReads(): void {
    log.info("Throttling reads on {factory}", { factory: this.logPrefix() });
    for (const p of this.throttlingProtocols()) p.throttleReads();
  }

  /** Stop throttling reads on every protocol. */
  unthrottleReads(): void {
    this.unthrottleReadsID = null;
    log.info("Stopped throttling reads on {factory}", { factory: this.logPrefix() });
    for (const p of this.throttlingProtocols()) p.unthrottleReads();
  }

  /** Throttle writes on every protocol (those with a producer). */
  throttleWrites(): void {
    log.info("Throttling writes on {factory}", { factory: this.logPrefix() });
    for (const p of this.throttlingProtocols()) p.throttleWrites();
  }

  /** Stop throttling writes on every protocol. */
  unthrottleWrites(): void {
    this.unthrottleWritesID = null;
    log.info("Stopped throttling writes on {factory}", { factory: this.logPrefix() });
    for (const p of this.throttlingProtocols()) p.unthrottleWrites();
  }

  /**
   * Build a throttled protocol, or refuse beyond `maxConnectionCount`. The first accepted
   * connection starts the once-a-second checks.
   * @param addr - the peer's address.
   * @returns the wrapper, or null to refuse the connection.
   */
  override buildProtocol(addr: IAddress): ThrottlingProtocol | null {
    if (this.connectionCount >= this.maxConnectionCount) {
      log.info("Max connection count reached!");
      return null;
    }
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    if (wrapped === null) return null;
    if (this.connectionCount === 0) {
      if (this.readLimit !== null) this.checkReadBandwidth();
      if (this.writeLimit !== null) this.checkWriteBandwidth();
    }
    this.connectionCount++;
    return this.wrapProtocol(wrapped, addr);
  }

  /**
   * Wrap in a {@link ThrottlingProtocol}.
   * @param wrapped - the protocol the wrapped factory built.
   * @param _addr - the peer's address.
   * @returns the wrapper.
   */
  override wrapProtocol(wrapped: IProtocol, _addr: IAddress): ThrottlingProtocol {
    return new ThrottlingProtocol(this, wrapped);
  }

  /**
   * A connection is over: count it, and when none is left cancel the pending checks.
   * @param protocol - the wrapper.
   */
  override unregisterProtocol(protocol: ProtocolWrapper): void {
    super.unregisterProtocol(protocol);
    this.connectionCount--;
    if (this.connectionCount === 0) {
      cancelPending(this.unthrottleReadsID);
      cancelPending(this.checkReadBandwidthID);
      cancelPending(this.unthrottleWritesID);
      cancelPending(this.checkWriteBandwidthID);
      this.unthrottleReadsID = null;
      this.checkReadBandwidthID = null;
      this.unthrottleWritesID = null;
      this.checkWriteBandwidthID = null;
    }
  }

  private *throttlingProtocols(): Generator<ThrottlingProtocol> {
    for (const p of [...this.protocols]) if (p instanceof ThrottlingProtocol) yield p;
  }
}

function cancelPending(call: IDelayedCall | null): void {
  if (call?.active()) call.cancel();
}
