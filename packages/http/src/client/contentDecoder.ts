/**
 * `ContentDecoderAgent`: asks for compressed responses and decodes them on the fly (Twisted's
 * `client.ContentDecoderAgent`, with gzip and Brotli through `node:zlib`).
 * @packageDocumentation
 */

import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { type Deferred, Failure } from "@twisted-ts/core";
import { ResponseFailed } from "../errors.js";
import { Headers } from "../headers.js";
import {
  type IAgent,
  type IBodyProducer,
  type IBodyProtocol,
  type IClientRequest,
  type IResponse,
  type IResponseBodyTransport,
  type RequestOptions,
  UNKNOWN_LENGTH,
  type UnknownLength,
} from "./iweb.js";
import type { HTTPVersion } from "./parser.js";

/** Makes a streaming decompressor for one response. */
export type ContentDecoder = () => Transform;

/** gzip (RFC 1952), also accepting `x-gzip`. */
export const GzipDecoder: ContentDecoder = () => createGunzip();
/** Brotli (RFC 7932). */
export const BrotliDecoder: ContentDecoder = () => createBrotliDecompress();
/** deflate (zlib, RFC 1950). */
export const DeflateDecoder: ContentDecoder = () => createInflate();

/**
 * Feeds the encoded body through a decompressor and delivers the decoded bytes to the user's
 * protocol; a decoding error ends the body with `ResponseFailed`.
 */
class DecodingProtocol implements IBodyProtocol {
  private transport: IResponseBodyTransport | undefined;
  private failed = false;

  constructor(
    private readonly decoders: Transform[],
    private readonly inner: IBodyProtocol,
    private readonly response: IResponse,
  ) {
    const last = decoders[decoders.length - 1] as Transform;
    for (let i = 0; i + 1 < decoders.length; i++) {
      const from = decoders[i] as Transform;
      const to = decoders[i + 1] as Transform;
      from.on("data", (chunk: Buffer) => to.write(chunk));
    }
    last.on("data", (chunk: Buffer) => {
      if (!this.failed) this.inner.dataReceived(chunk);
    });
    for (const decoder of decoders) decoder.on("error", (error: Error) => this.fail(error));
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.transport?.stopProducing();
    this.inner.connectionLost(new Failure(new ResponseFailed([new Failure(error)], this.response)));
  }

  makeConnection(transport: IResponseBodyTransport): void {
    this.transport = transport;
    this.inner.makeConnection(transport);
  }

  dataReceived(data: Buffer): void {
    if (this.failed) return;
    (this.decoders[0] as Transform).write(data);
  }

  connectionLost(reason: Failure): void {
    if (this.failed) return;
    // Flush every stage in order, then report the original reason.
    const finish = (i: number): void => {
      if (i === this.decoders.length) {
        if (!this.failed) {
          this.failed = true;
          this.inner.connectionLost(reason);
        }
        return;
      }
      const decoder = this.decoders[i] as Transform;
      decoder.once("end", () => {
        const next = this.decoders[i + 1];
        if (next !== undefined) next.end();
        finish(i + 1);
      });
      if (i === 0) decoder.end();
      decoder.resume();
    };
    finish(0);
  }
}

/** A response whose body is decoded: the same response, minus Content-Encoding. */
class DecodedResponse implements IResponse {
  readonly length: number | UnknownLength = UNKNOWN_LENGTH;
  readonly headers: Headers;

  constructor(
    private readonly original: IResponse,
    private readonly makeDecoders: () => Transform[],
    remaining: readonly string[],
  ) {
    this.headers = original.headers.copy();
    this.headers.removeHeader("content-length");
    if (remaining.length === 0) this.headers.removeHeader("content-encoding");
    else this.headers.setRawHeaders("Content-Encoding", [remaining.join(", ")]);
  }

  get version(): HTTPVersion {
    return this.original.version;
  }
  get code(): number {
    return this.original.code;
  }
  get phrase(): string {
    return this.original.phrase;
  }
  get request(): IClientRequest {
    return this.original.request;
  }
  get previousResponse(): IResponse | undefined {
    return this.original.previousResponse;
  }
  setPreviousResponse(response: IResponse): void {
    this.original.setPreviousResponse(response);
  }
  deliverBody(protocol: IBodyProtocol): void {
    this.original.deliverBody(new DecodingProtocol(this.makeDecoders(), protocol, this));
  }
}

/**
 * Sends `Accept-Encoding` with the decoders' names and decodes a response whose
 * `Content-Encoding` lists only supported codings (applied right to left), removing the header
 * (and Content-Length, whose value no longer holds). Other responses pass unchanged. Twisted's
 * `ContentDecoderAgent`; decoding streams through `node:zlib`.
 *
 * ```ts
 * const agent = new ContentDecoderAgent(new Agent(reactor), [["gzip", GzipDecoder], ["br", BrotliDecoder]]);
 * ```
 */
export class ContentDecoderAgent implements IAgent {
  private readonly decoders: Map<string, ContentDecoder>;
  private readonly acceptEncoding: string;

  /**
   * @param agent - the agent that makes the requests.
   * @param decoders - `[name, decoder]` pairs, in order of preference.
   */
  constructor(
    private readonly agent: IAgent,
    decoders: readonly (readonly [string, ContentDecoder])[],
  ) {
    this.decoders = new Map(decoders.map(([name, decoder]) => [name.toLowerCase(), decoder]));
    if (this.decoders.has("gzip") && !this.decoders.has("x-gzip")) {
      this.decoders.set("x-gzip", this.decoders.get("gzip") as ContentDecoder);
    }
    this.acceptEncoding = decoders.map(([name]) => name).join(", ");
  }

  /**
   * Make a request, asking for the supported encodings.
   * @param method - the method.
   * @param uri - the URI.
   * @param headers - request headers.
   * @param bodyProducer - the body.
   * @param options - an AbortSignal.
   * @returns a Deferred of the (decoded) response.
   */
  request(
    method: string,
    uri: string,
    headers?: Headers,
    bodyProducer?: IBodyProducer,
    options: RequestOptions = {},
  ): Deferred<IResponse> {
    const sent = headers === undefined ? new Headers() : headers.copy();
    sent.setRawHeaders("Accept-Encoding", [this.acceptEncoding]);
    return this.agent
      .request(method, uri, sent, bodyProducer, options)
      .addCallback((response) => this.handleResponse(response)) as Deferred<IResponse>;
  }

  private handleResponse(response: IResponse): IResponse {
    const values = response.headers.getRawHeaders("content-encoding");
    if (values === undefined) return response;
    const codings = values
      .join(",")
      .split(",")
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== "" && c !== "identity");
    const used: ContentDecoder[] = [];
    while (codings.length > 0) {
      const decoder = this.decoders.get(codings[codings.length - 1] as string);
      if (decoder === undefined) break;
      used.push(decoder);
      codings.pop();
    }
    if (used.length === 0) return response;
    return new DecodedResponse(response, () => used.map((make) => make()), codings);
  }
}
