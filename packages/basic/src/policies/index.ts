/**
 * Resource-limiting and connection-watching policies, Twisted's `twisted.protocols.policies`:
 * wrappers that sit between a transport and a protocol (`ProtocolWrapper`, `WrappingFactory`)
 * and the policies built on them: bandwidth and connection limits, idle timeouts, and traffic
 * logging; plus `TimeoutMixin` for a protocol's own timeout.
 * @packageDocumentation
 */
export {
  LimitConnectionsByPeer,
  LimitTotalConnectionsFactory,
} from "./limits.js";
export {
  bytesRepr,
  SpewingFactory,
  SpewingProtocol,
  TrafficLoggingFactory,
  TrafficLoggingProtocol,
  type TrafficLogSink,
} from "./logging.js";
export {
  ThrottlingFactory,
  type ThrottlingOptions,
  ThrottlingProtocol,
} from "./throttling.js";
export {
  type ITimeoutMixin,
  type MixinConstructor,
  TimeoutFactory,
  type TimeoutFactoryOptions,
  type TimeoutHost,
  TimeoutMixin,
  TimeoutProtocol,
} from "./timeout.js";
export {
  type IWrapperRegistry,
  ProtocolWrapper,
  WrappingFactory,
  wrappedLogPrefix,
} from "./wrapper.js";
