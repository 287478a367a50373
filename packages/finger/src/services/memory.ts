/**
 * `MemoryFingerService`: a user database held in a Map, readable and writable.
 * @packageDocumentation
 */
import { type Deferred, succeed } from "@twisted-ts/core";
import { type IFingerService, type IFingerSetterService, NO_SUCH_USER } from "../interfaces.js";

/**
 * A user database in memory: the tutorial's `MemoryFingerService` (part 4, "components"),
 * which implements both `IFingerService` and `IFingerSetterService`. Use it for tests, for a
 * database filled by the setter protocol, or as the store other back ends load into.
 *
 * ```ts
 * const users = new MemoryFingerService({ moshez: "Happy and well" });
 * users.setUser("joe", "At lunch");
 * await users.getUser("joe"); // "At lunch"
 * ```
 */
export class MemoryFingerService implements IFingerService, IFingerSetterService {
  /** The users and their statuses, in insertion order. */
  readonly users: Map<string, string>;

  /**
   * @param users - the initial users and statuses (copied; later changes to the object are
   *   not seen).
   */
  constructor(users: Record<string, string> = {}) {
    this.users = new Map(Object.entries(users));
  }

  /**
   * Look a user up.
   * @param user - the user name.
   * @returns a fired Deferred: the status, or `"No such user"`.
   */
  getUser(user: string): Deferred<string> {
    return succeed(this.users.get(user) ?? NO_SUCH_USER);
  }

  /**
   * List the users.
   * @returns a fired Deferred with the names, in insertion order.
   */
  getUsers(): Deferred<string[]> {
    return succeed([...this.users.keys()]);
  }

  /**
   * Set a user's status.
   * @param user - the user name.
   * @param status - the status text.
   */
  setUser(user: string, status: string): void {
    this.users.set(user, status);
  }

  /**
   * Replace the whole database (the file back end reloads through this).
   * @param users - the new users and statuses.
   */
  replaceUsers(users: Iterable<readonly [string, string]>): void {
    this.users.clear();
    for (const [user, status] of users) this.users.set(user, status);
  }
}
