/**
 * Conditional requests (RFC 9110 §13): entity-tag comparison, HTTP dates, and the evaluation of
 * `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` in the RFC's order.
 * @packageDocumentation
 */

/** The validators a response carries, as {@link evaluatePreconditions} compares them. */
export interface Validators {
  /** The entity tag, quotes included (`"\"abc\""` or `"W/\"abc\""`); `undefined` when none. */
  etag?: string | undefined;
  /** The modification time, in whole seconds since the epoch; `undefined` when unknown. */
  lastModified?: number | undefined;
}

/** The outcome of {@link evaluatePreconditions}: a status code to answer with, or `null`. */
export type PreconditionResult = 304 | 412 | null;

/** One parsed entity tag. */
interface EntityTag {
  weak: boolean;
  opaque: string;
}

/**
 * Parses an entity tag such as `"abc"` or `W/"abc"`.
 * @param tag - the tag, as sent.
 * @returns the tag, or `undefined` when it is malformed.
 */
function parseEntityTag(tag: string): EntityTag | undefined {
  const m = /^\s*(W\/)?"([^"]*)"\s*$/.exec(tag);
  if (m === null) return undefined;
  return { weak: m[1] !== undefined, opaque: m[2] ?? "" };
}

/**
 * Splits an `If-Match` / `If-None-Match` value into its entity tags.
 * @param header - the header's value (several values joined by commas).
 * @returns `"*"`, or the well-formed tags (malformed ones are dropped).
 */
function parseEntityTagList(header: string): "*" | EntityTag[] {
  if (header.trim() === "*") return "*";
  const tags: EntityTag[] = [];
  for (const m of header.matchAll(/(W\/)?"([^"]*)"/g)) {
    tags.push({ weak: m[1] !== undefined, opaque: m[2] ?? "" });
  }
  return tags;
}

/**
 * Whether two entity tags match under RFC 9110's strong comparison (both strong, same
 * opaque tag), which `If-Match` and `If-Range` use.
 * @param a - one tag, quotes included.
 * @param b - the other.
 */
export function strongETagMatch(a: string, b: string): boolean {
  const x = parseEntityTag(a);
  const y = parseEntityTag(b);
  return x !== undefined && y !== undefined && !x.weak && !y.weak && x.opaque === y.opaque;
}

/**
 * Whether two entity tags match under RFC 9110's weak comparison (same opaque tag, weakness
 * ignored), which `If-None-Match` uses.
 * @param a - one tag, quotes included.
 * @param b - the other.
 */
export function weakETagMatch(a: string, b: string): boolean {
  const x = parseEntityTag(a);
  const y = parseEntityTag(b);
  return x !== undefined && y !== undefined && x.opaque === y.opaque;
}

/**
 * Parses an HTTP date (IMF-fixdate, RFC 850 or asctime). Anything after a `;` is dropped first
 * (old browsers sent `If-Modified-Since: <date>; length=123`), as Twisted does.
 * @param value - the header's value.
 * @returns seconds since the epoch (whole), or `undefined` when it is not a date.
 */
export function parseHTTPDate(value: string): number | undefined {
  const text = (value.split(";")[0] ?? "").trim();
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const ms = Date.parse(/GMT|UTC|[+-]\d{4}$/.test(text) ? text : `${text} GMT`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Formats seconds since the epoch as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
 * @param seconds - seconds since the epoch.
 */
export function formatHTTPDate(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toUTCString();
}

/** The request fields {@link evaluatePreconditions} reads. */
export interface ConditionalRequest {
  /** The method. */
  readonly method: string;
  /**
   * @param name - a request header.
   * @returns its last value, or `undefined`.
   */
  getHeader(name: string): string | undefined;
}

/**
 * Evaluates a request's preconditions against a response's validators, in the order of RFC 9110
 * §13.2.2:
 * 1. `If-Match` (strong comparison; `*` matches any current representation): no match → 412.
 * 2. Only when there is no `If-Match`: `If-Unmodified-Since`: modified after → 412.
 * 3. `If-None-Match` (weak comparison; `*` matches): a match → 304 for GET and HEAD, 412
 *    otherwise.
 * 4. Only when there is no `If-None-Match`, and only for GET and HEAD: `If-Modified-Since`: not
 *    modified after → 304.
 *
 * A condition whose validator is unknown (no `etag`, no `lastModified`) is skipped, and so is
 * a date that does not parse.
 * @param request - the request (its method and headers).
 * @param validators - the response's entity tag and modification time.
 * @returns 304, 412, or `null` when the request should be answered normally.
 */
export function evaluatePreconditions(
  request: ConditionalRequest,
  validators: Validators,
): PreconditionResult {
  const { etag, lastModified } = validators;
  const safe = request.method === "GET" || request.method === "HEAD";
  const ifMatch = request.getHeader("if-match");
  if (ifMatch !== undefined) {
    if (etag !== undefined) {
      const tags = parseEntityTagList(ifMatch);
      if (tags !== "*" && !tags.some((t) => !t.weak && strongETagMatch(etag, `"${t.opaque}"`))) {
        return 412;
      }
    }
  } else {
    const ius = request.getHeader("if-unmodified-since");
    const since = ius === undefined ? undefined : parseHTTPDate(ius);
    if (since !== undefined && lastModified !== undefined && lastModified > since) return 412;
  }
  const ifNoneMatch = request.getHeader("if-none-match");
  if (ifNoneMatch !== undefined) {
    if (etag !== undefined) {
      const tags = parseEntityTagList(ifNoneMatch);
      const hit =
        tags === "*" || tags.some((t) => weakETagMatch(etag, `${t.weak ? "W/" : ""}"${t.opaque}"`));
      if (hit) return safe ? 304 : 412;
    }
  } else if (safe) {
    const ims = request.getHeader("if-modified-since");
    const since = ims === undefined ? undefined : parseHTTPDate(ims);
    if (since !== undefined && lastModified !== undefined && lastModified <= since) return 304;
  }
  return null;
}
