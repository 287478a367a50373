/**
 * `@twisted-ts/core`: Twisted's core for Node.js.
 * @packageDocumentation
 */
export * from "./address.js";
export * from "./application/index.js";
export * from "./defer/index.js";
export * from "./endpoints/index.js";
export * from "./errors.js";
export { type ErrorType, Failure } from "./failure.js";
export type {
  ChildFDTarget,
  IProcessProtocol,
  IProcessTransport,
  IReactorProcess,
  ProcessSignal,
  SpawnProcessOptions,
} from "./interfaces/process.js";
export {
  type IClientFactory,
  type IConnector,
  type IHalfCloseableProtocol,
  type IListeningPort,
  type IProtocol,
  type IProtocolFactory,
  isHalfCloseable,
} from "./interfaces/protocol.js";
export type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IReactor,
  IReactorCore,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  ListenTCPOptions,
  ListenUNIXOptions,
  SystemEventPhase,
  SystemEventTriggerID,
  SystemEventType,
  TLSOptions,
} from "./interfaces/reactor.js";
export type {
  IReactorFromThreads,
  IReactorThreads,
  IThreadPool,
  ModuleFunction,
  ThreadFunction,
  ThreadPoolStatistics,
} from "./interfaces/threads.js";
export type {
  IConsumer,
  IProducer,
  IPullProducer,
  IPushProducer,
  IReadPausable,
  ITCPTransport,
  ITransport,
  WriteData,
} from "./interfaces/transport.js";
export type {
  IDatagramProtocol,
  IMulticastTransport,
  IReactorMulticast,
  IReactorUDP,
  IUDPPort,
  IUDPTransport,
  ListenMulticastOptions,
  ListenUDPOptions,
  UDPAddressTuple,
} from "./interfaces/udp.js";
export * from "./logger/index.js";
export { ClientCreator } from "./protocol/clientCreator.js";
export { AbstractDatagramProtocol, DatagramProtocol } from "./protocol/datagram.js";
export { ClientFactory, Factory, type ForProtocol, ServerFactory } from "./protocol/factory.js";
export { ProcessProtocol } from "./protocol/processProtocol.js";
export {
  connectionDone,
  type HasFactory,
  Protocol,
  type ProtocolClass,
  transportOf,
} from "./protocol/protocol.js";
export { normalVariate, ReconnectingClientFactory } from "./protocol/reconnecting.js";
export { ReactorBase, type RunOptions, type ShutdownResource } from "./reactor/base.js";
export { Connection, type ConnectionOwner } from "./reactor/connection.js";
export { Connector, type Dialer, type Dialing } from "./reactor/connector.js";
export {
  type ListenTarget,
  Port,
  type TCPListenTarget,
  type UNIXListenTarget,
} from "./reactor/port.js";
export { Process } from "./reactor/process.js";
export { Reactor, reactor } from "./reactor/reactor.js";
export {
  blockingCallFromThread,
  deferToThread,
  deferToThreadPool,
  ThreadPool,
} from "./reactor/threads/index.js";
export { UDPPort } from "./reactor/udp.js";
export * from "./task/index.js";
export {
  getProcessOutput,
  getProcessOutputAndValue,
  getProcessValue,
  type ProcessEnv,
  UnexpectedErrorOutput,
} from "./utils.js";
