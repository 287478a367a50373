/**
 * `SetterOverlay`: makes any finger back end settable, as the setter front end needs.
 * @packageDocumentation
 */
import { type Deferred, maybeDeferred } from "@twisted-ts/core";
import type { IFingerService, IFingerSetterService } from "@twisted-ts/finger";

/**
 * A finger service that answers from statuses set through {@link setUser} first, and from the
 * back end it wraps for everyone else; `getUsers` lists both. The tutorial's setter (part 4,
 * `finger19a`) sets statuses in a `MemoryFingerService`; here the setter works whatever the
 * back end (a users file, the local users, a command, the web), and what it sets lives in
 * memory, above the back end: a reload of the users file does not undo it.
 */
export class SetterOverlay implements IFingerService, IFingerSetterService {
  /** The statuses set so far, by user. */
  readonly overrides = new Map<string, string>();

  /** @param backend - the service that answers for users not set here. */
  constructor(readonly backend: IFingerService) {}

  /** The status set for `user`, else the back end's answer. */
  getUser(user: string): Deferred<string> {
    const status = this.overrides.get(user);
    if (status !== undefined) return maybeDeferred(() => status);
    return maybeDeferred(() => this.backend.getUser(user));
  }

  /** The back end's users, then the users set here that it does not list. */
  getUsers(): Deferred<string[]> {
    return maybeDeferred(() => this.backend.getUsers()).addCallback((users: string[]) => {
      const known = new Set(users);
      return [...users, ...[...this.overrides.keys()].filter((user) => !known.has(user))];
    });
  }

  /** Set `user`'s status (it then shadows the back end's). */
  setUser(user: string, status: string): void {
    this.overrides.set(user, status);
  }
}
