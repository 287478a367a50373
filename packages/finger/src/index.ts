/**
 * `@twisted-ts/finger`: finger (RFC 1288) on twisted-ts, the library of Twisted's "Evolution of
 * Finger": user databases behind `IFingerService` (in memory, a users file, the local users, a
 * command; the HTTP back end is in `@twisted-ts/finger/http`), the finger and setter protocols
 * with their factories, and a client.
 * @packageDocumentation
 */
export * from "./answer.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./finger.js";
export * from "./interfaces.js";
export * from "./query.js";
export * from "./server.js";
export * from "./services/file.js";
export * from "./services/localUsers.js";
export * from "./services/memory.js";
export * from "./services/process.js";
export * from "./setter.js";
