/**
 * The shape of an IRC message and the limits a peer controls.
 * @packageDocumentation
 */

/**
 * IRCv3 message tags: each key maps to its unescaped value, or to `true` when the tag was
 * given without `=` (`@account` rather than `@account=`). Client-only tags keep their `+`
 * prefix and vendor tags their `vendor/` prefix in the key (`"+draft/reply"`,
 * `"example.com/foo"`). The object has no prototype, so a key like `__proto__` is just a key.
 */
export type IRCTags = Record<string, string | true>;

/**
 * One IRC message, as `parseMessage` returns it and `serializeMessage` takes it
 * (RFC 1459/2812 with IRCv3 message tags).
 */
export interface IRCMessage {
  /** The IRCv3 tags, or `undefined` when the line had none. */
  tags?: IRCTags | undefined;
  /** The source (prefix) without its leading `:`, e.g. `"nick!user@host"` or a server name. */
  source?: string | undefined;
  /** The command or three-digit numeric, as sent (not upper-cased). */
  command: string;
  /** The parameters, the trailing one (after ` :`) included as the last, without its `:`. */
  params: string[];
  /**
   * Whether the last parameter was (or is to be) written in trailing form, after ` :`.
   * `parseMessage` sets it when the line used that form; `serializeMessage` uses the form
   * when this is `true` or when the last parameter needs it (empty, a space, a leading `:`).
   */
  trailing?: boolean | undefined;
}

/** Limits on a line's size, in bytes (UTF-8). */
export interface IRCLineLimits {
  /**
   * The most bytes the message part (source, command and params, without tags) may have,
   * counting the CRLF that ends it. Default {@link MAX_MESSAGE_BYTES} (512, RFC 1459).
   */
  maxMessageBytes?: number;
  /**
   * The most bytes the tags section may have, counting its `@` and the space after it.
   * Default {@link MAX_TAG_BYTES} (8191, IRCv3 message-tags).
   */
  maxTagBytes?: number;
}

/** The RFC 1459 limit on a message, in bytes, including the CRLF that ends it. */
export const MAX_MESSAGE_BYTES = 512;

/** The IRCv3 limit on a tags section, in bytes, including its `@` and trailing space. */
export const MAX_TAG_BYTES = 8191;
