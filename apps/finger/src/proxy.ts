/**
 * The finger proxy (tutorial part 9, `fingerproxy.tac`): a finger service whose users live on
 * other finger servers, reached with the finger client.
 * @packageDocumentation
 */
import { type Deferred, type Failure, succeed } from "@twisted-ts/core";
import {
  FingerFactory,
  type FingerFactoryOptions,
  FingerProtocol,
  finger,
  type IFingerService,
} from "@twisted-ts/finger";

/** The reactor the finger client needs. */
export type FingerClientReactor = Parameters<typeof finger>[0];

/** How a {@link ProxyFingerService} reaches other servers. */
export interface ProxyFingerOptions {
  /** The port of the servers asked (79, finger's). */
  readonly port?: number | undefined;
  /** The host asked for a user given without `@host` ("127.0.0.1", as in the tutorial). */
  readonly defaultHost?: string | undefined;
}

/** What the proxy answers when the remote host cannot be asked. */
export const COULD_NOT_CONNECT = "Could not connect to remote host";

/**
 * A finger service that asks other finger servers: `getUser("joe@example.org")` fingers joe at
 * example.org (the text after the last `@` is the host, so `joe@a@b` asks b for `joe@a`, as RFC
 * 1288 forwards); a user without a host is asked of `defaultHost`. Its user list is empty. Any
 * failure answers "Could not connect to remote host", as the tutorial's does.
 */
export class ProxyFingerService implements IFingerService {
  /** The remote servers' port. */
  readonly port: number;
  /** The host for users without one. */
  readonly defaultHost: string;

  /**
   * @param reactor - the reactor the client connects with.
   * @param options - the remote port and the default host.
   */
  constructor(
    readonly reactor: FingerClientReactor,
    options: ProxyFingerOptions = {},
  ) {
    this.port = options.port ?? 79;
    this.defaultHost = options.defaultHost ?? "127.0.0.1";
  }

  /**
   * Finger a user elsewhere.
   * @param query - `user@host`, or a user of `defaultHost`.
   * @param long - ask for the long form (`/W`).
   * @returns the remote answer.
   */
  forward(query: string, long = false): Deferred<string> {
    const at = query.lastIndexOf("@");
    const user = at < 0 ? query.trim() : query.slice(0, at);
    const host = at < 0 ? this.defaultHost : query.slice(at + 1);
    return finger(this.reactor, user, host, { port: this.port, long }).addErrback(
      (_failure: Failure) => `${COULD_NOT_CONNECT}\r\n`,
    );
  }

  /** `forward(user)`. */
  getUser(user: string): Deferred<string> {
    return this.forward(user);
  }

  /** The proxy knows no users of its own. */
  getUsers(): Deferred<string[]> {
    return succeed([]);
  }
}

/**
 * A finger connection of the proxy: a forwarding query (`joe@host`, refused by a plain finger
 * server) is forwarded, `/W` included; any other query goes to the service as usual.
 */
export class ProxyFingerProtocol extends FingerProtocol {
  /** Forward the query and answer with what the remote server said. */
  override forwardQuery(slashW: boolean, user: string, host: string): void {
    const service = this.factory?.service;
    if (!(service instanceof ProxyFingerService)) {
      super.forwardQuery(slashW, user, host);
      return;
    }
    service.forward(`${user}@${host}`, slashW).addCallback((answer: string) => this.finish(answer));
  }
}

/**
 * The proxy's server side: a `FingerFactory` over a {@link ProxyFingerService} whose
 * connections forward. Listen on the tutorial's 7779:
 *
 * ```ts
 * strportsService("tcp:7779", new FingerProxyFactory(new ProxyFingerService(reactor)), reactor);
 * ```
 */
export class FingerProxyFactory extends FingerFactory {
  /** Its connections forward. */
  override protocol = ProxyFingerProtocol;

  /**
   * @param service - the proxy service.
   * @param options - the finger factory's options.
   */
  constructor(service: ProxyFingerService, options: FingerFactoryOptions = {}) {
    super(service, options);
  }
}
