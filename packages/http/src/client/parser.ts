/**
 * `HTTPClientParser`: reads one HTTP/1.x response (status line, headers, body framing) from the
 * bytes it is fed. It never touches a socket: `HTTP11ClientProtocol` feeds it and reacts.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import { type Failure, Failure as FailureClass } from "@twisted-ts/core";
import {
  BadResponseVersion,
  ParseError,
  PotentialDataLoss,
  ResponseFailed,
  ResponseHeadersTooLarge,
} from "../errors.js";
import { Headers } from "../headers.js";
import { ChunkedTransferDecoder, IdentityTransferDecoder } from "./transferDecoders.js";

/** The limits a response's head must respect; every field has a default. */
export interface ResponseLimits {
  /** The most bytes in the status line and headers together (line ends included). 65536. */
  maxHeaderBytes?: number;
  /** The most header lines. 500. */
  maxHeaders?: number;
}

/** The default `maxHeaderBytes`: 64 KiB. */
export const DEFAULT_MAX_HEADER_BYTES = 65536;
/** The default `maxHeaders`. */
export const DEFAULT_MAX_HEADERS = 500;

/** An HTTP version, as Twisted spells it: `["HTTP", 1, 1]`. */
export type HTTPVersion = readonly [protocol: string, major: number, minor: number];

/** What the parser learnt from the status line and headers. */
export interface ResponseHead {
  /** The version from the status line. */
  readonly version: HTTPVersion;
  /** The status code. */
  readonly code: number;
  /** The reason phrase (may be empty). */
  readonly phrase: string;
  /** Every header, as received. */
  readonly headers: Headers;
  /** The body length in bytes, or `"unknown"` when chunked or read until close. */
  readonly length: number | "unknown";
  /** Whether the body runs until the connection closes. */
  readonly untilClose: boolean;
}

/** What the parser tells its owner. */
export interface ClientParserEvents {
  /** The head is parsed (informational 1xx responses are skipped and never reported). */
  headReceived(head: ResponseHead): void;
  /** Body bytes. */
  bodyDataReceived(data: Buffer): void;
  /**
   * The body ended. `rest` holds bytes after it. `reason` is undefined for a complete body, or
   * a `PotentialDataLoss` Failure when the body ran to the connection's close.
   */
  finished(rest: Buffer, reason: Failure | undefined): void;
  /** The response is malformed, or the connection was lost mid-response. */
  failed(reason: Failure): void;
}

/** Where the parser is: the status line, the headers, the body, done, or failed. */
export type ParserState = "STATUS" | "HEADER" | "BODY" | "DONE" | "FAILED";

const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\s\S]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Whether a header value or phrase holds a control byte other than HTAB. */
function hasBadValueBytes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}
const NO_BODY_CODES = new Set([204, 304]);

/**
 * Parses one response: Twisted's `HTTPClientParser`, on a `LineReceiver` in line mode for the
 * head and raw mode for the body. Strict: a malformed status line, header, `Content-Length` or
 * chunk, `Content-Length` together with `Transfer-Encoding`, a transfer coding other than
 * `chunked`, or a head over the limits is reported to `failed` with a typed error (`ParseError`,
 * `BadResponseVersion`, `ResponseHeadersTooLarge` wrapped in `ResponseFailed`), and the parser
 * ignores every later byte; `dataReceived` never throws.
 *
 * Informational responses (1xx except 101, including `100 Continue`) are skipped. A response to
 * HEAD, and 204 and 304 responses, have no body. Without `Content-Length` or chunked coding the
 * body runs until `connectionLost`, which ends it with `PotentialDataLoss`.
 *
 * Differences from Twisted: every header, connection-control ones included, stays in
 * `headers`; obsolete line folding is joined with a space (RFC 9112 §5.2).
 */
export class HTTPClientParser extends LineReceiver {
  /** The parse state. */
  state: ParserState = "STATUS";
  private readonly maxHeaderBytes: number;
  private readonly maxHeaders: number;
  private headBytes = 0;
  private headerCount = 0;
  private version: HTTPVersion = ["HTTP", 1, 1];
  private code = 0;
  private phrase = "";
  private headers = new Headers();
  private lastHeader: { name: string; value: string } | undefined;
  private decoder: IdentityTransferDecoder | ChunkedTransferDecoder | "untilClose" | undefined;
  /** Whether any byte of a response has arrived. */
  everReceivedData = false;

