/**
 * The embedded IRC server: Twisted's server-side `IRC` protocol, and an in-memory chat service
 * (`IRCUser`, `ChatService`, `Group`) served by `IRCServerFactory`.
 * @packageDocumentation
 */

export { IRCServerFactory, type IRCServerOptions } from "./factory.js";
export { type BanEntry, Group, type MemberMode } from "./group.js";
export { IRC, type IRCServerHandler } from "./irc.js";
export { IRCUser } from "./ircUser.js";
export { ChatService } from "./service.js";
