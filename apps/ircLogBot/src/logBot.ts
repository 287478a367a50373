/**
 * ircLogBot.py's `LogBot` and `LogBotFactory`: an IRC bot that logs a channel's events to a
 * file, and the factory that builds one for each connection and reconnects when it drops.
 */
import {
  ClientFactory,
  type Failure,
  reactor as globalReactor,
  type IAddress,
  type IConnector,
} from "@twisted-ts/core";
import { IRCClient } from "@twisted-ts/irc";
import { type LogFile, MessageLogger, openLogFile } from "./messageLogger.js";
import { asctime, wallClock } from "./timeFormat.js";

/** A logging IRC bot. */
export class LogBot extends IRCClient<LogBotFactory> {
  override nickname = "twistedbot";
  /** The logger of the current connection, opened on `connectionMade`. */
  logger!: MessageLogger;

  private get botFactory(): LogBotFactory {
    if (this.factory === undefined)
      throw new Error("a LogBot needs the LogBotFactory that built it");
    return this.factory;
  }

  override connectionMade(): void {
    super.connectionMade();
    const factory = this.botFactory;
    this.logger = new MessageLogger(factory.openLog(factory.filename), factory.now);
    this.logger.log(`[connected at ${asctime(factory.now())}]`);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.logger.log(`[disconnected at ${asctime(this.botFactory.now())}]`);
    this.logger.close();
  }

  // callbacks for events

  /** Called when bot has successfully signed on to server. */
  override signedOn(): void {
    this.join(this.botFactory.channel);
  }

  /** This will get called when the bot joins the channel. */
  override joined(channel: string): void {
    this.logger.log(`[I have joined ${channel}]`);
  }

  /** This will get called when the bot receives a message. */
  override privmsg(user: string, channel: string, msg: string): void {
    const nick = user.split("!", 1)[0] ?? user;
    this.logger.log(`<${nick}> ${msg}`);

    // Check to see if they're sending me a private message
    if (channel === this.nickname) {
      this.msg(nick, "It isn't nice to whisper!  Play nice with the group.");
      return;
    }

    // Otherwise check to see if it is a message directed at me
    if (msg.startsWith(`${this.nickname}:`)) {
      const reply = `${nick}: I am a log bot`;
      this.msg(channel, reply);
      this.logger.log(`<${this.nickname}> ${reply}`);
    }
  }

  /** This will get called when the bot sees someone do an action. */
  override action(user: string, _channel: string, msg: string): void {
    const nick = user.split("!", 1)[0] ?? user;
    this.logger.log(`* ${nick} ${msg}`);
  }

  // irc callbacks

  /** Called when an IRC user changes their nickname. */
  override irc_NICK(prefix: string, params: string[]): void {
    const oldNick = prefix.split("!")[0] ?? prefix;
    const newNick = params[0] ?? "";
    this.logger.log(`${oldNick} is now known as ${newNick}`);
    // Keep IRCClient's bookkeeping (our own nick, channel members), which the seed's override
    // drops.
    super.irc_NICK(prefix, params);
  }

  /**
   * For fun, override the method that determines how a nickname is changed on collisions. The
   * default method appends an underscore.
   * @param nickname - the nick that was in use.
   */
  override alterCollidedNick(nickname: string): string {
    return `${nickname}^`;
  }
}

/** What `LogBotFactory` needs of a reactor: whether it runs, and a way to stop it. */
export interface Stoppable {
  /** Whether the reactor runs (false once its shutdown has begun). */
  readonly running: boolean;
  /** Stop the reactor. */
  stop(): void;
}

/** Options for {@link LogBotFactory}, beyond the seed's channel and file name. */
export interface LogBotFactoryOptions {
  /** The reactor to stop when the connection fails; the global one by default. */
  reactor?: Stoppable;
  /** The time in seconds since the epoch (`time.time()`); for tests. */
  now?: () => number;
  /** Opens the log file for appending; `openLogFile` by default. */
  openLog?: (path: string) => LogFile;
  /** The bot's nick; the LogBot's own ("twistedbot") by default. */
  nickname?: string | undefined;
  /** Where "connection failed: …" goes; `console.log` by default. */
  print?: (text: string) => void;
}

/**
 * A factory for LogBots. A new protocol instance will be created each time we connect to the
 * server.
 */
export class LogBotFactory extends ClientFactory<LogBot> {
  /** The time in seconds since the epoch. */
  readonly now: () => number;
  /** Opens the log file for appending. */
  readonly openLog: (path: string) => LogFile;
  /** The reason the last connection attempt failed, once one has. */
  failure: Failure | null = null;
  private readonly reactor: Stoppable;
  private readonly nickname: string | undefined;
  private readonly print: (text: string) => void;

  /**
   * @param channel - the channel to join (`#` is added when missing).
   * @param filename - the file to log to.
   * @param options - the reactor, the clock, the nick and the log opener.
   */
  constructor(
    readonly channel: string,
    readonly filename: string,
    options: LogBotFactoryOptions = {},
  ) {
    super();
    this.reactor = options.reactor ?? globalReactor;
    this.now = options.now ?? wallClock;
    this.openLog = options.openLog ?? openLogFile;
    this.nickname = options.nickname;
    this.print = options.print ?? ((text) => console.log(text));
  }

  override buildProtocol(_addr: IAddress): LogBot {
    const p = new LogBot();
    if (this.nickname !== undefined) p.nickname = this.nickname;
    p.factory = this;
    return p;
  }

  /**
   * If we get disconnected, reconnect to server. Not while the reactor shuts down: Twisted's
   * reactor never completes a connection begun then, but Node would, and keep the process up.
   */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (!this.reactor.running) return;
    connector.connect();
  }

  /** The connection could not be made: say why and stop the reactor. */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    this.failure = reason;
    this.print(`connection failed: ${String(reason)}`);
    this.reactor.stop();
  }
}
