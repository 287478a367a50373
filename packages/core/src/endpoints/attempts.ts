/**
 * The connection race behind `HostnameEndpoint`: Happy Eyeballs (RFC 8305) over a list of
 * endpoints.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import { Deferred } from "../defer/deferred.js";
import type { Failure } from "../failure.js";
import type { IProtocol } from "../interfaces/protocol.js";
import type { IDelayedCall, IReactorTime } from "../interfaces/time.js";
import { connectingCancelled } from "./errors.js";
import type { IStreamClientEndpoint, TypedProtocolFactory } from "./interfaces.js";

/**
 * @internal Connect to `endpoints` in order, starting the next one every `attemptDelay` seconds
 * or as soon as an attempt fails, whichever is first. The first connection wins: the attempts
 * still pending are cancelled and no timer is left behind. When every attempt has failed, the
 * result fails with the last failure. Cancelling the result cancels every attempt and fails it
 * with `ConnectingCancelledError(destination)`.
 * @param clock - schedules the staggered starts.
 * @param endpoints - one per address, in the order to try them; not empty.
 * @param factory - the user's factory, shared by every attempt.
 * @param attemptDelay - seconds between starts.
 * @param destination - what a cancellation names.
 */
export function raceConnectionAttempts<P extends IProtocol>(
  clock: IReactorTime,
  endpoints: readonly IStreamClientEndpoint[],
  factory: TypedProtocolFactory<P>,
  attemptDelay: number,
  destination: IAddress,
): Deferred<P> {
  return new AttemptRace(clock, endpoints, factory, attemptDelay, destination).result;
}

class AttemptRace<P extends IProtocol> {
  readonly result: Deferred<P>;
  private readonly pending: Deferred<P>[] = [];
  private next = 0;
  private timer: IDelayedCall | undefined;
  private finished = false;
  private lastFailure: Failure | undefined;

  constructor(
    private readonly clock: IReactorTime,
    private readonly endpoints: readonly IStreamClientEndpoint[],
    private readonly factory: TypedProtocolFactory<P>,
    private readonly attemptDelay: number,
    destination: IAddress,
  ) {
    this.result = new Deferred<P>((d) => {
      this.finish();
      if (!d.called) d.errback(connectingCancelled(destination));
    });
    this.startNext();
  }

  private startNext(): void {
    this.stopTimer();
    if (this.finished) return;
    const endpoint = this.endpoints[this.next];
    if (endpoint === undefined) {
      this.checkDone();
      return;
    }
    this.next++;
    if (this.next < this.endpoints.length) {
      this.timer = this.clock.callLater(this.attemptDelay, () => {
        this.timer = undefined;
        this.startNext();
      });
    }
    const attempt = endpoint.connect(this.factory);
    this.pending.push(attempt);
    attempt.addCallbacks(
      (protocol: P) => {
        this.forget(attempt);
        this.win(protocol);
      },
      (failure) => {
        this.forget(attempt);
        if (this.finished) return;
        this.lastFailure = failure;
        if (this.next < this.endpoints.length) this.startNext();
        else this.checkDone();
      },
    );
  }

  private win(protocol: P): void {
    if (this.finished) return;
    this.finish();
    this.result.callback(protocol);
  }

  private checkDone(): void {
    if (this.finished || this.pending.length > 0 || this.next < this.endpoints.length) return;
    this.finish();
    this.result.errback(this.lastFailure);
  }

  /** Stop: no more starts, and every pending attempt is cancelled. */
  private finish(): void {
    this.finished = true;
    this.stopTimer();
    for (const attempt of [...this.pending]) attempt.cancel();
  }

  private forget(attempt: Deferred<P>): void {
    const i = this.pending.indexOf(attempt);
    if (i >= 0) this.pending.splice(i, 1);
  }

  private stopTimer(): void {
    if (this.timer?.active()) this.timer.cancel();
    this.timer = undefined;
  }
}
