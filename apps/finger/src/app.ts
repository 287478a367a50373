/**
 * The finger app as an app file, for `twist --app` (the tutorial's `.tac` files):
 *
 *   FINGER_ARGS="--file users.txt --web tcp:8000" twist --app apps/finger/src/app.ts
 *
 * `$FINGER_ARGS` holds the same options as `twist finger`: a JSON array of strings
 * (`'["--user", "joe:Having lunch"]'`), or words split on whitespace.
 * @packageDocumentation
 */
import { Application, reactor } from "@twisted-ts/core";
import { FingerUsageError } from "./errors.js";
import { configFromOptions, parseFingerArgs } from "./plugin.js";
import { makeService } from "./service.js";

/** The application: one service named "finger", the whole app. */
export const application: Application = new Application("finger");

/**
 * The arguments in `$FINGER_ARGS`.
 * @param text - the variable's value.
 * @returns the arguments.
 */
export function argsFromEnv(text: string): string[] {
  if (text.trimStart().startsWith("[")) {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((arg) => typeof arg === "string")) return parsed;
    throw new FingerUsageError("FINGER_ARGS must be a JSON array of strings");
  }
  return text.split(/\s+/).filter((arg) => arg !== "");
}

const args = argsFromEnv(process.env.FINGER_ARGS ?? "");
const app = makeService(configFromOptions(parseFingerArgs(args)), reactor);
app.setName("finger");
app.setServiceParent(application);
