/**
 * `@twisted-ts/qotd`: Quote of the Day (RFC 865) over TCP and UDP, quoters, and a client.
 * @packageDocumentation
 */
export * from "./client.js";
export * from "./datagram.js";
export * from "./errors.js";
export * from "./format.js";
export * from "./fortune.js";
export * from "./quoters.js";
export * from "./server.js";
export * from "./service.js";
