/**
 * `FingerSetterProtocol` and `FingerSetterFactory`: the tutorial's setter protocol, where a
 * line `user status` changes a user's status.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import { type IAddress, ServerFactory } from "@twisted-ts/core";
import type { IFingerSetterService } from "./interfaces.js";

/** The longest setter line accepted, in bytes (4096). */
export const MAX_SETTER_LINE_LENGTH = 4096;

/** A setter line, split. */
export interface SetterLine {
  /** The user name. */
  readonly user: string;
  /** The new status (may be empty). */
  readonly status: string;
}

/**
 * Split a setter line into a user and a status: the first word is the user, the rest (after
 * the spaces or tabs that follow it) the status. Pure; never throws.
 * @param line - the line, without its line end (a final CR is dropped).
 * @returns the user and status, or undefined for a line with no user (blank).
 */
export function parseSetterLine(line: string): SetterLine | undefined {
  const text = line.replace(/\r$/, "").replace(/^[ \t]+/, "");
  const match = /^([^ \t]+)(?:[ \t]+(.*))?$/s.exec(text);
  if (match === null || match[1] === undefined) return undefined;
  return { user: match[1], status: match[2] ?? "" };
}

/**
 * The setter side of the tutorial (part 2 onwards): each line `user status` sets `user`'s status
 * through the factory's `IFingerSetterService`, and nothing is answered. Lines end with LF (a
 * CR before it is dropped); a blank line is ignored; a line over `MAX_LENGTH` (4096 bytes) drops
 * the connection. The bytes are decoded as UTF-8.
 *
 * This protocol has no authentication: listen on 127.0.0.1 only (as the tutorial does with
 * `tcp:1079:interface=127.0.0.1`).
 *
 * Differences from Twisted: the tutorial's `lineReceived` does `line.split(b" ", 1)` and so
 * raises on a line without a space; here a lone word sets an empty status, and runs of spaces
 * or tabs separate the user from the status.
 */
export class FingerSetterProtocol extends LineReceiver<FingerSetterFactory> {
  /** Lines end with LF. */
  override delimiter: Buffer = Buffer.from("\n");
  /** The longest line accepted, in bytes. */
  override MAX_LENGTH = MAX_SETTER_LINE_LENGTH;

  /**
   * Set a user's status from one line.
   * @param line - the line, without its LF.
   */
  override lineReceived(line: Buffer): void {
    const parsed = parseSetterLine(line.toString("utf8"));
    if (parsed === undefined) return;
    this.factory?.setter.setUser(parsed.user, parsed.status);
  }
}

/** Options of `new FingerSetterFactory(setter, options)`. */
export interface FingerSetterFactoryOptions {
  /** The longest line accepted, in bytes; 4096 by default. */
  maxLineLength?: number | undefined;
}

/**
 * Makes a {@link FingerSetterProtocol} for each connection, writing to `setter`: the tutorial's
 * `FingerSetterFactory`.
 */
export class FingerSetterFactory extends ServerFactory<FingerSetterProtocol> {
  /** The protocol built for each connection. */
  override protocol = FingerSetterProtocol;
  /** The database the lines write to. */
  setter: IFingerSetterService;
  /** The longest line accepted, in bytes. */
  maxLineLength: number;

  /**
   * @param setter - the database to write to.
   * @param options - `maxLineLength` in bytes (4096 by default).
   */
  constructor(setter: IFingerSetterService, options: FingerSetterFactoryOptions = {}) {
    super();
    this.setter = setter;
    this.maxLineLength = options.maxLineLength ?? MAX_SETTER_LINE_LENGTH;
  }

  /**
   * Build a protocol with this factory's line limit.
   * @param addr - the peer's address.
   * @returns the protocol.
   */
  override buildProtocol(addr: IAddress): FingerSetterProtocol | null {
    const protocol = super.buildProtocol(addr);
    if (protocol !== null) protocol.MAX_LENGTH = this.maxLineLength;
    return protocol;
  }
}
