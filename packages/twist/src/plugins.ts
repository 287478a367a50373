/**
 * Finding and loading `twist` plugins. A package declares its plugins in package.json:
 *
 * ```json
 * { "name": "@twisted-ts/qotd", "twist": { "plugins": { "qotd": "./twist-plugin" } } }
 * ```
 *
 * where `"./twist-plugin"` is a subpath of its `exports` (or, for a package without `exports`,
 * a file relative to it). Twisted finds plugins by importing every module of `twisted/plugins`
 * on the Python path; reading package.json files finds them without running any code, and only
 * the plugin asked for is imported.
 * @packageDocumentation
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { importFile } from "./app.js";
import { PluginLoadError } from "./errors.js";
import { activeConditions, resolvePackageSubpath } from "./exportsMap.js";
import { type AnyServiceMaker, isServiceMaker, normalizeServiceMaker } from "./serviceMaker.js";

/** A plugin found in a package.json, not loaded yet. */
export interface PluginEntry {
  /** The plugin's name: `twist <name>`. */
  readonly name: string;
  /** The package that declares it. */
  readonly packageName: string;
  /** The package's directory (its real path). */
  readonly packageDir: string;
  /** The export subpath (or file) named in `twist.plugins`. */
  readonly target: string;
}

/** Where `discoverPlugins` looks. */
export interface DiscoverOptions {
  /**
   * Directories to search from: from each up to the file system's root, every
   * `node_modules/@twisted-ts/*` package, and the packages of any workspace root met on the
   * way (a directory with `pnpm-workspace.yaml`, or a package.json with `workspaces`).
   */
  readonly searchFrom: readonly string[];
  /**
   * Extra places, searched first: each is a package directory, or a directory of packages
   * (`dir/*` and `dir/@scope/*`). `twist` takes them from `TWIST_PLUGIN_PATH`.
   */
  readonly pluginPath?: readonly string[];
}

function readJSON(path: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}

/** The package globs of a workspace root: `packages/*`, `apps/*`, `bench`. */
function workspaceGlobs(dir: string): string[] {
  const globs: string[] = [];
  try {
    const yaml = readFileSync(join(dir, "pnpm-workspace.yaml"), "utf8");
    let inPackages = false;
    for (const line of yaml.split(/\r?\n/)) {
      if (/^packages\s*:/.test(line)) inPackages = true;
      else if (/^\S/.test(line)) inPackages = false;
      else if (inPackages) {
        const item = /^\s+-\s*["']?([^"'#]+?)["']?\s*(?:#.*)?$/.exec(line);
        if (item !== null) globs.push(item[1] as string);
      }
    }
  } catch {
    // Not a pnpm workspace.
  }
  const workspaces = readJSON(join(dir, "package.json"))?.workspaces;
  const list = Array.isArray(workspaces)
    ? workspaces
    : (workspaces as { packages?: unknown } | undefined)?.packages;
  if (Array.isArray(list)) for (const item of list) if (typeof item === "string") globs.push(item);
  return globs.filter((glob) => !glob.startsWith("!"));
}

function workspacePackages(root: string): string[] {
  const dirs: string[] = [];
  for (const glob of workspaceGlobs(root)) {
    const clean = glob.replace(/\/+$/, "");
    if (clean.endsWith("/*") || clean.endsWith("/**")) {
      dirs.push(...subdirectories(join(root, clean.replace(/\/\*\*?$/, ""))));
    } else if (!clean.includes("*")) {
      dirs.push(join(root, clean));
    }
  }
  return dirs;
}

function packagesAround(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    dirs.push(...subdirectories(join(dir, "node_modules", "@twisted-ts")));
    dirs.push(...workspacePackages(dir));
    if (dirname(dir) === dir) break;
  }
  return dirs;
}

