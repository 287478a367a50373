/**
 * The HTTP/1.1 client: `Agent` and its connection pool, redirects, content decoding, cookies,
 * body producers, `readBody`, `getPage` and `downloadPage` (Twisted's `twisted.web.client`).
 * @packageDocumentation
 */

export {
  BadResponseVersion,
  InfiniteRedirection,
  InvalidURI,
  PageRedirect,
  ParseError,
  PartialDownloadError,
  PotentialDataLoss,
  RedirectWithNoLocation,
  RequestGenerationFailed,
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseBodyTooLarge,
  ResponseDone,
  ResponseFailed,
  ResponseHeadersTooLarge,
  ResponseNeverReceived,
  SchemeNotSupported,
  WebError,
  WrapperException,
  WrongBodyLength,
} from "../errors.js";
export {
  Agent,
  type AgentOptions,
  type AgentReactor,
  computeHostValue,
  type ParsedURI,
  parseURI,
  poolKey,
  type TLSPolicy,
} from "./agent.js";
export {
  BrotliDecoder,
  type ContentDecoder,
  ContentDecoderAgent,
  DeflateDecoder,
  GzipDecoder,
} from "./contentDecoder.js";
export {
  type Cookie,
  CookieAgent,
  CookieJar,
  domainMatch,
  parseCookieDate,
  pathMatch,
} from "./cookies.js";
export {
  DEFAULT_READ_SIZE,
  FileBodyProducer,
  type FileBodyProducerOptions,
} from "./fileBodyProducer.js";
export { downloadPage, type GetPageOptions, getPage } from "./getPage.js";
export {
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
export {
  type ClientParserEvents,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADERS,
  HTTPClientParser,
  type HTTPVersion,
  type ParserState,
  type ResponseHead,
  type ResponseLimits,
} from "./parser.js";
export {
  type ConnectionFactory,
  HTTPConnectionPool,
  type PooledConnection,
  shouldRetry,
} from "./pool.js";
export {
  type ClientProtocolLimits,
  type ClientProtocolState,
  HTTP11ClientProtocol,
} from "./protocol.js";
export { type ReadBodyOptions, readBody } from "./readBody.js";
export {
  BrowserLikeRedirectAgent,
  RedirectAgent,
  resolveLocation,
  SENSITIVE_HEADERS,
} from "./redirect.js";
export { ChunkedEncoder, ClientRequest, LengthEnforcingConsumer } from "./request.js";
export { Response, type ResponseConnection } from "./response.js";
export {
  ChunkedTransferDecoder,
  IdentityTransferDecoder,
  MAX_CHUNK_SIZE_LINE,
  MAX_TRAILER_BYTES,
  type TransferDecoderSink,
} from "./transferDecoders.js";
