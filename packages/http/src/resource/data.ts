/**
 * `Data`: a resource that serves fixed bytes, after Twisted's `static.Data`.
 * @packageDocumentation
 */
import type { IRequest, RenderResult } from "../iweb.js";
import { Resource } from "./resource.js";

/**
 * Serves the same bytes with the same content type, for GET and HEAD (HEAD sends the headers
 * with the length, no body): Twisted's `static.Data`.
 *
 * ```ts
 * root.putChild("robots.txt", new Data("User-agent: *\nDisallow: /\n", "text/plain"));
 * ```
 */
export class Data extends Resource {
  /** The body. */
  readonly data: Buffer;

  /**
   * @param data - the body (a string is sent as UTF-8).
   * @param type - the `Content-Type`.
   */
  constructor(
    data: Buffer | Uint8Array | string,
    readonly type: string,
  ) {
    super();
    this.data = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  }

  /**
   * Sends the bytes.
   * @param request - the request.
   * @returns the body.
   */
  render_GET(request: IRequest): RenderResult {
    request.setHeader("content-type", this.type);
    request.setHeader("content-length", String(this.data.length));
    return this.data;
  }
}
