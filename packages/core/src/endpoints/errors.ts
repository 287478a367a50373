/**
 * The errors the endpoints raise beyond those of `src/errors.ts`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import { ConnectingCancelledError, TwistedError } from "../errors.js";

/**
 * A value in an endpoint description, or given to an endpoint, is not valid: a port that is not
 * an integer, a `mode` that is not octal, a chain file without certificates, a host name that
 * cannot be encoded. Twisted raises `ValueError` for these.
 */
export class EndpointValueError extends TwistedError {
  static override readonly code: string = "ERR_ENDPOINT_VALUE";
}

/**
 * `serverFromString` or `clientFromString` was given a type no parser knows; the message is
 * Twisted's, `Unknown endpoint type: 'ftl'` (the type lowercased).
 */
export class UnknownEndpointTypeError extends EndpointValueError {
  static override readonly code: string = "ERR_UNKNOWN_ENDPOINT_TYPE";
  /** The type that was asked for, lowercased. */
  readonly endpointType: string;
  /** @param endpointType - the type from the description. */
  constructor(endpointType: string) {
    const type = endpointType.toLowerCase();
    super(`Unknown endpoint type: '${type}'`);
    this.endpointType = type;
  }
}

/**
 * A factory's `buildProtocol` returned null for a client connection, so there is no protocol
 * to hand to whoever connected: Twisted's `twisted.internet.error.NoProtocol`.
 */
export class NoProtocol extends TwistedError {
  static override readonly code: string = "ERR_NO_PROTOCOL";
  constructor(message = "buildProtocol returned null: no protocol for the connection") {
    super(message);
  }
}

/** A `ConnectingCancelledError` that says what was being connected to, as Twisted's does. */
export type ConnectingCancelledWithAddress = ConnectingCancelledError & {
  /** The address the cancelled attempt was connecting to, when known. */
  readonly address: IAddress | undefined;
};

/**
 * @internal The error a cancelled connection attempt fails with, carrying `address` as
 * Twisted's `ConnectingCancelledError(address)` does.
 * @param address - where the attempt was connecting to, when known.
 */
export function connectingCancelled(address: IAddress | undefined): ConnectingCancelledWithAddress {
  const where = address === undefined ? "" : ` to ${String(address)}`;
  const error = new ConnectingCancelledError(`Connecting${where} was cancelled.`);
  Object.defineProperty(error, "address", { value: address, enumerable: true });
  return error as ConnectingCancelledWithAddress;
}
