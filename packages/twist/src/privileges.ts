/**
 * `--uid`/`--gid`: dropping root privileges after the ports are bound, as twistd's
 * `shedPrivileges` / `switchUID` do.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { UsageError } from "./errors.js";

/** A user from the password database. */
export interface PasswdEntry {
  /** The login name. */
  readonly name: string;
  /** The user id. */
  readonly uid: number;
  /** The primary group id. */
  readonly gid: number;
}

/**
 * Parse `/etc/passwd` text.
 * @param text - the file's content.
 * @returns its users, in order; malformed lines are skipped.
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 4 || line.startsWith("#")) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    entries.push({ name: fields[0] as string, uid, gid });
  }
  return entries;
}

function lookupUser(user: string, passwd: readonly PasswdEntry[]): PasswdEntry | undefined {
  const numeric = /^\d+$/.test(user) ? Number(user) : undefined;
  return passwd.find((entry) =>
    numeric === undefined ? entry.name === user : entry.uid === numeric,
  );
}

/** The ids to switch to, as `process.setuid`/`setgid` take them (numbers or names). */
export interface Identity {
  /** The user: an id or a name; `undefined` to keep it. */
  readonly uid: number | string | undefined;
  /** The group: an id or a name; `undefined` to keep it. */
  readonly gid: number | string | undefined;
  /** The user's name, for `initgroups`, when known. */
  readonly userName: string | undefined;
}

/**
 * Work out the user and group to switch to. As in twistd, `--gid` defaults to the user's
 * primary group when `--uid` is given.
 * @param uid - the `--uid` value (a name or an id).
 * @param gid - the `--gid` value (a name or an id).
 * @param passwd - the password database; read from `/etc/passwd` by default.
 * @returns the identity.
 * @throws UsageError when `--uid` names no user and `--gid` is not given.
 */
export function resolveIdentity(
  uid: string | undefined,
  gid: string | undefined,
  passwd: () => readonly PasswdEntry[] = readPasswd,
): Identity {
  const asId = (value: string | undefined) =>
    value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
  if (uid === undefined) return { uid: undefined, gid: asId(gid), userName: undefined };
  const entry = lookupUser(uid, passwd());
  if (gid === undefined && entry === undefined) {
    throw new UsageError(`--uid ${uid}: no such user (give --gid too)`);
  }
  return { uid: entry?.uid ?? asId(uid), gid: asId(gid) ?? entry?.gid, userName: entry?.name };
}

function readPasswd(): PasswdEntry[] {
  try {
    return parsePasswd(readFileSync("/etc/passwd", "utf8"));
  } catch {
    return [];
  }
}

/**
 * Switch to the identity: supplementary groups (when root and the user's name is known), then
 * the group, then the user, in the order that keeps the permission to do each step.
 * @param identity - from `resolveIdentity`.
 * @throws Error (`EPERM`) when the process may not switch, e.g. it is not root.
 */
export function switchIdentity(identity: Identity): void {
  if (identity.uid === undefined && identity.gid === undefined) return;
  // Node has process.initgroups on POSIX; @types/node 20 does not declare it.
  const { initgroups } = process as { initgroups?: (user: string, group: string | number) => void };
  if (
    identity.userName !== undefined &&
    identity.gid !== undefined &&
    process.getuid?.() === 0 &&
    typeof initgroups === "function"
  ) {
    initgroups(identity.userName, identity.gid);
  }
  if (identity.gid !== undefined) process.setgid?.(identity.gid);
  if (identity.uid !== undefined) process.setuid?.(identity.uid);
}
