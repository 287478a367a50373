/**
 * Content types and encodings of static files, and the small formatting helpers of the
 * directory listing.
 * @packageDocumentation
 */
import mime from "mime-types";

/**
 * Twisted's `File.contentEncodings`: a file extension that names a content coding. A file
 * `x.tar.gz` is served as `application/x-tar` with `Content-Encoding: gzip`.
 */
export const DEFAULT_CONTENT_ENCODINGS: Readonly<Record<string, string>> = {
  ".gz": "gzip",
  ".bz2": "bzip2",
};

/** A file's media type and content coding, as `getTypeAndEncoding` finds them. */
export interface TypeAndEncoding {
  /** The bare media type, e.g. `"text/html"` (no parameters). */
  type: string;
  /** The content coding from a compression extension, e.g. `"gzip"`; `undefined` for none. */
  encoding: string | undefined;
}

/**
 * The media type and content coding of a file from its name: Twisted's `getTypeAndEncoding`,
 * with the `mime-types` database in place of Python's `mimetypes`.
 * @param name - the file's name (or path).
 * @param contentEncodings - extension → coding (see {@link DEFAULT_CONTENT_ENCODINGS}).
 * @param defaultType - the type when the extension is unknown.
 * @returns the bare media type (no parameters) and the coding, if any.
 */
export function getTypeAndEncoding(
  name: string,
  contentEncodings: Readonly<Record<string, string>>,
  defaultType: string,
): TypeAndEncoding {
  let base = name;
  let encoding: string | undefined;
  const dot = base.lastIndexOf(".");
  if (dot > 0) {
    const ext = base.slice(dot).toLowerCase();
    if (Object.hasOwn(contentEncodings, ext)) {
      encoding = contentEncodings[ext];
      base = base.slice(0, dot);
    }
  }
  const type = mime.lookup(base);
  return { type: type === false ? defaultType : type, encoding };
}

/**
 * The `Content-Type` header for a media type: a `charset=utf-8` is added to text types, as
 * `mime-types`' `contentType` does.
 * @param type - the bare media type.
 */
export function contentTypeHeader(type: string): string {
  const full = mime.contentType(type);
  return full === false ? type : full;
}

/**
 * A size in the listing's short form: Twisted's `formatFileSize` (`"12B"`, `"3K"`, `"4M"`,
 * `"1G"`, rounded down, 1024 to the unit).
 * @param size - bytes.
 */
export function formatFileSize(size: number): string {
  if (size < 1024) return `${size}B`;
  if (size < 1024 ** 2) return `${Math.floor(size / 1024)}K`;
  if (size < 1024 ** 3) return `${Math.floor(size / 1024 ** 2)}M`;
  return `${Math.floor(size / 1024 ** 3)}G`;
}

/**
 * Percent-encodes a name for a relative link, as Python's `quote(name, "/")` does: every byte
 * but letters, digits, `_.-~` and `/` is escaped (so `:` is too, and a name can never become
 * a scheme such as `javascript:`).
 * @param name - the name.
 */
export function quotePath(name: string): string {
  return encodeURIComponent(name)
    .replace(/%2F/g, "/")
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
