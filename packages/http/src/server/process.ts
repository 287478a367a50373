/**
 * What a server `Request` does once it has arrived: traversal, render and the error pages.
 * Twisted's `server.Request.process`, `render` and `processingFailed`.
 * @packageDocumentation
 */
import { Failure, Logger } from "@twisted-ts/core";
import { UnsupportedMethod } from "../errors.js";
import { type IResource, NOT_DONE_YET, type RenderResult } from "../iweb.js";
import { ErrorPage, escapeHTML } from "../resource/resource.js";
import type { IRequestEncoder, Request } from "./request.js";
import { unquote } from "./urls.js";

const log = new Logger({ namespace: "twisted-ts.web.server" });

/** The methods a 405 (rather than a 501) answers, with `Allow`. */
const SUPPORTED_METHODS = new Set(["GET", "HEAD", "POST"]);

/** A resource that may transform the response body (Twisted's `_IEncodingResource`). */
interface EncodingResource {
  getEncoder(request: Request): IRequestEncoder | undefined;
}

function isEncodingResource(resource: unknown): resource is EncodingResource {
  return typeof (resource as Partial<EncodingResource>).getEncoder === "function";
}

/**
 * Handles an arrived request: sets `Server` and `Date`, builds `postpath` from the
 * percent-decoded segments, answers `OPTIONS *` (200) and other methods on `*` (405), finds the
 * resource through the site and renders it; an exception gives 500 "Processing Failed".
 * @param request - the request.
 */
export function processRequest(request: Request): void {
  const site = request.site;
  const headers = request.responseHeaders;
  if (headers.size === 0) {
    request.responseHeaders = site.responseHeadersTemplate().copy();
  } else {
    headers.setRawHeaders("server", [site.serverVersion]);
    headers.setRawHeaders("date", [request.dateHeader()]);
  }
  try {
    if (request.path === "*") {
      if (request.method === "OPTIONS") {
        request.setHeader("content-length", "0");
      } else {
        request.setResponseCode(405);
        request.setHeader("allow", "OPTIONS");
        request.setHeader("content-length", "0");
      }
      request.finish();
      return;
    }
    request.prepath = [];
    const segments = request.path.slice(1).split("/");
    for (let i = 0; i < segments.length; i++) segments[i] = unquote(segments[i] as string);
    request.postpath = segments;
    const resource = site.getResourceFor(request);
    request.resource = resource;
    if (isEncodingResource(resource)) {
      const encoder = resource.getEncoder(request);
      if (encoder !== undefined) request.encoder = encoder;
    }
    render(request, resource);
  } catch (error) {
    processingFailed(request, error);
  }
}

/**
 * Renders a resource and writes what it returned: Twisted's `server.Request.render`.
 * @param request - the request.
 * @param resource - the resource.
 */
export function render(request: Request, resource: IResource): void {
  let body: RenderResult | unknown;
  try {
    body = resource.render(request);
  } catch (error) {
    if (!(error instanceof UnsupportedMethod)) throw error;
    body = unsupported(request, error.allowedMethods);
  }
  if (body === NOT_DONE_YET) return;
  let bytes: Buffer;
  if (typeof body === "string") bytes = Buffer.from(body, "utf8");
  else if (body instanceof Uint8Array) {
    bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  } else {
    const page = new ErrorPage(
      500,
      "Request did not return bytes",
      `Request: ${request.toString()}\nResource: ${String(resource)}\nValue: ${String(body)}`,
    ).render(request);
    bytes = Buffer.from(page as string, "utf8");
  }
  if (request.startedWriting) {
    if (request.method !== "HEAD") request.write(bytes);
  } else if (request.method === "HEAD") {
    if (bytes.length > 0) request.setHeader("content-length", String(bytes.length));
    request.write(bytes);
  } else {
    request.setHeader("content-length", String(bytes.length));
    request.write(bytes);
  }
  request.finish();
}

function unsupported(request: Request, allowed: readonly string[]): RenderResult {
  if (SUPPORTED_METHODS.has(request.method)) {
    request.setHeader("allow", allowed.join(", "));
    const s =
      `Your browser approached me (at ${request.uri}) with the method "${request.method}".  ` +
      `I only allow the method${allowed.length > 1 ? "s" : ""} ${allowed.join(", ")} here.`;
    return new ErrorPage(405, "Method Not Allowed", s).render(request);
  }
  return new ErrorPage(
    501,
    "Huh?",
    `I don't know how to treat a ${request.method} request.`,
  ).render(request);
}

/**
 * Answers an exception from traversal or render with 500 "Processing Failed" (the traceback
 * only when the site's `displayTracebacks` is set), and logs it. When the headers are out
 * already, the connection is closed instead.
 * @param request - the request.
 * @param error - what was thrown.
 */
export function processingFailed(request: Request, error: unknown): void {
  const failure = new Failure(error);
  log.failure("Processing of {uri} failed", failure, { uri: request.uri });
  if (request.finished) return;
  if (request.startedWriting) {
    request.channel.loseConnection();
    request.connectionLost(failure);
    return;
  }
  const body = request.site.displayTracebacks
    ? "<html><head><title>web.Server Traceback (most recent call last)</title></head>" +
      "<body><b>web.Server Traceback (most recent call last):</b>\n\n" +
      `<pre>${escapeHTML(failure.getTraceback())}</pre>\n\n</body></html>\n`
    : "<html><head><title>Processing Failed</title></head><body><b>Processing Failed</b></body></html>";
  request.setResponseCode(500);
  request.encoder = undefined;
  request.setHeader("content-type", "text/html");
  request.setHeader("content-length", String(Buffer.byteLength(body)));
  request.write(body);
  request.finish();
}
