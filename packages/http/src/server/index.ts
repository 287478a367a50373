/**
 * The HTTP/1.1 server: `HTTPChannel`, `Request`, `Site`, sessions, limits and access logs.
 * @packageDocumentation
 */

export { MalformedRequest, RequestLimitExceeded, RequestStateError } from "../errors.js";
export { combinedLogFormatter, type LogFormatter, proxiedLogFormatter } from "./accessLog.js";
export { RequestContent } from "./body.js";
export { type ChannelRequest, HTTPChannel, type RequestFactory } from "./channel.js";
export { type ConditionResult, checkETag, checkLastModified } from "./conditional.js";
export { formatCookie, parseCookies } from "./cookies.js";
export { datetimeToLogString, datetimeToString, httpDateNow, stringToDatetime } from "./dates.js";
export { isBodyless, responseHead } from "./head.js";
export {
  DEFAULT_ABORT_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_LIMITS,
  DEFAULT_MAX_BODY_SIZE,
  DEFAULT_MAX_CHUNK_SIZE_LINE_LENGTH,
  DEFAULT_MAX_REQUEST_HEADERS,
  DEFAULT_MAX_REQUEST_LINE_LENGTH,
  DEFAULT_MAX_TRAILERS_SIZE,
  DEFAULT_MEMORY_BODY_LIMIT,
  DEFAULT_PIPELINE_BUFFER_SIZE,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_TOTAL_HEADERS_SIZE,
  type HTTPLimits,
  resolveLimits,
} from "./limits.js";
export {
  DEFAULT_MAX_FORM_PARTS,
  DEFAULT_MAX_PART_HEADER_BYTES,
  type FormPart,
  type MultipartLimits,
  multipartBoundary,
  parseFormBody,
  parseMultipart,
} from "./multipart.js";
export { processingFailed, processRequest, render } from "./process.js";
export { type IRequestEncoder, Request } from "./request.js";
export { Session, type SessionSite } from "./session.js";
export {
  getChildForRequest,
  type RequestClass,
  SERVER_VERSION,
  Site,
  type SiteOptions,
} from "./site.js";
export { NO_BODY_CODES, RESPONSES, responsePhrase } from "./status.js";
export { parseQueryString, quoteSegment, unquote } from "./urls.js";
