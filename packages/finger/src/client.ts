/**
 * The finger client: `finger(reactor, user, host)` asks a server and returns its answer, and
 * the protocol and factory it uses (for a proxy, as in part 9 of Twisted's tutorial).
 * @packageDocumentation
 */
import {
  ClientFactory,
  ConnectionDone,
  Deferred,
  type Failure,
  fail,
  type IAddress,
  type IConnector,
  type IDelayedCall,
  type IReactorTCP,
  type IReactorTime,
  Protocol,
} from "@twisted-ts/core";
import { MAX_ANSWER_SIZE } from "./answer.js";
import { FingerSizeError, FingerTimeoutError } from "./errors.js";
import { formatQuery } from "./query.js";
import { DEFAULT_TIMEOUT, FINGER_PORT } from "./server.js";

/**
 * One finger request on a connection: it writes the query line (with CRLF) once connected,
 * collects the answer up to `maxSize` bytes and fires `deferred` with it, decoded as UTF-8,
 * when the server closes the connection. An answer over `maxSize` aborts the connection and
 * fails with `FingerSizeError`; a connection lost uncleanly fails with its reason.
 */
export class FingerClientProtocol extends Protocol {
  /** Fires with the answer once the server has closed the connection. */
  readonly deferred: Deferred<string> = new Deferred<string>();
  private readonly chunks: Buffer[] = [];
  private received = 0;

  /**
   * @param query - the query line, without its line end (see `formatQuery`).
   * @param maxSize - the largest answer accepted, in bytes.
   */
  constructor(
    readonly query: string,
    readonly maxSize: number = MAX_ANSWER_SIZE,
  ) {
    super();
  }

  /** Send the query. */
  override connectionMade(): void {
    this.transport?.write(`${this.query}\r\n`);
  }

  /**
   * Collect answer bytes; past `maxSize`, fail and abort.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    if (this.deferred.called) return;
    this.received += data.length;
    if (this.received > this.maxSize) {
      this.deferred.errback(
        new FingerSizeError(`the finger answer is over ${this.maxSize} bytes`, this.maxSize),
      );
      this.abort();
      return;
    }
    this.chunks.push(data);
  }

  /**
   * The server closed the connection: fire `deferred` with the answer, or fail it.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.deferred.called) return;
    if (reason.check(ConnectionDone) !== null) {
      this.deferred.callback(Buffer.concat(this.chunks).toString("utf8"));
    } else {
      this.deferred.errback(reason);
    }
  }

  /** Abort the connection (or close it, on a transport that cannot abort). */
  abort(): void {
    const transport = this.transport as { abortConnection?: () => void } | undefined;
    if (typeof transport?.abortConnection === "function") transport.abortConnection();
    else this.transport?.loseConnection();
  }
}

/**
 * Makes one {@link FingerClientProtocol} for `query` and fails `deferred` when the connection
 * cannot be made. `deferred` fires with the answer.
 */
export class FingerClientFactory extends ClientFactory<FingerClientProtocol> {
  /** Not noisy: no log line for each start and stop. */
  override noisy = false;
  /** Fires with the answer, or fails with the reason. */
  readonly deferred: Deferred<string> = new Deferred<string>();
  /** The protocol built, once connected. */
  client: FingerClientProtocol | undefined = undefined;

  /**
   * @param query - the query line, without its line end.
   * @param maxSize - the largest answer accepted, in bytes.
   */
  constructor(
    readonly query: string,
    readonly maxSize: number = MAX_ANSWER_SIZE,
  ) {
    super();
  }

  /**
   * Build the protocol and chain its result to `deferred`.
   * @param _addr - the server's address.
   * @returns the protocol.
   */
  override buildProtocol(_addr: IAddress): FingerClientProtocol {
    const client = new FingerClientProtocol(this.query, this.maxSize);
    client.factory = this;
    this.client = client;
    client.deferred.addCallbacks(
      (answer: string) => {
        if (!this.deferred.called) this.deferred.callback(answer);
      },
      (reason: Failure) => {
        if (!this.deferred.called) this.deferred.errback(reason);
      },
    );
    return client;
  }

  /**
   * The connection failed: fail `deferred`.
   * @param _connector - the connector.
   * @param reason - why.
   */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.deferred.called) this.deferred.errback(reason);
  }
}

/** Options of {@link finger}. */
export interface FingerOptions {
  /** The server's port; 79 by default. */
  port?: number | undefined;
  /** Ask for the long form (`/W`); false by default. */
  long?: boolean | undefined;
  /** Seconds to wait for the whole answer (connecting included); 30 by default. */
  timeout?: number | undefined;
  /** The largest answer accepted, in bytes; 65536 by default. */
  maxSize?: number | undefined;
}

/**
 * Ask a finger server about a user (or, with `user` empty, about everyone).
 *
 * ```ts
 * const answer = await finger(reactor, "joe", "127.0.0.1", { port: 1079 });
 * ```
 *
 * @param reactor - connects and schedules the timeout.
 * @param user - the user name; `""` lists the users; `user@other` asks the server to forward
 *   the query to `other` (most refuse).
 * @param host - the server's host name or address.
 * @param options - port, long form, timeout and size cap.
 * @returns a Deferred that fires with the answer as the server sent it (UTF-8, line ends
 *   untouched) once the server closes the connection. It fails with `FingerQueryError` for a
 *   user name that cannot be sent (whitespace, CR, LF), `FingerTimeoutError` after `timeout`
 *   seconds, `FingerSizeError` past `maxSize`, or the connection's error. Cancelling it aborts
 *   the connection.
 */
export function finger(
  reactor: IReactorTCP & Pick<IReactorTime, "callLater">,
  user: string,
  host: string,
  options: FingerOptions = {},
): Deferred<string> {
  const port = options.port ?? FINGER_PORT;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const [name = "", ...hosts] = user.split("@");
  let query: string;
  try {
    query = formatQuery({ long: options.long ?? false, user: name, hosts });
  } catch (error) {
    return fail(error);
  }
  const factory = new FingerClientFactory(query, options.maxSize ?? MAX_ANSWER_SIZE);
  let timer: IDelayedCall | undefined;
  let cancelled = false;
  const stop = (): void => {
    if (timer?.active()) timer.cancel();
    const client = factory.client;
    if (client !== undefined) {
      if (client.connected) client.abort();
    } else {
      try {
        connector.stopConnecting();
      } catch {
        // Not connecting any more: the factory has been told.
      }
    }
  };
  const result = new Deferred<string>(() => {
    cancelled = true;
    stop();
  });
  factory.deferred.addCallbacks(
    (answer: string) => {
      if (timer?.active()) timer.cancel();
      if (!cancelled && !result.called) result.callback(answer);
    },
    (reason: Failure) => {
      if (timer?.active()) timer.cancel();
      if (!cancelled && !result.called) result.errback(reason);
    },
  );
  if (Number.isFinite(timeout)) {
    timer = reactor.callLater(timeout, () => {
      if (!result.called) result.errback(new FingerTimeoutError(timeout));
      stop();
    });
  }
  const connector = reactor.connectTCP(
    host,
    port,
    factory,
    Number.isFinite(timeout) ? { timeout } : {},
  );
  return result;
}
