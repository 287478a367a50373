/**
 * `--state-file`: the services' state (core's `collectState`) kept as JSON between runs. The
 * safe form of Twisted's `.tap` files and `Application.save()`: no code is ever deserialised.
 * @packageDocumentation
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { SavedState } from "@twisted-ts/core";
import { StateFileError } from "./errors.js";

/**
 * Read a state file.
 * @param path - the file.
 * @returns the saved state, or `undefined` when the file does not exist (a first run).
 * @throws StateFileError when it cannot be read or is not a JSON object.
 */
export function readStateFile(path: string): SavedState | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`cannot read state file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(`state file ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new StateFileError(`state file ${path} does not hold a JSON object`);
  }
  return parsed as SavedState;
}

/**
 * Write a state file atomically: the JSON goes to a temporary file in the same directory, is
 * flushed to disk, and is renamed over the old file, so a crash leaves the old state or the
 * new one, never half of either.
 * @param path - the file.
 * @param state - what `collectState` returned.
 * @throws StateFileError when it cannot be written (the temporary file is removed).
 */
export function writeStateFile(path: string, state: SavedState): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new StateFileError(`cannot write state file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
