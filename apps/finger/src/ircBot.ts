/**
 * The IRC front end (tutorial part 2, `finger16`, and part 4's `IRCReplyBot`): a bot that
 * answers private messages with users' statuses.
 * @packageDocumentation
 */
import type { Failure, IReactorTime } from "@twisted-ts/core";
import type { IFingerService } from "@twisted-ts/finger";
import { IRCClient, IRCClientFactory } from "@twisted-ts/irc";

/** How a {@link FingerBot} behaves; every field but `nickname` has a default. */
export interface FingerBotOptions {
  /** The bot's nick ("fingerbot" in the tutorial). */
  readonly nickname: string;
  /** The clock for flood control and the heartbeat; the global reactor's by default. */
  readonly clock?: IReactorTime | undefined;
  /** Seconds between lines sent (flood control, 1); null sends at once. */
  readonly lineRate?: number | null | undefined;
  /** The most lines one answer may take (5): a longer status is cut, with "…". */
  readonly maxReplyLines?: number | undefined;
  /** Channels to join (none by default: the bot answers private messages only). */
  readonly channels?: readonly string[] | undefined;
}

/** What the bot says when a message is not a question it understands. */
export const USAGE = 'Ask me "who is <user>?", or just "<user>".';

/**
 * The user a private message asks about: `joe`, `who is joe?`, `Who's joe`, `whois joe`,
 * `finger joe` (case and a trailing `?` do not matter).
 * @param message - the message's text.
 * @returns the user, or null when the message is not such a question.
 */
export function parseQuestion(message: string): string | null {
  const match = /^\s*(?:(?:who\s*is|who's|whois|finger)\s+)?(\S+?)\s*\?*\s*$/i.exec(message);
  return match === null ? null : (match[1] as string);
}

/**
 * The bot: Twisted's `IRCReplyBot`. A private message naming a user ("who is joe?" or just
 * "joe") is answered, to its sender, with `Status of joe: <status>`; a status of several lines
 * takes several messages (at most `maxReplyLines`). A service failure answers "Internal error
 * in server". Messages to a channel are ignored, as in the tutorial.
 */
export class FingerBot extends IRCClient<IRCClientFactory<FingerBot>> {
  /** The most lines one answer may take. */
  maxReplyLines: number;
  /** No IRCv3 capabilities are needed. */
  override capabilities: string[] = [];

  /**
   * @param service - where statuses come from.
   * @param options - the nick and the rest.
   */
  constructor(
    readonly service: IFingerService,
    options: FingerBotOptions,
  ) {
    super();
    this.nickname = options.nickname;
    this.realname = "twisted-ts finger bot";
    if (options.clock !== undefined) this.clock = options.clock;
    if (options.lineRate !== undefined) this.lineRate = options.lineRate;
    this.maxReplyLines = options.maxReplyLines ?? 5;
  }

  /** A message: answer it when it is private. */
  override privmsg(user: string, channel: string, message: string): void {
    const sender = user.split("!")[0] as string;
    if (!this.isMe(channel)) return;
    const wanted = parseQuestion(message);
    if (wanted === null) {
      this.msg(sender, USAGE);
      return;
    }
    this.service
      .getUser(wanted)
      .addErrback((_failure: Failure) => "Internal error in server")
      .addCallback((status: string) => this.reply(sender, `Status of ${wanted}: ${status}`));
  }

  /** Send `text` to `nick`, a line per message, at most `maxReplyLines`. */
  private reply(nick: string, text: string): void {
    if (!this.connected) return;
    const lines = text
      .replace(/[\0\r]/g, "")
      .split("\n")
      .filter((line) => line.trim() !== "");
    const shown = lines.slice(0, this.maxReplyLines);
    if (lines.length > shown.length) shown[shown.length - 1] = `${shown[shown.length - 1]} …`;
    for (const line of shown) this.msg(nick, line);
  }
}

/**
 * The factory for the bot: an `IRCClientFactory` whose clients are {@link FingerBot}s with the
 * nick it holds, as the tutorial's `IRCClientFactoryFromService` does. Run it under a
 * `ClientService`, which reconnects (the factory's own reconnection only runs under
 * `connectTCP`).
 * @param service - where statuses come from.
 * @param options - the nick and the rest.
 * @returns the factory.
 */
export function makeIRCBotFactory(
  service: IFingerService,
  options: FingerBotOptions,
): IRCClientFactory<FingerBot> {
  const factory = new IRCClientFactory(() => new FingerBot(service, options), options.channels);
  factory.noisy = false;
  return factory;
}
