/**
 * `Agent`: makes HTTP/1.1 requests over TCP or TLS (Twisted's `client.Agent`).
 * @packageDocumentation
 */
import { isIP } from "node:net";
import {
  ClientFactory,
  ConnectingCancelledError,
  Deferred,
  Failure,
  type IAddress,
  type IConnector,
  type IReactorSSL,
  type IReactorTCP,
  type IReactorTime,
  type TLSOptions,
} from "@twisted-ts/core";
import { InvalidURI, SchemeNotSupported } from "../errors.js";
import { Headers } from "../headers.js";
import type { IAgent, IBodyProducer, IResponse, RequestOptions } from "./iweb.js";
import { HTTPConnectionPool } from "./pool.js";
import { type ClientProtocolLimits, HTTP11ClientProtocol } from "./protocol.js";
import { ClientRequest } from "./request.js";

/** What an Agent needs from its reactor: TCP and TLS connections, and a clock for the pool. */
export type AgentReactor = IReactorTCP & IReactorSSL & Pick<IReactorTime, "callLater">;

/** TLS settings for `https:`: Node's options, or a policy that picks them per host and port. */
export type TLSPolicy = TLSOptions | ((host: string, port: number) => TLSOptions);

/** Options of {@link Agent}. */
export interface AgentOptions extends ClientProtocolLimits {
  /** The connection pool; by default a non-persistent one (as Twisted's). */
  pool?: HTTPConnectionPool;
  /** How long to wait for a connection, in seconds. 30 by default (the reactor's). */
  connectTimeout?: number;
  /** The local address to connect from: `[host, port]`. */
  bindAddress?: readonly [string, number];
  /**
   * TLS for `https:`. Node's defaults verify the certificate against the system's CAs and the
   * host name (Twisted's `BrowserLikePolicyForHTTPS`); `servername` is set from the URI's host.
   */
  tls?: TLSPolicy;
}

/** A URI split the way the Agent uses it. */
export interface ParsedURI {
  /** `http` or `https`. */
  readonly scheme: string;
  /** The host, without IPv6 brackets. */
  readonly host: string;
  /** The port (the scheme's default when absent). */
  readonly port: number;
  /** The request target: path and query. */
  readonly path: string;
  /** The URI as given. */
  readonly uri: string;
}

/**
 * Split an absolute URI.
 * @param uri - the URI.
 * @returns its parts.
 * @throws InvalidURI when it cannot be parsed; SchemeNotSupported for a scheme other than
 *   `http` and `https`.
 */
export function parseURI(uri: string): ParsedURI {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidURI(`invalid URI: ${uri}`);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw new SchemeNotSupported(`unsupported scheme: ${scheme}`);
  }
  if (url.hostname === "") throw new InvalidURI(`no host in URI: ${uri}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
  return { scheme, host, port, path: `${url.pathname || "/"}${url.search}`, uri };
}

/**
 * The value of the Host header: the port only when not the scheme's default, brackets around an
 * IPv6 address. Twisted's `Agent._computeHostValue`.
 * @param scheme - `http` or `https`.
 * @param host - the host.
 * @param port - the port.
 */
export function computeHostValue(scheme: string, host: string, port: number): string {
  const name = isIP(host) === 6 ? `[${host}]` : host;
  if ((scheme === "http" && port === 80) || (scheme === "https" && port === 443)) return name;
  return `${name}:${port}`;
}

/**
 * The pool key of a URI: `scheme://host:port` (brackets around IPv6).
 * @param parsed - the URI's parts.
 */
export function poolKey(parsed: ParsedURI): string {
  const host = isIP(parsed.host) === 6 ? `[${parsed.host}]` : parsed.host;
  return `${parsed.scheme}://${host}:${parsed.port}`;
}

/** A factory that builds one client protocol and reports when it is connected. */
class HTTP11ClientFactory extends ClientFactory<HTTP11ClientProtocol> {
  readonly connected: Deferred<HTTP11ClientProtocol>;
  connector: IConnector | undefined;

  constructor(
    private readonly quiescentCallback: (protocol: HTTP11ClientProtocol) => void,
    private readonly limits: ClientProtocolLimits,
  ) {
    super();
    this.connected = new Deferred<HTTP11ClientProtocol>(() => {
      this.connector?.stopConnecting();
      this.connected.errback(new ConnectingCancelledError());
    });
  }

  override buildProtocol(_addr: IAddress): HTTP11ClientProtocol {
    const protocol = new HTTP11ClientProtocol(this.quiescentCallback, this.limits);
    const connectionMade = protocol.connectionMade.bind(protocol);
    protocol.connectionMade = () => {
      connectionMade();
      if (!this.connected.called) this.connected.callback(protocol);
      else protocol.transport?.loseConnection();
    };
    return protocol;
  }

  override startedConnecting(connector: IConnector): void {
    this.connector = connector;
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.connected.called) this.connected.errback(reason);
  }
}

