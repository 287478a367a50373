/**
 * Idle timeouts: `TimeoutMixin` for a protocol of your own, and `TimeoutFactory` to put one on
 * every connection of an existing factory.
 * @packageDocumentation
 */
import type {
  Failure,
  IAddress,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
  ITransport,
  WriteData,
} from "@twisted-ts/core";
import { ProtocolWrapper, WrappingFactory } from "./wrapper.js";

/** What {@link TimeoutMixin} needs of the class it extends: a `transport` to close. */
export interface TimeoutHost {
  /** The connection's transport, closed by the default `timeoutConnection`. */
  transport?: ITransport | undefined;
}

/**
 * A class whose instances are `T`, as a mixin function takes and returns it.
 * @typeParam T - the instance type.
 */
// biome-ignore lint/suspicious/noExplicitAny: TypeScript only accepts `any[]` for a mixin base.
export type MixinConstructor<T = object> = new (...args: any[]) => T;

/** The members {@link TimeoutMixin} adds to a protocol class. */
export interface ITimeoutMixin {
  /**
   * The timeout, in seconds, or null for none. Set it as a field default to give a class its
   * timeout, then call `setTimeout(this.timeOut)` when the connection is made.
   */
  timeOut: number | null;
  /** What the default `callLater` schedules with: the reactor, or a `Clock` in tests. */
  clock: IReactorTime | undefined;
  /**
   * Schedule `func` in `period` seconds. The default uses `clock`; override it to schedule some
   * other way.
   * @param period - the delay, in seconds.
   * @param func - what to call.
   * @returns the pending call.
   * @throws Error when neither `clock` is set nor `callLater` overridden.
   */
  callLater(period: number, func: () => void): IDelayedCall;
  /**
   * Start the countdown again from `timeOut`: call it whenever the peer shows it is there.
   * Does nothing when no timeout is pending (none was set, it was cancelled, or it has fired).
   */
  resetTimeout(): void;
  /**
   * Change the timeout: a number (re)starts the countdown with that many seconds, null cancels
   * it (a call already spent is ignored).
   * @param period - the new timeout in seconds, or null for none.
   * @returns the previous `timeOut`.
   */
  setTimeout(period: number | null): number | null;
  /** Called when the timeout expires. The default closes the connection (`loseConnection`). */
  timeoutConnection(): void;
}

/** The pending timeout call of each instance (kept off the instance: mixins have no privates). */
const pendingCalls = new WeakMap<object, IDelayedCall>();

/**
 * Adds one idle timeout to a protocol class: Twisted's `policies.TimeoutMixin`, as a mixin
 * function (JavaScript has no multiple inheritance). The protocol sets it with
 * `setTimeout(seconds)`, usually in `connectionMade`; pushes it back with `resetTimeout()`
 * whenever data arrives; cancels it with `setTimeout(null)` in `connectionLost`. When it expires,
 * `timeoutConnection()` runs, which closes the connection unless overridden.
 *
 * The clock comes in as a parameter, never from the global reactor: set the `clock` field (the
 * factory can do it in `buildProtocol`), or override `callLater`.
 *
 * @example
 * ```ts
 * class Idle extends TimeoutMixin(Protocol) {
 *   override timeOut: number | null = 30;
 *   override connectionMade(): void { this.setTimeout(this.timeOut); }
 *   override dataReceived(data: Buffer): void { this.resetTimeout(); }
 *   override connectionLost(reason: Failure): void { this.setTimeout(null); super.connectionLost(reason); }
 * }
 * const p = new Idle();
 * p.clock = reactor;
 * ```
 *
 * Differences from Twisted: a mixin function instead of a mixin class, and an injectable
 * `clock`. `setTimeout(n)` when the pending call was cancelled from outside (say, by the reactor
 * stopping) schedules a new one, and `resetTimeout()` then does nothing; Twisted raises
 * `AlreadyCancelled` in both cases.
 *
 * @param Base - the class to extend, usually `Protocol` or a subclass.
 * @returns a subclass of `Base` with the {@link ITimeoutMixin} members.
 */
export function TimeoutMixin<TBase extends MixinConstructor<TimeoutHost>>(
  Base: TBase,
): TBase & MixinConstructor<ITimeoutMixin> {
  return class TimeoutMixed extends Base implements ITimeoutMixin {
    timeOut: number | null = null;
    clock: IReactorTime | undefined = undefined;

    callLater(period: number, func: () => void): IDelayedCall {
      if (this.clock === undefined) {
        throw new Error(
          `${this.constructor.name} needs a clock for its timeout: set \`clock\` or override callLater`,
        );
      }
      return this.clock.callLater(period, func);
    }

    resetTimeout(): void {
      const call = pendingCalls.get(this);
      if (call !== undefined && this.timeOut !== null && call.active()) call.reset(this.timeOut);
    }

    setTimeout(period: number | null): number | null {
      const prev = this.timeOut;
      this.timeOut = period;
      const call = pendingCalls.get(this);
      if (period === null) {
        if (call?.active()) call.cancel();
        pendingCalls.delete(this);
      } else if (call?.active()) {
        call.reset(period);
      } else {
        pendingCalls.set(
          this,
          this.callLater(period, () => {
            pendingCalls.delete(this);
            this.timeoutConnection();
          }),
        );
      }
      return prev;
    }

    timeoutConnection(): void {
      this.transport?.loseConnection();
    }
  };
}

