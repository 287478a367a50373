/**
 * `twisted.internet.endpoints`: where to listen and where to connect, as objects and as
 * description strings (`serverFromString(reactor, "tcp:8080")`).
 * @packageDocumentation
 */
export { clientFromString, registerClientEndpointParser } from "./clientFromString.js";
export { connectProtocol } from "./connectProtocol.js";
export {
  type ConnectingCancelledWithAddress,
  EndpointValueError,
  NoProtocol,
  UnknownEndpointTypeError,
} from "./errors.js";
export { HostnameEndpoint } from "./hostname.js";
export type {
  EndpointKeywords,
  EndpointReactor,
  IStreamClientEndpoint,
  IStreamClientEndpointStringParserWithReactor,
  IStreamServerEndpoint,
  IStreamServerEndpointStringParser,
  TypedProtocolFactory,
} from "./interfaces.js";
export {
  type EndpointDescription,
  parseEndpointDescription,
  quoteStringArgument,
} from "./parse.js";
export { type NameResolver, type ResolvedAddress, systemNameResolver } from "./resolver.js";
export { registerServerEndpointParser, serverFromString } from "./serverFromString.js";
export { SSL4ClientEndpoint, SSL4ServerEndpoint } from "./ssl.js";
export {
  type BindAddress,
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "./tcp.js";
export { UNIXClientEndpoint, UNIXServerEndpoint } from "./unix.js";
export { ClientTLSEndpoint, wrapClientTLS } from "./wrapTLS.js";
