/**
 * `LocalUsersFingerService`: the machine's users, from /etc/passwd, with `~/.plan` and
 * `~/.project`.
 * @packageDocumentation
 */
import { join } from "node:path";
import { Deferred } from "@twisted-ts/core";
import { type IFingerService, NO_SUCH_USER } from "../interfaces.js";
import { readCapped } from "./readCapped.js";

/** One line of a passwd file. */
export interface PasswdEntry {
  /** The login name. */
  readonly name: string;
  /** The numeric user id. */
  readonly uid: number;
  /** The numeric group id. */
  readonly gid: number;
  /** The GECOS field (full name first, then comma-separated extras). */
  readonly gecos: string;
  /** The home directory. */
  readonly home: string;
  /** The login shell. */
  readonly shell: string;
}

/**
 * Parse a passwd file (`name:password:uid:gid:gecos:home:shell`). Lines that do not have seven
 * fields or numeric ids, and `#` comments, are skipped. Pure; never throws.
 * @param text - the file's text.
 * @returns the entries, in file order.
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("#")) continue;
    const fields = line.split(":");
    if (fields.length !== 7) continue;
    const [name = "", , uid = "", gid = "", gecos = "", home = "", shell = ""] = fields;
    if (name === "" || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    entries.push({ name, uid: Number(uid), gid: Number(gid), gecos, home, shell });
  }
  return entries;
}

/** The largest passwd file read, in bytes (4 MiB). */
export const MAX_PASSWD_SIZE = 4 * 1024 * 1024;

/** The largest `.plan` or `.project` read, in bytes (16 KiB); the rest is cut. */
export const MAX_PLAN_SIZE = 16 * 1024;

/** Options of `new LocalUsersFingerService(options)`. */
export interface LocalUsersFingerServiceOptions {
  /** The passwd file; `/etc/passwd` by default. */
  passwd?: string | undefined;
  /**
   * Where a user's `.plan` and `.project` are: a directory holding one directory per user
   * (`join(home, name)`), or a function of the passwd entry. The entry's home directory by
   * default.
   */
  home?: string | ((entry: PasswdEntry) => string) | undefined;
  /** The lowest uid `getUsers` lists (1000 by default); `getUser` answers for any user. */
  minUid?: number | undefined;
  /** The largest `.plan` / `.project` read, in bytes; 16 KiB by default. */
  maxPlanSize?: number | undefined;
  /**
   * Whether `.plan` and `.project` must be regular files owned by the user, not symbolic
   * links; true by default, so a user cannot make a server running as root show another
   * file (in.fingerd avoids this by running as nobody).
   */
  checkOwner?: boolean | undefined;
}

/**
 * The local machine's users: the tutorial's `LocalFingerService` from part 5 ("backends",
 * `pwd` and `~/.plan`). `getUser` reads the passwd file for the user (an unknown one is
 * `"No such user"`) and answers with
 *
 * ```text
 * Name: <full name from GECOS>
 * Directory: <home>    Shell: <shell>
 * Project: <first line of ~/.project>
 * Plan:
 * <~/.plan>
 * ```
 *
 * (`No Plan.` when there is no `.plan`; no `Project:` line without a `.project`; no `Name:`
 * line with an empty GECOS). `getUsers` lists the users whose uid is at least `minUid`
 * (1000), but never `nobody` (uid 65534). Files are read anew on each query, with non-blocking
 * I/O and size caps.
 *
 * Differences from Twisted: the tutorial answers only the `.plan` text, `"No such user"`
 * without one, and lists no users.
 */
export class LocalUsersFingerService implements IFingerService {
  /** The passwd file. */
  readonly passwd: string;
  /** The lowest uid listed by `getUsers`. */
  readonly minUid: number;
  /** The largest `.plan` / `.project` read, in bytes. */
  readonly maxPlanSize: number;
  /** Whether `.plan` and `.project` must be the user's own regular files. */
  readonly checkOwner: boolean;
  private readonly home: string | ((entry: PasswdEntry) => string) | undefined;

  /**
   * @param options - the passwd file, the home directories, limits.
   */
  constructor(options: LocalUsersFingerServiceOptions = {}) {
    this.passwd = options.passwd ?? "/etc/passwd";
    this.home = options.home;
    this.minUid = options.minUid ?? 1000;
    this.maxPlanSize = options.maxPlanSize ?? MAX_PLAN_SIZE;
    this.checkOwner = options.checkOwner ?? true;
  }

  /**
   * Read the passwd file.
   * @returns a Deferred of its entries; it fails when the file cannot be read.
   */
  entries(): Deferred<PasswdEntry[]> {
    return Deferred.fromPromise(
      readCapped(this.passwd, MAX_PASSWD_SIZE).then((read) =>
        read === undefined ? [] : parsePasswd(read.bytes.toString("utf8")),
      ),
    );
  }

  /**
   * Describe a user.
   * @param user - the login name.
   * @returns a Deferred of the description, or of `"No such user"`.
   */
  getUser(user: string): Deferred<string> {
    return this.entries().addCallback((entries: PasswdEntry[]) => {
      const entry = entries.find((candidate) => candidate.name === user);
      if (entry === undefined) return NO_SUCH_USER;
      return Deferred.fromPromise(this.describe(entry));
    });
  }

  /**
   * List the users with a uid of at least `minUid` (`nobody` excepted).
   * @returns a Deferred of the names, in passwd order.
   */
  getUsers(): Deferred<string[]> {
    return this.entries().addCallback((entries: PasswdEntry[]) =>
      entries
        .filter((entry) => entry.uid >= this.minUid && entry.uid !== 65534)
        .map((entry) => entry.name),
    );
  }

  private directoryOf(entry: PasswdEntry): string {
    if (typeof this.home === "function") return this.home(entry);
    if (typeof this.home === "string") return join(this.home, entry.name);
    return entry.home;
  }

  private async readDotFile(entry: PasswdEntry, name: string): Promise<string | undefined> {
    const path = join(this.directoryOf(entry), name);
    try {
      const read = await readCapped(path, this.maxPlanSize, {
        noFollow: this.checkOwner,
        owner: this.checkOwner ? entry.uid : undefined,
      });
      if (read === undefined) return undefined;
      return read.bytes.toString("utf8") + (read.truncated ? "\n[truncated]" : "");
    } catch {
      // Unreadable (a permission error): as if it were not there.
      return undefined;
    }
  }

  private async describe(entry: PasswdEntry): Promise<string> {
    const [plan, project] = await Promise.all([
      this.readDotFile(entry, ".plan"),
      this.readDotFile(entry, ".project"),
    ]);
    const lines: string[] = [];
    const fullName = entry.gecos.split(",")[0] ?? "";
    if (fullName !== "") lines.push(`Name: ${fullName}`);
    lines.push(`Directory: ${entry.home}    Shell: ${entry.shell}`);
    const projectLine = project?.split(/\r?\n/)[0]?.trim();
    if (projectLine !== undefined && projectLine !== "") lines.push(`Project: ${projectLine}`);
    if (plan === undefined) lines.push("No Plan.");
    else lines.push("Plan:", plan.replace(/\s+$/, ""));
    return lines.join("\n");
  }
}
