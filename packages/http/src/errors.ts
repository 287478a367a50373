/**
 * The errors of `@twisted-ts/http`. Each class extends core's `TwistedError`, so it has a stable
 * `code` and is recognised by `instanceof` across copies of the package.
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error `@twisted-ts/http` raises. */
export class HTTPError extends TwistedError {
  static override readonly code: string = "ERR_HTTP";
}

/**
 * A resource has no `render_<METHOD>` for the request's method: Twisted's `UnsupportedMethod`.
 * The server answers 405 with `Allow` for GET, HEAD and POST, and 501 for other methods.
 */
export class UnsupportedMethod extends HTTPError {
  static override readonly code: string = "ERR_HTTP_UNSUPPORTED_METHOD";
  /** The methods the resource does support. */
  readonly allowedMethods: readonly string[];

  /** @param allowedMethods - the methods the resource supports. */
  constructor(allowedMethods: readonly string[]) {
    super(`method not allowed; allowed: ${allowedMethods.join(", ")}`);
    this.allowedMethods = allowedMethods;
  }
}

// ---------------------------------------------------------------- client (twisted.web.client, _newclient, error)

/**
 * An HTTP error with a status: Twisted's `twisted.web.error.Error`. `getPage` errbacks with it
 * for a 4xx or 5xx response; the redirect and partial-download errors below extend it.
 */
export class WebError extends HTTPError {
  static override readonly code: string = "ERR_HTTP_WEB";
  /** The response's status code (e.g. 404), or 0 when there was none. */
  readonly status: number;
  /** The body that came with the error, when there is one. */
  readonly response: Buffer | undefined;

  /**
   * @param status - the status code.
   * @param message - a message; defaults to the status code as text.
   * @param response - the response body, if any.
   */
  constructor(status: number, message?: string, response?: Buffer) {
    super(message ?? `HTTP ${status}`);
    this.status = status;
    this.response = response;
  }
}

/** A redirect the client will not follow (a 301/302/307/308 to a non-GET/HEAD request). */
export class PageRedirect extends WebError {
  static override readonly code: string = "ERR_HTTP_PAGE_REDIRECT";
  /** Where the server redirected to, when it said. */
  readonly location: string | undefined;

  /**
   * @param status - the redirect status.
   * @param location - the Location header.
   * @param message - a message.
   */
  constructor(status: number, location?: string, message?: string) {
    super(status, message ?? `${status} redirect to ${location ?? "(nowhere)"} not followed`);
    this.location = location;
  }
}

/** More redirects in a row than the redirect limit. */
export class InfiniteRedirection extends WebError {
  static override readonly code: string = "ERR_HTTP_INFINITE_REDIRECTION";
  /** The Location of the last redirect. */
  readonly location: string | undefined;

  /**
   * @param status - the last redirect's status.
   * @param location - its Location.
   */
  constructor(status: number, location?: string) {
    super(status, `infinite redirection detected (last: ${status} to ${location ?? "?"})`);
    this.location = location;
  }
}

/** A redirect status without a Location header. */
export class RedirectWithNoLocation extends WebError {
  static override readonly code: string = "ERR_HTTP_REDIRECT_WITH_NO_LOCATION";
  /** The URI that answered with the redirect. */
  readonly uri: string;

  /**
   * @param status - the redirect status.
   * @param uri - the URI that redirected.
   */
  constructor(status: number, uri: string) {
    super(status, `${status} redirect from ${uri} has no Location header`);
    this.uri = uri;
  }
}

/** A body ended with the connection, so some of it may be missing; `response` holds what came. */
export class PartialDownloadError extends WebError {
  static override readonly code: string = "ERR_HTTP_PARTIAL_DOWNLOAD";
}

/** A URI's scheme is neither `http` nor `https`. */
export class SchemeNotSupported extends HTTPError {
  static override readonly code: string = "ERR_HTTP_SCHEME_NOT_SUPPORTED";
}

/** The response was malformed: a bad status line, header, length or chunk. */
export class ParseError extends HTTPError {
  static override readonly code: string = "ERR_HTTP_PARSE";
  /** The offending bytes (latin-1), cut to 200 characters. */
  readonly data: string;

  /**
   * @param reason - what was wrong.
   * @param data - the offending bytes.
   */
  constructor(reason: string, data: Buffer | string = "") {
    const text = typeof data === "string" ? data : data.toString("latin1");
    super(reason);
    this.data = text.slice(0, 200);
  }
}

/** The status line's version is not `HTTP/1.x`. */
export class BadResponseVersion extends ParseError {
  static override readonly code: string = "ERR_HTTP_BAD_RESPONSE_VERSION";
}

/** The response's status line and headers crossed `maxHeaderBytes` or `maxHeaders`. */
export class ResponseHeadersTooLarge extends ParseError {
  static override readonly code: string = "ERR_HTTP_RESPONSE_HEADERS_TOO_LARGE";
}

