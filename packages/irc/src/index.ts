/**
 * `@twisted-ts/irc`: IRC for twisted-ts. This release holds the message layer: a parser and
 * serialiser for RFC 1459/2812 lines with IRCv3 message tags, source splitting, mask matching,
 * case mapping, hostname validation, line decoding and mIRC formatting codes; the IRCClient; and
 * a small embedded server (`IRCServerFactory`, `IRCUser`, `ChatService`).
 * @packageDocumentation
 */

export * from "./client/index.js";
export {
  IRCBadModes,
  IRCCapabilityError,
  IRCConnectionLostError,
  IRCError,
  IRCInjectionError,
  type IRCLineSection,
  IRCLineTooLongError,
  IRCParseError,
  IRCSerializeError,
} from "./errors.js";
export {
  equalsIgnoreCase,
  type IRCCaseMapping,
  lowerCase,
  upperCase,
} from "./message/casemapping.js";
export { decodeLine } from "./message/decode.js";
export {
  assembleFormattedText,
  FORMATTING_CODES,
  type FormattedSpan,
  type IRCColour,
  parseFormatting,
  stripFormatting,
  type TextAttributes,
} from "./message/formatting.js";
export { validateHostname } from "./message/hostname.js";
export { maskMatch } from "./message/mask.js";
export {
  type IRCLineLimits,
  type IRCMessage,
  type IRCTags,
  MAX_MESSAGE_BYTES,
  MAX_TAG_BYTES,
} from "./message/message.js";
export { parseMessage, parseTags } from "./message/parse.js";
export { serializeMessage, serializeTags } from "./message/serialize.js";
export { escapeTagValue, unescapeTagValue } from "./message/tags.js";
export { type IRCUserhost, parseUserhost } from "./message/userhost.js";
export * from "./server/index.js";
