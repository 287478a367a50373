/**
 * `@twisted-ts/http`: HTTP/1.1 for twisted-ts, after `twisted.web`: the server (`HTTPChannel`,
 * `Request`, `Site` and the `Resource` tree), static files (`File`), and the client (`Agent`,
 * the connection pool, redirects, decoders, cookies, `getPage`).
 * @packageDocumentation
 */

export * from "./client/index.js";
export { HTTPError, UnsupportedMethod } from "./errors.js";
export { canonicalHeaderName, Headers, isValidHeaderName } from "./headers.js";
export {
  CACHED,
  type Cached,
  type CookieOptions,
  type IRequest,
  type IResource,
  NOT_DONE_YET,
  type NotDoneYet,
  type RenderResult,
  type RequestBody,
} from "./iweb.js";
export * from "./resource/index.js";
export * from "./server/index.js";
export * from "./static/index.js";
