/**
 * `RaisingMemoryReactor`: a reactor whose every listen and connect call throws.
 * @packageDocumentation
 */
import type {
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
} from "../interfaces/protocol.js";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  ListenTCPOptions,
  ListenUNIXOptions,
  TLSOptions,
} from "../interfaces/reactor.js";

/**
 * A fake reactor whose listen methods throw one given error and whose connect methods throw
 * another: Twisted's `RaisingMemoryReactor`. Use it to test how code copes when it cannot listen
 * (`CannotListenError`) or cannot even start a connection attempt.
 *
 * Differences from Twisted: when no error was given for a kind of call, that call throws an
 * `Error` saying so (Twisted raises a `TypeError` from `raise None`). There are no `adopt*`
 * methods.
 */
export class RaisingMemoryReactor implements IReactorTCP, IReactorSSL, IReactorUNIX {
  /**
   * @param listenException - what `listenTCP`, `listenSSL` and `listenUNIX` throw.
   * @param connectException - what `connectTCP`, `connectSSL` and `connectUNIX` throw.
   */
  constructor(
    readonly listenException?: unknown,
    readonly connectException?: unknown,
  ) {}

  /** @throws `listenException`, always. */
  listenTCP(
    _port: number,
    _factory: IProtocolFactory,
    _options?: ListenTCPOptions,
  ): IListeningPort {
    return this.raiseListen();
  }

  /** @throws `connectException`, always. */
  connectTCP(
    _host: string,
    _port: number,
    _factory: IClientFactory,
    _options?: ConnectTCPOptions,
  ): IConnector {
    return this.raiseConnect();
  }

  /** @throws `listenException`, always. */
  listenSSL(
    _port: number,
    _factory: IProtocolFactory,
    _tlsOptions: TLSOptions,
    _options?: ListenTCPOptions,
  ): IListeningPort {
    return this.raiseListen();
  }

  /** @throws `connectException`, always. */
  connectSSL(
    _host: string,
    _port: number,
    _factory: IClientFactory,
    _tlsOptions: TLSOptions,
    _options?: ConnectTCPOptions,
  ): IConnector {
    return this.raiseConnect();
  }

  /** @throws `listenException`, always. */
  listenUNIX(
    _path: string,
    _factory: IProtocolFactory,
    _options?: ListenUNIXOptions,
  ): IListeningPort {
    return this.raiseListen();
  }

  /** @throws `connectException`, always. */
  connectUNIX(_path: string, _factory: IClientFactory, _options?: ConnectUNIXOptions): IConnector {
    return this.raiseConnect();
  }

  private raiseListen(): never {
    if (this.listenException === undefined) {
      throw new Error("RaisingMemoryReactor was given no listenException");
    }
    throw this.listenException;
  }

  private raiseConnect(): never {
    if (this.connectException === undefined) {
      throw new Error("RaisingMemoryReactor was given no connectException");
    }
    throw this.connectException;
  }
}
