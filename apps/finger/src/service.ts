/**
 * The whole finger app as one `MultiService`: the tutorial's final `makeService(config)`
 * (parts 10 and 11), with every front end the tutorial grew along the way.
 * @packageDocumentation
 */
import {
  ClientService,
  clientFromString,
  type EndpointReactor,
  type IAddress,
  type IProtocolFactory,
  type IReactorProcess,
  type IService,
  MultiService,
  quoteStringArgument,
  Service,
  StreamServerEndpointService,
  serverFromString,
} from "@twisted-ts/core";
import {
  FileFingerService,
  FingerFactory,
  FingerSetterFactory,
  type IFingerService,
  LocalUsersFingerService,
  MemoryFingerService,
  ProcessFingerService,
} from "@twisted-ts/finger";
import { HTTPFingerService } from "@twisted-ts/finger/http";
import { Agent, Site } from "@twisted-ts/http";
import type { IRCClientFactory } from "@twisted-ts/irc";
import { FingerUsageError } from "./errors.js";
import { type FingerBot, makeIRCBotFactory } from "./ircBot.js";
import { SetterOverlay } from "./overlay.js";
import { type FingerClientReactor, FingerProxyFactory, ProxyFingerService } from "./proxy.js";
import { FingerRPCServerFactory } from "./rpc/server.js";
import { DEFAULT_TEMPLATES, loadTemplates, UserStatusTree } from "./web.js";

/** What the app runs on: endpoints, the finger client, timers and (for `--process`) processes. */
export type FingerAppReactor = EndpointReactor & FingerClientReactor & IReactorProcess;

/**
 * The app's configuration, as `twist finger` parses it. Every front end is optional; the back
 * end is the first of `file`, `local`, `process`, `http`, else an in-memory one seeded from
 * `users`.
 */
export interface FingerConfig {
  /** A `user:status` file, re-read every `interval` seconds (tutorial part 2). */
  readonly file?: string | undefined;
  /** Seconds between reads of `file` (30). */
  readonly interval?: number | undefined;
  /** `user:status` pairs for the in-memory back end (tutorial part 1's dict). */
  readonly users?: readonly string[] | undefined;
  /** The local machine's users and their `~/.plan` (tutorial part 5, `finger19c`). */
  readonly local?: boolean | undefined;
  /** A command (`finger`) whose output for `<command> <user>` is the status (parts 1 and 5). */
  readonly process?: string | undefined;
  /**
   * Statuses fetched from the web (tutorial part 1, `finger10`): a URL where `{user}` stands
   * for the user (appended when absent).
   */
  readonly http?: string | undefined;

  /** Where finger listens ("tcp:1079"); "none" for nowhere. */
  readonly finger?: string | undefined;
  /** Where the setter listens (nowhere by default; bind it to 127.0.0.1). */
  readonly setter?: string | undefined;
  /** Where the web site listens (nowhere by default). */
  readonly web?: string | undefined;
  /** Where the same site listens over TLS ("ssl:8443" when `tlsCert` and `tlsKey` are given). */
  readonly webTls?: string | undefined;
  /** The TLS certificate (PEM file). */
  readonly tlsCert?: string | undefined;
  /** The TLS private key (PEM file). */
  readonly tlsKey?: string | undefined;
  /** A directory of web templates (`index.html`, `user.html`). */
  readonly templates?: string | undefined;
  /** Where the RPC server (PB's role) listens (nowhere by default). */
  readonly rpc?: string | undefined;
  /** The IRC server, `host[:port]` (port 6667); no bot without it. */
  readonly ircServer?: string | undefined;
  /** The bot's nick ("fingerbot"). */
  readonly ircNick?: string | undefined;
  /** Channels the bot joins (none). */
  readonly ircChannels?: readonly string[] | undefined;
  /** Where the finger proxy listens (nowhere by default; the tutorial's is tcp:7779). */
  readonly proxy?: string | undefined;
  /** The port the proxy fingers remote hosts on (79). */
  readonly proxyPort?: number | undefined;
}

/** The names of the app's child services. */
export type FingerAppServiceName =
  | "backend"
  | "finger"
  | "setter"
  | "web"
  | "web-tls"
  | "rpc"
  | "irc"
  | "proxy";

/**
 * Parse `host[:port]` (port 6667 when absent); `[v6]:port` for IPv6.
 * @param text - the server.
 * @returns the host and port.
 * @throws FingerUsageError for a bad port.
 */
export function parseIRCServer(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text.trim());
  if (match === null) throw new FingerUsageError(`bad IRC server ${JSON.stringify(text)}`);
  const host = (match[1] ?? match[2]) as string;
  const port = match[3] === undefined ? 6667 : Number(match[3]);
  if (!(port > 0 && port < 65536)) throw new FingerUsageError(`bad IRC port in ${text}`);
  return { host, port };
}

