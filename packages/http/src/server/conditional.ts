/**
 * Conditional requests (RFC 9110 §13) for `Request.setLastModified` and `Request.setETag`.
 * @packageDocumentation
 */
import type { Headers } from "../headers.js";
import { stringToDatetime } from "./dates.js";

/** What a precondition decides: the status to answer with, or `null` to go on. */
export type ConditionResult = 304 | 412 | null;

/**
 * Checks `If-Unmodified-Since` (unless `If-Match` is present) and, for GET and HEAD,
 * `If-Modified-Since` (unless `If-None-Match` is present).
 * @param headers - the request's headers.
 * @param method - the request's method.
 * @param lastModified - the resource's modification time, in whole seconds.
 * @returns 412, 304 or `null`.
 */
export function checkLastModified(
  headers: Headers,
  method: string,
  lastModified: number,
): ConditionResult {
  const ius = headers.getHeader("if-unmodified-since");
  if (ius !== undefined && !headers.hasHeader("if-match")) {
    const since = stringToDatetime(ius);
    if (since !== null && lastModified > since) return 412;
  }
  const ims = headers.getHeader("if-modified-since");
  if (
    ims !== undefined &&
    (method === "GET" || method === "HEAD") &&
    !headers.hasHeader("if-none-match")
  ) {
    const since = stringToDatetime(ims.split(";", 1)[0] ?? "");
    if (since !== null && since >= lastModified) return 304;
  }
  return null;
}

function tagsOf(values: readonly string[]): string[] {
  return values
    .join(",")
    .split(",")
    .map((t) => t.trim());
}

function weak(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/**
 * Checks `If-None-Match` (weak comparison; `*` matches: 304 for GET and HEAD, 412 otherwise)
 * and `If-Match` (strong comparison; no match gives 412).
 * @param headers - the request's headers.
 * @param method - the request's method.
 * @param etag - the resource's entity tag, quotes included.
 * @returns 304, 412 or `null`.
 */
export function checkETag(headers: Headers, method: string, etag: string): ConditionResult {
  const inm = headers.getRawHeaders("if-none-match");
  if (inm !== undefined) {
    const tags = tagsOf(inm).map(weak);
    if (tags.includes("*") || tags.includes(weak(etag))) {
      return method === "GET" || method === "HEAD" ? 304 : 412;
    }
  }
  const im = headers.getRawHeaders("if-match");
  if (im !== undefined) {
    const tags = tagsOf(im);
    if (!tags.includes("*") && (etag.startsWith("W/") || !tags.includes(etag))) return 412;
  }
  return null;
}
