/**
 * Credential checkers: they turn credentials into an avatar id or refuse them. Twisted's
 * `twisted.cred.checkers`.
 * @packageDocumentation
 */
import { type Deferred, fail, succeed } from "@twisted-ts/core";
import type { ICredentials, IUsernameHashedPassword, IUsernamePassword } from "./credentials.js";
import { UnauthorizedLogin } from "./errors.js";

/** The avatar id of an anonymous login: Twisted's `checkers.ANONYMOUS` (an empty tuple there). */
export const ANONYMOUS: unique symbol = Symbol.for("@twisted-ts/smtp/cred.ANONYMOUS");

/** What a checker answers with: a user's name, or {@link ANONYMOUS}. */
export type AvatarId = string | typeof ANONYMOUS;

/** A checker of one or more kinds of credentials: Twisted's `ICredentialsChecker`. */
export interface ICredentialsChecker {
  /** The credential interfaces it checks, e.g. `["IUsernamePassword"]`. */
  readonly credentialInterfaces: readonly string[];
  /**
   * Check credentials.
   * @param credentials - credentials providing one of `credentialInterfaces`.
   * @returns (a Deferred of) the avatar id; fails with `UnauthorizedLogin` when refused.
   */
  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> | AvatarId;
}

/** Lets anyone in anonymously: Twisted's `AllowAnonymousAccess`. */
export class AllowAnonymousAccess implements ICredentialsChecker {
  /** Checks `IAnonymous`. */
  readonly credentialInterfaces: readonly string[] = ["IAnonymous"];

  /** @returns {@link ANONYMOUS}. */
  requestAvatarId(_credentials: ICredentials): Deferred<AvatarId> {
    return succeed<AvatarId>(ANONYMOUS);
  }
}

function hasCheckPassword(c: ICredentials): c is IUsernamePassword | IUsernameHashedPassword {
  const x = c as Partial<IUsernamePassword>;
  return typeof x.username === "string" && typeof x.checkPassword === "function";
}

/**
 * Users and clear-text passwords held in memory: Twisted's
 * `InMemoryUsernamePasswordDatabaseDontUse`. Good for tests and small setups; the passwords sit
 * in memory in clear (CRAM-MD5 needs them so).
 */
export class InMemoryUsernamePasswordDatabaseDontUse implements ICredentialsChecker {
  /** Checks `IUsernamePassword` and `IUsernameHashedPassword`. */
  readonly credentialInterfaces: readonly string[] = [
    "IUsernamePassword",
    "IUsernameHashedPassword",
  ];
  /** The users and their passwords. */
  readonly users = new Map<string, string>();

  /** @param users - initial users, `{ name: password }`. */
  constructor(users: Readonly<Record<string, string>> = {}) {
    for (const [name, password] of Object.entries(users)) this.users.set(name, password);
  }

  /**
   * Add a user.
   * @param username - the name.
   * @param password - the password.
   */
  addUser(username: string, password: string): void {
    this.users.set(username, password);
  }

  /**
   * @param credentials - `IUsernamePassword` or `IUsernameHashedPassword` credentials.
   * @returns a Deferred of the user name, or failing with `UnauthorizedLogin`.
   */
  requestAvatarId(credentials: ICredentials): Deferred<AvatarId> {
    if (!hasCheckPassword(credentials))
      return fail(new UnauthorizedLogin("unsupported credentials"));
    const password = this.users.get(credentials.username);
    if (password !== undefined && credentials.checkPassword(password)) {
      return succeed<AvatarId>(credentials.username);
    }
    return fail(new UnauthorizedLogin("bad user name or password"));
  }
}
