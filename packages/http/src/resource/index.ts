/**
 * The resource tree's base classes and the ready-made resources: `Data`, `Redirect`,
 * `NameVirtualHost`, `ReverseProxyResource` and `EncodingResourceWrapper`.
 * @packageDocumentation
 */

export { Data } from "./data.js";
export {
  EncodingResourceWrapper,
  GzipEncoder,
  GzipEncoderFactory,
  type IEncoderFactory,
} from "./encoding.js";
export { ProxyClient, ProxyClientFactory, ReverseProxyResource } from "./proxy.js";
export { Redirect, redirectTo } from "./redirect.js";
export {
  computeAllowedMethods,
  ErrorPage,
  escapeHTML,
  ForbiddenResource,
  NoResource,
  Resource,
} from "./resource.js";
export { NameVirtualHost } from "./vhost.js";
