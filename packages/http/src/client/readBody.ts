/**
 * `readBody`: collect a response body into one Buffer (Twisted's `client.readBody`).
 * @packageDocumentation
 */
import { Deferred, type Failure } from "@twisted-ts/core";
import {
  PartialDownloadError,
  PotentialDataLoss,
  ResponseBodyTooLarge,
  ResponseDone,
} from "../errors.js";
import type { IBodyProtocol, IResponse, IResponseBodyTransport } from "./iweb.js";

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** The most bytes to accept; more aborts the connection and fails with ResponseBodyTooLarge. */
  maxSize?: number;
}

/** The body protocol of {@link readBody}: Twisted's `_ReadBodyProtocol`. */
class ReadBodyProtocol implements IBodyProtocol {
  transport: IResponseBodyTransport | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly response: IResponse,
    private readonly deferred: Deferred<Buffer>,
    private readonly maxSize: number | undefined,
  ) {}

  makeConnection(transport: IResponseBodyTransport): void {
    this.transport = transport;
  }

  dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.size += data.length;
    if (this.maxSize !== undefined && this.size > this.maxSize) {
      this.deferred.errback(new ResponseBodyTooLarge(this.maxSize));
      this.transport?.abortConnection();
      return;
    }
    this.chunks.push(Buffer.from(data));
  }

  connectionLost(reason: Failure): void {
    if (this.deferred.called) return;
    const body = Buffer.concat(this.chunks);
    if (reason.check(ResponseDone)) {
      this.deferred.callback(body);
    } else if (reason.check(PotentialDataLoss)) {
      this.deferred.errback(
        new PartialDownloadError(this.response.code, this.response.phrase, body),
      );
    } else {
      this.deferred.errback(reason);
    }
  }
}

/**
 * Read a whole response body: Twisted's `client.readBody`.
 * @param response - the response.
 * @param options - a size cap.
 * @returns a Deferred of the body. It errbacks with `PartialDownloadError` (holding the partial
 *   body in `response`) when the body ran to the connection's close with no declared length,
 *   with `ResponseBodyTooLarge` past `maxSize`, and with the `ResponseFailed` of a broken
 *   response. Cancelling it aborts the connection (and errbacks with CancelledError).
 */
export function readBody(response: IResponse, options: ReadBodyOptions = {}): Deferred<Buffer> {
  let protocol: ReadBodyProtocol | undefined;
  const d = new Deferred<Buffer>(() => {
    protocol?.transport?.abortConnection();
  });
  protocol = new ReadBodyProtocol(response, d, options.maxSize);
  response.deliverBody(protocol);
  return d;
}
