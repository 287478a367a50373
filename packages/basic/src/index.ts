/**
 * `@twisted-ts/basic`: Twisted's `protocols.basic`, `wire` and `policies`.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./framing/index.js";
export * from "./policies/index.js";
export * from "./wire/index.js";
