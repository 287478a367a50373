/**
 * Threads: the worker pool, `deferToThread`, `deferToThreadPool`, `blockingCallFromThread`.
 * @packageDocumentation
 */
export { blockingCallFromThread, deferToThreadPool } from "./deferToThread.js";
export { deferToThread } from "./global.js";
export { ThreadPool } from "./pool.js";
