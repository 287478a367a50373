/**
 * `Group`: one channel of the in-memory chat service.
 * @packageDocumentation
 */
import type { IRCCaseMapping } from "../message/casemapping.js";
import { maskMatch } from "../message/mask.js";
import type { IRCUser } from "./ircUser.js";

/** A member's channel status: `"o"` (operator, `@`) and `"v"` (voice, `+`). */
export type MemberMode = "o" | "v";

/** One entry of a channel's ban list (`MODE #chan +b mask`). */
export interface BanEntry {
  /** The mask, e.g. `"*!*@example.com"`. */
  readonly mask: string;
  /** Who set it (a nick). */
  readonly setBy: string;
  /** When it was set, in seconds on the server's clock. */
  readonly setAt: number;
}

/**
 * A channel of {@link ChatService}: Twisted words' `Group`, with IRC's channel state. It holds
 * the members in join order, each with its status modes (`o`, `v`), the flag modes
 * (`i m n s t`), the key (`k`), the member limit (`l`), the ban list (`b`), the pending
 * invitations and the topic. It only holds state: the commands that change it live in
 * {@link IRCUser}, which sends the replies and broadcasts.
 */
export class Group {
  /** The channel's name, spelled as its first member spelled it. */
  readonly name: string;
  /** When it was created, in seconds on the server's clock. */
  readonly createdAt: number;
  /** The members, in join order, each with its status modes. */
  readonly members = new Map<IRCUser, Set<MemberMode>>();
  /** The flag modes set, among `i m n s t`. */
  readonly modes = new Set<string>();
  /** The key (`+k`), or `null`. */
  key: string | null = null;
  /** The member limit (`+l`), or `null`. */
  limit: number | null = null;
  /** The ban list (`+b`). */
  readonly bans: BanEntry[] = [];
  /** Nicks (case-folded) invited and not yet joined; an invitation lets them past `+i`. */
  readonly invited = new Set<string>();
  /** The topic; `""` for none. */
  topic = "";
  /** Who set the topic (a nick), or `""`. */
  topicSetBy = "";
  /** When the topic was set, in seconds on the server's clock; 0 when never. */
  topicSetAt = 0;
  private readonly caseMapping: IRCCaseMapping;

  /**
   * @param name - the channel's name, e.g. `"#twisted"`.
   * @param createdAt - the time, in seconds.
   * @param caseMapping - how the server folds names, for bans; default `"rfc1459"`.
   */
  constructor(name: string, createdAt: number, caseMapping: IRCCaseMapping = "rfc1459") {
    this.name = name;
    this.createdAt = createdAt;
    this.caseMapping = caseMapping;
  }

  /**
   * Whether `user` is a member.
   * @param user - the user.
   */
  has(user: IRCUser): boolean {
    return this.members.has(user);
  }

  /**
   * Whether `user` is a member with operator status (`@`).
   * @param user - the user.
   */
  isOp(user: IRCUser): boolean {
    return this.members.get(user)?.has("o") === true;
  }

  /**
   * Whether `user` is a member with voice (`+`) or operator status.
   * @param user - the user.
   */
  isVoiced(user: IRCUser): boolean {
    const modes = this.members.get(user);
    return modes !== undefined && (modes.has("v") || modes.has("o"));
  }

  /**
   * The highest status prefix of a member: `"@"`, `"+"` or `""`.
   * @param user - the member.
   */
  prefixOf(user: IRCUser): string {
    const modes = this.members.get(user);
    if (modes?.has("o")) return "@";
    if (modes?.has("v")) return "+";
    return "";
  }

  /**
   * Whether a full source (`nick!user@host`) matches a ban mask.
   * @param source - the source to test.
   */
  isBanned(source: string): boolean {
    return this.bans.some((ban) => maskMatch(ban.mask, source, this.caseMapping));
  }

  /** Whether the channel is secret (`+s`): hidden from non-members in NAMES, WHO and WHOIS. */
  get secret(): boolean {
    return this.modes.has("s");
  }

  /**
   * The channel's modes as MODE shows them: `["+ntkl", key, limit]`. The key is shown only
   * when `showKey` is true (to members).
   * @param showKey - whether to show the key.
   * @returns the mode string and its parameters.
   */
  modeString(showKey: boolean): string[] {
    let flags = `+${[...this.modes].sort().join("")}`;
    const params: string[] = [];
    if (this.key !== null) {
      flags += "k";
      params.push(showKey ? this.key : "*");
    }
    if (this.limit !== null) {
      flags += "l";
      params.push(String(this.limit));
    }
    return [flags, ...params];
  }
}
