/**
 * The PEP 3101 format-specification mini-language (`{count:>8,d}`, `{ratio:.2%}`), applied to
 * JavaScript strings and numbers.
 * @internal
 * @packageDocumentation
 */

interface Spec {
  fill: string;
  align: string | undefined;
  sign: string | undefined;
  alternate: boolean;
  zero: boolean;
  width: number;
  grouping: string | undefined;
  precision: number | undefined;
  type: string | undefined;
}

const SPEC =
  /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function parseSpec(text: string): Spec {
  const m = SPEC.exec(text);
  if (m === null) throw new ValueError(`Invalid format specifier '${text}'`);
  const zero = m[6] !== undefined;
  return {
    fill: m[1] ?? (zero && m[2] === undefined ? "0" : " "),
    align: m[2] ?? (zero ? "=" : undefined),
    sign: m[3],
    alternate: m[5] !== undefined,
    zero,
    width: m[7] === undefined ? 0 : Number(m[7]),
    grouping: m[8],
    precision: m[9] === undefined ? undefined : Number(m[9]),
    type: m[10],
  };
}

/** A bad format specification or a value it cannot apply to (Python's `ValueError`). */
export class ValueError extends Error {
  override name = "ValueError";
}

function pad(body: string, prefix: string, spec: Spec, defaultAlign: string): string {
  const length = [...prefix].length + [...body].length;
  const room = spec.width - length;
  if (room <= 0) return prefix + body;
  const align = spec.align ?? defaultAlign;
  const fill = spec.fill;
  switch (align) {
    case "<":
      return prefix + body + fill.repeat(room);
    case "^": {
      const left = Math.floor(room / 2);
      return fill.repeat(left) + prefix + body + fill.repeat(room - left);
    }
    case "=":
      return prefix + fill.repeat(room) + body;
    default:
      return fill.repeat(room) + prefix + body;
  }
}

function group(digits: string, separator: string | undefined, size: number): string {
  if (separator === undefined) return digits;
  const dot = digits.indexOf(".");
  const whole = dot < 0 ? digits : digits.slice(0, dot);
  const rest = dot < 0 ? "" : digits.slice(dot);
  let out = "";
  for (let i = whole.length; i > 0; i -= size) {
    const start = Math.max(0, i - size);
    out = whole.slice(start, i) + (out ? separator + out : "");
  }
  return out + rest;
}

function widenExponent(text: string): string {
  // JavaScript writes "1e+6"; Python writes at least two exponent digits: "1e+06".
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

function stripZeros(text: string): string {
  const [mantissa = "", exponent] = text.split("e");
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

function formatGeneral(value: number, precision: number, alternate: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (value === 0) return alternate ? (0).toFixed(p - 1) : "0";
  const exponent = Number(value.toExponential(p - 1).split("e")[1]);
  const text =
    exponent >= -4 && exponent < p
      ? value.toFixed(Math.max(0, p - 1 - exponent))
      : widenExponent(value.toExponential(p - 1));
  return alternate ? text : stripZeros(text);
}

function formatFloatBody(value: number, spec: Spec, type: string): string {
  if (!Number.isFinite(value)) {
    const text = Number.isNaN(value) ? "nan" : "inf";
    return type === "F" || type === "E" || type === "G" ? text.toUpperCase() : text;
  }
  const precision = spec.precision ?? 6;
  switch (type) {
    case "f":
    case "F":
      return value.toFixed(precision);
    case "e":
    case "E": {
      const text = widenExponent(value.toExponential(precision));
      return type === "E" ? text.toUpperCase() : text;
    }
    case "%":
      return `${(value * 100).toFixed(precision)}%`;
    default: {
      const text = formatGeneral(value, precision, spec.alternate);
      return type === "G" ? text.toUpperCase() : text;
    }
  }
}

function formatIntegerBody(value: bigint, spec: Spec, type: string): [string, string] {
  switch (type) {
    case "b":
      return [value.toString(2), spec.alternate ? "0b" : ""];
    case "o":
      return [value.toString(8), spec.alternate ? "0o" : ""];
    case "x":
      return [value.toString(16), spec.alternate ? "0x" : ""];
    case "X":
      return [value.toString(16).toUpperCase(), spec.alternate ? "0X" : ""];
    default:
      return [value.toString(10), ""];
  }
}

function formatNumber(value: number | bigint, spec: Spec): string {
  let type = spec.type;
  if (type === "s") throw new ValueError("Unknown format code 's' for a number");
  if (type === "c") {
    const code = Number(value);
    if (!Number.isInteger(code)) throw new ValueError("Unknown format code 'c' for a float");
    return pad(String.fromCodePoint(code), "", spec, "<");
  }
  const integral = typeof value === "bigint" || Number.isInteger(value);
  if (type === undefined) type = integral && spec.precision === undefined ? "d" : "g";
  if (type === "n") type = integral ? "d" : "g";
  const negative = typeof value === "bigint" ? value < 0n : value < 0 || Object.is(value, -0);
  let body: string;
  let prefix = "";
  if ("dbxXo".includes(type)) {
    if (!integral) throw new ValueError(`Unknown format code '${type}' for a float`);
    const big = typeof value === "bigint" ? value : BigInt(value);
    [body, prefix] = formatIntegerBody(negative ? -big : big, spec, type);
    body = group(body, spec.grouping, type === "d" ? 3 : 4);
  } else {
    const magnitude = Math.abs(Number(value));
    body =
      spec.type === undefined && spec.precision === undefined && Number.isFinite(magnitude)
        ? String(magnitude)
        : formatFloatBody(magnitude, spec, type);
    body = group(body, spec.grouping, 3);
    if (spec.type === undefined && integral && !body.includes(".") && !/[e%n]/i.test(body)) {
      // Python keeps a decimal point when a precision is given without a type: 5 -> "5.0".
      body = `${body}.0`;
    }
  }
  const sign = negative ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  return pad(body, sign + prefix, spec, ">");
}

function formatString(value: string, spec: Spec): string {
  if (spec.type !== undefined && spec.type !== "s") {
    throw new ValueError(`Unknown format code '${spec.type}' for object of type 'str'`);
  }
  if (spec.sign !== undefined) throw new ValueError("Sign not allowed in string format specifier");
  if (spec.align === "=") {
    throw new ValueError("'=' alignment not allowed in string format specifier");
  }
  const text = spec.precision === undefined ? value : [...value].slice(0, spec.precision).join("");
  return pad(text, "", spec, "<");
}

/**
 * Apply a format specification to a value already resolved from an event. Numbers and bigints
 * get the numeric mini-language; anything else is formatted as the text `toText` gives it.
 * @internal
 * @throws ValueError for a malformed specification or one that does not suit the value.
 */
export function applyFormatSpec(value: unknown, specText: string, toText: (v: unknown) => string) {
  if (specText === "") return toText(value);
  const spec = parseSpec(specText);
  if (typeof value === "number" || typeof value === "bigint") return formatNumber(value, spec);
  if (typeof value === "boolean" && spec.type !== undefined && spec.type !== "s") {
    return formatNumber(value ? 1 : 0, spec);
  }
  return formatString(toText(value), spec);
}