/**
 * The wrapper {@link TimeoutFactory} puts around each protocol: it closes the connection when
 * nothing has been read or written for `timeoutPeriod` seconds. The countdown starts when the
 * wrapper is built, and every `dataReceived`, `write` and `writeSequence` restarts it. Twisted's
 * `policies.TimeoutProtocol`.
 *
 * Differences from Twisted: `resetTimeout` does nothing once the timeout has fired or been
 * cancelled (Twisted raises `AlreadyCalled` when data arrives between the timeout and the close).
 */
export class TimeoutProtocol extends ProtocolWrapper<TimeoutFactory> {
  /** The pending timeout, or null. */
  timeoutCall: IDelayedCall | null = null;
  /** The timeout, in seconds, or null for none. */
  timeoutPeriod: number | null = null;

  /**
   * @param factory - the factory, whose `callLater` schedules the timeout.
   * @param wrappedProtocol - the protocol inside.
   * @param timeoutPeriod - seconds of inactivity before closing, or null for none.
   */
  constructor(factory: TimeoutFactory, wrappedProtocol: IProtocol, timeoutPeriod: number | null) {
    super(factory, wrappedProtocol);
    this.setTimeout(timeoutPeriod);
  }

  /**
   * Cancel the pending timeout and, with a period, start a new one.
   * @param timeoutPeriod - seconds, or null for no timeout.
   */
  setTimeout(timeoutPeriod: number | null = null): void {
    this.cancelTimeout();
    this.timeoutPeriod = timeoutPeriod;
    if (timeoutPeriod !== null) {
      this.timeoutCall = this.factory.callLater(timeoutPeriod, () => this.timeoutFunc());
    }
  }

  /** Cancel the pending timeout; nothing happens when there is none (or it has fired). */
  cancelTimeout(): void {
    this.timeoutPeriod = null;
    if (this.timeoutCall !== null) {
      if (this.timeoutCall.active()) this.timeoutCall.cancel();
      this.timeoutCall = null;
    }
  }

  /** Restart the countdown, after some activity. */
  resetTimeout(): void {
    const call = this.timeoutCall;
    if (call !== null && this.timeoutPeriod !== null && call.active()) {
      call.reset(this.timeoutPeriod);
    }
  }

  /**
   * Restart the countdown, then write.
   * @param data - bytes, or a string sent as UTF-8.
   */
  override write(data: WriteData): void {
    this.resetTimeout();
    super.write(data);
  }

  /**
   * Restart the countdown, then write.
   * @param data - the chunks.
   */
  override writeSequence(data: readonly WriteData[]): void {
    this.resetTimeout();
    super.writeSequence(data);
  }

  /**
   * Restart the countdown, then pass the bytes on.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    this.resetTimeout();
    super.dataReceived(data);
  }

  /**
   * Cancel the timeout, then pass the loss on.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason?: Failure): void {
    this.cancelTimeout();
    super.connectionLost(reason);
  }

  /** The timeout expired: close the connection. Override for something else. */
  timeoutFunc(): void {
    this.loseConnection();
  }
}

/** Options of `new TimeoutFactory(...)`. */
export interface TimeoutFactoryOptions {
  /** What schedules the timeouts: the reactor, or a `Clock` in tests. */
  clock: IReactorTime;
  /** Seconds of inactivity before a connection is closed, or null for none; 1800 by default. */
  timeoutPeriod?: number | null | undefined;
}

/**
 * Closes any connection of the wrapped factory that stays idle (nothing read, nothing written)
 * for `timeoutPeriod` seconds, 30 minutes by default. Twisted's `policies.TimeoutFactory`.
 *
 * Differences from Twisted: the clock is a required option (Twisted uses the global reactor;
 * overriding `callLater` still works).
 */
export class TimeoutFactory extends WrappingFactory {
  /** Seconds of inactivity before a connection is closed, or null for none. */
  timeoutPeriod: number | null;
  /** What `callLater` schedules with. */
  readonly clock: IReactorTime;

  /**
   * @param wrappedFactory - the factory whose connections time out.
   * @param options - the `clock` and the `timeoutPeriod` (seconds, 1800 by default).
   */
  constructor(wrappedFactory: IProtocolFactory, options: TimeoutFactoryOptions) {
    super(wrappedFactory);
    this.clock = options.clock;
    this.timeoutPeriod = options.timeoutPeriod === undefined ? 30 * 60 : options.timeoutPeriod;
  }

  /**
   * Wrap in a {@link TimeoutProtocol} with this factory's `timeoutPeriod`.
   * @param wrapped - the protocol the wrapped factory built.
   * @param _addr - the peer's address.
   * @returns the wrapper.
   */
  override wrapProtocol(wrapped: IProtocol, _addr: IAddress): TimeoutProtocol {
    return new TimeoutProtocol(this, wrapped, this.timeoutPeriod);
  }

  /**
   * Build a protocol with a timeout.
   * @param addr - the peer's address.
   * @returns the wrapper, or null when the wrapped factory refuses the connection.
   */
  override buildProtocol(addr: IAddress): TimeoutProtocol | null {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    return wrapped === null ? null : this.wrapProtocol(wrapped, addr);
  }

  /**
   * Schedule `func` in `period` seconds on `clock`. Override to schedule some other way.
   * @param period - the delay, in seconds.
   * @param func - what to call.
   * @returns the pending call.
   */
  callLater(period: number, func: () => void): IDelayedCall {
    return this.clock.callLater(period, func);
  }
}
