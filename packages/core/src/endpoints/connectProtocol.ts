/**
 * `connectProtocol`: connect one protocol instance through a client endpoint.
 * @packageDocumentation
 */
import type { Deferred } from "../defer/deferred.js";
import type { IProtocol } from "../interfaces/protocol.js";
import { Factory } from "../protocol/factory.js";
import type { IStreamClientEndpoint } from "./interfaces.js";

/**
 * Connect `protocol` through `endpoint`, without writing a factory: the endpoint is given a
 * factory whose `buildProtocol` returns this one protocol. Twisted's `connectProtocol`.
 * @param endpoint - the client endpoint.
 * @param protocol - the protocol to connect; use it for one connection only.
 * @returns what `endpoint.connect` returns: a Deferred that fires with `protocol` once it is
 *   connected, or fails with why it could not be.
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: IStreamClientEndpoint,
  protocol: P,
): Deferred<P> {
  class OneShotFactory extends Factory<P> {
    override buildProtocol(): P {
      return protocol;
    }
  }
  return endpoint.connect(new OneShotFactory());
}
