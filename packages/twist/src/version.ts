/**
 * The version of `@twisted-ts/twist`, read from its package.json.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";

function readVersion(): string {
  try {
    // From src/version.ts and from the bundled dist/cli.js alike, package.json is one level up.
    const pkg: unknown = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    );
    const version = (pkg as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

/** The version of `@twisted-ts/twist`. */
export const VERSION: string = readVersion();
