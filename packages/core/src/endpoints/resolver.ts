/**
 * Host name resolution for the client endpoints that take names: `TCP6ClientEndpoint` and
 * `HostnameEndpoint`.
 * @packageDocumentation
 */
import { lookup } from "node:dns/promises";
import type { IAddress } from "../address.js";
import { Deferred } from "../defer/deferred.js";
import { maybeDeferred } from "../defer/helpers.js";
import { DNSLookupError } from "../errors.js";
import { connectingCancelled } from "./errors.js";

/** One address a host name resolved to. */
export interface ResolvedAddress {
  /** The numeric address, `"127.0.0.1"` or `"::1"`. */
  readonly address: string;
  /** 4 or 6; addresses of any other family are skipped. */
  readonly family: number;
}

/**
 * Resolves a host name to its addresses, in the order they should be tried. It may return the
 * list itself (as test resolvers do, so everything stays synchronous) or a Promise or Deferred
 * of it; failing means the name could not be resolved.
 * @param host - the host name (or a numeric address, which resolves to itself).
 * @param family - 4 or 6 for only that family, 0 for both.
 */
export type NameResolver = (
  host: string,
  family: 0 | 4 | 6,
) => PromiseLike<readonly ResolvedAddress[]> | readonly ResolvedAddress[];

/**
 * The default `NameResolver`: the system's resolver (`getaddrinfo`, through `node:dns`'s
 * `lookup` with `all: true`), so `/etc/hosts` and the system's address ordering apply.
 * @param host - the host name.
 * @param family - 4, 6 or 0 (both).
 * @returns a Promise of the addresses, in the order the system gave them.
 */
export const systemNameResolver: NameResolver = async (host, family) => {
  const found = await lookup(host, { all: true, family });
  return found.map(({ address, family: f }) => ({ address, family: f }));
};

/**
 * @internal Resolve `host`, then connect with `connect`; the result follows the connection.
 * A resolution failure becomes `DNSLookupError`. Cancelling before resolution finishes fails
 * with `ConnectingCancelledError(destination)` and nothing is connected; cancelling later
 * cancels the connection attempt.
 * @param resolver - the name resolver.
 * @param host - the host name.
 * @param family - the address family wanted (0 for any).
 * @param destination - the address a cancellation names.
 * @param connect - starts connecting to the resolved addresses.
 */
export function connectAfterResolving<P>(
  resolver: NameResolver,
  host: string,
  family: 0 | 4 | 6,
  destination: IAddress,
  connect: (addresses: readonly ResolvedAddress[]) => Deferred<P>,
): Deferred<P> {
  let cancelled = false;
  let attempt: Deferred<P> | undefined;
  const result = new Deferred<P>((d) => {
    cancelled = true;
    if (attempt !== undefined) attempt.cancel();
    if (!d.called) d.errback(connectingCancelled(destination));
  });
  maybeDeferred(resolver, host, family).addCallbacks(
    (addresses: readonly ResolvedAddress[]) => {
      if (cancelled) return;
      try {
        attempt = connect(addresses);
      } catch (error) {
        result.errback(error);
        return;
      }
      attempt.addCallbacks(
        (protocol: P) => {
          if (!result.called) result.callback(protocol);
        },
        (failure) => {
          if (!result.called) result.errback(failure);
        },
      );
    },
    (failure) => {
      if (cancelled) return;
      result.errback(new DNSLookupError(`Couldn't find the hostname '${host}'`, failure.value));
    },
  );
  return result;
}