  /**
   * @param method - the request's method (a HEAD response has no body).
   * @param events - where results go.
   * @param limits - head limits.
   */
  constructor(
    private readonly method: string,
    private readonly events: ClientParserEvents,
    limits: ResponseLimits = {},
  ) {
    super();
    this.maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxHeaders = limits.maxHeaders ?? DEFAULT_MAX_HEADERS;
    this.MAX_LENGTH = this.maxHeaderBytes;
  }

  /**
   * Feed bytes. Never throws: errors go to `events.failed`.
   * @param data - bytes from the connection.
   */
  override dataReceived(data: Buffer): undefined {
    if (this.state === "DONE" || this.state === "FAILED") return undefined;
    if (data.length > 0) this.everReceivedData = true;
    try {
      super.dataReceived(data);
    } catch (error) {
      this.fail(error);
    }
    return undefined;
  }

  private fail(error: unknown): void {
    if (this.state === "DONE" || this.state === "FAILED") return;
    this.state = "FAILED";
    this.clearLineBuffer();
    const failure = error instanceof FailureClass ? error : new FailureClass(error);
    const wrapped =
      failure.value instanceof ResponseFailed
        ? failure
        : new FailureClass(new ResponseFailed([failure]));
    this.events.failed(wrapped);
  }

  /**
   * The head is longer than `maxHeaderBytes` with no line end: fail.
   * @param line - the buffered bytes.
   */
  override lineLengthExceeded(line: Buffer): undefined {
    this.fail(new ResponseHeadersTooLarge("response head too large", line.subarray(0, 200)));
    return undefined;
  }

  private count(line: Buffer): void {
    this.headBytes += line.length + 2;
    if (this.headBytes > this.maxHeaderBytes) {
      throw new ResponseHeadersTooLarge(`response head over ${this.maxHeaderBytes} bytes`, line);
    }
  }

  /**
   * A status or header line.
   * @param line - the line, without CRLF.
   */
  override lineReceived(line: Buffer): undefined {
    if (this.state === "FAILED" || this.state === "DONE") return undefined;
    this.count(line);
    if (this.state === "STATUS") {
      if (line.length === 0) return undefined;
      this.statusReceived(line.toString("latin1"));
      this.state = "HEADER";
      return undefined;
    }
    if (line.length === 0) {
      this.flushHeader();
      this.allHeadersReceived();
      return undefined;
    }
    const text = line.toString("latin1");
    if (text[0] === " " || text[0] === "\t") {
      if (this.lastHeader === undefined) throw new ParseError("continuation with no header", line);
      const more = text.trim();
      if (hasBadValueBytes(more)) throw new ParseError("invalid header value", line);
      this.lastHeader.value = `${this.lastHeader.value} ${more}`.trim();
      return undefined;
    }
    this.flushHeader();
    const colon = text.indexOf(":");
    if (colon <= 0) throw new ParseError("invalid header line", line);
    const name = text.slice(0, colon);
    if (!TOKEN.test(name)) throw new ParseError("invalid header name", line);
    const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (hasBadValueBytes(value)) throw new ParseError("invalid header value", line);
    this.headerCount += 1;
    if (this.headerCount > this.maxHeaders) {
      throw new ResponseHeadersTooLarge(`more than ${this.maxHeaders} response headers`, line);
    }
    this.lastHeader = { name, value };
    return undefined;
  }

  private flushHeader(): void {
    if (this.lastHeader === undefined) return;
    this.headers.addRawHeader(this.lastHeader.name, this.lastHeader.value);
    this.lastHeader = undefined;
  }

  private statusReceived(status: string): void {
    const match = STATUS_LINE.exec(status);
    if (match === null) {
      if (/^HTTP\/\d+\.\d+ /.test(status) || !status.startsWith("HTTP/")) {
        throw new (status.startsWith("HTTP/") ? BadResponseVersion : ParseError)(
          "invalid status line",
          status,
        );
      }
      throw new BadResponseVersion("invalid HTTP version", status);
    }
    const [, major, minor, code, phrase] = match as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    if (major !== "1") throw new BadResponseVersion("unsupported HTTP version", status);
    if (phrase !== undefined && hasBadValueBytes(phrase)) {
      throw new ParseError("invalid reason phrase", status);
    }
    this.version = ["HTTP", Number(major), Number(minor)];
    this.code = Number(code);
    if (this.code < 100) throw new ParseError("invalid status code", status);
    this.phrase = phrase ?? "";
  }

