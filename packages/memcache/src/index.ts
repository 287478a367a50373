/**
 * `@twisted-ts/memcache`: a memcached text-protocol client (Twisted's
 * `twisted.protocols.memcache`), its reply parser, and a small in-memory server for demos.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./parser.js";
export * from "./protocol.js";
export * from "./server.js";
export * from "./store.js";
