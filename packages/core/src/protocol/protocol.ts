/**
 * `Protocol`: the base class for the protocol side of a connection.
 * @packageDocumentation
 */
import { ConnectionDone } from "../errors.js";
import { Failure } from "../failure.js";
import type { IProtocol } from "../interfaces/protocol.js";
import type { ITransport } from "../interfaces/transport.js";

/** The reason handed to `connectionLost` by default: a clean close. */
export const connectionDone: Failure = new Failure(new ConnectionDone());

/**
 * The base class of protocols: Twisted's `twisted.internet.protocol.Protocol`. Subclass it and
 * override `connectionMade`, `dataReceived` and `connectionLost`; write with
 * `this.transport.write(...)`. `factory` is the factory that built it.
 *
 * @typeParam F - the factory type, for typed access to shared state through `this.factory`.
 */
export class Protocol<F = unknown> implements IProtocol {
  /** The factory that built this protocol (set by `Factory.buildProtocol`). */
  factory: F | undefined = undefined;
  /** The connection's transport, from `makeConnection` on. */
  transport: ITransport | undefined = undefined;
  /** Whether the connection is up: true between `makeConnection` and `connectionLost`. */
  connected = false;

  /**
   * Attach the transport and call `connectionMade`. Transports call this; you rarely do.
   * @param transport - the connection's transport.
   */
  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** Called when the connection is made. Override to greet the peer or start timers. */
  connectionMade(): void {}

  /**
   * Called whenever bytes arrive, split arbitrarily. Override to parse them.
   * @param _data - the bytes.
   */
  dataReceived(_data: Buffer): void {}

  /**
   * Called once when the connection is over. Override to clean up.
   * @param _reason - `ConnectionDone` for a clean close, `ConnectionLost` otherwise.
   */
  connectionLost(_reason: Failure = connectionDone): void {
    this.connected = false;
  }

  /** The prefix for this protocol's log lines: its class name, as in Twisted. */
  logPrefix(): string {
    return this.constructor.name;
  }
}

/**
 * The transport of a protocol, or a clear error when the connection has not been made yet.
 * @param protocol - a protocol.
 */
export function transportOf(protocol: { transport: ITransport | undefined }): ITransport {
  if (protocol.transport === undefined) {
    throw new Error("the protocol has no transport: it is not connected yet");
  }
  return protocol.transport;
}

/** A protocol class whose constructor takes the given arguments. */
export type ProtocolClass<P extends IProtocol = IProtocol, A extends unknown[] = []> = new (
  ...args: A
) => P;

/** What `Factory.buildProtocol` sets on the protocol it builds. */
export interface HasFactory<F> {
  /** The factory that built the protocol. */
  factory: F | undefined;
}
