/**
 * Reading and writing a services' state file: the JSON that `collectState` makes, in the same
 * shape `twist --state-file` writes, so either runner can resume from the other's file.
 * @packageDocumentation
 */
import { existsSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import type { SavedState } from "@twisted-ts/core";

/**
 * Read a state file written by `saveState` (or by `twist --state-file`).
 * @param path - the file.
 * @returns the saved state by service path, or undefined when the file does not exist yet.
 * @throws SyntaxError when it is not JSON; TypeError when it is not a JSON object.
 */
export function loadState(path: string): SavedState | undefined {
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`${path}: a state file holds a JSON object, got ${JSON.stringify(parsed)}`);
  }
  return parsed as SavedState;
}

/**
 * Write a state file without ever leaving half of one: the JSON goes to a temporary file beside
 * it, which then replaces the old one in a single rename.
 * @param path - the file.
 * @param state - what `collectState` returned.
 * @returns a Promise that settles once the file is in place.
 */
export async function saveState(path: string, state: SavedState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, "utf8");
  await rename(temporary, path);
}
