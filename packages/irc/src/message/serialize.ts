/**
 * Serialising an {@link IRCMessage} into one IRC line: pure code, no I/O.
 * @packageDocumentation
 */
import { IRCInjectionError, IRCSerializeError } from "../errors.js";
import type { IRCMessage, IRCTags } from "./message.js";
import { escapeTagValue } from "./tags.js";

const LINE_BREAKING = /[\0\r\n]/;
const COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;
const TAG_KEY = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;

function refuseBreaks(value: string, field: string): void {
  if (LINE_BREAKING.test(value)) throw new IRCInjectionError(field);
}

/**
 * Serialises IRCv3 tags into a tags section without its `@`, escaping the values. A tag whose
 * value is `true` or `""` is written as the bare key (message-tags lets the empty form be
 * normalised to the missing one).
 *
 * @param tags - the tags to write.
 * @returns the section, e.g. `"a=b\\sc;k"`.
 * @throws {@link IRCInjectionError} when a key holds CR, LF or NUL, or a value holds NUL.
 * @throws {@link IRCSerializeError} when a key is not a valid tag key.
 */
export function serializeTags(tags: IRCTags): string {
  const items: string[] = [];
  for (const key of Object.keys(tags)) {
    const value = tags[key] as string | true;
    refuseBreaks(key, `tags key ${JSON.stringify(key)}`);
    if (!TAG_KEY.test(key)) throw new IRCSerializeError(`invalid tag key ${JSON.stringify(key)}`);
    if (value === true || value === "") {
      items.push(key);
      continue;
    }
    if (value.includes("\0")) throw new IRCInjectionError(`tags.${key}`);
    items.push(`${key}=${escapeTagValue(value)}`);
  }
  return items.join(";");
}

/**
 * Serialises a message into one IRC line, without the CRLF: `@tags :source COMMAND p1 p2
 * :last`. The last parameter gets its `:` when it needs one (it is empty, holds a space or
 * starts with `:`) or when `msg.trailing` is `true`; tag values are escaped. Text can never
 * inject a second command: any CR, LF or NUL is refused, not quoted.
 *
 * The line's length is not checked: split long text before building the message.
 *
 * @param msg - the message to write.
 * @returns the line, without CRLF.
 * @throws {@link IRCInjectionError} when the command, source, a parameter or a tag key holds
 *   CR, LF or NUL (or a tag value holds NUL).
 * @throws {@link IRCSerializeError} when the command is not letters or a three-digit numeric,
 *   the source is empty or holds a space, a parameter other than the last is empty, holds a
 *   space or starts with `:`, or a tag key is invalid.
 *
 * Differences from Twisted: Twisted's `sendLine` M-quotes CR, LF and NUL instead of refusing,
 * and `sendCommand` does not check the parameters.
 */
export function serializeMessage(msg: IRCMessage): string {
  const parts: string[] = [];
  if (msg.tags !== undefined && Object.keys(msg.tags).length > 0) {
    parts.push(`@${serializeTags(msg.tags)}`);
  }
  if (msg.source !== undefined) {
    refuseBreaks(msg.source, "source");
    if (msg.source === "" || msg.source.includes(" ")) {
      throw new IRCSerializeError(`invalid source ${JSON.stringify(msg.source)}`);
    }
    parts.push(`:${msg.source}`);
  }
  refuseBreaks(msg.command, "command");
  if (!COMMAND.test(msg.command)) {
    throw new IRCSerializeError(`invalid command ${JSON.stringify(msg.command)}`);
  }
  parts.push(msg.command);
  const last = msg.params.length - 1;
  for (let i = 0; i <= last; i++) {
    const param = msg.params[i] as string;
    refuseBreaks(param, `params[${i}]`);
    const needsColon = param === "" || param.includes(" ") || param.charCodeAt(0) === 0x3a;
    if (i === last) {
      parts.push(needsColon || msg.trailing === true ? `:${param}` : param);
    } else if (needsColon) {
      throw new IRCSerializeError(
        `params[${i}] ${JSON.stringify(param)} is not the last: it may not be empty, hold a space or start with ":"`,
      );
    } else {
      parts.push(param);
    }
  }
  return parts.join(" ");
}
