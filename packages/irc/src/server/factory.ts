/**
 * `IRCServerFactory`: the factory of the embedded IRC server, and its options.
 * @packageDocumentation
 */
import { Factory, getDefaultClock, type IReactorTime } from "@twisted-ts/core";
import { IRCUser } from "./ircUser.js";
import { ChatService } from "./service.js";

/** Options of `new IRCServerFactory(...)`. Times are in seconds. */
export interface IRCServerOptions {
  /** The server's name, the prefix of its replies; default `"irc.twisted-ts.local"`. */
  serverName?: string;
  /** The network's name, for 001 and ISUPPORT `NETWORK`; default `"twisted-ts"`. */
  networkName?: string;
  /** The message of the day, one string a line; without it, 422 (no MOTD). */
  motd?: readonly string[];
  /** The connection password: when set, clients must send a matching PASS (464 otherwise). */
  password?: string;
  /** The most connections at once; beyond it, `ERROR :Too many connections`. Default 1000. */
  maxConnections?: number;
  /** The most channels a user may be on (405 beyond it); default 20. */
  maxChannelsPerUser?: number;
  /** The longest nick, in characters; default 30. */
  nickLength?: number;
  /** The longest topic, in characters (longer ones are cut); default 390. */
  topicLength?: number;
  /** The longest channel name, in characters; default 50. */
  channelLength?: number;
  /** The most targets of one PRIVMSG or NOTICE (407 beyond it); default 4. */
  maxTargets?: number;
  /** Seconds of silence before the server PINGs a client; default 120; 0 disables pings. */
  pingInterval?: number;
  /** Seconds to wait for any traffic after that PING before dropping the client; default 60. */
  pingTimeout?: number;
  /** The clock for pings and timestamps; default the global reactor. Tests pass a `Clock`. */
  clock?: IReactorTime;
  /** The users and channels; default a new, empty {@link ChatService}. */
  service?: ChatService;
}

/**
 * The factory of the embedded IRC server: each connection gets an {@link IRCUser}, and all of
 * them share one {@link ChatService} (`factory.service`) that holds the users and channels. A
 * small, dependency-free server for demos, quick-starts and tests, in the spirit of Twisted
 * words' `IRCFactory` over an `InMemoryWordsRealm`.
 *
 * ```ts
 * const factory = new IRCServerFactory({ motd: ["Welcome!"], clock: reactor });
 * reactor.listenTCP(6667, factory);
 * ```
 *
 * Over `maxConnections`, a new connection is told `ERROR :Too many connections` and dropped.
 *
 * Differences from Twisted: no `twisted.cred` portal (a single optional server `password`);
 * the options are an object; limits and pings are built in.
 */
export class IRCServerFactory extends Factory<IRCUser> {
  /** The protocol class: {@link IRCUser}. */
  override protocol: typeof IRCUser = IRCUser;
  /** The server's name. */
  readonly serverName: string;
  /** The network's name. */
  readonly networkName: string;
  /** The message of the day, or `undefined` for none. */
  readonly motd: readonly string[] | undefined;
  /** The connection password, or `undefined` for none. */
  readonly password: string | undefined;
  /** The most connections at once. */
  readonly maxConnections: number;
  /** The most channels a user may be on. */
  readonly maxChannelsPerUser: number;
  /** The longest nick, in characters. */
  readonly nickLength: number;
  /** The longest topic, in characters. */
  readonly topicLength: number;
  /** The longest channel name, in characters. */
  readonly channelLength: number;
  /** The most targets of one PRIVMSG or NOTICE. */
  readonly maxTargets: number;
  /** Seconds of silence before a PING; 0 for none. */
  readonly pingInterval: number;
  /** Seconds to wait for traffic after a PING. */
  readonly pingTimeout: number;
  /** The clock for pings and timestamps. */
  readonly clock: IReactorTime;
  /** The users and channels. */
  readonly service: ChatService;
  /** The open connections (registered or not). */
  readonly connections = new Set<IRCUser>();
  /** When the factory was made, for 003. */
  readonly createdAt: Date = new Date();
  /** The server software's version, for 002 and 004. */
  readonly version: string = "twisted-ts-irc-0.1.0";

  /** @param options - see {@link IRCServerOptions}. */
  constructor(options: IRCServerOptions = {}) {
    super();
    this.serverName = options.serverName ?? "irc.twisted-ts.local";
    this.networkName = options.networkName ?? "twisted-ts";
    this.motd = options.motd;
    this.password = options.password;
    this.maxConnections = options.maxConnections ?? 1000;
    this.maxChannelsPerUser = options.maxChannelsPerUser ?? 20;
    this.nickLength = options.nickLength ?? 30;
    this.topicLength = options.topicLength ?? 390;
    this.channelLength = options.channelLength ?? 50;
    this.maxTargets = options.maxTargets ?? 4;
    this.pingInterval = options.pingInterval ?? 120;
    this.pingTimeout = options.pingTimeout ?? 60;
    this.clock = options.clock ?? getDefaultClock();
    this.service = options.service ?? new ChatService();
  }
}
