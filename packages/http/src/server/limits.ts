/**
 * The limits a peer controls, each a named default that a `Site` may override.
 * @packageDocumentation
 */

/** The longest request line, in bytes without CRLF; longer gives 414. */
export const DEFAULT_MAX_REQUEST_LINE_LENGTH = 16384;
/**
 * The most bytes of request line and headers together (CRLFs included); more gives 431.
 * Twisted's `totalHeadersSize`.
 */
export const DEFAULT_TOTAL_HEADERS_SIZE = 16384;
/** The most header lines in one request; more gives 431. Twisted's `maxHeaders`. */
export const DEFAULT_MAX_REQUEST_HEADERS = 500;
/** The largest request body, in bytes (10 MiB); larger gives 413. Twisted has no limit. */
export const DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024;
/** The longest chunk-size line (size and extensions), in bytes; longer gives 400. */
export const DEFAULT_MAX_CHUNK_SIZE_LINE_LENGTH = 1024;
/** The most bytes of trailers after a chunked body (64 KiB); more gives 400. */
export const DEFAULT_MAX_TRAILERS_SIZE = 64 * 1024;
/** Seconds a connection may stay idle between requests before it is closed. */
export const DEFAULT_IDLE_TIMEOUT = 60;
/** Seconds between closing a timed-out connection and aborting it. Twisted's `abortTimeout`. */
export const DEFAULT_ABORT_TIMEOUT = 15;
/** Seconds from the first byte of a request to its last (line, headers and body); then 408. */
export const DEFAULT_REQUEST_TIMEOUT = 300;
/** Bytes of pipelined requests buffered while one is handled before the transport is paused. */
export const DEFAULT_PIPELINE_BUFFER_SIZE = 16 * 1024;
/** Bodies larger than this many bytes (or of unknown length) are spooled to a temporary file. */
export const DEFAULT_MEMORY_BODY_LIMIT = 100_000;

/**
 * The limits of an `HTTPChannel`. Every field is optional in `SiteOptions`; the defaults are
 * the `DEFAULT_*` constants of this module. Times are in seconds; `null` disables a timeout.
 */
export interface HTTPLimits {
  /** Longest request line in bytes (414 beyond). */
  maxRequestLineLength: number;
  /** Most bytes of request line plus headers (431 beyond). */
  totalHeadersSize: number;
  /** Most header lines (431 beyond). */
  maxHeaders: number;
  /** Largest body in bytes (413 beyond). */
  maxBodySize: number;
  /** Longest chunk-size line in bytes (400 beyond). */
  maxChunkSizeLineLength: number;
  /** Most bytes of trailers (400 beyond). */
  maxTrailersSize: number;
  /** Idle timeout in seconds between requests, or null for none. */
  timeout: number | null;
  /** Seconds after a timeout's `loseConnection` before `abortConnection`, or null for never. */
  abortTimeout: number | null;
  /** Seconds to receive a whole request once it has started, or null for none (408 beyond). */
  requestTimeout: number | null;
  /** Pipelined bytes buffered before the transport is paused. */
  pipelineBufferSize: number;
  /** Bodies above this many bytes are spooled to a temporary file. */
  memoryBodyLimit: number;
}

/** Every limit at its default. */
export const DEFAULT_LIMITS: Readonly<HTTPLimits> = Object.freeze({
  maxRequestLineLength: DEFAULT_MAX_REQUEST_LINE_LENGTH,
  totalHeadersSize: DEFAULT_TOTAL_HEADERS_SIZE,
  maxHeaders: DEFAULT_MAX_REQUEST_HEADERS,
  maxBodySize: DEFAULT_MAX_BODY_SIZE,
  maxChunkSizeLineLength: DEFAULT_MAX_CHUNK_SIZE_LINE_LENGTH,
  maxTrailersSize: DEFAULT_MAX_TRAILERS_SIZE,
  timeout: DEFAULT_IDLE_TIMEOUT,
  abortTimeout: DEFAULT_ABORT_TIMEOUT,
  requestTimeout: DEFAULT_REQUEST_TIMEOUT,
  pipelineBufferSize: DEFAULT_PIPELINE_BUFFER_SIZE,
  memoryBodyLimit: DEFAULT_MEMORY_BODY_LIMIT,
});

/**
 * Fills in the defaults.
 * @param overrides - the limits to change.
 * @returns a complete set of limits.
 */
export function resolveLimits(overrides: Partial<HTTPLimits> = {}): HTTPLimits {
  const limits: HTTPLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof HTTPLimits)[]) {
    const value = overrides[key];
    if (value !== undefined) (limits as unknown as Record<string, unknown>)[key] = value;
  }
  return limits;
}
