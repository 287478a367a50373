/**
 * The endpoint description grammar shared by `serverFromString` and `clientFromString`:
 * Twisted's `_tokenize`, `_parse` and `quoteStringArgument`.
 * @packageDocumentation
 */
import { EndpointValueError } from "./errors.js";
import type { EndpointKeywords } from "./interfaces.js";

/** A parsed endpoint description; see `parseEndpointDescription`. */
export interface EndpointDescription {
  /** The first positional field, the endpoint type as written ("" when there is none). */
  readonly type: string;
  /** The other positional fields (those without an unescaped `=`), in order. */
  readonly args: readonly string[];
  /** The `name=value` fields; a name given twice keeps its last value. */
  readonly kwargs: Readonly<EndpointKeywords>;
}

/**
 * Split an endpoint description into its type, positional arguments and keyword arguments,
 * exactly as Twisted's strports parser does:
 * - fields are separated by `:`;
 * - in a field, the first `=` separates the name from the value, and after it only `:` is
 *   special, so `address=foo=bar` is the name `address` with the value `foo=bar`;
 * - `\` makes the next character literal (`\:`, `\=`, `\\`);
 * - a field without an `=` is positional.
 *
 * So `"unix:foo\:bar\=baz\:qux\\"` is the type `unix` with one positional argument,
 * `foo:bar=baz:qux\`; `"tcp:80:interface=127.0.0.1"` is `tcp`, `["80"]`,
 * `{ interface: "127.0.0.1" }`. Use it to write your own endpoint parser, or to inspect a
 * description before building an endpoint.
 *
 * @param description - the description string.
 * @returns the type, the positional arguments after it, and the keyword arguments.
 * @throws EndpointValueError when the description ends with an unpaired `\`.
 *
 * Differences from Twisted: the type is split off (Twisted's `_parse` returns it as the first
 * positional); a trailing `\` is an `EndpointValueError` (Twisted fails with a RuntimeError).
 */
export function parseEndpointDescription(description: string): EndpointDescription {
  const args: string[] = [];
  const kwargs: EndpointKeywords = Object.create(null) as EndpointKeywords;
  let field: string[] = [];
  let current = "";
  let afterEquals = false;
  const endField = (): void => {
    field.push(current);
    if (field.length === 1) args.push(field[0] as string);
    else kwargs[field[0] as string] = field[1] as string;
    field = [];
    current = "";
    afterEquals = false;
  };
  const chars = Array.from(description);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === ":") {
      endField();
    } else if (c === "=" && !afterEquals) {
      field.push(current);
      current = "";
      afterEquals = true;
    } else if (c === "\\") {
      i++;
      if (i >= chars.length) {
        throw new EndpointValueError(
          `endpoint description ends with an unpaired backslash: ${JSON.stringify(description)}`,
        );
      }
      current += chars[i] as string;
    } else {
      current += c;
    }
  }
  endField();
  const [type = "", ...rest] = args;
  return { type, args: rest, kwargs };
}

/**
 * Quote a value for a description string, escaping `\` and `:` with a backslash, so that
 * `` `ssl:443:privateKey=${quoteStringArgument(path)}` `` works for any path (a Windows path
 * has a colon). Twisted's `quoteStringArgument`.
 * @param argument - the raw value.
 * @returns the quoted value.
 */
export function quoteStringArgument(argument: string): string {
  return argument.replaceAll("\\", "\\\\").replaceAll(":", "\\:");
}
