/**
 * Text forms of values for log output: the JavaScript counterparts of Python's `str()` and
 * `repr()`, and safe variants that never throw.
 * @internal
 * @packageDocumentation
 */

import { inspect } from "node:util";

const INSPECT_OPTIONS = { breakLength: Number.POSITIVE_INFINITY, depth: 4 } as const;

function hasOwnToString(value: object): boolean {
  const method = (value as { toString?: unknown }).toString;
  return (
    typeof method === "function" &&
    method !== Object.prototype.toString &&
    method !== Array.prototype.toString
  );
}

/**
 * The developer-facing form of a value, on one line: strings in quotes, objects as `util.inspect`
 * shows them. Python's `repr()`.
 * @internal
 */
export function reprOf(value: unknown): string {
  return inspect(value, INSPECT_OPTIONS);
}

/**
 * The reader-facing form of a value: strings as they are, numbers as JavaScript prints them,
 * Errors as `Name: message`, dates in ISO 8601, objects with their own `toString` through it,
 * and other objects (plain objects, arrays, maps) as `util.inspect` shows them. Python's `str()`.
 * @internal
 */
export function strOf(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
    case "boolean":
    case "undefined":
    case "symbol":
      return String(value);
    case "function":
      return reprOf(value);
    default:
      if (value === null) return "null";
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      }
      if (value instanceof Error) return String(value);
      if (hasOwnToString(value as object)) return String(value);
      return reprOf(value);
  }
}

function describeBroken(value: unknown, kind: string, error: unknown): string {
  let name = "object";
  try {
    name =
      value === null || value === undefined
        ? String(value)
        : ((value as { constructor?: { name?: unknown } }).constructor?.name as string) || "object";
  } catch {
    // Keep the generic name.
  }
  let reason = "unknown error";
  try {
    reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    // Keep the generic reason.
  }
  return `<${name} instance with ${kind} error ${reason}>`;
}

/**
 * `reprOf`, or a description of the failure when producing it throws. Never throws.
 * @internal
 */
export function safeRepr(value: unknown): string {
  try {
    return reprOf(value);
  } catch (error) {
    return describeBroken(value, "repr", error);
  }
}

/**
 * `strOf`, or a description of the failure when producing it throws. Never throws.
 * @internal
 */
export function safeStr(value: unknown): string {
  try {
    return strOf(value);
  } catch (error) {
    return describeBroken(value, "str", error);
  }
}

/**
 * `reprOf` with every character outside ASCII escaped (`\xe9`, `\u20ac`, `\U0001f600`), as
 * Python's `ascii()`.
 * @internal
 */
export function asciiOf(value: unknown): string {
  let out = "";
  for (const char of reprOf(value)) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out;
}
