/**
 * The finger RPC client: the tutorial's `fingerPBclient.py`, for the netstring/JSON protocol
 * of `server.ts`. Calls return Deferreds, as PB's `callRemote` does.
 * @packageDocumentation
 */
import { type NetstringParseError, NetstringReceiver } from "@twisted-ts/basic";
import {
  connectProtocol,
  Deferred,
  type Failure,
  type IDelayedCall,
  type IReactorTime,
  type IStreamClientEndpoint,
} from "@twisted-ts/core";
import {
  FingerRPCConnectionLost,
  FingerRPCProtocolError,
  FingerRPCRemoteError,
  FingerRPCTimeoutError,
} from "../errors.js";
import {
  decodeResponse,
  encodeMessage,
  type FingerRPCMethod,
  type FingerRPCSignatures,
} from "./wire.js";

/** How a {@link FingerRPCClient} behaves; every field has a default. */
export interface FingerRPCClientOptions {
  /** The clock for timeouts; without one, calls never time out. */
  readonly clock?: IReactorTime | undefined;
  /** Seconds a call may wait for its answer (30); null for no limit. */
  readonly timeout?: number | null | undefined;
  /** The longest answer payload, in bytes (1 MiB); a longer one drops the connection. */
  readonly maxLength?: number | undefined;
}

interface Call {
  readonly deferred: Deferred<string | string[]>;
  readonly method: FingerRPCMethod;
  timer: IDelayedCall | undefined;
}

/**
 * One client connection to a finger RPC server. `callRemote("getUser", "moshez")` (or
 * `getUser("moshez")`) sends a request and returns a Deferred of the answer; several calls may
 * be in flight at once.
 *
 * Failures: an error response errbacks with {@link FingerRPCRemoteError} (its `remoteCode`
 * says which); no answer within `timeout` with {@link FingerRPCTimeoutError}; a connection lost
 * with calls in flight (or a call on a closed connection) with {@link FingerRPCConnectionLost};
 * an answer that breaks the protocol (bad netstring, bad JSON, an unknown id, longer than
 * `MAX_LENGTH`) errbacks every call with {@link FingerRPCProtocolError} and drops the connection.
 *
 * Differences from Twisted: PB passes object references and copies arbitrary objects; this
 * protocol has exactly the two methods the tutorial's `IPerspectiveFinger` offers, and no
 * references.
 */
export class FingerRPCClient extends NetstringReceiver {
  /** The longest answer payload, in bytes. */
  override MAX_LENGTH: number;
  /** Seconds a call may wait for its answer; null for no limit. */
  timeout: number | null;
  private readonly clock: IReactorTime | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();
  /** Ids of calls given up on (cancelled or timed out) whose answer may still come. */
  private readonly abandoned = new Set<number>();

  /** @param options - timeouts and limits. */
  constructor(options: FingerRPCClientOptions = {}) {
    super();
    this.clock = options.clock;
    this.timeout = options.timeout === undefined ? 30 : options.timeout;
    this.MAX_LENGTH = options.maxLength ?? 1_048_576;
  }

  /** How many calls await their answer. */
  get pendingCalls(): number {
    return this.calls.size;
  }

  /**
   * Call a method on the server: PB's `callRemote`.
   * @param method - `getUser` or `getUsers`.
   * @param params - its parameters.
   * @returns a Deferred of the result; cancelling it forgets the call.
   */
  callRemote<M extends FingerRPCMethod>(
    method: M,
    ...params: FingerRPCSignatures[M]["params"]
  ): Deferred<FingerRPCSignatures[M]["result"]> {
    const id = this.nextId++;
    const deferred = new Deferred<string | string[]>(() => this.forget(id));
    if (!this.connected) {
      deferred.errback(new FingerRPCConnectionLost("the RPC connection is not open"));
      return deferred as Deferred<FingerRPCSignatures[M]["result"]>;
    }
    const call: Call = { deferred, method, timer: undefined };
    this.calls.set(id, call);
    if (this.clock !== undefined && this.timeout !== null) {
      const timeout = this.timeout;
      call.timer = this.clock.callLater(timeout, () => {
        call.timer = undefined;
        this.forget(id);
        deferred.errback(new FingerRPCTimeoutError(timeout));
      });
    }
    this.sendString(encodeMessage({ id, method, params }));
    return deferred as Deferred<FingerRPCSignatures[M]["result"]>;
  }

