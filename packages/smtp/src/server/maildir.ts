/**
 * Maildir delivery: `MaildirMessage` (one message written safely into a Maildir),
 * `MaildirDelivery` (an IMessageDelivery for local domains and users) and `MaildirRealm`.
 * @packageDocumentation
 */

import type { FileHandle } from "node:fs/promises";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { Deferred, fail, succeed } from "@twisted-ts/core";
import type { Address, User } from "../address.js";
import { ANONYMOUS, type AvatarId } from "../cred/checkers.js";
import { UnsupportedInterface } from "../cred/errors.js";
import type { IRealm, LoginResult } from "../cred/portal.js";
import { SMTPBadRcpt, SMTPServerError } from "../errors.js";
import type { Helo, IMessage, IMessageDelivery, MessageFactory } from "./interfaces.js";
import { defaultReceivedHeader } from "./smtp.js";

const NL = Buffer.from("\n");
/** Bytes kept in memory before they are written out to the tmp/ file. */
const FLUSH_AT = 1024 * 1024;

let counter = 0;
const made = new Set<string>();

/** This host's name as a Maildir file name part ("/" and ":" escaped, as the spec says). */
function safeHost(): string {
  return (hostname() || "localhost").replace(/\//g, "\\057").replace(/:/g, "\\072");
}

/**
 * Make `dir/tmp`, `dir/new` and `dir/cur` if missing.
 * @param dir - the Maildir.
 */
export async function ensureMaildir(dir: string): Promise<void> {
  if (made.has(dir)) return;
  const created = await Promise.all(
    ["tmp", "new", "cur"].map((sub) => mkdir(join(dir, sub), { recursive: true })),
  );
  if (created.some((first) => first !== undefined)) {
    // New directories must survive a crash too: sync each one that was made, and its parent.
    const first = created.find((p) => p !== undefined) as string;
    for (let d = dir; d.length >= dirname(first).length && d !== dirname(d); d = dirname(d)) {
      await syncDirectory(d);
    }
  }
  made.add(dir);
}

/** fsync a directory, so that the entries made in it are on disk. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether an fs error means the disk is full. */
function isNoSpace(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** What a {@link MaildirMessage} takes. */
export interface MaildirMessageOptions {
  /** Call fsync on the file and on new/ (true; turn off only for tests and benchmarks). */
  readonly fsync?: boolean;
  /** Lines written before the message (e.g. envelope headers for a relay queue). */
  readonly prefixLines?: readonly string[];
}

/**
 * One message delivered into a Maildir: Twisted's `MaildirMessage`, made safe. Lines are kept
 * (each followed by LF) and written to `tmp/<time>.<pid>_<counter>.<host>` (created
 * exclusively), at the end or in 1 MiB batches; at `eomReceived` the file is fsynced, renamed
 * into `new/`, and `new/` is fsynced; only then does the returned Deferred fire (with the final
 * path), so the server's 250 means the message is on disk. `connectionLost` removes the tmp/
 * file. A disk error fails the Deferred with SMTPServerError 451 (452 when the disk is full),
 * so the client tries again later.
 */
export class MaildirMessage implements IMessage {
  /** The file name (the same in tmp/ and new/), chosen when the message is made. */
  readonly name: string;
  private chunks: Buffer[] = [];
  private held = 0;
  private handle: Promise<FileHandle> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private aborted = false;
  private readonly fsync: boolean;

  /**
   * @param maildir - the Maildir (with or without its tmp/new/cur yet).
   * @param options - see {@link MaildirMessageOptions}.
   */
  constructor(
    readonly maildir: string,
    options: MaildirMessageOptions = {},
  ) {
    counter += 1;
    this.name = `${Math.floor(Date.now() / 1000)}.${process.pid}_${counter}.${safeHost()}`;
    this.fsync = options.fsync ?? true;
    for (const line of options.prefixLines ?? []) this.lineReceived(Buffer.from(line));
  }

  /** The path of the file while it is written. */
  get tmpPath(): string {
    return join(this.maildir, "tmp", this.name);
  }

  /** The path of the file once delivered. */
  get finalPath(): string {
    return join(this.maildir, "new", this.name);
  }

  /**
   * Keep one line; it is written followed by LF.
   * @param line - the line.
   */
  lineReceived(line: Buffer): void {
    if (this.aborted) return;
    this.chunks.push(line, NL);
    this.held += line.length + 1;
    if (this.held >= FLUSH_AT) this.writeHeld();
  }

  private open(): Promise<FileHandle> {
    this.handle ??= ensureMaildir(this.maildir).then(() => open(this.tmpPath, "wx", 0o600));
    return this.handle;
  }

  private writeHeld(): void {
    const data = Buffer.concat(this.chunks, this.held);
    this.chunks = [];
    this.held = 0;
    const opened = this.open();
    this.writes = this.writes.then(async () => {
      const handle = await opened;
      let off = 0;
      while (off < data.length) off += (await handle.write(data, off)).bytesWritten;
    });
  }

  /**
   * The message is complete: write, fsync, rename into new/, fsync new/.
   * @returns a Deferred of the final path.
   */
  eomReceived(): Deferred<string> {
    return Deferred.fromPromise(this.finish());
  }

  private async finish(): Promise<string> {
    try {
      this.writeHeld();
      await this.writes;
      const handle = await (this.handle as Promise<FileHandle>);
      try {
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(this.tmpPath, this.finalPath);
      if (this.fsync) await syncDirectory(join(this.maildir, "new"));
      return this.finalPath;
    } catch (error) {
      await this.removeTmp();
      if (isNoSpace(error)) throw new SMTPServerError(452, "Insufficient system storage", "4.3.1");
      throw new SMTPServerError(
        451,
        "Requested action aborted: local error in processing",
        "4.3.0",
      );
    }
  }

  private async removeTmp(): Promise<void> {
    if (this.handle === undefined) return;
    try {
      await (await this.handle).close();
    } catch {
      // already closed, or never opened
    }
    await unlink(this.tmpPath).catch(() => undefined);
  }

  /** The message is abandoned: drop what is held and remove the tmp/ file. */
  connectionLost(): void {
    this.aborted = true;
    this.chunks = [];
    this.held = 0;
    void this.writes.then(
      () => this.removeTmp(),
      () => this.removeTmp(),
    );
  }
}

/** What a {@link MaildirDelivery} takes. */
export interface MaildirDeliveryOptions {
  /** The root directory: mail for `user@domain` goes to `root/domain/user/{tmp,new,cur}`. */
  readonly root: string;
  /** The local domains (any case). */
  readonly domains: Iterable<string>;
  /** The local users; any well-formed local part when absent. */
  readonly users?: Iterable<string> | null;
  /** The user that gets mail for unknown local users, or none (then 550). */
  readonly catchAll?: string | null;
  /** Whether authenticated users may relay (their mail for other domains goes to `root/.relay`). */
  readonly relay?: boolean;
  /** Who logged in (null for nobody): only a logged-in user may relay. */
  readonly avatarId?: string | null;
  /** The host name in the Received header; this machine's by default. */
  readonly host?: string;
  /** fsync files and directories (true). */
  readonly fsync?: boolean;
}

const MAILBOX = /^[a-z0-9!#$%&'*+=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+=?^_`{|}~-]+)*$/;

/**
 * An IMessageDelivery that stores mail for local domains in Maildirs: any sender is accepted;
 * a recipient at a local domain is accepted when the user exists (or any user without a user
 * list, or the catch-all); a recipient elsewhere is refused with `550 5.7.1 Relaying denied`
 * unless relaying is on and the client logged in, in which case the message is queued in
 * `root/.relay` with `X-Envelope-From`/`X-Envelope-To` lines first (sending it on is not done
 * here).
 */
export class MaildirDelivery implements IMessageDelivery {
  /** The root directory. */
  readonly root: string;
  /** The local domains, lower-case. */
  readonly domains: ReadonlySet<string>;
  /** The local users, lower-case, or null for any. */
  readonly users: ReadonlySet<string> | null;
  /** The catch-all user, or null. */
  readonly catchAll: string | null;
  /** Whether logged-in users may relay. */
  readonly relay: boolean;
  /** Who logged in, or null. */
  readonly avatarId: string | null;
  /** The host name in the Received header. */
  readonly host: string;
  /** Whether to fsync. */
  readonly fsync: boolean;

  /** @param options - see {@link MaildirDeliveryOptions}. */
  constructor(options: MaildirDeliveryOptions) {
    this.root = options.root;
    this.domains = new Set([...options.domains].map((d) => d.toLowerCase()));
    this.users =
      options.users === undefined || options.users === null
        ? null
        : new Set([...options.users].map((u) => u.toLowerCase()));
    this.catchAll = options.catchAll?.toLowerCase() ?? null;
    this.relay = options.relay ?? false;
    this.avatarId = options.avatarId ?? null;
    this.host = options.host ?? hostname();
    this.fsync = options.fsync ?? true;
  }

  /**
   * A copy of this delivery for a logged-in user.
   * @param avatarId - the user, or null.
   */
  forAvatar(avatarId: string | null): MaildirDelivery {
    return new MaildirDelivery({
      root: this.root,
      domains: this.domains,
      users: this.users,
      catchAll: this.catchAll,
      relay: this.relay,
      avatarId,
      host: this.host,
      fsync: this.fsync,
    });
  }

  /** The Received header, with the protocol's "with" keyword (ESMTPSA…) when known. */
  receivedHeader(helo: Helo, _origin: Address, recipients: readonly User[]): string {
    const protocol = recipients[0]?.protocol as { withProtocol?: () => string } | undefined;
    const withProto =
      typeof protocol?.withProtocol === "function" ? protocol.withProtocol() : "ESMTP";
    return defaultReceivedHeader(helo, this.host, withProto, recipients);
  }

  /** @returns the sender: any is accepted. */
  validateFrom(_helo: Helo, origin: Address): Address {
    return origin;
  }

  /**
   * @param user - the recipient.
   * @returns the factory of its MaildirMessage.
   * @throws SMTPBadRcpt for an unknown user or a domain that is not local (unless relaying).
   */
  validateTo(user: User): MessageFactory {
    const domain = user.dest.domain.toLowerCase();
    const fsync = this.fsync;
    if (domain === "" || this.domains.has(domain)) {
      const local = user.dest.local.toLowerCase();
      const first = [...this.domains][0];
      const where = domain === "" ? first : domain;
      if (where === undefined) throw new SMTPBadRcpt(user.dest);
      let mailbox: string;
      if (MAILBOX.test(local) && (this.users === null || this.users.has(local))) mailbox = local;
      else if (this.catchAll !== null) mailbox = this.catchAll;
      else throw new SMTPBadRcpt(user.dest);
      const dir = join(this.root, where, mailbox);
      return () => new MaildirMessage(dir, { fsync });
    }
    if (this.relay && this.avatarId !== null) {
      const dir = join(this.root, ".relay");
      const prefixLines = [
        `X-Envelope-From: <${user.orig.toString()}>`,
        `X-Envelope-To: <${user.dest.toString()}>`,
      ];
      return () => new MaildirMessage(dir, { fsync, prefixLines });
    }
    throw new SMTPBadRcpt(user.dest, 550, "Relaying denied", "5.7.1");
  }
}

/**
 * A realm giving a {@link MaildirDelivery} per login: anonymous logins get one that may not
 * relay, a user's login one that may (when relaying is on).
 */
export class MaildirRealm implements IRealm<IMessageDelivery> {
  /** @param delivery - the delivery to copy for each login. */
  constructor(readonly delivery: MaildirDelivery) {}

  /**
   * @param avatarId - the user, or ANONYMOUS.
   * @param _mind - unused.
   * @param interfaces - must include "IMessageDelivery".
   * @returns `["IMessageDelivery", delivery, logout]`.
   */
  requestAvatar(
    avatarId: AvatarId,
    _mind: unknown,
    ...interfaces: string[]
  ): Deferred<LoginResult<IMessageDelivery>> {
    if (!interfaces.includes("IMessageDelivery")) {
      return fail(new UnsupportedInterface(`no avatar for ${interfaces.join(", ")}`));
    }
    const who = avatarId === ANONYMOUS ? null : avatarId;
    return succeed<LoginResult<IMessageDelivery>>([
      "IMessageDelivery",
      this.delivery.forAvatar(who),
      () => {},
    ]);
  }
}
