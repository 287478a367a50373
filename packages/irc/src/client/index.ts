/**
 * The IRC client: Twisted's `IRCClient`, CTCP helpers and the ISUPPORT store.
 * @packageDocumentation
 */

export { IRCClientBase } from "./base.js";
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
export { IRCClient } from "./ircClient.js";
export { type ChannelModes, type PrefixEntry, ServerSupportedFeatures } from "./isupport.js";
export { NUMERIC_NAMES } from "./numerics.js";
export { CHANNEL_PREFIXES } from "./shared.js";
export { splitByBytes } from "./split.js";
