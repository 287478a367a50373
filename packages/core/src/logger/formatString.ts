/**
 * PEP 3101 format strings over named fields, as `str.format` reads them, with Twisted's extension
 * that a name ending in `()` is called: `"{peer.getHost()}"`.
 * @internal
 * @packageDocumentation
 */

import { applyFormatSpec, ValueError } from "./formatSpec.js";
import { asciiOf, reprOf, strOf } from "./repr.js";

/** One replacement field of a format string: `{name!conversion:spec}`. */
export interface FormatField {
  /** The field name, with any `.attr` and `[key]` parts and `()` suffixes. */
  readonly name: string;
  /** `"r"`, `"s"`, `"a"`, or `undefined` when there is no `!conversion`. */
  readonly conversion: string | undefined;
  /** The format specification after `:`, or `""`. */
  readonly spec: string;
}

/** A stretch of literal text followed by an optional replacement field. */
export interface FormatPart {
  readonly literal: string;
  readonly field: FormatField | undefined;
}

/** A field that names nothing in the event or in the object it reaches into. */
export class MissingFieldError extends Error {
  override name = "KeyError";
}

function parseField(text: string): FormatField {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "[") {
      const close = text.indexOf("]", i);
      i = close < 0 ? text.length : close + 1;
      continue;
    }
    if (c === "{") throw new ValueError("unexpected '{' in field name");
    if (c === "!" || c === ":") break;
    i++;
  }
  const name = text.slice(0, i);
  if (i >= text.length) return { name, conversion: undefined, spec: "" };
  if (text[i] === ":") return { name, conversion: undefined, spec: text.slice(i + 1) };
  const conversion = text[i + 1];
  if (conversion === undefined) {
    throw new ValueError("end of string while looking for conversion specifier");
  }
  if (i + 2 < text.length && text[i + 2] !== ":") {
    throw new ValueError("expected ':' after conversion specifier");
  }
  if (conversion !== "r" && conversion !== "s" && conversion !== "a") {
    throw new ValueError(`Unknown conversion specifier ${conversion}`);
  }
  return { name, conversion, spec: text.slice(i + 3) };
}

/**
 * Split a format string into literal text and fields. `{{` and `}}` stand for literal braces.
 * @internal
 * @throws ValueError for an unmatched brace or a malformed field.
 */
export function parseFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let literal = "";
  let i = 0;
  while (i < format.length) {
    const c = format[i] as string;
    if (c === "}") {
      if (format[i + 1] !== "}") throw new ValueError("Single '}' encountered in format string");
      literal += "}";
      i += 2;
    } else if (c !== "{") {
      literal += c;
      i++;
    } else if (format[i + 1] === "{") {
      literal += "{";
      i += 2;
    } else {
      let depth = 1;
      let j = i + 1;
      for (; j < format.length; j++) {
        if (format[j] === "{") depth++;
        else if (format[j] === "}" && --depth === 0) break;
      }
      if (depth !== 0) throw new ValueError("expected '}' before end of string");
      parts.push({ literal, field: parseField(format.slice(i + 1, j)) });
      literal = "";
      i = j + 1;
    }
  }
  if (literal !== "" || parts.length === 0) parts.push({ literal, field: undefined });
  return parts;
}

type Step = { kind: "attr" | "item"; key: string };

