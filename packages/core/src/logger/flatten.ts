/**
 * Flattening: rendering an event's format fields ahead of time and keeping the results in
 * `log_flattened`, so the event can still be formatted after a trip through JSON has turned its
 * objects into plain data.
 * @packageDocumentation
 */

import {
  formatWithCall,
  MissingFieldError,
  parseFormat,
  renderValue,
  resolveField,
} from "./formatString.js";
import type { LogEvent } from "./observer.js";

/** Gives each field occurrence its key in `log_flattened`: `name!conversion:spec`, `/2` on. */
class KeyFlattener {
  private readonly seen = new Map<string, number>();

  key(name: string, spec: string, conversion: string): string {
    const base = `${name}!${conversion}:${spec}`;
    const count = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, count);
    return count === 1 ? base : `${base}/${count}`;
  }
}

/**
 * Compute the flattened fields of an event: for each field of its `log_format`, the rendered
 * text (under `name!s:spec`, `name!r:spec` or `name!a:spec`) and the raw value (under `name!:spec`).
 * @internal
 * @returns the fields, or `undefined` when the event has no format or a field cannot be
 *   resolved (formatting the original event then reports the problem).
 */
export function flattenedFields(event: LogEvent): Record<string, unknown> | undefined {
  const format = event.log_format;
  if (typeof format !== "string") return undefined;
  try {
    const fields: Record<string, unknown> = { ...event.log_flattened };
    const keys = new KeyFlattener();
    for (const { field } of parseFormat(format)) {
      if (field === undefined) continue;
      const conversion = field.conversion ?? "s";
      const textKey = keys.key(field.name, field.spec, conversion);
      const rawKey = keys.key(field.name, field.spec, "");
      if (Object.hasOwn(fields, textKey)) continue;
      const value = resolveField(field.name, event);
      const spec = field.spec.includes("{") ? formatWithCall(field.spec, event) : field.spec;
      fields[textKey] = renderValue(value, field.conversion, spec);
      fields[rawKey] = value;
    }
    return Object.keys(fields).length > 0 ? fields : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Flatten an event in place: store its rendered format fields in `log_flattened`. After this, the
 * event formats the same even once its field values have been serialised and reloaded.
 * `eventAsJSON` does this to a copy of the event by itself.
 * @param event - the event to flatten; changed in place. An event without a format, or with a
 *   field that cannot be resolved, is left as it is.
 */
export function flattenEvent(event: LogEvent): void {
  const fields = flattenedFields(event);
  if (fields !== undefined) event.log_flattened = fields;
}

/**
 * Extract the value of a format field from an event: the text between the braces of a format
 * field (`"request.path"`, `"items[0]"`, `"peer!r"`), looked up in the event's flattened fields
 * (flattening it first when needed). Use it to read structured data back from an event loaded
 * from JSON.
 * @param field - a format field, without braces.
 * @param event - the event; flattened in place when it has not been already.
 * @returns the field's value (its rendered text when `field` has a `!conversion`).
 * @throws Error when the field is not one the event's format uses.
 */
export function extractField(field: string, event: LogEvent): unknown {
  const [part] = parseFormat(`{${field}}`);
  const parsed = part?.field;
  if (parsed === undefined) throw new MissingFieldError(`'${field}'`);
  const key = new KeyFlattener().key(parsed.name, parsed.spec, parsed.conversion ?? "");
  if (event.log_flattened === undefined) flattenEvent(event);
  const flattened = event.log_flattened;
  if (flattened === undefined || !Object.hasOwn(flattened, key)) {
    throw new MissingFieldError(`'${field}' is not a field of the event's format`);
  }
  return flattened[key];
}

/**
 * Format an event from its flattened fields.
 * @internal
 * @throws MissingFieldError when a field was not flattened.
 */
export function flatFormat(event: LogEvent): string {
  const flattened = event.log_flattened ?? {};
  const keys = new KeyFlattener();
  let out = "";
  for (const { literal, field } of parseFormat(String(event.log_format))) {
    out += literal;
    if (field === undefined) continue;
    const key = keys.key(field.name, field.spec, field.conversion ?? "s");
    keys.key(field.name, field.spec, "");
    if (!Object.hasOwn(flattened, key)) throw new MissingFieldError(`'${key}'`);
    out += String(flattened[key]);
  }
  return out;
}
