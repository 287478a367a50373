/**
 * apps/finger: Twisted's "Evolution of Finger" as one app. One finger service behind many
 * front ends; see the README for the tutorial stage each piece comes from.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./ircBot.js";
export * from "./overlay.js";
export * from "./plugin.js";
export * from "./proxy.js";
export * from "./rpc/client.js";
export * from "./rpc/server.js";
export * from "./rpc/wire.js";
export * from "./service.js";
export * from "./web.js";
