/**
 * `FakePort` and `FakeConnector`: what `MemoryReactor`'s listen and connect methods return.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import { succeed } from "../defer/helpers.js";
import type { IConnector, IListeningPort } from "../interfaces/protocol.js";

/**
 * A listening port that listens on nothing: Twisted's `_FakePort`. `getHost()` reports the
 * address it was made with; `startListening` and `stopListening` only move `listening`.
 *
 * Differences from Twisted: public, with a `listening` flag; `stopListening` returns a Deferred
 * that has already fired (`IListeningPort` promises one).
 */
export class FakePort implements IListeningPort {
  /** False once `stopListening` has been called (true again after `startListening`). */
  listening = true;

  /**
   * @param hostAddress - the address the port pretends to listen on.
   */
  constructor(private readonly hostAddress: IAddress) {}

  /** Set `listening`. */
  startListening(): void {
    this.listening = true;
  }

  /**
   * Clear `listening`.
   * @returns a Deferred that has already fired with undefined.
   */
  stopListening(): Deferred<void> {
    this.listening = false;
    return succeed(undefined);
  }

  /** The address given at construction. */
  getHost(): IAddress {
    return this.hostAddress;
  }
}

/**
 * A connector that connects to nothing and records what it is asked to do: Twisted's
 * `_FakeConnector`. It never talks to its factory: a test plays the network by calling the
 * factory itself (`buildProtocol`, `clientConnectionFailed`, `clientConnectionLost`).
 *
 * - `stopConnecting()` sets `stoppedConnecting`;
 * - `disconnect()` sets `disconnected` (Twisted's `_disconnected`);
 * - `connect()` counts in `connectCalls` (what a reconnecting factory does after a delay);
 * - `state` starts "connecting", becomes "disconnected" after `stopConnecting`/`disconnect`,
 *   and "connecting" again after `connect`.
 *
 * Differences from Twisted: public, with `connectCalls` and `state`; `disconnected` is spelt
 * without the underscore. Like Twisted's, `stopConnecting` never throws `NotConnectingError`.
 */
export class FakeConnector implements IConnector {
  /** Whether `stopConnecting` has been called. */
  stoppedConnecting = false;
  /** Whether `disconnect` has been called. */
  disconnected = false;
  /** How many times `connect` has been called. */
  connectCalls = 0;
  /** "connecting" at first and after `connect`; "disconnected" after a stop or disconnect. */
  state: "connecting" | "connected" | "disconnected" = "connecting";

  /**
   * @param destination - the address it pretends to connect to.
   */
  constructor(private readonly destination: IAddress) {}

  /** Set `stoppedConnecting`. */
  stopConnecting(): void {
    this.stoppedConnecting = true;
    this.state = "disconnected";
  }

  /** Set `disconnected`. */
  disconnect(): void {
    this.disconnected = true;
    this.state = "disconnected";
  }

  /** Count the call; nothing connects. */
  connect(): void {
    this.connectCalls += 1;
    this.state = "connecting";
  }

  /** The address given at construction. */
  getDestination(): IAddress {
    return this.destination;
  }

  /** `<FakeConnector to IPv4Address(...)>`. */
  toString(): string {
    return `<FakeConnector to ${String(this.destination)}>`;
  }
}
