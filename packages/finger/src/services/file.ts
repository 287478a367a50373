/**
 * `FileFingerService`: users and statuses from a `user:status` file, re-read every 30 s.
 * @packageDocumentation
 */
import {
  Deferred,
  type IReactorTime,
  Logger,
  LogLevel,
  LoopingCall,
  Service,
  succeed,
} from "@twisted-ts/core";
import { type IFingerService, NO_SUCH_USER } from "../interfaces.js";
import { readCapped, readCappedSync } from "./readCapped.js";

const log = new Logger({ namespace: "twisted-ts.finger" });

/** Seconds between two reads of the users file (30, as in the tutorial). */
export const DEFAULT_RELOAD_INTERVAL = 30;

/** The largest users file read, in bytes (1 MiB); the rest of a longer one is ignored. */
export const MAX_USERS_FILE_SIZE = 1024 * 1024;

/**
 * Parse a users file: one `user:status` a line, split at the first `:`, both sides trimmed.
 * Blank lines, lines starting with `#`, lines with no `:` and lines with an empty user are
 * skipped. A later line for the same user wins. Pure; never throws.
 * @param text - the file's text.
 * @returns the users and statuses, in file order.
 */
export function parseUsersFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trimStart().startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const user = line.slice(0, colon).trim();
    if (user === "") continue;
    users.set(user, line.slice(colon + 1).trim());
  }
  return users;
}

/** Options of `new FileFingerService(path, options)`. */
export interface FileFingerServiceOptions {
  /** What schedules the re-reads: the reactor, or a `Clock` in tests. The default clock when left out. */
  clock?: IReactorTime | undefined;
  /** Seconds between reads; 30 by default. */
  interval?: number | undefined;
  /** The largest file read, in bytes; 1 MiB by default. */
  maxFileSize?: number | undefined;
}

/**
 * The users in a file of `user:status` lines, re-read every `interval` seconds while the
 * service runs: the tutorial's `FingerService(filename)` (part 2), with a `LoopingCall` in
 * place of its `callLater` chain. It is a core `Service`: `startService()` reads the file at
 * once (synchronously, so the first query already has the users) and starts the loop,
 * `stopService()` stops it. Later reads use non-blocking I/O.
 *
 * When a read fails (the file is missing or unreadable), the users from the last good read are
 * kept and the error is logged; the next read tries again.
 *
 * Differences from Twisted: the tutorial raises on a line without `:` and dies on a missing
 * file; here such lines are skipped and a missing file keeps the last users. `#` comments are
 * allowed. Reads are capped at `maxFileSize` bytes.
 */
export class FileFingerService extends Service implements IFingerService {
  /** The file's path. */
  readonly path: string;
  /** The users from the last good read. */
  users: Map<string, string> = new Map();
  /** Seconds between reads. */
  readonly interval: number;
  /** The largest file read, in bytes. */
  readonly maxFileSize: number;
  /** The loop that re-reads the file, while running. */
  readonly loop: LoopingCall<[]>;

  /**
   * @param path - the users file.
   * @param options - clock, interval and size cap.
   * @throws RangeError for an interval that is not a positive finite number.
   */
  constructor(path: string, options: FileFingerServiceOptions = {}) {
    super();
    this.path = path;
    this.interval = options.interval ?? DEFAULT_RELOAD_INTERVAL;
    if (!Number.isFinite(this.interval) || this.interval <= 0) {
      throw new RangeError(`interval must be a positive number of seconds, not ${this.interval}`);
    }
    this.maxFileSize = options.maxFileSize ?? MAX_USERS_FILE_SIZE;
    this.loop = new LoopingCall(() => this.reload());
    if (options.clock !== undefined) this.loop.clock = options.clock;
  }

  /**
   * Read the file now, replacing the users when the read succeeds.
   * @returns a Deferred that fires (with nothing) once the read is over; it never fails — an
   *   error is logged and the old users are kept.
   */
  reload(): Deferred<void> {
    return Deferred.fromPromise(
      readCapped(this.path, this.maxFileSize).then(
        (read) => {
          if (read === undefined) {
            log.warn("users file {path} is missing or not a regular file; keeping the old users", {
              path: this.path,
            });
            return;
          }
          this.users = parseUsersFile(read.bytes.toString("utf8"));
        },
        (error: unknown) => {
          log.failure("cannot read users file {path}", error, { path: this.path }, LogLevel.error);
        },
      ),
    );
  }

  /**
   * Read the file at once (synchronously, so the users are there from the first query, as in
   * Twisted's tutorial), then re-read it every `interval` seconds without blocking.
   */
  override startService(): void {
    super.startService();
    try {
      const read = readCappedSync(this.path, this.maxFileSize);
      if (read === undefined) {
        log.warn("users file {path} is missing or not a regular file", { path: this.path });
      } else {
        this.users = parseUsersFile(read.bytes.toString("utf8"));
      }
    } catch (error) {
      log.failure("cannot read users file {path}", error, { path: this.path }, LogLevel.error);
    }
    this.loop.start(this.interval, false);
  }

  /**
   * Stop re-reading the file.
   * @returns what the base class returns (nothing).
   */
  override stopService(): Deferred<unknown> | undefined {
    if (this.loop.running) this.loop.stop();
    return super.stopService();
  }

  /**
   * Look a user up in the last good read.
   * @param user - the user name.
   * @returns a fired Deferred: the status, or `"No such user"`.
   */
  getUser(user: string): Deferred<string> {
    return succeed(this.users.get(user) ?? NO_SUCH_USER);
  }

  /**
   * List the users of the last good read.
   * @returns a fired Deferred with the names, in file order.
   */
  getUsers(): Deferred<string[]> {
    return succeed([...this.users.keys()]);
  }
}

/**
 * The tutorial's name for the file back end (`FingerService(filename)` in parts 2, 3, 10 and
 * 11): the same class as {@link FileFingerService}.
 */
export class FingerService extends FileFingerService {}