function splitName(name: string): { first: string; steps: Step[] } {
  const match = /^[^.[]*/.exec(name);
  const first = match?.[0] ?? "";
  if (first === "" || /^\d+$/.test(first)) {
    throw new ValueError(`positional field '{${name}}' is not supported; name the field`);
  }
  const steps: Step[] = [];
  let i = first.length;
  while (i < name.length) {
    if (name[i] === ".") {
      const end = name.slice(i + 1).search(/[.[]/);
      const key = end < 0 ? name.slice(i + 1) : name.slice(i + 1, i + 1 + end);
      if (key === "") throw new ValueError("Empty attribute in format string");
      steps.push({ kind: "attr", key });
      i += 1 + key.length;
    } else {
      const close = name.indexOf("]", i);
      if (close < 0) throw new ValueError("Missing ']' in format string");
      const key = name.slice(i + 1, close);
      if (key === "") throw new ValueError("Empty attribute in format string");
      steps.push({ kind: "item", key });
      i = close + 1;
      if (i < name.length && name[i] !== "." && name[i] !== "[") {
        throw new ValueError("Only '.' or '[' may follow ']' in format field specifier");
      }
    }
  }
  return { first, steps };
}

function callIfAsked(key: string, lookup: (k: string) => unknown, self: unknown): unknown {
  if (!key.endsWith("()")) return lookup(key);
  const fn = lookup(key.slice(0, -2));
  if (typeof fn !== "function") throw new TypeError(`'${key.slice(0, -2)}' is not callable`);
  return fn.call(self);
}

function getAttribute(target: unknown, key: string): unknown {
  if (target === null || target === undefined || !(key in Object(target))) {
    throw new MissingFieldError(`${strOf(target)} has no attribute '${key}'`);
  }
  return (target as Record<string, unknown>)[key];
}

function getItem(target: unknown, key: string): unknown {
  if (target instanceof Map) {
    const k = /^\d+$/.test(key) && !target.has(key) ? Number(key) : key;
    if (!target.has(k)) throw new MissingFieldError(`'${key}'`);
    return target.get(k);
  }
  if (Array.isArray(target) || typeof target === "string") {
    if (!/^\d+$/.test(key) || Number(key) >= target.length) {
      throw new MissingFieldError(`index ${key} out of range`);
    }
    return target[Number(key)];
  }
  if (target === null || typeof target !== "object" || !(key in target)) {
    throw new MissingFieldError(`'${key}'`);
  }
  return (target as Record<string, unknown>)[key];
}

/**
 * Look a field name up in a mapping of fields: `a.b` reads a property, `a[k]` an item (an array
 * index, a `Map` key or a property), and a name ending in `()` is called.
 * @internal
 * @throws MissingFieldError when a name is missing; TypeError when a `()` name is not a function.
 */
export function resolveField(name: string, fields: Readonly<Record<string, unknown>>): unknown {
  const { first, steps } = splitName(name);
  let value = callIfAsked(
    first,
    (key) => {
      if (!Object.hasOwn(fields, key)) throw new MissingFieldError(`'${key}'`);
      return fields[key];
    },
    undefined,
  );
  for (const step of steps) {
    const target = value;
    value =
      step.kind === "attr"
        ? callIfAsked(step.key, (key) => getAttribute(target, key), target)
        : getItem(target, step.key);
  }
  return value;
}

/**
 * Render one resolved value with its conversion and format specification.
 * @internal
 */
export function renderValue(value: unknown, conversion: string | undefined, spec: string): string {
  const converted =
    conversion === "r"
      ? reprOf(value)
      : conversion === "s"
        ? strOf(value)
        : conversion === "a"
          ? asciiOf(value)
          : value;
  return applyFormatSpec(converted, spec, strOf);
}

/**
 * Format a PEP 3101 string with named fields only (Twisted's `formatWithCall`): `{name}`,
 * `{name.attr}`, `{name[key]}`, `{name()}`, `{name!r}`, `{name:>10}`, and nested fields in a
 * specification (`{name:{width}}`).
 * @internal
 * @throws for a malformed format string or a field that cannot be resolved or rendered.
 */
export function formatWithCall(format: string, fields: Readonly<Record<string, unknown>>): string {
  let out = "";
  for (const part of parseFormat(format)) {
    out += part.literal;
    const field = part.field;
    if (field === undefined) continue;
    const spec = field.spec.includes("{") ? formatWithCall(field.spec, fields) : field.spec;
    out += renderValue(resolveField(field.name, fields), field.conversion, spec);
  }
  return out;
}