/**
 * Makes HTTP/1.1 requests: Twisted's `client.Agent`. `request` connects (or takes a pooled
 * connection), writes the request with a Host header (the port only when not the default,
 * brackets for IPv6) unless one is given, and returns a Deferred that fires with the
 * {@link IResponse} once the headers have arrived. Read the body with `readBody` or
 * `response.deliverBody`.
 *
 * Cancelling the Deferred (or aborting `options.signal`) stops connecting or aborts the
 * connection. A scheme other than http or https fails with `SchemeNotSupported`.
 *
 * ```ts
 * const agent = new Agent(reactor);
 * const response = await agent.request("GET", "http://example.com/");
 * const body = await readBody(response);
 * ```
 *
 * Differences from Twisted: TLS takes Node's `tls` options (or a function of host and port)
 * instead of a context factory; an `AbortSignal` may be given; `maxBodySize`, `maxHeaderBytes`
 * and `maxHeaders` limit what a server may send.
 */
export class Agent implements IAgent {
  /** The connection pool. */
  readonly pool: HTTPConnectionPool;

  /**
   * @param reactor - the reactor to connect with.
   * @param options - pool, timeouts, TLS and limits.
   */
  constructor(
    private readonly reactor: AgentReactor,
    private readonly options: AgentOptions = {},
  ) {
    this.pool = options.pool ?? new HTTPConnectionPool(reactor, false);
  }

  /**
   * Make a request.
   * @param method - the method, e.g. `"GET"`.
   * @param uri - an absolute `http:` or `https:` URI.
   * @param headers - request headers (copied; Host is added when absent).
   * @param bodyProducer - the request body, if any.
   * @param options - an AbortSignal.
   * @returns a Deferred of the response.
   */
  request(
    method: string,
    uri: string,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
    options: RequestOptions = {},
  ): Deferred<IResponse> {
    let parsed: ParsedURI;
    try {
      parsed = parseURI(uri);
    } catch (error) {
      const d = new Deferred<IResponse>();
      d.errback(error);
      return d;
    }
    const sent = headers === undefined ? new Headers() : headers.copy();
    if (!sent.hasHeader("host")) {
      sent.addRawHeader("Host", computeHostValue(parsed.scheme, parsed.host, parsed.port));
    }
    const request = new ClientRequest(
      method,
      parsed.path,
      sent,
      bodyProducer,
      this.pool.persistent,
      uri,
    );
    const key = poolKey(parsed);
    const d = this.pool
      .getConnection(key, (quiescent) => this.connect(parsed, quiescent))
      .addCallback((connection) => connection.request(request)) as Deferred<IResponse>;
    if (options.signal !== undefined) d.cancelOnAbort(options.signal);
    return d;
  }

  private connect(
    parsed: ParsedURI,
    quiescentCallback: (protocol: HTTP11ClientProtocol) => void,
  ): Deferred<HTTP11ClientProtocol> {
    const factory = new HTTP11ClientFactory(quiescentCallback, this.options);
    const connectOptions = {
      ...(this.options.connectTimeout === undefined
        ? {}
        : { timeout: this.options.connectTimeout }),
      ...(this.options.bindAddress === undefined ? {} : { bindAddress: this.options.bindAddress }),
    };
    try {
      if (parsed.scheme === "https") {
        const policy = this.options.tls;
        const chosen = typeof policy === "function" ? policy(parsed.host, parsed.port) : policy;
        const tlsOptions: TLSOptions = {
          ...(isIP(parsed.host) === 0 ? { servername: parsed.host } : {}),
          ...chosen,
        };
        factory.connector = this.reactor.connectSSL(
          parsed.host,
          parsed.port,
          factory,
          tlsOptions,
          connectOptions,
        );
      } else {
        factory.connector = this.reactor.connectTCP(
          parsed.host,
          parsed.port,
          factory,
          connectOptions,
        );
      }
    } catch (error) {
      if (!factory.connected.called) factory.connected.errback(new Failure(error));
    }
    return factory.connected;
  }
}
