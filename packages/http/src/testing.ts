/**
 * `@twisted-ts/http/testing`: test doubles for resources (Twisted's `DummyRequest`).
 * @packageDocumentation
 */

/** The version of the testing helpers' contract. */
export const TESTING_VERSION = 1;
