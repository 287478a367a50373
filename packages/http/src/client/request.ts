/**
 * `ClientRequest`: one request as the client writes it (Twisted's `_newclient.Request`), and the
 * consumers that frame its body with a length or chunks.
 * @packageDocumentation
 */
import {
  Deferred,
  Failure,
  type IConsumer,
  type IPullProducer,
  type IPushProducer,
  type ITransport,
  type WriteData,
} from "@twisted-ts/core";
import { ParseError, WrongBodyLength } from "../errors.js";
import type { Headers } from "../headers.js";
import { type IBodyProducer, type IClientRequest, UNKNOWN_LENGTH } from "./iweb.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
/** Methods whose empty body is still announced with `Content-Length: 0`, as Twisted does. */
const EMPTY_BODY_WITH_LENGTH = new Set(["PUT", "POST"]);

function bytesOf(data: WriteData): Buffer {
  return typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
}

/**
 * One HTTP/1.1 request, ready to be written: Twisted's `_newclient.Request`.
 *
 * The head is `METHOD TARGET HTTP/1.1`, then the headers (exactly one Host is required), then
 * `Connection: close` unless `persistent`. A body producer with a known length is framed with
 * `Content-Length` and held to it; one with {@link UNKNOWN_LENGTH} is sent chunked. With no body,
 * PUT and POST still send `Content-Length: 0`.
 */
export class ClientRequest implements IClientRequest {
  /**
   * @param method - the method (a token).
   * @param uri - the request target, e.g. `/path?query`.
   * @param headers - the headers to send.
   * @param bodyProducer - the body, if any.
   * @param persistent - whether to ask to keep the connection open.
   * @param absoluteURI - the full URI, for `IClientRequest`.
   */
  constructor(
    readonly method: string,
    readonly uri: string,
    readonly headers: Headers,
    readonly bodyProducer: IBodyProducer | undefined,
    readonly persistent: boolean,
    readonly absoluteURI: string,
  ) {}

  private stopped = false;

  /**
   * The head, as bytes.
   * @param framing - the framing header line (without CRLF), if any.
   * @throws ParseError when the method, target or Host header is invalid.
   */
  private head(framing: string | undefined): Buffer {
    if (!TOKEN.test(this.method)) throw new ParseError("invalid method", this.method);
    if (!TARGET.test(this.uri)) throw new ParseError("invalid request target", this.uri);
    const hosts = this.headers.getRawHeaders("host", []);
    if (hosts.length !== 1) throw new ParseError("exactly one Host header required");
    const lines = [`${this.method} ${this.uri} HTTP/1.1`];
    for (const [name, values] of this.headers.getAllRawHeaders()) {
      const lower = name.toLowerCase();
      if (lower === "content-length" || lower === "transfer-encoding") continue;
      if (lower === "connection" && !this.persistent) continue;
      for (const value of values) lines.push(`${name}: ${value}`);
    }
    if (!this.persistent) lines.push("Connection: close");
    if (framing !== undefined) lines.push(framing);
    return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  }

