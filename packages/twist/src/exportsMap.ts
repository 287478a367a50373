/**
 * Resolving a subpath of a package through its package.json `exports`, with a chosen set of
 * conditions: enough of Node's algorithm to find a plugin module in a package that is not a
 * dependency of `twist` (so `import()` from here cannot name it).
 * @packageDocumentation
 */
import { join } from "node:path";

type ExportsTarget = string | null | readonly ExportsTarget[] | { [key: string]: ExportsTarget };

function pick(target: ExportsTarget, conditions: readonly string[], star: string): string | null {
  if (target === null) return null;
  if (typeof target === "string") return target.replaceAll("*", star);
  if (Array.isArray(target)) {
    for (const item of target as readonly ExportsTarget[]) {
      const found = pick(item, conditions, star);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, value] of Object.entries(target)) {
    if (key === "default" || conditions.includes(key)) {
      const found = pick(value, conditions, star);
      if (found !== null) return found;
    }
  }
  return null;
}

function isSubpathMap(exports: object): boolean {
  return Object.keys(exports).some((key) => key.startsWith("."));
}

/**
 * The file a package offers for `subpath` under `conditions`, or `null` when its `exports` do
 * not offer it. A package without `exports` offers every file: the subpath is taken as a path
 * relative to the package.
 * @param packageDir - the package's directory.
 * @param exports - the `exports` field of its package.json (or `undefined`).
 * @param subpath - `"."` or `"./name"`.
 * @param conditions - the active conditions, most wanted first; `default` always matches.
 * @returns an absolute path, or `null`.
 */
export function resolvePackageSubpath(
  packageDir: string,
  exports: unknown,
  subpath: string,
  conditions: readonly string[],
): string | null {
  const wanted = subpath === "." || subpath.startsWith("./") ? subpath : `./${subpath}`;
  if (exports === undefined || exports === null) return join(packageDir, wanted);
  let target: ExportsTarget | undefined;
  let star = "";
  if (typeof exports === "string" || Array.isArray(exports)) {
    if (wanted === ".") target = exports as ExportsTarget;
  } else if (typeof exports === "object") {
    const map = exports as Record<string, ExportsTarget>;
    if (!isSubpathMap(map)) {
      if (wanted === ".") target = map;
    } else if (Object.hasOwn(map, wanted)) {
      target = map[wanted];
    } else {
      for (const [key, value] of Object.entries(map)) {
        const at = key.indexOf("*");
        if (at < 0) continue;
        const prefix = key.slice(0, at);
        const suffix = key.slice(at + 1);
        if (
          wanted.startsWith(prefix) &&
          wanted.endsWith(suffix) &&
          wanted.length >= key.length - 1
        ) {
          target = value;
          star = wanted.slice(prefix.length, wanted.length - suffix.length);
          break;
        }
      }
    }
  }
  if (target === undefined) return null;
  const file = pick(target, conditions, star);
  return file === null ? null : join(packageDir, file);
}

/**
 * The conditions this process resolves packages with: `--conditions` / `-C` flags from
 * `process.execArgv` and `NODE_OPTIONS`, then `import`, `node` and `default`.
 * @param execArgv - the node flags; `process.execArgv` by default.
 * @param nodeOptions - `NODE_OPTIONS`; the environment's by default.
 * @returns the conditions, user conditions first.
 */
export function activeConditions(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): string[] {
  const flags = [...execArgv, ...nodeOptions.split(/\s+/).filter((s) => s !== "")];
  const user: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] as string;
    const eq = /^(?:--conditions|-C)=(.+)$/.exec(flag);
    if (eq !== null) user.push(eq[1] as string);
    else if ((flag === "--conditions" || flag === "-C") && i + 1 < flags.length) {
      user.push(flags[++i] as string);
    }
  }
  return [...user, "import", "node", "default"];
}
