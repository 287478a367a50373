import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** This package's directory. */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The fixture plugins (what tests put on TWIST_PLUGIN_PATH). */
export const FIXTURE_PLUGINS = join(PACKAGE_DIR, "test", "fixtures", "plugins");
/** The fixture application files. */
export const FIXTURE_APPS = join(PACKAGE_DIR, "test", "fixtures", "apps");

const temporary: string[] = [];

afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "twist-test-"));
  temporary.push(dir);
  return dir;
}

/** Write files (creating directories) under `root`; objects are written as JSON. */
export function writeTree(root: string, files: Record<string, string | object>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof content === "string" ? content : JSON.stringify(content));
  }
}
