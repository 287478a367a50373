/**
 * The user databases behind a finger server, as interfaces: `IFingerService` answers
 * look-ups, `IFingerSetterService` changes a user's status. Front ends (the finger protocol,
 * the setter protocol, a web tree, an IRC bot) depend only on these, as in part 4 of Twisted's
 * finger tutorial ("components").
 * @packageDocumentation
 */
import type { Deferred } from "@twisted-ts/core";

/**
 * A user database a finger front end reads (Twisted's tutorial `IFingerService`).
 *
 * Both methods return Deferreds so a back end may be slow (a file, a command, the web); a
 * back end that already has the answer returns a fired Deferred (`succeed`).
 */
export interface IFingerService {
  /**
   * Look a user up.
   * @param user - the user name, as the client sent it (decoded as latin1 by the protocol).
   * @returns a Deferred that fires with the user's status text, or with `"No such user"` when
   *   the database does not know the user. It fails only when the back end itself fails
   *   (an unreadable file, a command that cannot run).
   */
  getUser(user: string): Deferred<string>;

  /**
   * List the users the database knows.
   * @returns a Deferred that fires with the user names, in the back end's order.
   */
  getUsers(): Deferred<string[]>;
}

/** A user database that can be written to (Twisted's tutorial `IFingerSetterService`). */
export interface IFingerSetterService {
  /**
   * Set (or replace) a user's status.
   * @param user - the user name.
   * @param status - the new status text.
   */
  setUser(user: string, status: string): void;
}

/** The answer every back end gives for a user it does not know: `"No such user"`. */
export const NO_SUCH_USER = "No such user";
