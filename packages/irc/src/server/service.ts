/**
 * `ChatService`: the in-memory users and channels of the embedded IRC server.
 * @packageDocumentation
 */
import { type IRCCaseMapping, lowerCase } from "../message/casemapping.js";
import { Group } from "./group.js";
import type { IRCUser } from "./ircUser.js";

/**
 * The state an IRC server shares between its connections: Twisted words' `InMemoryWordsRealm`
 * with its users and groups. Users are kept by their case-folded nick (CASEMAPPING=rfc1459, so
 * `Nick[1]` and `nick{1}` are one nick), channels by their case-folded name; a channel is
 * created by the first JOIN and removed when its last member leaves.
 *
 * Only registered users are in {@link ChatService.users}. Read the maps freely (demos and tests
 * inspect them); change them through the methods, which keep users and channels consistent.
 *
 * Differences from Twisted: Twisted's realm goes through `twisted.cred` portals and avatars and
 * returns Deferreds; this service is synchronous and holds the protocol objects themselves.
 */
export class ChatService {
  /** How names are folded: `"rfc1459"`. */
  readonly caseMapping: IRCCaseMapping = "rfc1459";
  /** Registered users, by case-folded nick. */
  readonly users = new Map<string, IRCUser>();
  /** Channels, by case-folded name. */
  readonly channels = new Map<string, Group>();

  /**
   * Folds a nick or channel name under the service's case mapping.
   * @param name - the name.
   * @returns the key it is stored under.
   */
  fold(name: string): string {
    return lowerCase(name, this.caseMapping);
  }

  /**
   * The registered user with a nick, if any.
   * @param nick - the nick, in any case.
   */
  getUser(nick: string): IRCUser | undefined {
    return this.users.get(this.fold(nick));
  }

  /**
   * The channel with a name, if any.
   * @param name - the name, in any case.
   */
  getChannel(name: string): Group | undefined {
    return this.channels.get(this.fold(name));
  }

  /**
   * Adds a registered user under its nick.
   * @param user - the user; its `nickname` must be set.
   * @returns false (and nothing changes) when the nick is taken by another user.
   */
  addUser(user: IRCUser): boolean {
    const key = this.fold(user.nickname ?? "");
    const other = this.users.get(key);
    if (key === "" || (other !== undefined && other !== user)) return false;
    this.users.set(key, user);
    return true;
  }

  /**
   * Moves a user to a new nick.
   * @param user - the registered user.
   * @param oldNick - its nick until now.
   * @param newNick - the new nick.
   * @returns false (and nothing changes) when the new nick is taken by another user.
   */
  renameUser(user: IRCUser, oldNick: string, newNick: string): boolean {
    const other = this.users.get(this.fold(newNick));
    if (other !== undefined && other !== user) return false;
    this.users.delete(this.fold(oldNick));
    this.users.set(this.fold(newNick), user);
    return true;
  }

  /**
   * Removes a user from the service and from every channel, removing channels left empty.
   * @param user - the user.
   */
  removeUser(user: IRCUser): void {
    for (const group of this.channelsOf(user)) this.leave(group, user);
    const key = this.fold(user.nickname ?? "");
    if (this.users.get(key) === user) this.users.delete(key);
  }

  /**
   * The channel with a name, created when missing.
   * @param name - the channel's name.
   * @param now - the time, in seconds, recorded as its creation time when created.
   * @returns the channel and whether it was created.
   */
  getOrCreateChannel(
    name: string,
    now: number,
  ): {
    /** The channel. */
    group: Group;
    /** Whether it was created by this call. */
    created: boolean;
  } {
    const key = this.fold(name);
    const existing = this.channels.get(key);
    if (existing !== undefined) return { group: existing, created: false };
    const group = new Group(name, now, this.caseMapping);
    group.modes.add("n");
    group.modes.add("t");
    this.channels.set(key, group);
    return { group, created: true };
  }

  /**
   * Removes a member from a channel, and the channel when it is left empty.
   * @param group - the channel.
   * @param user - the member.
   */
  leave(group: Group, user: IRCUser): void {
    group.members.delete(user);
    if (group.members.size === 0) {
      const key = this.fold(group.name);
      if (this.channels.get(key) === group) this.channels.delete(key);
    }
  }

  /**
   * The channels a user is on.
   * @param user - the user.
   */
  channelsOf(user: IRCUser): Group[] {
    return [...this.channels.values()].filter((g) => g.has(user));
  }

  /**
   * The other users sharing at least one channel with `user`, each once.
   * @param user - the user.
   */
  peersOf(user: IRCUser): Set<IRCUser> {
    const peers = new Set<IRCUser>();
    for (const group of this.channelsOf(user)) {
      for (const member of group.members.keys()) if (member !== user) peers.add(member);
    }
    return peers;
  }
}
