/** The loopback fixtures these tests use: shared with the other packages' tests. */
export { LineClient, onCleanup, testReactor, until } from "@twisted-ts/testing-helpers/loopback";
