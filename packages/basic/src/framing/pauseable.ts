/**
 * `PauseableProtocol`: the pause, resume and stop behaviour shared by `LineReceiver` and the
 * length-prefixed receivers.
 * @packageDocumentation
 */
import { type IPushProducer, type IReadPausable, Protocol } from "@twisted-ts/core";
import { EMPTY } from "./bytes.js";

/**
 * A protocol that is also a push producer of the messages it parses: Twisted's
 * `_PauseableMixin`, the base of `LineReceiver` and `IntNStringReceiver`. While `paused` is
 * true the receiver keeps what arrives in its buffer and delivers nothing; resuming delivers
 * what was buffered, in order.
 *
 * Register it with a consumer (`transport.registerProducer(protocol, true)`), or call
 * `pauseProducing` from inside `lineReceived` to stop mid-chunk, then `resumeProducing` later.
 *
 * Differences from Twisted: a transport without `pauseProducing`, `resumeProducing` or
 * `stopProducing` is left alone instead of raising `AttributeError`.
 *
 * @typeParam F - the factory type, as for `Protocol`.
 */
export class PauseableProtocol<F = unknown> extends Protocol<F> implements IPushProducer {
  /** Whether delivery is paused: set by `pauseProducing` and `stopProducing`. */
  paused = false;

  /** Stop delivering messages, and pause the transport (stop reading from the socket). */
  pauseProducing(): void {
    this.paused = true;
    pausable(this.transport)?.pauseProducing?.();
  }

  /**
   * Deliver again: clear `paused`, resume the transport, then call `dataReceived` with no bytes
   * so that the messages buffered meanwhile are delivered now.
   */
  resumeProducing(): void {
    this.paused = false;
    pausable(this.transport)?.resumeProducing?.();
    this.dataReceived(EMPTY);
  }

  /** Stop for good: set `paused` and stop the transport. What is buffered is never delivered. */
  stopProducing(): void {
    this.paused = true;
    pausable(this.transport)?.stopProducing?.();
  }
}

function pausable(transport: unknown): Partial<IReadPausable> | undefined {
  return transport as Partial<IReadPausable> | undefined;
}
