/**
 * Unix domain socket endpoints: `UNIXServerEndpoint` and `UNIXClientEndpoint`.
 * @packageDocumentation
 */
import type { Deferred } from "../defer/deferred.js";
import { maybeDeferred } from "../defer/helpers.js";
import type { IListeningPort, IProtocol, IProtocolFactory } from "../interfaces/protocol.js";
import type { IReactorUNIX } from "../interfaces/reactor.js";
import type {
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  TypedProtocolFactory,
} from "./interfaces.js";
import { connectWrapped } from "./wrapping.js";

/**
 * Listens on a Unix socket path: Twisted's `UNIXServerEndpoint`.
 */
export class UNIXServerEndpoint implements IStreamServerEndpoint {
  /**
   * @param reactor - the reactor (any `IReactorUNIX`).
   * @param address - the socket's path.
   * @param backlog - the listen queue length.
   * @param mode - the socket file's permissions. As Twisted says, prefer setting permissions on
   *   the directory that holds the socket.
   * @param wantPID - keep a `<path>.lock` file with our PID, and remove a stale socket whose
   *   lock names a dead process.
   */
  constructor(
    readonly reactor: IReactorUNIX,
    readonly address: string,
    readonly backlog = 50,
    readonly mode = 0o666,
    readonly wantPID = false,
  ) {}

  /**
   * Listen with `factory`.
   * @param factory - builds a protocol per accepted connection.
   * @returns a Deferred that fires with the listening port, or fails with
   *   `CannotListenError` (the path is in use).
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return maybeDeferred(() =>
      this.reactor.listenUNIX(this.address, factory, {
        backlog: this.backlog,
        mode: this.mode,
        wantPID: this.wantPID,
      }),
    );
  }
}

/**
 * Connects to a Unix socket path: Twisted's `UNIXClientEndpoint`.
 */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  /**
   * @param reactor - the reactor (any `IReactorUNIX`).
   * @param path - the socket's path.
   * @param timeout - seconds to wait before failing with `TimeoutError`.
   * @param checkPID - refuse to connect unless `<path>.lock` names a live process.
   */
  constructor(
    readonly reactor: IReactorUNIX,
    readonly path: string,
    readonly timeout = 30,
    readonly checkPID = false,
  ) {}

  /**
   * Connect with `factory`.
   * @param factory - builds the protocol once connected.
   * @returns as `TCP4ClientEndpoint.connect` (a missing socket is `ConnectionRefusedError`).
   */
  connect<P extends IProtocol>(factory: TypedProtocolFactory<P>): Deferred<P> {
    return connectWrapped(factory, (wrapper) =>
      this.reactor.connectUNIX(this.path, wrapper, {
        timeout: this.timeout,
        checkPID: this.checkPID,
      }),
    );
  }
}
