/**
 * Parsing one IRC line into an {@link IRCMessage}: pure code, no I/O.
 * @packageDocumentation
 */
import { IRCLineTooLongError, IRCParseError } from "../errors.js";
import { utf8LengthOver } from "./bytes.js";
import {
  type IRCLineLimits,
  type IRCMessage,
  type IRCTags,
  MAX_MESSAGE_BYTES,
  MAX_TAG_BYTES,
} from "./message.js";
import { unescapeTagValue } from "./tags.js";

/**
 * Parses the tags section of a line (without its `@`) into an {@link IRCTags} object. Empty
 * items and empty keys are skipped; when a key repeats, the last value wins (as message-tags
 * asks). A key without `=` maps to `true`; `key=` maps to `""`.
 *
 * @param raw - the section between `@` and the first space.
 * @returns the tags, in a prototype-less object.
 */
export function parseTags(raw: string): IRCTags {
  const tags: IRCTags = Object.create(null) as IRCTags;
  for (const item of raw.split(";")) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === "") continue;
    tags[key] = eq < 0 ? true : unescapeTagValue(item.slice(eq + 1));
  }
  return tags;
}

/**
 * Parses one IRC line into its tags, source, command and parameters (RFC 1459/2812 with
 * IRCv3 message tags). Atoms may be separated by more than one space, as RFC 1459 allows and
 * real servers send; a tab is not a separator. The last parameter may be given in trailing form
 * (after ` :`), in which case it may hold spaces or be empty; `trailing` records that form.
 * One final CRLF or LF is accepted and ignored; the line is not otherwise trimmed.
 *
 * This is Twisted's `irc.parsemsg`, plus tags and limits. It never touches a socket: feed it
 * lines your framing (a `LineReceiver`) has already split and decoded (see `decodeLine`).
 *
 * @param line - one line from a peer, already decoded to a string.
 * @param limits - the byte limits to enforce (512 of message with the CRLF, 8191 of tags).
 * @returns the parsed message; `tags` and `source` are `undefined` when absent.
 * @throws {@link IRCLineTooLongError} when the message part or the tags section is over its
 *   limit, counted in UTF-8 bytes.
 * @throws {@link IRCParseError} when the line is empty, has no command, or holds a NUL, or a
 *   CR or LF anywhere but at its end.
 *
 * Differences from Twisted: Twisted's `parsemsg` does not parse IRCv3 tags (they become the
 * command), splits only on single spaces, and checks no limits.
 */
export function parseMessage(line: string, limits: IRCLineLimits = {}): IRCMessage {
  const original = line;
  if (line.endsWith("\r\n")) line = line.slice(0, -2);
  else if (line.endsWith("\n")) line = line.slice(0, -1);
  // Three native scans beat one regular expression here (the parser's hot path).
  if (line.indexOf("\n") >= 0 || line.indexOf("\r") >= 0 || line.indexOf("\0") >= 0) {
    throw new IRCParseError("the line holds a NUL, CR or LF", original);
  }
  const maxTags = limits.maxTagBytes ?? MAX_TAG_BYTES;
  const maxMessage = limits.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const end = line.length;
  let pos = 0;
  let tags: IRCTags | undefined;

  if (line.charCodeAt(0) === 0x40 /* @ */) {
    const space = line.indexOf(" ");
    const tagEnd = space < 0 ? end : space;
    // `@`, the section and the space after it.
    const tagBytes = utf8LengthOver(line, 0, tagEnd, maxTags - 1);
    if (tagBytes >= 0) throw new IRCLineTooLongError("tags", tagBytes + 1, maxTags);
    if (space < 0) throw new IRCParseError("tags without a command", original);
    tags = parseTags(line.slice(1, space));
    pos = space;
  }
  while (pos < end && line.charCodeAt(pos) === 0x20) pos++;

  // The message and its CRLF.
  const messageBytes = utf8LengthOver(line, pos, end, maxMessage - 2);
  if (messageBytes >= 0) {
    throw new IRCLineTooLongError("message", messageBytes + 2, maxMessage);
  }

  let source: string | undefined;
  if (line.charCodeAt(pos) === 0x3a /* : */) {
    let space = line.indexOf(" ", pos);
    if (space < 0) space = end;
    source = line.slice(pos + 1, space);
    if (source === "") throw new IRCParseError("an empty source", original);
    pos = space;
    while (pos < end && line.charCodeAt(pos) === 0x20) pos++;
  }

  let space = line.indexOf(" ", pos);
  if (space < 0) space = end;
  const command = line.slice(pos, space);
  if (command === "") throw new IRCParseError("no command", original);
  pos = space;

  const params: string[] = [];
  let trailing = false;
  for (;;) {
    while (pos < end && line.charCodeAt(pos) === 0x20) pos++;
    if (pos >= end) break;
    if (line.charCodeAt(pos) === 0x3a /* : */) {
      params.push(line.slice(pos + 1));
      trailing = true;
      break;
    }
    space = line.indexOf(" ", pos);
    if (space < 0) space = end;
    params.push(line.slice(pos, space));
    pos = space;
  }

  const message: IRCMessage = { command, params };
  if (tags !== undefined) message.tags = tags;
  if (source !== undefined) message.source = source;
  if (trailing) message.trailing = true;
  return message;
}
