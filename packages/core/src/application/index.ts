/**
 * `twisted.application` for TypeScript: services and the state they keep across restarts.
 * @packageDocumentation
 */
export {
  backoffPolicy,
  ClientService,
  type ClientServiceOptions,
  type RetryPolicy,
} from "./clientService.js";
export {
  SSLServer,
  StreamServerEndpointService,
  strportsService,
  TCPClient,
  TCPServer,
  TimerService,
  UDPServer,
  UNIXServer,
} from "./internet.js";
export { collectState, restoreState, type SavedState } from "./persist.js";
export {
  Application,
  type IService,
  type IServiceCollection,
  MultiService,
  Service,
  type StateValue,
} from "./service.js";
