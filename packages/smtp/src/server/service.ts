/**
 * `MailService`: an ESMTP server with Maildir delivery on one or more endpoints, started and
 * stopped as one service (what `twist mail` makes).
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import {
  Deferred,
  type EndpointReactor,
  type IListeningPort,
  type IStreamServerEndpoint,
  Service,
  serverFromString,
  succeed,
  type TLSOptions,
} from "@twisted-ts/core";
import { AllowAnonymousAccess, InMemoryUsernamePasswordDatabaseDontUse } from "../cred/checkers.js";
import { Portal } from "../cred/portal.js";
import { ESMTPFactory, type SMTPLimits } from "./factory.js";
import { MaildirDelivery, MaildirRealm } from "./maildir.js";

/** What a {@link MailService} takes. */
export interface MailServiceOptions extends SMTPLimits {
  /** Endpoint descriptions to listen on ("tcp:2525"). */
  readonly listen: readonly string[];
  /** The Maildir root: `root/<domain>/<user>/new/…`. */
  readonly maildir: string;
  /** The local domains. */
  readonly domains: readonly string[];
  /** Users and passwords: they may log in (AUTH), and they are the local mailboxes. */
  readonly users?: Readonly<Record<string, string>>;
  /** A PEM certificate and key file for STARTTLS. */
  readonly tlsCert?: string;
  /** The PEM key file for STARTTLS. */
  readonly tlsKey?: string;
  /** Let logged-in users relay (into `maildir/.relay`). */
  readonly relay?: boolean;
  /** Allow AUTH without TLS. */
  readonly allowInsecureAuth?: boolean;
  /** The host name in the greeting; the first domain by default. */
  readonly hostname?: string;
  /** fsync (true). */
  readonly fsync?: boolean;
}

/**
 * An ESMTP server delivering into Maildirs, on every endpoint of a list. Senders log in
 * anonymously (no relaying) or with AUTH as one of `users` (relaying when `relay`); STARTTLS is
 * offered when a certificate is given, and AUTH only over TLS unless `allowInsecureAuth`.
 */
export class MailService extends Service {
  /** The listening ports, once started. */
  readonly ports: IListeningPort[] = [];
  /** The factory serving the endpoints. */
  readonly factory: ESMTPFactory;
  private readonly endpoints: readonly IStreamServerEndpoint[];

  /**
   * @param reactor - the reactor (endpoints and time).
   * @param options - see {@link MailServiceOptions}.
   * @throws Error for no endpoint, no domain, or unreadable TLS files.
   */
  constructor(
    readonly reactor: EndpointReactor,
    readonly options: MailServiceOptions,
  ) {
    super();
    this.name = "mail";
    if (options.listen.length === 0) throw new Error("nothing to listen on: give a --listen");
    if (options.domains.length === 0) throw new Error("no local domain: give a --domain");
    const users = options.users ?? {};
    const names = Object.keys(users);
    const delivery = new MaildirDelivery({
      root: options.maildir,
      domains: options.domains,
      users: names.length > 0 ? names : null,
      relay: options.relay ?? false,
      host: options.hostname ?? options.domains[0] ?? "localhost",
      fsync: options.fsync ?? true,
    });
    const portal = new Portal(new MaildirRealm(delivery), [
      new AllowAnonymousAccess(),
      new InMemoryUsernamePasswordDatabaseDontUse(users),
    ]);
    let contextFactory: TLSOptions | null = null;
    if (options.tlsCert !== undefined || options.tlsKey !== undefined) {
      if (options.tlsCert === undefined || options.tlsKey === undefined) {
        throw new Error("give both --tls-cert and --tls-key");
      }
      contextFactory = {
        cert: readFileSync(options.tlsCert, "utf8"),
        key: readFileSync(options.tlsKey, "utf8"),
      };
    }
    const {
      listen: _l,
      maildir: _m,
      domains: _d,
      users: _u,
      tlsCert: _c,
      tlsKey: _k,
      relay: _r,
      allowInsecureAuth,
      hostname,
      fsync: _f,
      ...limits
    } = options;
    this.factory = new ESMTPFactory(portal, {
      ...limits,
      clock: reactor,
      domain: hostname ?? options.domains[0] ?? "localhost",
      contextFactory,
      allowInsecureAuth: allowInsecureAuth ?? false,
    });
    this.endpoints = options.listen.map((d) => serverFromString(reactor, d));
  }

  /**
   * Listen on every endpoint.
   * @returns a Deferred that fires once all listen, or fails with the first error (after
   *   closing the ports already open).
   */
  override startService(): Deferred<void> {
    if (this.running) return succeed(undefined);
    super.startService();
    return Deferred.fromPromise(this.start());
  }

  /**
   * Stop listening.
   * @returns a Deferred that fires once every port is closed.
   */
  override stopService(): Deferred<void> {
    super.stopService();
    return Deferred.fromPromise(this.closePorts());
  }

  private async start(): Promise<void> {
    try {
      for (const endpoint of this.endpoints) this.ports.push(await endpoint.listen(this.factory));
    } catch (error) {
      this.running = false;
      await this.closePorts();
      throw error;
    }
  }

  private async closePorts(): Promise<void> {
    const ports = this.ports.splice(0);
    await Promise.all(ports.map((port) => port.stopListening()));
  }
}
