/**
 * The program each pool worker runs, as source text (`new Worker(source, { eval: true })`), so
 * the pool needs no separate file next to the built package.
 * @packageDocumentation
 */

/** @internal The key under which a worker publishes its channel to the reactor thread. */
export const WORKER_CHANNEL = "twisted-ts.threads.worker";

/**
 * @internal The worker's program. It is plain JavaScript (no transpiler touches it), wrapped in
 * a function so none of its names leak into the global scope where user functions are rebuilt.
 *
 * Messages in: `{ type: "run", id, api, task, args }`. Messages out: `{ type: "result", id, ok,
 * value | error }`, and `{ type: "call", api, task, args }` for `blockingCallFromThread`, whose
 * answer comes on `replyPort` once `signal[0]` is set to 1.
 */
export const WORKER_SOURCE = `(() => {
"use strict";
const { parentPort, workerData, receiveMessageOnPort } = require("node:worker_threads");
const { signal, replyPort } = workerData;

function serializeError(error) {
  if (error instanceof Error) {
    return { isError: true, name: error.name, message: error.message, stack: error.stack, code: error.code };
  }
  try {
    structuredClone(error);
    return { isError: false, value: error };
  } catch {
    return { isError: false, value: String(error) };
  }
}

function deserializeError(data) {
  if (!data.isError) return data.value;
  const Ctor = { TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError }[data.name] || Error;
  const error = new Ctor(data.message);
  if (error.name !== data.name) Object.defineProperty(error, "name", { value: data.name, configurable: true, writable: true });
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.code !== undefined) error.code = data.code;
  return error;
}

function compile(source) {
  try {
    return new Function("return (" + source + "\\n)")();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const holder = new Function("return ({" + source + "\\n})")();
  return Object.values(holder)[0];
}

function explain(error, task, api, where) {
  if (task.kind !== "source" || !(error instanceof ReferenceError)) return error;
  const match = /^(\\S+) is not defined$/.exec(error.message);
  if (match === null) return error;
  const name = match[1];
  if (!task.source.includes(name)) return error;
  const clear = new ReferenceError(api + ": the function uses \`" + name + "\`, which is not defined in " + where +
    "; functions must be self-contained (use arguments), or pass { module, export }");
  clear.stack = clear.stack + "\\nCaused by: " + error.stack;
  return clear;
}

async function resolve(task) {
  if (task.kind === "source") return compile(task.source);
  const namespace = await import(task.module);
  const fn = namespace[task.export];
  if (typeof fn !== "function") {
    throw new TypeError("module " + task.module + " has no exported function " + JSON.stringify(task.export));
  }
  return fn;
}

function taskFor(fn, api) {
  if (typeof fn === "function") {
    const source = Function.prototype.toString.call(fn);
    if (/\\{\\s*\\[native code\\]\\s*\\}\\s*$/.test(source)) {
      throw new TypeError(api + ": a native or bound function cannot cross threads; pass a self-contained function or { module, export }");
    }
    return { kind: "source", source };
  }
  if (fn !== null && typeof fn === "object" && typeof fn.export === "string" && fn.module !== undefined) {
    return { kind: "module", module: String(fn.module), export: fn.export };
  }
  throw new TypeError(api + ": expected a function or { module, export }");
}

function blockingCall(task, args, api) {
  Atomics.store(signal, 0, 0);
  parentPort.postMessage({ type: "call", api, task, args });
  for (;;) {
    Atomics.wait(signal, 0, 0);
    const got = receiveMessageOnPort(replyPort);
    if (got !== undefined) {
      Atomics.store(signal, 0, 0);
      if (got.message.ok) return got.message.value;
      throw deserializeError(got.message.error);
    }
    Atomics.wait(signal, 0, 1, 1);
  }
}

globalThis[Symbol.for(${JSON.stringify(WORKER_CHANNEL)})] = { blockingCall };
globalThis.blockingCallFromThread = (_reactor, fn, ...args) =>
  blockingCall(taskFor(fn, "blockingCallFromThread"), args, "blockingCallFromThread");
if (!("reactor" in globalThis)) {
  globalThis.reactor = Object.freeze({ toString: () => "<the reactor, seen from a pool worker>" });
}

parentPort.on("message", async (message) => {
  if (message.type !== "run") return;
  let reply;
  try {
    const fn = await resolve(message.task);
    const value = await fn(...message.args);
    reply = { type: "result", id: message.id, ok: true, value };
  } catch (error) {
    reply = { type: "result", id: message.id, ok: false, error: serializeError(explain(error, message.task, message.api, "the worker")) };
  }
  try {
    parentPort.postMessage(reply);
  } catch (error) {
    const why = new TypeError(message.api + ": the result cannot be sent back (it must be structured-cloneable): " + error.message);
    parentPort.postMessage({ type: "result", id: message.id, ok: false, error: serializeError(why) });
  }
});
})();
`;
