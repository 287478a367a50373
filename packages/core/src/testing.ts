/**
 * `@twisted-ts/core/testing`: test doubles that stand in for sockets and time. Twisted's
 * `twisted.internet.testing` and `twisted.test.iosim`, with `Clock` from `task`.
 *
 * - `StringTransport`: a transport that records what a protocol writes;
 * - `MemoryReactor`, `MemoryReactorClock`, `RaisingMemoryReactor`: reactors that record listen
 *   and connect calls instead of opening sockets;
 * - `connectedServerAndClient` and `IOPump`: two protocols talking in memory;
 * - `AccumulatingProtocol`, `LineSendingProtocol`, `NonStreamingProducer`,
 *   `EventLoggingObserver`, `FakeDatagramTransport`: small helpers.
 *
 * @packageDocumentation
 */
export { Clock } from "./task/clock.js";
export { type DatagramAddress, FakeDatagramTransport, noAddr } from "./testing/datagram.js";
export { EventLoggingObserver, type ObservablePublisher } from "./testing/eventLoggingObserver.js";
export { FakeConnector, FakePort } from "./testing/fakes.js";
export {
  FakeTransport,
  type FakeTransportOptions,
  makeFakeClient,
  makeFakeServer,
} from "./testing/fakeTransport.js";
export {
  type AdvanceableClock,
  type ConnectedServerAndClientOptions,
  type ConnectOptions,
  connect,
  connectedServerAndClient,
  IOPump,
  type ProtocolBuilder,
  type ProtocolSource,
} from "./testing/iosim.js";
export {
  MemoryReactor,
  type SSLClientRecord,
  type SSLServerRecord,
  type TCPClientRecord,
  type TCPServerRecord,
  type UNIXClientRecord,
  type UNIXServerRecord,
  type WhenRunningHook,
} from "./testing/memoryReactor.js";
export { MemoryReactorClock } from "./testing/memoryReactorClock.js";
export { NonStreamingProducer } from "./testing/producers.js";
export {
  type AccumulatingFactory,
  AccumulatingProtocol,
  LineSendingProtocol,
} from "./testing/protocols.js";
export { RaisingMemoryReactor } from "./testing/raisingMemoryReactor.js";
export {
  type ProducerState,
  StringTransport,
  type StringTransportOptions,
  StringTransportWithDisconnection,
} from "./testing/stringTransport.js";
export type { RecordedTrigger, RecordedTriggers } from "./testing/systemEvents.js";
