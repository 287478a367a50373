/**
 * The portal: checks credentials with its checkers, then asks a realm for the avatar. Twisted's
 * `twisted.cred.portal`.
 * @packageDocumentation
 */
import { type Deferred, fail, maybeDeferred } from "@twisted-ts/core";
import type { AvatarId, ICredentialsChecker } from "./checkers.js";
import type { ICredentials } from "./credentials.js";
import { UnhandledCredentials } from "./errors.js";

/** What a successful login gives: the interface served, the avatar, and a logout function. */
export type LoginResult<A = unknown> = readonly [iface: string, avatar: A, logout: () => void];

/** Makes avatars for avatar ids: Twisted's `IRealm`. */
export interface IRealm<A = unknown> {
  /**
   * @param avatarId - who logged in (a name, or `ANONYMOUS`).
   * @param mind - what the protocol passes about the client (null for SMTP).
   * @param interfaces - the avatar interfaces wanted, in order of preference, e.g.
   *   `"IMessageDeliveryFactory"`, `"IMessageDelivery"`.
   * @returns (a Deferred of) `[iface, avatar, logout]` for the first interface it supports.
   */
  requestAvatar(
    avatarId: AvatarId,
    mind: unknown,
    ...interfaces: string[]
  ): Deferred<LoginResult<A>> | LoginResult<A>;
}

/**
 * Joins checkers and a realm: Twisted's `Portal`. `login` finds the checker registered for the
 * credentials' kind, has it check them, then asks the realm for the avatar.
 */
export class Portal<A = unknown> {
  private readonly checkers = new Map<string, ICredentialsChecker>();

  /**
   * @param realm - makes the avatars.
   * @param checkers - the checkers; a later one replaces an earlier one for the same kind.
   */
  constructor(
    readonly realm: IRealm<A>,
    checkers: Iterable<ICredentialsChecker> = [],
  ) {
    for (const checker of checkers) this.registerChecker(checker);
  }

  /**
   * Add a checker for the credential interfaces it names (or those given).
   * @param checker - the checker.
   * @param credentialInterfaces - the kinds it is registered for; its own by default.
   */
  registerChecker(checker: ICredentialsChecker, ...credentialInterfaces: string[]): void {
    const kinds =
      credentialInterfaces.length > 0 ? credentialInterfaces : checker.credentialInterfaces;
    for (const kind of kinds) this.checkers.set(kind, checker);
  }

  /** @returns the credential interfaces a checker is registered for. */
  listCredentialsInterfaces(): string[] {
    return [...this.checkers.keys()];
  }

  /**
   * Log in.
   * @param credentials - what the client proved.
   * @param mind - passed to the realm.
   * @param interfaces - the avatar interfaces wanted, in order of preference.
   * @returns a Deferred of `[iface, avatar, logout]`; it fails with `UnhandledCredentials` when
   *   no checker takes these credentials, `UnauthorizedLogin` when they are refused, or the
   *   realm's error.
   */
  login(
    credentials: ICredentials,
    mind: unknown,
    ...interfaces: string[]
  ): Deferred<LoginResult<A>> {
    for (const kind of credentials.credentialInterfaces) {
      const checker = this.checkers.get(kind);
      if (checker === undefined) continue;
      return maybeDeferred(() => checker.requestAvatarId(credentials)).addCallback((avatarId) =>
        maybeDeferred(() => this.realm.requestAvatar(avatarId, mind, ...interfaces)),
      );
    }
    return fail(
      new UnhandledCredentials(
        `no checker for ${credentials.credentialInterfaces.join(", ") || "these credentials"}`,
      ),
    );
  }
}
