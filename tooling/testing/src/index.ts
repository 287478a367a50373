/**
 * Private helpers shared by twisted-ts tests: installing and starting independent peers.
 * @packageDocumentation
 */

export { type IRCServerOptions, type IRCServerPeer, startInspircd, startNgircd } from "./ircd.js";
export { DEBIAN_PYTHON, ensureDebianPackages } from "./peers.js";
export { runProcess, type Spawned, spawnAndWaitForLine } from "./processes.js";
export { localhostCertificate } from "./tls.js";