  /**
   * Write the request to a transport.
   * @param transport - the connection.
   * @returns a Deferred that fires when the whole request (body included) has been written.
   * @throws ParseError (synchronously) when the head cannot be generated.
   */
  writeTo(transport: ITransport): Deferred<void> {
    const producer = this.bodyProducer;
    if (producer === undefined) {
      const framing = EMPTY_BODY_WITH_LENGTH.has(this.method) ? "Content-Length: 0" : undefined;
      transport.write(this.head(framing));
      const done = new Deferred<void>();
      done.callback(undefined);
      return done;
    }
    const chunked = producer.length === UNKNOWN_LENGTH;
    const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${producer.length}`;
    transport.write(this.head(framing));
    const consumer = chunked
      ? new ChunkedEncoder(transport)
      : new LengthEnforcingConsumer(producer, transport, producer.length as number);
    const finished = new Deferred<void>();
    transport.registerProducer(producer, true);
    const unregister = (): void => {
      try {
        transport.unregisterProducer();
      } catch {
        // Already unregistered (the connection went away).
      }
    };
    let produced: Deferred<void>;
    try {
      produced = producer.startProducing(consumer);
    } catch (error) {
      unregister();
      finished.errback(error);
      return finished;
    }
    produced.addCallbacks(
      () => {
        if (this.stopped || finished.called) return;
        unregister();
        try {
          consumer.finish();
        } catch (error) {
          finished.errback(error);
          return;
        }
        finished.callback(undefined);
      },
      (failure: Failure) => {
        if (this.stopped || finished.called) return;
        unregister();
        finished.errback(failure);
      },
    );
    consumer.onError = (error) => {
      if (finished.called) return;
      unregister();
      finished.errback(new Failure(error));
    };
    return finished;
  }

  /** Stop writing the body: the request is being abandoned. */
  stopWriting(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.bodyProducer?.stopProducing();
    } catch {
      // A producer that fails to stop changes nothing: the request is over.
    }
  }
}

/**
 * A consumer that passes at most `length` bytes on: Twisted's `LengthEnforcingConsumer`. Writing
 * more stops the producer and reports {@link WrongBodyLength}; `finish` checks nothing is
 * missing.
 */
export class LengthEnforcingConsumer implements IConsumer {
  private remaining: number;
  /** Where an error found during `write` goes. */
  onError: (error: Error) => void = () => {};

  /**
   * @param producer - the body producer (stopped on excess).
   * @param transport - where the bytes go.
   * @param length - the declared length.
   */
  constructor(
    private readonly producer: IBodyProducer,
    private readonly transport: IConsumer,
    length: number,
  ) {
    this.remaining = length;
  }

  /**
   * Pass bytes on, if within the length.
   * @param data - the bytes.
   */
  write(data: WriteData): void {
    const bytes = bytesOf(data);
    if (bytes.length > this.remaining) {
      this.remaining = -1;
      try {
        this.producer.stopProducing();
      } catch {
        // Reported below.
      }
      this.onError(new WrongBodyLength("body producer wrote more than its length"));
      return;
    }
    this.remaining -= bytes.length;
    this.transport.write(bytes);
  }

  /** @throws WrongBodyLength when fewer bytes than declared were written. */
  finish(): void {
    if (this.remaining !== 0) {
      throw new WrongBodyLength("body producer wrote a different number of bytes than its length");
    }
  }

  /**
   * Pass a producer registration on.
   * @param producer - the producer.
   * @param streaming - whether it is a push producer.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer(producer, streaming);
  }

  /** Pass an unregistration on. */
  unregisterProducer(): void {
    this.transport.unregisterProducer();
  }
}

/**
 * A consumer that frames each write as a chunk (RFC 9112 §7.1): Twisted's `ChunkedEncoder`.
 * `finish` writes the last chunk.
 */
export class ChunkedEncoder implements IConsumer {
  /** Where an error found during `write` goes (never called: any length is valid). */
  onError: (error: Error) => void = () => {};

  /** @param transport - where the chunks go. */
  constructor(private readonly transport: IConsumer) {}

  /**
   * Write one chunk (nothing for empty data, which would end the body).
   * @param data - the bytes.
   */
  write(data: WriteData): void {
    const bytes = bytesOf(data);
    if (bytes.length === 0) return;
    this.transport.write(
      Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]),
    );
  }

  /** Write the last chunk, `0\r\n\r\n`. */
  finish(): void {
    this.transport.write(Buffer.from("0\r\n\r\n"));
  }

  /**
   * Pass a producer registration on.
   * @param producer - the producer.
   * @param streaming - whether it is a push producer.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer(producer, streaming);
  }

  /** Pass an unregistration on. */
  unregisterProducer(): void {
    this.transport.unregisterProducer();
  }
}
