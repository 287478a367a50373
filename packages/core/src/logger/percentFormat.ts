/**
 * Python's `%` formatting with a mapping (`"%(user)s logged in after %(ms).1f ms"`), which legacy
 * `log.msg(..., { format })` events use.
 * @internal
 * @packageDocumentation
 */

import { applyFormatSpec, ValueError } from "./formatSpec.js";
import { MissingFieldError } from "./formatString.js";
import { asciiOf, reprOf, strOf } from "./repr.js";

const DIRECTIVE = /%(?:\(([^)]*)\))?([-+ #0]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

function toNumber(value: unknown, code: string): number | bigint {
  if (typeof value === "number" || typeof value === "bigint") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`%${code} format: a real number is required, not ${typeof value}`);
}

/**
 * Format `format % mapping` as Python does: `%(key)s`, `%(key)r`, `%(key)d`, `%(key).2f`,
 * `%(key)-10s`, `%%`… A directive without a key takes the mapping itself, once.
 * @internal
 * @throws when a key is missing, a directive is malformed, or a value does not suit it.
 */
export function percentFormat(format: string, mapping: Readonly<Record<string, unknown>>): string {
  let positionalUsed = false;
  return format.replace(
    DIRECTIVE,
    (whole, key: string | undefined, flags: string, width, precision, code: string | undefined) => {
      if (code === undefined) throw new ValueError(`unsupported format directive '${whole}'`);
      if (code === "%" && key === undefined) return "%";
      let value: unknown;
      if (key !== undefined) {
        if (!Object.hasOwn(mapping, key)) throw new MissingFieldError(`'${key}'`);
        value = mapping[key];
      } else {
        if (positionalUsed) throw new TypeError("not enough arguments for format string");
        positionalUsed = true;
        value = mapping;
      }
      if (code === "%") return "%";
      const left = flags.includes("-");
      const sign = flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
      const size = width ?? "";
      const dot = precision === undefined ? "" : `.${precision}`;
      if (code === "s" || code === "r" || code === "a") {
        const text = code === "s" ? strOf(value) : code === "r" ? reprOf(value) : asciiOf(value);
        return applyFormatSpec(text, `${left ? "<" : ">"}${size}${dot}`, strOf);
      }
      let number = toNumber(value, code);
      let type = code;
      if ("diu".includes(code)) {
        type = "d";
        if (typeof number === "number") number = Math.trunc(number);
      }
      if (type === "c" && typeof value === "string") {
        return applyFormatSpec(value, `${left ? "<" : ">"}${size}`, strOf);
      }
      const zero = flags.includes("0") && !left ? "0" : "";
      const alternate = flags.includes("#") ? "#" : "";
      const spec = `${left ? "<" : ""}${sign}${alternate}${zero}${size}${dot}${type}`;
      return applyFormatSpec(number, spec, strOf);
    },
  );
}
