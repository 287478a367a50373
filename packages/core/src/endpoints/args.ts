/**
 * Binding a parsed description's fields to a parser's parameters, and converting their values,
 * the way Twisted's parsers get them from Python's call semantics. Internal.
 * @packageDocumentation
 */
import { EndpointValueError } from "./errors.js";
import type { EndpointKeywords } from "./interfaces.js";

/** @internal A parser's parameters, as a Python signature would give them. */
export interface Signature<N extends string> {
  /** The endpoint type, for messages. */
  readonly name: string;
  /** The parameter names, in positional order. */
  readonly params: readonly N[];
  /** How many leading parameters are required. */
  readonly required: number;
  /** Whether unknown keywords are collected (`**kwargs`) instead of being a TypeError. */
  readonly extraKeywords?: boolean;
}

/** @internal What `bindArguments` returns. */
export interface Bound<N extends string> {
  /** The value of each parameter that was given. */
  readonly values: Partial<Record<N, string>>;
  /** The keywords no parameter took (only with `extraKeywords`). */
  readonly extra: EndpointKeywords;
}

/**
 * @internal Bind positional and keyword fields to `signature`, as a Python call would.
 * @throws TypeError for too many positional fields, a keyword no parameter takes, a parameter
 *   given both ways, or a required parameter missing.
 */
export function bindArguments<N extends string>(
  signature: Signature<N>,
  args: readonly string[],
  kwargs: Readonly<EndpointKeywords>,
): Bound<N> {
  const { name, params } = signature;
  if (args.length > params.length) {
    throw new TypeError(
      `${name}: takes at most ${params.length} positional arguments (${args.length} given)`,
    );
  }
  const values: Partial<Record<N, string>> = {};
  args.forEach((value, i) => {
    values[params[i] as N] = value;
  });
  const extra: EndpointKeywords = Object.create(null) as EndpointKeywords;
  for (const [key, value] of Object.entries(kwargs)) {
    if ((params as readonly string[]).includes(key)) {
      if (values[key as N] !== undefined) {
        throw new TypeError(`${name}: got multiple values for argument '${key}'`);
      }
      values[key as N] = value;
    } else if (signature.extraKeywords === true) {
      extra[key] = value;
    } else {
      throw new TypeError(`${name}: got an unexpected keyword argument '${key}'`);
    }
  }
  for (const param of params.slice(0, signature.required)) {
    if (values[param] === undefined) {
      throw new TypeError(`${name}: missing required argument '${param}'`);
    }
  }
  return { values, extra };
}

/**
 * @internal A decimal integer as Python's `int()` reads it: surrounding whitespace, a sign,
 * and `_` between digits are allowed.
 * @throws EndpointValueError for anything else.
 */
export function parseInteger(value: string, what: string): number {
  const text = value.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) {
    throw new EndpointValueError(`${what} must be an integer, not '${value}'`);
  }
  return Number(text.replaceAll("_", ""));
}

/**
 * @internal An octal integer as Python's `int(value, 8)` reads it (`660`, `0660`, `0o660`).
 * @throws EndpointValueError for anything else.
 */
export function parseOctal(value: string, what: string): number {
  const match = /^([+-]?)(?:0[oO]_?)?([0-7]+(?:_[0-7]+)*)$/.exec(value.trim());
  if (match === null) {
    throw new EndpointValueError(`${what} must be an octal integer, not '${value}'`);
  }
  const magnitude = Number.parseInt((match[2] as string).replaceAll("_", ""), 8);
  return match[1] === "-" ? -magnitude : magnitude;
}

/**
 * @internal A flag written as an integer, as Python's `bool(int(value))`: "0" is false, any
 * other integer true.
 * @throws EndpointValueError for a value that is not an integer.
 */
export function parseFlag(value: string, what: string): boolean {
  return parseInteger(value, what) !== 0;
}
