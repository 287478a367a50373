/**
 * `multipart/form-data` request bodies (RFC 7578), as Twisted's `Request` reads them into `args`.
 * @packageDocumentation
 */
import { MalformedRequest } from "../errors.js";
import { parseQueryString } from "./urls.js";

/** One part of a `multipart/form-data` body. */
export interface FormPart {
  /** The field's name (`Content-Disposition: form-data; name="…"`). */
  readonly name: string;
  /** The file's name, for a file field. */
  readonly filename: string | undefined;
  /** The part's `Content-Type`, if it gave one. */
  readonly contentType: string | undefined;
  /** The part's headers, names lower-cased. */
  readonly headers: ReadonlyMap<string, string>;
  /** The part's body, as sent. */
  readonly data: Buffer;
}

/** Limits on a multipart body. */
export interface MultipartLimits {
  /** The most parts; beyond it the request is refused (400). Default 1000. */
  readonly maxParts?: number;
  /** The most bytes of one part's headers. Default 8192. */
  readonly maxPartHeaderBytes?: number;
}

/** The most parts of a multipart body, by default. */
export const DEFAULT_MAX_FORM_PARTS = 1000;
/** The most bytes of one part's headers, by default. */
export const DEFAULT_MAX_PART_HEADER_BYTES = 8192;

/**
 * The `boundary` parameter of a `multipart/form-data` Content-Type.
 * @param contentType - the header's value.
 * @returns the boundary, or undefined when there is none or it is not a valid one.
 */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined || !/^[0-9A-Za-z'()+_,\-./:=? ]+$/.test(boundary)) return undefined;
  return boundary;
}

/** A `name="value"` (or `name=value`) parameter of a header. */
function parameter(header: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i");
  const match = re.exec(header);
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
}

/**
 * Splits a `multipart/form-data` body into its parts.
 * @param body - the whole body.
 * @param boundary - the boundary from the Content-Type.
 * @param limits - how many parts, and how big their headers may be.
 * @returns the parts, in order.
 * @throws {@link MalformedRequest} (400) for a body that does not follow the format: no
 *   opening boundary, no closing one, a part without `Content-Disposition: form-data` and a
 *   name, or a limit crossed.
 */
export function parseMultipart(
  body: Buffer,
  boundary: string,
  limits: MultipartLimits = {},
): FormPart[] {
  const maxParts = limits.maxParts ?? DEFAULT_MAX_FORM_PARTS;
  const maxHeaderBytes = limits.maxPartHeaderBytes ?? DEFAULT_MAX_PART_HEADER_BYTES;
  const delimiter = Buffer.from(`--${boundary}`, "latin1");
  const next = Buffer.from(`\r\n--${boundary}`, "latin1");
  let at = body.indexOf(delimiter);
  // The first delimiter opens the body, or follows a preamble that ends with CRLF.
  if (at < 0 || (at > 0 && (body[at - 2] !== 13 || body[at - 1] !== 10))) {
    throw new MalformedRequest("multipart body without its opening boundary");
  }
  const parts: FormPart[] = [];
  at += delimiter.length;
  for (;;) {
    // After a delimiter: "--" closes the body; otherwise CRLF starts a part.
    if (body[at] === 45 && body[at + 1] === 45) return parts;
    while (body[at] === 32 || body[at] === 9) at++; // transport padding
    if (body[at] !== 13 || body[at + 1] !== 10) {
      throw new MalformedRequest("multipart boundary not followed by CRLF");
    }
    at += 2;
    const headerEnd = body.indexOf("\r\n\r\n", at, "latin1");
    if (headerEnd < 0 || headerEnd - at > maxHeaderBytes) {
      throw new MalformedRequest("multipart part headers missing or too long");
    }
    const headers = new Map<string, string>();
    for (const line of body.toString("latin1", at, headerEnd).split("\r\n")) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new MalformedRequest("malformed multipart part header");
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const dataStart = headerEnd + 4;
    const end = body.indexOf(next, dataStart);
    if (end < 0) throw new MalformedRequest("multipart body without its closing boundary");
    const disposition = headers.get("content-disposition") ?? "";
    const rawName = parameter(disposition, "name");
    if (!/^form-data\b/i.test(disposition) || rawName === undefined) {
      throw new MalformedRequest("multipart part without Content-Disposition: form-data; name");
    }
    if (parts.length >= maxParts) throw new MalformedRequest("too many multipart parts");
    const rawFilename = parameter(disposition, "filename");
    parts.push({
      // Header bytes were read as latin-1; names and file names are sent as UTF-8.
      name: Buffer.from(rawName, "latin1").toString("utf8"),
      filename:
        rawFilename === undefined ? undefined : Buffer.from(rawFilename, "latin1").toString("utf8"),
      contentType: headers.get("content-type"),
      headers,
      data: body.subarray(dataStart, end),
    });
    at = end + next.length;
  }
}

/**
 * Reads a POST body that is a form into `args`: `application/x-www-form-urlencoded` (after the
 * query's values) or `multipart/form-data` (each part's value decoded as UTF-8, as Twisted puts
 * them in `args`). Other bodies are left alone.
 * @param contentType - the request's Content-Type.
 * @param body - the body.
 * @param args - the arguments to add to.
 * @returns the multipart parts, or `[]`.
 * @throws {@link MalformedRequest} for a malformed multipart body or boundary.
 */
export function parseFormBody(
  contentType: string,
  body: { read(): Buffer },
  args: Map<string, string[]>,
): FormPart[] {
  const base = contentType.split(";", 1)[0]?.trim().toLowerCase();
  if (base === "application/x-www-form-urlencoded") {
    parseQueryString(body.read().toString("latin1"), args);
    return [];
  }
  if (base !== "multipart/form-data") return [];
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) {
    throw new MalformedRequest("multipart/form-data without a valid boundary");
  }
  const parts = parseMultipart(body.read(), boundary);
  for (const part of parts) {
    const value = part.data.toString("utf8");
    const values = args.get(part.name);
    if (values === undefined) args.set(part.name, [value]);
    else values.push(value);
  }
  return parts;
}