/** The response body crossed the size cap the caller set. */
export class ResponseBodyTooLarge extends HTTPError {
  static override readonly code: string = "ERR_HTTP_RESPONSE_BODY_TOO_LARGE";
  /** The cap, in bytes. */
  readonly limit: number;

  /** @param limit - the cap, in bytes. */
  constructor(limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The request was not sent: the connection was not idle (or was already lost). */
export class RequestNotSent extends HTTPError {
  static override readonly code: string = "ERR_HTTP_REQUEST_NOT_SENT";
}

/** The base of the errors that carry a list of underlying failures (`reasons`). */
export class WrapperException extends HTTPError {
  static override readonly code: string = "ERR_HTTP_WRAPPER";
  /** The underlying failures, each a `Failure` from `@twisted-ts/core`. */
  readonly reasons: readonly import("@twisted-ts/core").Failure[];

  /**
   * @param reasons - the underlying failures.
   * @param message - a message; defaults to the reasons' messages.
   */
  constructor(reasons: readonly import("@twisted-ts/core").Failure[], message?: string) {
    super(message ?? reasons.map((r) => r.getErrorMessage()).join("; "));
    this.reasons = reasons;
  }
}

/** Writing the request failed before any byte reached the transport (e.g. bad headers). */
export class RequestGenerationFailed extends WrapperException {
  static override readonly code: string = "ERR_HTTP_REQUEST_GENERATION_FAILED";
}

/** Writing the request failed part way (the body producer failed, or the connection went). */
export class RequestTransmissionFailed extends WrapperException {
  static override readonly code: string = "ERR_HTTP_REQUEST_TRANSMISSION_FAILED";
}

/** Receiving the response failed; `reasons` say why. */
export class ResponseFailed extends WrapperException {
  static override readonly code: string = "ERR_HTTP_RESPONSE_FAILED";
  /** The response, when its headers had arrived. */
  readonly response: unknown;

  /**
   * @param reasons - the underlying failures.
   * @param response - the partial response, if any.
   */
  constructor(reasons: readonly import("@twisted-ts/core").Failure[], response?: unknown) {
    super(reasons);
    this.response = response;
  }
}

/** The connection ended before any byte of the response arrived. */
export class ResponseNeverReceived extends ResponseFailed {
  static override readonly code: string = "ERR_HTTP_RESPONSE_NEVER_RECEIVED";
}

/** How a response body ends normally: the reason `deliverBody`'s protocol gets. */
export class ResponseDone extends HTTPError {
  static override readonly code: string = "ERR_HTTP_RESPONSE_DONE";
}

/** How a body with no declared length ends: the connection closed, so data may be missing. */
export class PotentialDataLoss extends HTTPError {
  static override readonly code: string = "ERR_HTTP_POTENTIAL_DATA_LOSS";
}

/** A body producer wrote more or fewer bytes than the `length` it declared. */
export class WrongBodyLength extends HTTPError {
  static override readonly code: string = "ERR_HTTP_WRONG_BODY_LENGTH";
}

/** A URI the client cannot parse. */
export class InvalidURI extends HTTPError {
  static override readonly code: string = "ERR_HTTP_INVALID_URI";
}

/**
 * A request broke HTTP/1.1's grammar or one of the server's limits. The channel answers with
 * `status` (400, 408, 413, 414 or 431) in a bare status line and closes the connection; the
 * error is what `HTTPChannel.badRequest` receives. It is never thrown out of `dataReceived`.
 */
export class MalformedRequest extends HTTPError {
  static override readonly code: string = "ERR_HTTP_MALFORMED_REQUEST";
  /** The status code the server answers with. */
  readonly status: number;

  /**
   * @param message - what was wrong, for the log.
   * @param status - the status code to answer with; 400 by default.
   */
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/**
 * A request crossed one of the server's limits (request line, header count or size, body,
 * chunk-size line, trailers, time). A {@link MalformedRequest} whose `limit` names the option.
 */
export class RequestLimitExceeded extends MalformedRequest {
  static override readonly code: string = "ERR_HTTP_REQUEST_LIMIT_EXCEEDED";
  /** The name of the option that was crossed, e.g. `"maxHeaders"`. */
  readonly limit: string;

  /**
   * @param limit - the option's name.
   * @param status - the status code to answer with.
   */
  constructor(limit: string, status: number) {
    super(`request exceeds ${limit}`, status);
    this.limit = limit;
  }
}

/**
 * A `Request` was used in a state that forbids it: `write` after `finish`, or `finish` after
 * the connection was lost. Twisted raises `RuntimeError` in both cases.
 */
export class RequestStateError extends HTTPError {
  static override readonly code: string = "ERR_HTTP_REQUEST_STATE";
}
