/**
 * The errors of `@twisted-ts/irc`. Each class extends core's `TwistedError`, so it has a stable
 * `code` and is recognised by `instanceof` across copies of the package (an ESM and a CJS copy,
 * or two installed versions).
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error `@twisted-ts/irc` raises. */
export class IRCError extends TwistedError {
  static override readonly code: string = "ERR_IRC";
}

/**
 * A line from a peer could not be parsed as an IRC message: it is empty, has no command, or
 * holds a NUL, CR or LF. Twisted's `IRCBadMessage` for the same cases.
 *
 * Differences from Twisted: Twisted's `parsemsg` raises an `IndexError` or produces garbage for
 * some of these lines; this parser always raises this error, with the offending line as a field.
 */
export class IRCParseError extends IRCError {
  static override readonly code: string = "ERR_IRC_PARSE";
  /** The line that was refused, as it was given. */
  readonly line: string;

  /**
   * @param reason - what is wrong with the line, for people.
   * @param line - the refused line.
   */
  constructor(reason: string, line: string) {
    super(`malformed IRC line: ${reason}`);
    this.line = line;
  }
}

/**
 * Which part of a line crossed its limit: `"tags"` (the IRCv3 tags section, `@` and the space
 * after it included) or `"message"` (the rest, with the CRLF counted).
 */
export type IRCLineSection = "tags" | "message";

/**
 * A line is longer than IRC allows: more than 512 bytes of message (the CRLF counted) or more
 * than 8191 bytes of IRCv3 tags. The line is refused whole, never truncated.
 *
 * Differences from Twisted: Twisted's `IRCClient` accepts lines up to `MAX_LENGTH` (16384)
 * characters and does not look at tags.
 */
export class IRCLineTooLongError extends IRCError {
  static override readonly code: string = "ERR_IRC_LINE_TOO_LONG";
  /** Which part of the line is too long. */
  readonly section: IRCLineSection;
  /** How long that part is, in bytes (UTF-8). */
  readonly length: number;
  /** The limit that part crossed, in bytes. */
  readonly limit: number;

  /**
   * @param section - which part of the line is too long.
   * @param length - its length, in bytes.
   * @param limit - its limit, in bytes.
   */
  constructor(section: IRCLineSection, length: number, limit: number) {
    super(`IRC ${section} section is ${length} bytes, over the limit of ${limit}`);
    this.section = section;
    this.length = length;
    this.limit = limit;
  }
}

/**
 * A message could not be serialised because it does not fit IRC's grammar: an empty or
 * malformed command, a source with a space, a middle parameter that is empty, holds a space or
 * starts with `:`, or a tag key with characters a key may not hold.
 */
export class IRCSerializeError extends IRCError {
  static override readonly code: string = "ERR_IRC_SERIALIZE";
}

/**
 * A message to be serialised holds a CR, LF or NUL outside a tag value (or a NUL in one), which
 * would end the line early and let the rest be read as a second command. Nothing is written.
 *
 * Differences from Twisted: Twisted's `sendLine` M-quotes these characters (`\x10` escapes),
 * which servers do not undo; refusing is the safe choice.
 */
export class IRCInjectionError extends IRCSerializeError {
  static override readonly code: string = "ERR_IRC_INJECTION";
  /** Where the character was found, e.g. `"params[1]"`, `"command"` or `"tags.foo"`. */
  readonly field: string;

  /** @param field - where the forbidden character was found. */
  constructor(field: string) {
    super(`CR, LF or NUL in ${field} would inject a second IRC command`);
    this.field = field;
  }
}

/**
 * A MODE string could not be parsed: it is empty, does not start with `+` or `-`, has a
 * direction with no modes after it, or has too few or too many parameters for its modes.
 * Twisted's `IRCBadModes`.
 */
export class IRCBadModes extends IRCError {
  static override readonly code: string = "ERR_IRC_BAD_MODES";
}

/**
 * A capability the request needs was not negotiated with the server, e.g. `request` without
 * `labeled-response`.
 */
export class IRCCapabilityError extends IRCError {
  static override readonly code: string = "ERR_IRC_CAPABILITY";
  /** The capability that is missing. */
  readonly capability: string;

  /** @param capability - the capability that is missing. */
  constructor(capability: string) {
    super(`the server did not enable the IRCv3 capability ${capability}`);
    this.capability = capability;
  }
}

/**
 * The connection was lost (or the client gave up) before the reply to a labeled request came.
 */
export class IRCConnectionLostError extends IRCError {
  static override readonly code: string = "ERR_IRC_CONNECTION_LOST";
}
