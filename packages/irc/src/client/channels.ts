/**
 * What the client knows about the channels it is in and the people in them.
 * @packageDocumentation
 */
import { type IRCCaseMapping, lowerCase } from "../message/casemapping.js";

/** One person in a channel, as the client has seen them. */
export interface ChannelMember {
  /** Their nick, as the server last spelled it. */
  nick: string;
  /**
   * Their channel status as mode letters, highest rank first (`"ov"` for an op with voice);
   * `""` for none. Letters come from the server's PREFIX.
   */
  modes: string;
  /** Their user name, when known (userhost-in-names, extended JOIN, CHGHOST). */
  user?: string;
  /** Their host, when known. */
  host?: string;
  /** Their account (extended-join, account-tag), `null` when known to be logged out. */
  account?: string | null;
  /** Their real name, when known (extended-join). */
  realname?: string;
  /** Whether they are away (away-notify), when known. */
  away?: boolean;
}

/** A channel the client is in. */
export class IRCChannel {
  /** The channel's name, as the server spelled it when we joined. */
  readonly name: string;
  /** The topic; `null` before it is known, `""` when there is none. */
  topic: string | null = null;
  /** Who set the topic, when known. */
  topicSetBy: string | null = null;
  /** The channel's modes (not list or status modes): letter → parameter or `null`. */
  readonly modes = new Map<string, string | null>();
  /** The members, keyed by case-mapped nick. */
  readonly members = new Map<string, ChannelMember>();
  /** Whether the NAMES list (366) has been received since we joined. */
  namesComplete = false;
  /** @internal Whether the next 353 starts a fresh list. */
  namesRefresh = true;
  private mapping: IRCCaseMapping;

  /**
   * @param name - the channel's name.
   * @param mapping - the server's case mapping, for keys.
   */
  constructor(name: string, mapping: IRCCaseMapping) {
    this.name = name;
    this.mapping = mapping;
  }

  /** @internal The key a nick is stored under. */
  key(nick: string): string {
    return lowerCase(nick, this.mapping);
  }

  /**
   * Looks a member up, whatever the case of the nick.
   * @param nick - the nick.
   * @returns the member, or `undefined` when they are not (known to be) here.
   */
  getMember(nick: string): ChannelMember | undefined {
    return this.members.get(this.key(nick));
  }

  /**
   * @param nick - the nick.
   * @returns whether they are here.
   */
  hasMember(nick: string): boolean {
    return this.members.has(this.key(nick));
  }

  /** The members' nicks, in the order they were seen. */
  nicks(): string[] {
    return [...this.members.values()].map((m) => m.nick);
  }

  /**
   * @param nick - the nick.
   * @param mode - a status mode letter, e.g. `"o"`.
   * @returns whether the member has that status.
   */
  hasStatus(nick: string, mode: string): boolean {
    return this.getMember(nick)?.modes.includes(mode) ?? false;
  }

  /** @internal Re-keys the members under another case mapping. */
  remap(mapping: IRCCaseMapping): void {
    this.mapping = mapping;
    const members = [...this.members.values()];
    this.members.clear();
    for (const member of members) this.members.set(this.key(member.nick), member);
  }
}