/** Split `user:status` (the users file's format). */
function userPair(text: string): [string, string] {
  const at = text.indexOf(":");
  if (at <= 0) throw new FingerUsageError(`--user wants user:status, not ${JSON.stringify(text)}`);
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

/**
 * The app: one finger service (a back end under a {@link SetterOverlay}) and a listening or
 * connecting service per front end, each a named child.
 */
export class FingerApp extends MultiService {
  /** The back end. */
  readonly backend: IFingerService;
  /** The service every front end uses: the back end, with what the setter set on top. */
  readonly service: SetterOverlay;
  /** The web site, served on `web` and `webTls`, when there is one. */
  site: Site | undefined = undefined;
  /** The IRC bot's factory, when there is one. */
  ircFactory: IRCClientFactory<FingerBot> | undefined = undefined;

  /** @param backend - the back end. */
  constructor(backend: IFingerService) {
    super();
    this.backend = backend;
    this.service = new SetterOverlay(backend);
  }

  /**
   * Where a listening front end listens, once it does.
   * @param name - the front end.
   * @returns its address, or undefined when it is absent or not listening yet.
   */
  address(name: FingerAppServiceName): IAddress | undefined {
    let service: IService;
    try {
      service = this.getServiceNamed(name);
    } catch {
      return undefined;
    }
    if (!(service instanceof StreamServerEndpointService)) return undefined;
    return service.listeningPort?.getHost();
  }

  /**
   * The TCP port a listening front end has (useful with `tcp:0`).
   * @param name - the front end.
   * @returns the port, or undefined.
   */
  port(name: FingerAppServiceName): number | undefined {
    const address = this.address(name) as { port?: unknown } | undefined;
    return typeof address?.port === "number" ? address.port : undefined;
  }

  /** Add a named child. */
  add(name: FingerAppServiceName, service: IService & { setName(name: string): void }): void {
    service.setName(name);
    service.setServiceParent(this);
  }
}

function backendFor(config: FingerConfig, reactor: FingerAppReactor): IFingerService {
  const chosen = [
    config.file !== undefined && "--file",
    config.local === true && "--local",
    config.process !== undefined && "--process",
    config.http !== undefined && "--http",
  ].filter((name): name is string => name !== false);
  if (chosen.length > 1) throw new FingerUsageError(`choose one back end: ${chosen.join(", ")}`);
  if ((config.users?.length ?? 0) > 0 && chosen.length > 0) {
    throw new FingerUsageError("--user seeds the in-memory back end: not with another back end");
  }
  if (config.file !== undefined) {
    return new FileFingerService(config.file, { clock: reactor, interval: config.interval ?? 30 });
  }
  if (config.local === true) return new LocalUsersFingerService();
  if (config.process !== undefined) return new ProcessFingerService(config.process, { reactor });
  if (config.http !== undefined) return new HTTPFingerService(config.http, new Agent(reactor));
  return new MemoryFingerService(Object.fromEntries((config.users ?? []).map(userPair)));
}

/**
 * Make the app's service from its configuration: Twisted's `finger.makeService(config)`.
 * Nothing listens or connects until `startService()`.
 * @param config - the configuration.
 * @param reactor - the reactor.
 * @returns the app.
 * @throws FingerUsageError for options that do not go together, or a bad endpoint description.
 */
export function makeService(config: FingerConfig, reactor: FingerAppReactor): FingerApp {
  const backend = backendFor(config, reactor);
  const app = new FingerApp(backend);
  if (backend instanceof Service) app.add("backend", backend);
  const listen = (
    name: FingerAppServiceName,
    description: string,
    factory: IProtocolFactory,
  ): void => {
    let endpoint: ReturnType<typeof serverFromString>;
    try {
      endpoint = serverFromString(reactor, description);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new FingerUsageError(`--${name} ${description}: ${why}`);
    }
    app.add(name, new StreamServerEndpointService(endpoint, factory));
  };

  const fingerAt = config.finger ?? "tcp:1079";
  if (fingerAt !== "none")
    listen("finger", fingerAt, new FingerFactory(app.service, { clock: reactor }));
  if (config.setter !== undefined)
    listen("setter", config.setter, new FingerSetterFactory(app.service));

  const templates =
    config.templates === undefined ? DEFAULT_TEMPLATES : loadTemplates(config.templates);
  const wantsTls = config.tlsCert !== undefined || config.tlsKey !== undefined;
  if (wantsTls && (config.tlsCert === undefined || config.tlsKey === undefined)) {
    throw new FingerUsageError("--tls-cert and --tls-key go together");
  }
  if (config.webTls !== undefined && !wantsTls) {
    throw new FingerUsageError("--web-tls needs --tls-cert and --tls-key");
  }
  if (config.web !== undefined || wantsTls) {
    app.site = new Site(new UserStatusTree(app.service, templates), { clock: reactor });
  }
  if (config.web !== undefined && app.site !== undefined) listen("web", config.web, app.site);
  if (wantsTls && app.site !== undefined) {
    const where = config.webTls ?? "ssl:8443";
    const keys = `certKey=${quoteStringArgument(config.tlsCert as string)}:privateKey=${quoteStringArgument(config.tlsKey as string)}`;
    listen("web-tls", `${where}:${keys}`, app.site);
  }

  if (config.rpc !== undefined) listen("rpc", config.rpc, new FingerRPCServerFactory(app.service));

  if (config.ircServer !== undefined) {
    const { host, port } = parseIRCServer(config.ircServer);
    const factory = makeIRCBotFactory(app.service, {
      nickname: config.ircNick ?? "fingerbot",
      clock: reactor,
      channels: config.ircChannels,
    });
    app.ircFactory = factory;
    const endpoint = clientFromString(
      reactor,
      `tcp:host=${quoteStringArgument(host)}:port=${port}`,
    );
    app.add("irc", new ClientService(endpoint, factory, { clock: reactor }));
  } else if (config.ircNick !== undefined || (config.ircChannels?.length ?? 0) > 0) {
    throw new FingerUsageError("--irc-nick and --irc-channel need --irc-server");
  }

  if (config.proxy !== undefined) {
    const proxy = new ProxyFingerService(reactor, { port: config.proxyPort });
    listen("proxy", config.proxy, new FingerProxyFactory(proxy, { clock: reactor }));
  }
  return app;
}
