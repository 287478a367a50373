/**
 * The IRC client: Twisted's `IRCClient`, CTCP helpers and the ISUPPORT store.
 * @packageDocumentation
 */

export { IRCClientBase } from "./base.js";
export { type ChannelMember, IRCChannel } from "./channels.js";
export { IRCClientCommands } from "./commands.js";
export {
  type CTCPExtraction,
  type CTCPMessage,
  ctcpDequote,
  ctcpExtract,
  ctcpQuote,
  ctcpStringify,
  X_DELIM,
} from "./ctcp.js";
export { IRCClientCTCP } from "./ctcpClient.js";
export { IRCClientFactory } from "./factory.js";
export { IRCClient } from "./ircClient.js";
export {
  DEFAULT_CAPABILITIES,
  IRCClientV3,
  type SASLCredentials,
  type SASLMechanismName,
} from "./ircv3.js";
export { type ChannelModes, type PrefixEntry, ServerSupportedFeatures } from "./isupport.js";
export { type ModeChange, parseModes } from "./modes.js";
export { NUMERIC_NAMES } from "./numerics.js";
export {
  AUTHENTICATE_CHUNK_SIZE,
  AuthenticateDecoder,
  type AuthenticateDecoderOptions,
  createSASLMechanism,
  ExternalMechanism,
  encodeAuthenticate,
  PlainMechanism,
  SASLError,
  type SASLMechanism,
  type SASLMechanismCredentials,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  type ScramOptions,
  ScramSha256Mechanism,
} from "./sasl.js";
export { SendQueue } from "./sendQueue.js";
export { CHANNEL_PREFIXES } from "./shared.js";
export { splitByBytes } from "./split.js";
