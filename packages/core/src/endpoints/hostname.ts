/**
 * `HostnameEndpoint`: connect to a host name over whichever of its addresses answers first.
 * @packageDocumentation
 */
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { HostnameAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import { fail } from "../defer/helpers.js";
import { DNSLookupError } from "../errors.js";
import type { IProtocol } from "../interfaces/protocol.js";
import type { IReactorTCP } from "../interfaces/reactor.js";
import type { IReactorTime } from "../interfaces/time.js";
import { raceConnectionAttempts } from "./attempts.js";
import { EndpointValueError } from "./errors.js";
import type { IStreamClientEndpoint, TypedProtocolFactory } from "./interfaces.js";
import { connectAfterResolving, type NameResolver, systemNameResolver } from "./resolver.js";
import { type BindAddress, bindPair, TCP4ClientEndpoint, TCP6ClientEndpoint } from "./tcp.js";

/**
 * Connects to a host name: resolves it to all its IPv4 and IPv6 addresses, then tries them in
 * the resolver's order, starting a new attempt every `attemptDelay` seconds while earlier ones
 * are still pending ("Happy Eyeballs"). The first connection wins and the other attempts are
 * cancelled. Use it rather than `TCP4ClientEndpoint` for any name that may have several
 * addresses (including "localhost", often both `::1` and `127.0.0.1`). Twisted's
 * `HostnameEndpoint`.
 *
 * `connect` fails with `DNSLookupError` when the name does not resolve or resolves to no
 * address, with the last attempt's failure when every address fails, with
 * `ConnectingCancelledError` (whose `address` is a `HostnameAddress`) when cancelled, and with
 * `EndpointValueError` for a host name that cannot be encoded (IDNA).
 *
 * Differences from Twisted:
 * - When an attempt fails and addresses remain, the next attempt starts at once, as RFC 8305
 *   asks; Twisted waits for the next `attemptDelay` tick. Likewise the last failure is reported
 *   as soon as every attempt has failed.
 * - Names are resolved with `nameResolver` (the system resolver by default), not the reactor's
 *   `nameResolver`; set the property to resolve differently (tests use a synchronous one).
 * - Cancelling during resolution fails with `ConnectingCancelledError`; Twisted reports
 *   `DNSLookupError`.
 */
export class HostnameEndpoint implements IStreamClientEndpoint {
  /** The default seconds between attempts: 0.3, as in Twisted. */
  static readonly DEFAULT_ATTEMPT_DELAY = 0.3;
  /** Resolves the host name; replace it to resolve differently. */
  nameResolver: NameResolver = systemNameResolver;
  /** The local address to bind, as `[host, port]`, or undefined. */
  readonly bindAddress: readonly [string, number] | undefined;
  /** Seconds between the starts of successive attempts. */
  readonly attemptDelay: number;
  /** The host name as resolved: IDNA-encoded (ASCII), or the numeric address as given. */
  readonly hostText: string;
  private readonly badHostname: boolean;

  /**
   * @param reactor - the reactor: `connectTCP` for the attempts, `callLater` for the timing.
   * @param host - the host name (Unicode names are IDNA-encoded) or a numeric address.
   * @param port - the port.
   * @param timeout - seconds each attempt waits before failing with `TimeoutError`.
   * @param bindAddress - a local address to bind first.
   * @param attemptDelay - seconds between attempts; 0.3 by default.
   */
  constructor(
    readonly reactor: IReactorTCP & IReactorTime,
    readonly host: string,
    readonly port: number,
    readonly timeout = 30,
    bindAddress?: BindAddress,
    attemptDelay?: number,
  ) {
    this.bindAddress = bindPair(bindAddress);
    this.attemptDelay = attemptDelay ?? HostnameEndpoint.DEFAULT_ATTEMPT_DELAY;
    const normalized = host.normalize("NFC");
    const ascii = isIP(normalized) !== 0 ? normalized : domainToASCII(normalized);
    this.badHostname = ascii === "";
    this.hostText = this.badHostname ? normalized : ascii;
  }

  /**
   * Connect with `factory` to the first address that answers.
   * @param factory - builds the protocol once connected (once, for the winning connection).
   * @returns a Deferred that fires with the protocol, or fails as the class describes.
   */
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    if (this.badHostname) {
      return fail(new EndpointValueError(`invalid hostname: ${this.host}`));
    }
    const destination = new HostnameAddress(this.hostText, this.port);
    return connectAfterResolving(this.nameResolver, this.hostText, 0, destination, (addresses) => {
      const endpoints: IStreamClientEndpoint[] = [];
      for (const { address, family } of addresses) {
        if (family === 6) endpoints.push(this.endpointFor(TCP6ClientEndpoint, address));
        else if (family === 4) endpoints.push(this.endpointFor(TCP4ClientEndpoint, address));
      }
      if (endpoints.length === 0) {
        throw new DNSLookupError(`no results for hostname lookup: ${this.hostText}`);
      }
      return raceConnectionAttempts(
        this.reactor,
        endpoints,
        factory,
        this.attemptDelay,
        destination,
      );
    });
  }

  private endpointFor(kind: typeof TCP4ClientEndpoint, address: string): IStreamClientEndpoint {
    return new kind(this.reactor, address, this.port, this.timeout, this.bindAddress);
  }

  /** `<HostnameEndpoint example.com:80>`, with brackets around an IPv6 address. */
  toString(): string {
    const host = isIP(this.hostText) === 6 ? `[${this.hostText}]` : this.hostText;
    return `<HostnameEndpoint ${host}:${this.port}>`;
  }
}
