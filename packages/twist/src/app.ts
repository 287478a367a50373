/**
 * `--app FILE`: import an application file (TypeScript or JavaScript, without a build step)
 * and take its `application` export. Twisted's `.tac` file, read by `twistd -y`.
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { IService } from "@twisted-ts/core";
import { AppLoadError } from "./errors.js";

/** The extensions imported through a TypeScript loader. */
export const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set([".ts", ".mts", ".cts", ".tsx"]);

let registered = false;

async function importFrom(specifier: string, parents: readonly string[]): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    for (const parent of parents) {
      try {
        const path = createRequire(resolve(parent, "noop.js")).resolve(specifier);
        return await import(pathToFileURL(path).href);
      } catch {
        // Try the next place.
      }
    }
    throw error;
  }
}

/**
 * Make TypeScript files importable in this process, with tsx's `register()` (from `tsx/esm/api`),
 * once. tsx is looked up from `twist` itself, then from `nearFile`'s directory and the working
 * directory.
 * @param nearFile - the file about to be imported; tsx installed next to it is found.
 * @throws AppLoadError when tsx is not installed.
 */
export async function ensureTypeScriptLoader(nearFile: string): Promise<void> {
  if (registered) return;
  let api: { register?: () => unknown };
  try {
    api = (await importFrom("tsx/esm/api", [resolve(nearFile, ".."), process.cwd()])) as {
      register?: () => unknown;
    };
  } catch (error) {
    throw new AppLoadError(
      `${nearFile} is TypeScript: install tsx (npm i -D tsx) to run it without a build step, or run a compiled .js file`,
      { cause: error },
    );
  }
  if (typeof api.register !== "function") {
    throw new AppLoadError("tsx/esm/api has no register(): tsx 4 or later is needed");
  }
  api.register();
  registered = true;
}

/**
 * Import a module by path. A TypeScript file that this process cannot import (no loader such as
 * tsx is active: `ERR_UNKNOWN_FILE_EXTENSION`) is imported again after `ensureTypeScriptLoader`.
 * Under tsx (twist from source) or a test runner, TypeScript imports as it is.
 * @param path - an absolute path.
 * @returns the module's namespace.
 * @throws whatever the import throws; AppLoadError when tsx is needed and missing.
 */
export async function importFile(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ERR_UNKNOWN_FILE_EXTENSION" || !TYPESCRIPT_EXTENSIONS.has(extname(path))) {
      throw error;
    }
  }
  await ensureTypeScriptLoader(path);
  // A new URL: the failed attempt may be remembered under the old one.
  return (await import(`${url}?twist-typescript`)) as Record<string, unknown>;
}

function isService(value: unknown): value is IService {
  const candidate = value as Partial<IService> | null | undefined;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.startService === "function" &&
    typeof candidate.stopService === "function" &&
    typeof candidate.privilegedStartService === "function"
  );
}

/**
 * Import an application file and return the service it exports as `application` (a named
 * export, or a property of the default export).
 * @param file - the path, relative to the working directory.
 * @returns the application.
 * @throws AppLoadError when the file is missing, fails to import, or exports no `application`
 *   service.
 */
export async function loadApplication(file: string): Promise<IService> {
  const path = resolve(file);
  if (!existsSync(path)) throw new AppLoadError(`no such application file: ${file}`);
  let module: Record<string, unknown>;
  try {
    module = await importFile(path);
  } catch (error) {
    if (error instanceof AppLoadError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppLoadError(`cannot import ${file}: ${detail}`, { cause: error });
  }
  const application =
    module.application ?? (module.default as { application?: unknown } | undefined)?.application;
  if (application === undefined) {
    throw new AppLoadError(`${file} does not export \`application\``);
  }
  if (!isService(application)) {
    throw new AppLoadError(
      `${file}: \`application\` is not a service (it needs privilegedStartService, startService and stopService)`,
    );
  }
  return application;
}