function packagesIn(dir: string): string[] {
  if (existsSync(join(dir, "package.json"))) return [dir];
  const dirs: string[] = [];
  for (const child of subdirectories(dir)) {
    if (child.split(/[\\/]/).pop()?.startsWith("@")) dirs.push(...subdirectories(child));
    else dirs.push(child);
  }
  return dirs;
}

/**
 * Find the plugins that packages declare, without importing them. The first declaration of a
 * name wins, in search order: `pluginPath`, then each `searchFrom` directory upwards.
 * @param options - where to look.
 * @returns the plugins found, in search order.
 */
export function discoverPlugins(options: DiscoverOptions): PluginEntry[] {
  const candidates = [
    ...(options.pluginPath ?? []).flatMap((dir) => packagesIn(resolve(dir))),
    ...options.searchFrom.flatMap(packagesAround),
  ];
  const seenDirs = new Set<string>();
  const found = new Map<string, PluginEntry>();
  for (const candidate of candidates) {
    let dir: string;
    try {
      dir = realpathSync(candidate);
    } catch {
      continue;
    }
    if (seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    const pkg = readJSON(join(dir, "package.json"));
    const plugins = (pkg?.twist as { plugins?: unknown } | undefined)?.plugins;
    if (typeof plugins !== "object" || plugins === null) continue;
    const packageName = typeof pkg?.name === "string" ? pkg.name : dir;
    for (const [name, target] of Object.entries(plugins)) {
      if (typeof target !== "string" || found.has(name)) continue;
      found.set(name, { name, packageName, packageDir: dir, target });
    }
  }
  return [...found.values()];
}

/**
 * The directories of `TWIST_PLUGIN_PATH` (separated by the platform's path delimiter).
 * @param env - the environment; `process.env` by default.
 */
export function pluginPathFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.TWIST_PLUGIN_PATH ?? "").split(delimiter).filter((dir) => dir !== "");
}

/**
 * The service maker a plugin module offers: its default export, or the module itself (named
 * exports `name`, `description`, `options`, `makeService`), or the named export whose `name` is
 * the plugin's.
 */
function makerOf(module: Record<string, unknown>, name: string): AnyServiceMaker | undefined {
  if (isServiceMaker(module.default)) return module.default;
  if (isServiceMaker(module)) return module;
  const makers = Object.values(module).filter(isServiceMaker);
  return makers.find((maker) => maker.name === name) ?? makers[0];
}

/**
 * Import a plugin's module and return its service maker, with its options as a record.
 * The module is resolved through the package's `exports` with this process's conditions
 * (`@twisted-ts/source` included when `twist` runs from source). A TypeScript module is
 * imported through tsx when this process cannot import TypeScript by itself.
 * @param entry - the plugin, from `discoverPlugins`.
 * @param conditions - the conditions to resolve with; this process's by default.
 * @returns the service maker.
 * @throws PluginLoadError when the module cannot be resolved or imported, or exports no
 *   service maker.
 */
export async function loadPlugin(
  entry: PluginEntry,
  conditions: readonly string[] = activeConditions(),
): Promise<AnyServiceMaker> {
  const pkg = readJSON(join(entry.packageDir, "package.json")) ?? {};
  const file = resolvePackageSubpath(entry.packageDir, pkg.exports, entry.target, conditions);
  const where = `${entry.packageName} (${entry.target})`;
  if (file === null) {
    throw new PluginLoadError(`plugin ${entry.name}: ${where} is not in the package's exports`);
  }
  let module: Record<string, unknown>;
  try {
    module = await importFile(file);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PluginLoadError(`plugin ${entry.name}: cannot import ${where}: ${detail}`, {
      cause: error,
    });
  }
  const maker = makerOf(module, entry.name);
  if (maker === undefined) {
    throw new PluginLoadError(`plugin ${entry.name}: ${where} exports no service maker`);
  }
  try {
    return normalizeServiceMaker(maker);
  } catch (error) {
    throw new PluginLoadError(`plugin ${entry.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