  private contentLength(): number | undefined {
    const values = this.headers.getRawHeaders("content-length");
    if (values === undefined) return undefined;
    let length: number | undefined;
    for (const part of values.join(",").split(",")) {
      const text = part.trim();
      if (!/^\d+$/.test(text) || text.length > 15) {
        throw new ParseError("invalid Content-Length", values.join(", "));
      }
      const n = Number(text);
      if (length !== undefined && n !== length) {
        throw new ParseError("conflicting Content-Length values", values.join(", "));
      }
      length = n;
    }
    return length;
  }

  private allHeadersReceived(): void {
    if (this.code >= 100 && this.code < 200 && this.code !== 101) {
      // Informational: skip it and read the next status line.
      this.state = "STATUS";
      this.headers = new Headers();
      this.headerCount = 0;
      this.headBytes = 0;
      return;
    }
    const head = (length: number | "unknown", untilClose: boolean): ResponseHead => ({
      version: this.version,
      code: this.code,
      phrase: this.phrase,
      headers: this.headers,
      length,
      untilClose,
    });
    const sink = {
      dataCallback: (data: Buffer) => this.events.bodyDataReceived(data),
      finishCallback: (rest: Buffer) => this.finish(rest, undefined),
    };
    if (this.method === "HEAD" || NO_BODY_CODES.has(this.code) || this.code === 101) {
      const length = this.method === "HEAD" ? this.contentLengthOrUnknown() : 0;
      this.state = "BODY";
      this.events.headReceived(head(length, false));
      this.finish(this.clearLineBuffer(), undefined);
      return;
    }
    const te = this.headers.getRawHeaders("transfer-encoding");
    if (te !== undefined) {
      if (this.headers.hasHeader("content-length")) {
        throw new ParseError("both Content-Length and Transfer-Encoding", te.join(", "));
      }
      const codings = te
        .join(",")
        .split(",")
        .map((c) => c.trim().toLowerCase())
        .filter((c) => c !== "");
      if (codings.length !== 1 || codings[0] !== "chunked") {
        throw new ParseError("unsupported Transfer-Encoding", te.join(", "));
      }
      this.decoder = new ChunkedTransferDecoder(sink);
      this.state = "BODY";
      this.events.headReceived(head("unknown", false));
    } else {
      const length = this.contentLength();
      this.state = "BODY";
      if (length === undefined) {
        this.decoder = "untilClose";
        this.events.headReceived(head("unknown", true));
      } else {
        this.events.headReceived(head(length, false));
        if (length === 0) {
          this.finish(this.clearLineBuffer(), undefined);
          return;
        }
        this.decoder = new IdentityTransferDecoder(length, sink);
      }
    }
    if (this.state === "BODY") this.setRawMode();
  }

  private contentLengthOrUnknown(): number | "unknown" {
    try {
      return this.contentLength() ?? "unknown";
    } catch {
      return "unknown";
    }
  }

  private finish(rest: Buffer, reason: Failure | undefined): void {
    if (this.state !== "BODY") return;
    this.state = "DONE";
    this.events.finished(Buffer.from(rest), reason);
  }

  /**
   * Body bytes, in raw mode.
   * @param data - the bytes.
   */
  override rawDataReceived(data: Buffer): undefined {
    if (this.state !== "BODY") return undefined;
    const decoder = this.decoder;
    if (decoder === "untilClose") this.events.bodyDataReceived(data);
    else decoder?.dataReceived(data);
    return undefined;
  }

  /**
   * The connection is gone: a body read until close ends with `PotentialDataLoss`; any other
   * unfinished response fails with `ResponseFailed` (holding `reason`).
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.state === "DONE" || this.state === "FAILED") return;
    if (this.state === "BODY" && this.decoder === "untilClose") {
      this.finish(Buffer.alloc(0), new FailureClass(new PotentialDataLoss()));
      return;
    }
    this.state = "FAILED";
    this.events.failed(new FailureClass(new ResponseFailed([reason])));
  }
}
