/**
 * The endpoint interfaces: Twisted's `IStreamServerEndpoint`, `IStreamClientEndpoint` and the
 * string-parser plugin interfaces behind `serverFromString` and `clientFromString`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import type { Deferred } from "../defer/deferred.js";
import type { IListeningPort, IProtocol, IProtocolFactory } from "../interfaces/protocol.js";
import type { IReactorSSL, IReactorTCP, IReactorUNIX } from "../interfaces/reactor.js";
import type { IReactorTime } from "../interfaces/time.js";

/**
 * A protocol factory whose `buildProtocol` makes protocols of type `P`. Every
 * `IProtocolFactory` is one (with `P` = `IProtocol`); a `Factory<Echo>` is a
 * `TypedProtocolFactory<Echo>`, so `endpoint.connect(factory)` is a `Deferred<Echo>`.
 * @typeParam P - the protocol type the factory builds.
 */
export interface TypedProtocolFactory<P extends IProtocol = IProtocol> extends IProtocolFactory {
  /**
   * A new protocol for a connection to `addr`, or null to refuse it.
   * @param addr - the peer's address.
   */
  buildProtocol(addr: IAddress): P | null;
}

/**
 * Somewhere a server can listen for stream connections: a TCP port, a TLS port, a Unix socket.
 * Code that serves takes an endpoint instead of calling `listenTCP` itself, so the same code
 * serves on any transport the user describes (often with `serverFromString`). Twisted's
 * `IStreamServerEndpoint`.
 */
export interface IStreamServerEndpoint {
  /**
   * Start listening; `factory` builds a protocol for each accepted connection.
   * @param factory - the protocol factory.
   * @returns a Deferred that fires with the listening port, or fails (typically with
   *   `CannotListenError`); it never throws.
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort>;
}

/**
 * Somewhere a client can connect a stream to: a TCP host and port, a host name tried over every
 * address it resolves to, a TLS server, a Unix socket. Twisted's `IStreamClientEndpoint`.
 */
export interface IStreamClientEndpoint {
  /**
   * Connect, using a protocol built by `factory`.
   * @param factory - the protocol factory; `buildProtocol` is called once the connection is up.
   * @returns a Deferred that fires with the protocol once its `connectionMade` has run, or fails
   *   with why the connection could not be made (`ConnectionRefusedError`, `TimeoutError`,
   *   `DNSLookupError`, `NoProtocol`, …). Cancelling it before it fires stops the attempt and
   *   fails it with `ConnectingCancelledError`. It never throws.
   */
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P>;
}

/**
 * The reactor that `serverFromString`, `clientFromString` and their parsers build endpoints
 * with: TCP, TLS, Unix sockets and time (for `HostnameEndpoint`). The global `reactor` is one.
 */
export type EndpointReactor = IReactorTCP & IReactorSSL & IReactorUNIX & IReactorTime;

/**
 * The keyword arguments of an endpoint description: `name=value` fields, in a prototype-less
 * object (a field named `__proto__` is an ordinary key).
 */
export type EndpointKeywords = Record<string, string>;

/**
 * A parser for one type of server endpoint description (`"<prefix>:…"`), as added with
 * `registerServerEndpointParser`: Twisted's `IStreamServerEndpointStringParser` plugin.
 */
export interface IStreamServerEndpointStringParser {
  /** The endpoint type it parses; matched against the description's type ignoring case. */
  readonly prefix: string;
  /**
   * Make an endpoint from a parsed description.
   * @param reactor - the reactor given to `serverFromString`.
   * @param args - the positional fields after the type.
   * @param kwargs - the `name=value` fields.
   * @returns the endpoint.
   * @throws whatever fits a bad description: `EndpointValueError` for a bad value, `TypeError`
   *   for a missing or unexpected argument.
   */
  parseStreamServer(
    reactor: EndpointReactor,
    args: readonly string[],
    kwargs: Readonly<EndpointKeywords>,
  ): IStreamServerEndpoint;
}

/**
 * A parser for one type of client endpoint description, as added with
 * `registerClientEndpointParser`: Twisted's `IStreamClientEndpointStringParserWithReactor`.
 */
export interface IStreamClientEndpointStringParserWithReactor {
  /** The endpoint type it parses; matched against the description's type ignoring case. */
  readonly prefix: string;
  /**
   * Make an endpoint from a parsed description.
   * @param reactor - the reactor given to `clientFromString`.
   * @param args - the positional fields after the type.
   * @param kwargs - the `name=value` fields.
   * @returns the endpoint.
   * @throws as `IStreamServerEndpointStringParser.parseStreamServer`.
   */
  parseStreamClient(
    reactor: EndpointReactor,
    args: readonly string[],
    kwargs: Readonly<EndpointKeywords>,
  ): IStreamClientEndpoint;
}
