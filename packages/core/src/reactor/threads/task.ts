/**
 * How a function and its failures cross between threads: as source text or a module name, and
 * errors as plain data.
 * @packageDocumentation
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { ThreadFunction } from "../../interfaces/threads.js";

/** @internal A function in a form that can be posted to another thread. */
export type Task =
  | { readonly kind: "source"; readonly source: string }
  | { readonly kind: "module"; readonly module: string; readonly export: string };

/** @internal An error as posted between threads. */
export type SerializedError =
  | { isError: true; name: string; message: string; stack?: string; code?: unknown }
  | { isError: false; value: unknown };

/**
 * @internal Describe `fn` for another thread.
 * @param fn - a self-contained function or `{ module, export }`.
 * @param api - the caller's name, for error messages.
 * @throws TypeError for a native or bound function, a relative module path, or anything else.
 */
export function taskFor(fn: ThreadFunction<never[], unknown>, api: string): Task {
  if (typeof fn === "function") {
    const source = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new TypeError(
        `${api}: a native or bound function cannot cross threads; pass a self-contained function or { module, export }`,
      );
    }
    return { kind: "source", source };
  }
  if (
    typeof fn === "object" &&
    fn !== null &&
    typeof fn.export === "string" &&
    fn.module !== undefined
  ) {
    return { kind: "module", module: moduleSpecifier(fn.module, api), export: fn.export };
  }
  throw new TypeError(`${api}: expected a function or { module, export }`);
}

function moduleSpecifier(module: string | URL, api: string): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith("./") || module.startsWith("../")) {
    throw new TypeError(
      `${api}: module ${module} is relative; pass an absolute path or new URL("${module}", import.meta.url)`,
    );
  }
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}

const ERROR_TYPES: Readonly<Record<string, ErrorConstructor>> = {
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/** @internal A thrown value as data another thread can receive. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      isError: true,
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      ...(code === undefined ? {} : { code }),
    };
  }
  try {
    structuredClone(error);
    return { isError: false, value: error };
  } catch {
    return { isError: false, value: String(error) };
  }
}

/**
 * @internal The thrown value back from data: standard error types keep their class, others
 * become an `Error` with the original `name`; the stack (from the other thread) and `code` are
 * kept.
 */
export function deserializeError(data: SerializedError): unknown {
  if (!data.isError) return data.value;
  const Ctor = ERROR_TYPES[data.name] ?? Error;
  const error = new Ctor(data.message);
  if (error.name !== data.name) {
    Object.defineProperty(error, "name", { value: data.name, configurable: true, writable: true });
  }
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.code !== undefined) Object.assign(error, { code: data.code });
  return error;
}

/**
 * @internal Rebuild a task on this thread: compile its source in the global scope, or import
 * its module.
 * @param task - the task.
 * @returns the function.
 */
export async function resolveTask(task: Task): Promise<(...args: unknown[]) => unknown> {
  if (task.kind === "source") return compile(task.source);
  const namespace = (await import(task.module)) as Record<string, unknown>;
  const fn = namespace[task.export];
  if (typeof fn !== "function") {
    throw new TypeError(
      `module ${task.module} has no exported function ${JSON.stringify(task.export)}`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}

function compile(source: string): (...args: unknown[]) => unknown {
  try {
    return new Function(`return (${source}\n)`)() as (...args: unknown[]) => unknown;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const holder = new Function(`return ({${source}\n})`)() as Record<string, unknown>;
  return Object.values(holder)[0] as (...args: unknown[]) => unknown;
}

/**
 * @internal Turn "x is not defined", thrown by a rebuilt function that names `x`, into an
 * error that says the function is a closure.
 */
export function explainReferenceError(
  error: unknown,
  task: Task,
  api: string,
  where: string,
): unknown {
  if (task.kind !== "source" || !(error instanceof ReferenceError)) return error;
  const match = /^(\S+) is not defined$/.exec(error.message);
  const name = match?.[1];
  if (name === undefined || !task.source.includes(name)) return error;
  const clear = new ReferenceError(
    `${api}: the function uses \`${name}\`, which is not defined in ${where}; functions must be self-contained (use arguments), or pass { module, export }`,
    { cause: error },
  );
  return clear;
}