  /**
   * The status of one user.
   * @param user - the user's name.
   */
  getUser(user: string): Deferred<string> {
    return this.callRemote("getUser", user);
  }

  /** The names of every user. */
  getUsers(): Deferred<string[]> {
    return this.callRemote("getUsers");
  }

  private forget(id: number): void {
    const call = this.calls.get(id);
    if (call === undefined) return;
    this.calls.delete(id);
    call.timer?.cancel();
    this.abandoned.add(id);
  }

  private take(id: number): Call | undefined {
    const call = this.calls.get(id);
    if (call === undefined) return undefined;
    this.calls.delete(id);
    call.timer?.cancel();
    return call;
  }

  /** An answer arrived: fire its call. */
  override stringReceived(payload: Buffer): void {
    const response = decodeResponse(payload);
    if (response === null) {
      this.protocolError("the server sent something that is not a response");
      return;
    }
    if (response.id === null) {
      // The server could not read one of our requests: it drops the connection after this.
      if ("error" in response) {
        this.failAll(new FingerRPCRemoteError(response.error.code, response.error.message));
      }
      return;
    }
    if (this.abandoned.delete(response.id)) return;
    const call = this.take(response.id);
    if (call === undefined) {
      this.protocolError(`the server answered call ${response.id}, which was never made`);
      return;
    }
    if ("error" in response) {
      call.deferred.errback(new FingerRPCRemoteError(response.error.code, response.error.message));
    } else if ((call.method === "getUser") !== (typeof response.result === "string")) {
      call.deferred.errback(
        new FingerRPCProtocolError(`a ${call.method} answer of the wrong type`),
      );
      this.protocolError(`the server answered ${call.method} with the wrong type`);
    } else {
      call.deferred.callback(response.result);
    }
  }

  /** The server's framing is broken (or an answer is too long): fail every call and drop. */
  override handleParseError(error: NetstringParseError): void {
    if (this.brokenPeer === 1) return;
    this.failAll(new FingerRPCProtocolError(`bad answer from the server: ${error.message}`));
    super.handleParseError(error);
  }

  /** Fail every call with {@link FingerRPCConnectionLost}. */
  override connectionLost(reason: Failure): void {
    this.failAll(
      new FingerRPCConnectionLost(`the RPC connection closed: ${reason.getErrorMessage()}`),
    );
    super.connectionLost(reason);
  }

  /** Close the connection (after pending writes). */
  close(): void {
    this.transport?.loseConnection();
  }

  private protocolError(message: string): void {
    this.failAll(new FingerRPCProtocolError(message));
    this.transport?.loseConnection();
  }

  private failAll(error: Error): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) {
      call.timer?.cancel();
      call.deferred.errback(error);
    }
  }
}

/**
 * Connect a {@link FingerRPCClient} through an endpoint: PB's `PBClientFactory` plus
 * `getRootObject`.
 *
 * ```ts
 * const client = await connectFingerRPC(
 *   clientFromString(reactor, "tcp:host=127.0.0.1:port=8889"),
 *   { clock: reactor },
 * );
 * console.log(await client.getUser("moshez"));
 * ```
 * @param endpoint - where the server is.
 * @param options - timeouts and limits.
 * @returns a Deferred of the connected client.
 */
export function connectFingerRPC(
  endpoint: IStreamClientEndpoint,
  options: FingerRPCClientOptions = {},
): Deferred<FingerRPCClient> {
  return connectProtocol(endpoint, new FingerRPCClient(options));
}
