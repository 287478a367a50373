import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PluginLoadError } from "../src/errors.js";
import { activeConditions, resolvePackageSubpath } from "../src/exportsMap.js";
import { discoverPlugins, loadPlugin, pluginPathFromEnv } from "../src/plugins.js";
import { FIXTURE_PLUGINS, tempDir, writeTree } from "./helpers.js";

const SOURCE = ["@twisted-ts/source", "import", "node", "default"];

function plugin(name: string, plugins: Record<string, string>, extra: object = {}) {
  return { name, version: "1.0.0", twist: { plugins }, ...extra };
}

describe("discoverPlugins", () => {
  it("finds the plugins declared by the packages of a plugin path, scoped ones included", () => {
    const found = discoverPlugins({ searchFrom: [], pluginPath: [FIXTURE_PLUGINS] });
    const byName = Object.fromEntries(found.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(["broken", "listed", "pidecho"]);
    expect(byName.pidecho).toMatchObject({
      packageName: "twist-fixture-pidecho",
      target: "./plugin",
    });
    expect(byName.listed?.packageName).toBe("@fixture/listed");
  });

  it("takes a plugin-path entry that is itself a package", () => {
    const found = discoverPlugins({
      searchFrom: [],
      pluginPath: [join(FIXTURE_PLUGINS, "pidecho")],
    });
    expect(found.map((p) => p.name)).toEqual(["pidecho"]);
  });

  it("finds node_modules/@twisted-ts/* packages from a directory upwards", () => {
    const root = tempDir();
    writeTree(root, {
      "node_modules/@twisted-ts/qotd/package.json": plugin("@twisted-ts/qotd", { qotd: "./p" }),
      "node_modules/@twisted-ts/core/package.json": { name: "@twisted-ts/core" },
      "node_modules/unscoped/package.json": plugin("unscoped", { nope: "./p" }),
      "project/deep/er/.keep": "",
    });
    const found = discoverPlugins({ searchFrom: [join(root, "project/deep/er")] });
    expect(found.map((p) => [p.name, p.packageName])).toEqual([["qotd", "@twisted-ts/qotd"]]);
  });

  it("finds the packages of a pnpm workspace met on the way up", () => {
    const root = tempDir();
    writeTree(root, {
      "pnpm-workspace.yaml":
        'packages:\n  - "packages/*"\n  - tools # a comment\n\ncatalog:\n  x: 1\n',
      "packages/a/package.json": plugin("a", { alpha: "./alpha" }),
      "packages/b/package.json": { name: "b" },
      "tools/package.json": plugin("tools", { tool: "./t" }),
      "other/package.json": plugin("other", { hidden: "./h" }),
    });
    const found = discoverPlugins({ searchFrom: [join(root, "packages/b")] });
    expect(found.map((p) => p.name).sort()).toEqual(["alpha", "tool"]);
  });

  it("finds the packages of package.json workspaces", () => {
    const root = tempDir();
    writeTree(root, {
      "package.json": { name: "root", workspaces: ["libs/*"] },
      "libs/x/package.json": plugin("x", { ex: "./x" }),
    });
    expect(discoverPlugins({ searchFrom: [root] }).map((p) => p.name)).toEqual(["ex"]);
  });

  it("keeps the first declaration of a name, and reads each package once", () => {
    const first = tempDir();
    const second = tempDir();
    writeTree(first, { "one/package.json": plugin("one", { same: "./first" }) });
    writeTree(second, { "two/package.json": plugin("two", { same: "./second", more: "./m" }) });
    const found = discoverPlugins({ searchFrom: [], pluginPath: [first, second, first] });
    expect(found.map((p) => [p.name, p.target])).toEqual([
      ["same", "./first"],
      ["more", "./m"],
    ]);
  });

  it("ignores packages with broken or missing package.json files and odd declarations", () => {
    const root = tempDir();
    writeTree(root, {
      "bad/package.json": "{ not json",
      "empty/.keep": "",
      "odd/package.json": { name: "odd", twist: { plugins: { ok: "./ok", notAString: 3 } } },
      "none/package.json": { name: "none", twist: "yes" },
    });
    const found = discoverPlugins({ searchFrom: [], pluginPath: [root, join(root, "missing")] });
    expect(found.map((p) => p.name)).toEqual(["ok"]);
  });
});

describe("pluginPathFromEnv", () => {
  it("splits TWIST_PLUGIN_PATH on the path delimiter", () => {
    expect(pluginPathFromEnv({ TWIST_PLUGIN_PATH: "/a:/b::" })).toEqual(["/a", "/b"]);
    expect(pluginPathFromEnv({})).toEqual([]);
  });
});

describe("resolvePackageSubpath", () => {
  const exports = {
    ".": {
      "@twisted-ts/source": "./src/index.ts",
      import: { types: "./d.ts", default: "./dist/index.js" },
    },
    "./twist-plugin": {
      "@twisted-ts/source": "./src/plugin.ts",
      import: { types: "./dist/plugin.d.ts", default: "./dist/plugin.js" },
      require: "./dist/plugin.cjs",
    },
    "./features/*": "./dist/features/*.js",
    "./hidden": null,
  };

  it("follows the first matching condition, nested", () => {
    expect(resolvePackageSubpath("/p", exports, "./twist-plugin", SOURCE)).toBe("/p/src/plugin.ts");
    expect(resolvePackageSubpath("/p", exports, "./twist-plugin", ["import", "default"])).toBe(
      "/p/dist/plugin.js",
    );
    expect(resolvePackageSubpath("/p", exports, "twist-plugin", ["require"])).toBe(
      "/p/dist/plugin.cjs",
    );
  });

  it("expands subpath patterns", () => {
    expect(resolvePackageSubpath("/p", exports, "./features/a/b", SOURCE)).toBe(
      "/p/dist/features/a/b.js",
    );
  });

  it("returns null for what the exports do not offer", () => {
    expect(resolvePackageSubpath("/p", exports, "./nope", SOURCE)).toBeNull();
    expect(resolvePackageSubpath("/p", exports, "./hidden", SOURCE)).toBeNull();
    expect(
      resolvePackageSubpath("/p", { ".": { require: "./x.cjs" } }, ".", ["import"]),
    ).toBeNull();
  });

  it("takes a string or a condition map as the package's main export", () => {
    expect(resolvePackageSubpath("/p", "./main.js", ".", SOURCE)).toBe("/p/main.js");
    expect(resolvePackageSubpath("/p", { import: "./m.js" }, ".", SOURCE)).toBe("/p/m.js");
    expect(resolvePackageSubpath("/p", "./main.js", "./other", SOURCE)).toBeNull();
  });

  it("takes a subpath as a file when the package has no exports", () => {
    expect(resolvePackageSubpath("/p", undefined, "./dist/plugin.js", SOURCE)).toBe(
      "/p/dist/plugin.js",
    );
  });
});

describe("activeConditions", () => {
  it("reads --conditions and -C from node's flags and NODE_OPTIONS", () => {
    expect(
      activeConditions(["--conditions=@twisted-ts/source", "-C", "dev"], "--conditions x"),
    ).toEqual(["@twisted-ts/source", "dev", "x", "import", "node", "default"]);
    expect(activeConditions([], "")).toEqual(["import", "node", "default"]);
  });
});

describe("loadPlugin", () => {
  const entries = () =>
    Object.fromEntries(
      discoverPlugins({ searchFrom: [], pluginPath: [FIXTURE_PLUGINS] }).map((p) => [p.name, p]),
    );

  it("imports a plugin through its package's exports and returns its service maker", async () => {
    const entry = entries().pidecho;
    if (entry === undefined) throw new Error("fixture missing");
    const maker = await loadPlugin(entry, SOURCE);
    expect(maker.name).toBe("pidecho");
    expect(maker.description).toMatch(/process's id/);
    expect(Object.keys(maker.options)).toEqual(["listen", "greeting"]);
    expect(maker.usage).toMatch(/which worker/);
  });

  it("takes a module that is itself a service maker, with its options as a list", async () => {
    const entry = entries().listed;
    if (entry === undefined) throw new Error("fixture missing");
    const maker = await loadPlugin(entry, SOURCE);
    expect(maker.options).toEqual({
      listen: { type: "string", multiple: true, default: ["tcp:8017"], help: "Where to listen" },
      loud: { type: "boolean", multiple: false, help: "Shout" },
    });
  });

  it("fails with PluginLoadError when the export is missing or the module does not import", async () => {
    const entry = entries().broken;
    if (entry === undefined) throw new Error("fixture missing");
    await expect(loadPlugin(entry, SOURCE)).rejects.toThrow(PluginLoadError);
    await expect(loadPlugin(entry, SOURCE)).rejects.toThrow(/not in the package's exports/);
    const root = tempDir();
    writeTree(root, {
      "pkg/package.json": plugin("pkg", { a: "./a.mjs", b: "./b.mjs" }),
      "pkg/a.mjs": "throw new Error('boom at import');",
      "pkg/b.mjs": "export const nothing = 1;",
    });
    const [a, b] = discoverPlugins({ searchFrom: [], pluginPath: [root] });
    if (a === undefined || b === undefined) throw new Error("fixture missing");
    await expect(loadPlugin(a, SOURCE)).rejects.toThrow(
      /cannot import pkg \(\.\/a\.mjs\): boom at import/,
    );
    await expect(loadPlugin(b, SOURCE)).rejects.toThrow(/exports no service maker/);
  });
});
