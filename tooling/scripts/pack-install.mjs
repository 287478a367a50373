#!/usr/bin/env node
// Installs every public package the way a user does, and uses it.
//
// For each package under packages/ that is not private: `pnpm pack` (after `pnpm build`, which
// .ci/run runs first), so `workspace:` ranges become real versions. Then a fresh temporary
// project, outside the workspace, installs all the tarballs with plain npm and runs
// tooling/pack-check/samples/<package>.mjs (ESM) and <package>.cjs (CommonJS) where they exist,
// and type-checks samples/check.ts with tsc (node16 resolution, strict) against the installed
// declarations. A package that only works inside the monorepo fails here.
//
// Usage: node tooling/scripts/pack-install.mjs   (exit status 1 on any failure)
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const samples = join(root, "tooling/pack-check/samples");
const work = mkdtempSync(join(tmpdir(), "twisted-ts-pack-"));
const tarballs = join(work, "tarballs");
const project = join(work, "project");
mkdirSync(tarballs);
mkdirSync(project);

const run = (cmd, args, cwd, extra = {}) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...extra });

const packages = readdirSync(join(root, "packages"))
  .map((dir) => join(root, "packages", dir))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ manifest }) => manifest.private !== true);

let failures = 0;
try {
  for (const { dir, manifest } of packages) {
    if (!existsSync(join(dir, "dist")))
      throw new Error(`${manifest.name} is not built (run pnpm build first)`);
    run("npx", ["-y", "pnpm@10.34.9", "pack", "--pack-destination", tarballs], dir);
  }
  const files = readdirSync(tarballs).filter((f) => f.endsWith(".tgz"));
  console.log(`packed ${files.length} packages: ${files.join(", ")}`);

  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "pack-check", private: true, version: "0.0.0" }, null, 2)}\n`,
  );
  // One npm install of every tarball, so peer dependencies resolve to the packed siblings.
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...files.map((f) => join(tarballs, f)),
    ],
    project,
  );

  for (const { manifest } of packages) {
    const short = manifest.name.replace("@twisted-ts/", "");
    for (const ext of ["mjs", "cjs"]) {
      const sample = join(samples, `${short}.${ext}`);
      if (!existsSync(sample)) continue;
      cpSync(sample, join(project, `${short}.${ext}`));
      try {
        const out = run(process.execPath, [`${short}.${ext}`], project, { timeout: 60_000 });
        console.log(`  ${manifest.name} (${ext === "mjs" ? "ESM" : "CommonJS"}): ${out.trim()}`);
      } catch (error) {
        failures++;
        console.error(
          `  ${manifest.name} (${ext}): FAILED\n${error.stdout ?? ""}${error.stderr ?? error.message}`,
        );
      }
    }
  }

  cpSync(join(samples, "check.ts"), join(project, "check.ts"));
  writeFileSync(
    join(project, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          module: "node16",
          moduleResolution: "node16",
          target: "es2022",
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(root, "node_modules/@types")],
        },
        files: ["check.ts"],
      },
      null,
      2,
    )}\n`,
  );
  try {
    run(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      project,
    );
    console.log("  tsc (node16, strict, skipLibCheck off) against the installed declarations: ok");
  } catch (error) {
    failures++;
    console.error(`  tsc: FAILED\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures > 0) {
  console.error(`pack-install: ${failures} failure(s)`);
  process.exit(1);
}
console.log("pack-install: every package installs and runs outside the workspace");
