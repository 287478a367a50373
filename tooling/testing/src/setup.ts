/**
 * Vitest setup for every test file: begin global logging into an observer that keeps nothing.
 *
 * Until a program begins logging, Twisted's global log beginner writes critical events (an
 * unhandled error in a Deferred, a protocol that threw) to standard error. Tests provoke such
 * errors on purpose and assert on the events themselves, through their own observers on
 * `globalLogPublisher`; without this, the same events would also be printed to the console.
 */
// The logger module alone: importing the whole package would install the global reactor as the
// default clock, which some tests check is absent. The global beginner lives on globalThis, so
// this copy and the package's are one.
import { globalLogBeginner } from "../../../packages/core/src/logger/index.js";

globalLogBeginner.beginLoggingTo([() => {}], { redirectStandardIO: false, discardBuffer: true });
