/**
 * `Headers`: twisted.web's `http_headers.Headers`.
 * @packageDocumentation
 */

/** Names whose canonical spelling is not plain Title-Case, as Twisted spells them. */
const SPECIAL_CAPS: Readonly<Record<string, string>> = {
  "content-md5": "Content-MD5",
  dnt: "DNT",
  etag: "ETag",
  p3p: "P3P",
  te: "TE",
  "www-authenticate": "WWW-Authenticate",
  "x-xss-protection": "X-XSS-Protection",
};

/** Canonical spellings already computed, by the name as given. */
const canonicalCache = new Map<string, string>();
/** The most names `canonicalCache` holds before it starts over. */
const MAX_CACHED_NAMES = 1024;

/** A header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not hold: it would end the header line early. */
const LINE_BREAK = /[\r\n]/g;

/**
 * The canonical spelling of a header name: Title-Case at each `-`, with Twisted's exceptions
 * (`ETag`, `WWW-Authenticate`, `Content-MD5`, `TE`, `DNT`, `P3P`, `X-XSS-Protection`).
 * @param name - a header name, in any case.
 * @returns how it is written on the wire.
 */
export function canonicalHeaderName(name: string): string {
  const cached = canonicalCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const canonical =
    SPECIAL_CAPS[lower] ??
    lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  // Bounded: a peer choosing header names must not grow it without limit.
  if (canonicalCache.size >= MAX_CACHED_NAMES) canonicalCache.clear();
  canonicalCache.set(name, canonical);
  return canonical;
}

/**
 * Whether a string is a valid header name (an RFC 9110 token).
 * @param name - the name.
 */
export function isValidHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * HTTP headers: names are case-insensitive, each name holds a list of raw values in the order
 * they were added. Twisted's `Headers`, with strings instead of bytes (header bytes are read and
 * written as latin-1, so any byte survives a round trip).
 *
 * A CR or LF in a value is replaced by a space (as Twisted does), so a value can never start a
 * second header line; a name that is not a token is refused with a `TypeError`.
 *
 * ```ts
 * const headers = new Headers({ "content-type": ["text/plain"] });
 * headers.addRawHeader("Set-Cookie", "a=1");
 * headers.getRawHeaders("CONTENT-TYPE"); // ["text/plain"]
 * ```
 */
export class Headers {
  private readonly raw = new Map<string, { name: string; values: string[] }>();

  /**
   * @param rawHeaders - initial headers: name → values.
   */
  constructor(
    rawHeaders?:
      | Readonly<Record<string, readonly string[]>>
      | Iterable<[string, readonly string[]]>,
  ) {
    if (rawHeaders === undefined) return;
    const entries =
      Symbol.iterator in rawHeaders
        ? (rawHeaders as Iterable<[string, readonly string[]]>)
        : Object.entries(rawHeaders as Readonly<Record<string, readonly string[]>>);
    for (const [name, values] of entries) this.setRawHeaders(name, values);
  }

  private static key(name: string): string {
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name: ${JSON.stringify(name)}`);
    return name.toLowerCase();
  }

  private static clean(value: string): string {
    return value.replace(LINE_BREAK, " ");
  }

  /**
   * @param name - a header name, in any case.
   * @returns whether there is at least one value for it.
   */
  hasHeader(name: string): boolean {
    return this.raw.has(name.toLowerCase());
  }

  /**
   * Removes every value of a header (nothing happens when it is absent).
   * @param name - a header name, in any case.
   */
  removeHeader(name: string): void {
    this.raw.delete(name.toLowerCase());
  }

  /**
   * Replaces every value of a header.
   * @param name - a header name, in any case; the first spelling given is kept for output.
   * @param values - the new values (an empty list removes the header).
   * @throws TypeError when the name is not a token.
   */
  setRawHeaders(name: string, values: readonly string[]): void {
    const key = Headers.key(name);
    if (values.length === 0) {
      this.raw.delete(key);
      return;
    }
    this.raw.set(key, { name: canonicalHeaderName(name), values: values.map(Headers.clean) });
  }

  /**
   * Adds one value to a header.
   * @param name - a header name, in any case.
   * @param value - the value.
   * @throws TypeError when the name is not a token.
   */
  addRawHeader(name: string, value: string): void {
    const key = Headers.key(name);
    const entry = this.raw.get(key);
    if (entry === undefined) {
      this.raw.set(key, { name: canonicalHeaderName(name), values: [Headers.clean(value)] });
    } else {
      entry.values.push(Headers.clean(value));
    }
  }

  /**
   * The values of a header.
   * @param name - a header name, in any case.
   * @returns a copy of its values, or `undefined` when absent.
   */
  getRawHeaders(name: string): string[] | undefined;
  /**
   * The values of a header, or a default.
   * @param name - a header name, in any case.
   * @param defaultValue - what to return when it is absent.
   * @returns a copy of its values, or `defaultValue`.
   */
  getRawHeaders<D>(name: string, defaultValue: D): string[] | D;
  getRawHeaders<D>(name: string, defaultValue?: D): string[] | D | undefined {
    const entry = this.raw.get(name.toLowerCase());
    return entry === undefined ? defaultValue : [...entry.values];
  }

  /**
   * The last value of a header: what `Request.getHeader` returns.
   * @param name - a header name, in any case.
   * @returns the last value, or `undefined` when absent.
   */
  getHeader(name: string): string | undefined {
    const values = this.raw.get(name.toLowerCase())?.values;
    return values === undefined ? undefined : values[values.length - 1];
  }

  /**
   * Every header, canonically spelled, with its values, in the order first set.
   * @returns `[name, values]` pairs (copies).
   */
  *getAllRawHeaders(): IterableIterator<[string, string[]]> {
    for (const { name, values } of this.raw.values()) yield [name, [...values]];
  }

  /** How many distinct header names there are. */
  get size(): number {
    return this.raw.size;
  }

  /** @returns an independent copy. */
  copy(): Headers {
    const copy = new Headers();
    for (const [key, { name, values }] of this.raw)
      copy.raw.set(key, { name, values: [...values] });
    return copy;
  }

  /** @returns a readable form, e.g. `Headers({"content-type": ["text/plain"]})`. */
  toString(): string {
    const body = [...this.raw].map(
      ([key, { values }]) => `${JSON.stringify(key)}: ${JSON.stringify(values)}`,
    );
    return `Headers({${body.join(", ")}})`;
  }
}
