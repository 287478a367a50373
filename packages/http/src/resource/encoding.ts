/**
 * Content encoding of responses: Twisted's `EncodingResourceWrapper` and
 * `GzipEncoderFactory`.
 * @packageDocumentation
 */
import { constants, gzipSync } from "node:zlib";
import type { IRequest, IResource, RenderResult } from "../iweb.js";
import type { IRequestEncoder } from "../server/request.js";

/** Makes an encoder for a request when the request accepts its encoding. */
export interface IEncoderFactory {
  /**
   * @param request - the request (its `Accept-Encoding`).
   * @returns an encoder, or `undefined` when the request does not accept this encoding.
   */
  encoderForRequest(request: IRequest): IRequestEncoder | undefined;
}

/** Whether an `Accept-Encoding` value accepts `coding` (a q of 0 refuses it). */
function accepts(header: string, coding: string): boolean {
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (name !== coding && name !== "*") continue;
    const q = params.find((p) => p.startsWith("q="));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/**
 * Gzips a response: collects what the resource writes and sends it compressed when the
 * response finishes. Twisted's `_GzipEncoder`.
 *
 * Differences from Twisted: the body is compressed in one go at `finish` (node:zlib has no
 * synchronous streaming API), so a streamed response is sent when it ends.
 */
export class GzipEncoder implements IRequestEncoder {
  private readonly chunks: Buffer[] = [];

  /**
   * @param compressLevel - the zlib level, 1–9.
   * @param request - the request, whose `Content-Length` is dropped.
   */
  constructor(
    readonly compressLevel: number,
    private readonly request: IRequest,
  ) {}

  /**
   * @param data - body bytes.
   * @returns nothing yet (an empty buffer).
   */
  encode(data: Buffer): Buffer {
    this.request.responseHeaders.removeHeader("content-length");
    if (data.length > 0) this.chunks.push(Buffer.from(data));
    return Buffer.alloc(0);
  }

  /** @returns the whole compressed body. */
  finish(): Buffer {
    this.request.responseHeaders.removeHeader("content-length");
    return gzipSync(Buffer.concat(this.chunks), { level: this.compressLevel });
  }
}

/**
 * Gzip for `EncodingResourceWrapper`, used when the request's `Accept-Encoding` accepts gzip:
 * Twisted's `GzipEncoderFactory`. It adds `gzip` to `Content-Encoding`.
 */
export class GzipEncoderFactory implements IEncoderFactory {
  /** @param compressLevel - the zlib level, 1–9 (9 by default, as in Twisted). */
  constructor(readonly compressLevel: number = constants.Z_BEST_COMPRESSION) {}

  /**
   * @param request - the request.
   * @returns a gzip encoder, or `undefined` when gzip is not accepted.
   */
  encoderForRequest(request: IRequest): IRequestEncoder | undefined {
    const accept = request.requestHeaders.getRawHeaders("accept-encoding");
    if (accept === undefined || !accepts(accept.join(","), "gzip")) return undefined;
    const existing = request.responseHeaders.getRawHeaders("content-encoding", []);
    request.responseHeaders.setRawHeaders("content-encoding", [[...existing, "gzip"].join(",")]);
    return new GzipEncoder(this.compressLevel, request);
  }
}

/**
 * Wraps a resource so that its responses are encoded (gzip) when the client accepts it:
 * Twisted's `EncodingResourceWrapper`. It adds `Vary: Accept-Encoding` to every response.
 *
 * ```ts
 * root.putChild("big", new EncodingResourceWrapper(bigPage, [new GzipEncoderFactory()]));
 * ```
 */
export class EncodingResourceWrapper implements IResource {
  /** A leaf: the wrapped resource does its own traversal through `getChildWithDefault`. */
  readonly isLeaf: boolean;

  /**
   * @param original - the wrapped resource.
   * @param encoders - the encoder factories, tried in order.
   */
  constructor(
    readonly original: IResource,
    readonly encoders: readonly IEncoderFactory[],
  ) {
    this.isLeaf = original.isLeaf;
  }

  /**
   * The encoder for a request (the server calls it after traversal): the first factory that
   * accepts the request, else none.
   * @param request - the request.
   * @returns the encoder, or `undefined`.
   */
  getEncoder(request: IRequest): IRequestEncoder | undefined {
    const vary = request.responseHeaders.getRawHeaders("vary", []);
    if (!vary.some((v) => v.toLowerCase().includes("accept-encoding"))) {
      request.responseHeaders.addRawHeader("vary", "Accept-Encoding");
    }
    for (const factory of this.encoders) {
      const encoder = factory.encoderForRequest(request);
      if (encoder !== undefined) return encoder;
    }
    return undefined;
  }

  /**
   * The wrapped resource's child (not wrapped: wrap each resource you want encoded).
   * @param path - the segment.
   * @param request - the request.
   * @returns the child.
   */
  getChildWithDefault(path: string, request: IRequest): IResource {
    return this.original.getChildWithDefault(path, request);
  }

  /**
   * Adds a child to the wrapped resource.
   * @param path - the segment.
   * @param child - the child.
   */
  putChild(path: string, child: IResource): void {
    this.original.putChild(path, child);
  }

  /**
   * Renders the wrapped resource.
   * @param request - the request.
   * @returns what it rendered.
   */
  render(request: IRequest): RenderResult {
    return this.original.render(request);
  }
}
