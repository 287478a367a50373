/**
 * `pnpm new:protocol` end to end: copy the workspace to a temporary directory, scaffold a
 * package there, and check that it lints, type-checks, documents every export, builds and
 * passes its own tests (unit and loopback) without a single edit.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const NAME = "widget";

interface Result {
  code: number | null;
  output: string;
}

/** The environment of a child: this one, without what the outer vitest set for itself. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("VITEST") && key !== "NODE_OPTIONS" && key !== "FORCE_COLOR") {
      env[key] = value;
    }
  }
  env.NO_COLOR = "1";
  env.CI = process.env.CI ?? "";
  return env;
}

/** Run a command to completion (without blocking this process's event loop). */
function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000) {
  return new Promise<Result>((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} timed out; output:\n${output}`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/** Run a command and fail with its output unless it exits 0. */
async function ok(command: string, args: readonly string[], cwd: string, timeoutMs?: number) {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.code}:\n${result.output}`);
  }
  return result.output;
}

let copy = "";
const bin = (name: string) => join(copy, "node_modules", ".bin", name);
const pkg = () => join(copy, "packages", NAME);

describe("pnpm new:protocol", () => {
  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), "twisted-ts-new-protocol-"));
    // The tracked files as they are in the working tree, plus the generator and the root
    // package.json, which may not be committed yet.
    const listed = await ok("git", ["ls-files", "-z"], root);
    const files = new Set(listed.split("\0").filter((f) => f !== ""));
    files.add("tooling/scripts/new-protocol.mjs");
    files.add("package.json");
    for (const file of files) {
      if (file.split("/").includes("node_modules")) continue;
      if (file.startsWith(`packages/${NAME}/`) || file === `.changeset/${NAME}-first.md`) continue;
      const from = join(root, file);
      if (!existsSync(from)) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(from, join(copy, file));
    }
    // Links from pnpm's store: no network.
    await ok("pnpm", ["install", "--offline", "--no-frozen-lockfile"], copy, 180_000);
  }, 240_000);

  afterAll(() => {
    if (copy !== "") rmSync(copy, { recursive: true, force: true });
  });

  it("refuses a bad name and an existing package, writing nothing", async () => {
    for (const bad of ["Widget", "1widget", "wid_get", "wid--get", "-widget"]) {
      const result = await run(
        "node",
        ["tooling/scripts/new-protocol.mjs", bad, "--no-install"],
        copy,
      );
      expect(result.code, result.output).toBe(1);
      expect(result.output).toMatch(/bad name|unknown option/);
    }
    const existing = await run("node", ["tooling/scripts/new-protocol.mjs", "qotd"], copy);
    expect(existing.code).toBe(1);
    expect(existing.output).toMatch(/packages\/qotd exists already/);
    expect(existsSync(pkg())).toBe(false);
  });

  it("scaffolds a package that lints, type-checks, documents, builds and passes its tests", async () => {
    await ok("node", ["tooling/scripts/new-protocol.mjs", NAME, "--no-install"], copy);
    const manifest = JSON.parse(readFileSync(join(pkg(), "package.json"), "utf8")) as {
      name: string;
      version: string;
      exports: Record<string, Record<string, unknown>>;
      twist: { plugins: Record<string, string> };
      peerDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe(`@twisted-ts/${NAME}`);
    expect(manifest.version).toBe("0.1.0");
    expect(Object.keys(manifest.exports["."] ?? {})[0]).toBe("@twisted-ts/source");
    expect(manifest.exports["./twist-plugin"]?.["@twisted-ts/source"]).toBe("./src/plugin.ts");
    expect(manifest.twist.plugins).toEqual({ [NAME]: "./twist-plugin" });
    expect(manifest.peerDependencies).toEqual({
      "@twisted-ts/basic": "workspace:^",
      "@twisted-ts/core": "workspace:^",
    });
    for (const file of [
      "src/index.ts",
      "src/errors.ts",
      "src/parser.ts",
      "src/protocol.ts",
      "src/plugin.ts",
      "test/parser.test.ts",
      "test/protocol.test.ts",
      "test/protocol.loopback.test.ts",
      "README.md",
      "tsup.config.ts",
      "typedoc.json",
      "tsconfig.build.json",
    ]) {
      expect(existsSync(join(pkg(), file)), file).toBe(true);
    }
    expect(existsSync(join(copy, ".changeset", `${NAME}-first.md`))).toBe(true);

    await ok("pnpm", ["install", "--offline", "--no-frozen-lockfile"], copy, 180_000);
    await ok(bin("biome"), ["check", `packages/${NAME}`], copy);
    await ok(bin("tsc"), ["-p", `packages/${NAME}/tsconfig.json`], copy);
    const tests = await ok(bin("vitest"), ["run", `packages/${NAME}`], copy, 180_000);
    expect(tests).toMatch(/Test Files\s+3 passed/);
    // tsup and typedoc read the dependencies' declarations from their dist/.
    await ok(
      "pnpm",
      [
        "--filter",
        "@twisted-ts/core",
        "--filter",
        "@twisted-ts/basic",
        "--filter",
        `@twisted-ts/${NAME}`,
        "run",
        "build",
      ],
      copy,
      180_000,
    );
    for (const file of [
      "index.js",
      "index.cjs",
      "index.d.ts",
      "index.d.cts",
      "plugin.js",
      "plugin.cjs",
    ]) {
      expect(existsSync(join(pkg(), "dist", file)), file).toBe(true);
    }
    await ok("pnpm", ["run", "docs:check"], pkg(), 120_000);
    // The built package loads as CommonJS and ESM outside the source condition.
    await ok(
      "node",
      [
        "-e",
        'if (typeof require("./dist/index.cjs").WidgetServerFactory !== "function") process.exit(1)',
      ],
      pkg(),
    );
    const esm = await ok(
      "node",
      [
        "--input-type=module",
        "-e",
        'import("./dist/plugin.js").then((m) => console.log(m.default.name))',
      ],
      pkg(),
    );
    expect(esm.trim()).toBe(NAME);
  }, 600_000);
});
