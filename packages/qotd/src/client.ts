/**
 * The Quote of the Day client: `getQuote`.
 * @packageDocumentation
 */
import {
  ClientFactory,
  ConnectionDone,
  Deferred,
  type Failure,
  type IConnector,
  type IDelayedCall,
  type IReactorTCP,
  type IReactorTime,
  Protocol,
  TimeoutError,
} from "@twisted-ts/core";
import { QuoteTooLongError } from "./errors.js";

/** Options of `getQuote`. */
export interface GetQuoteOptions {
  /**
   * Seconds for the whole exchange (connecting, then reading until the server closes); 30 by
   * default. When it expires the attempt or connection is aborted and the Deferred fails with
   * `TimeoutError`.
   */
  timeout?: number;
  /**
   * The most bytes accepted from the server, 8192 by default: a server that sends more fails
   * the Deferred with `QuoteTooLongError` and the connection is aborted. (RFC 865 servers send
   * at most 512 characters.)
   */
  maxLength?: number;
}

/** Collects what the server sends, and reports the end of the connection. */
class QuoteReceiver extends Protocol {
  private readonly chunks: Buffer[] = [];
  private received = 0;

  constructor(
    private readonly maxLength: number,
    private readonly done: (outcome: { quote: Buffer } | { error: unknown }) => void,
  ) {
    super();
  }

  override dataReceived(data: Buffer): void {
    this.received += data.length;
    if (this.received > this.maxLength) {
      this.done({ error: new QuoteTooLongError(this.maxLength) });
      this.abort();
      return;
    }
    this.chunks.push(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (reason.check(ConnectionDone) !== null) this.done({ quote: Buffer.concat(this.chunks) });
    else this.done({ error: reason });
  }

  abort(): void {
    const transport = this.transport as { abortConnection?: () => void } | undefined;
    if (typeof transport?.abortConnection === "function") transport.abortConnection();
    else this.transport?.loseConnection();
  }
}

/**
 * The quote a server sends: its UTF-8 text without the final line break (CRLF, or a bare LF).
 * @param bytes - what the server sent.
 */
function quoteOf(bytes: Buffer): string {
  return bytes.toString("utf8").replace(/\r?\n$/, "");
}

/**
 * Ask a Quote of the Day server (RFC 865, over TCP) for a quote: connect, read until the server
 * closes the connection, and give what it sent, decoded as UTF-8, without its final CRLF (line
 * breaks inside the quote are left as the server sent them). A server that closes without
 * sending anything gives "".
 *
 * The Deferred fails with core's `ConnectionRefusedError` (nobody listens), `DNSLookupError`,
 * `TimeoutError` (see `timeout`), `ConnectionLost` (the connection broke rather than closed),
 * or `QuoteTooLongError` (see `maxLength`). Cancelling it stops the attempt or aborts the
 * connection, and it fails with `CancelledError`.
 *
 * @param reactor - the reactor to connect with (and to time out on): the global `reactor`, or a
 *   `MemoryReactorClock` in tests.
 * @param host - the server's host name or address.
 * @param port - the server's TCP port (17 is QOTD's well-known port).
 * @param options - `timeout` (seconds) and `maxLength` (bytes).
 * @returns a Deferred of the quote.
 *
 * @example
 * ```ts
 * const quote = await getQuote(reactor, "127.0.0.1", 8007, { timeout: 5 });
 * ```
 */
export function getQuote(
  reactor: IReactorTCP & Pick<IReactorTime, "callLater">,
  host: string,
  port: number,
  options: GetQuoteOptions = {},
): Deferred<string> {
  const timeout = options.timeout ?? 30;
  const maxLength = options.maxLength ?? 8192;
  let connector: IConnector | undefined;
  let receiver: QuoteReceiver | undefined;
  let timer: IDelayedCall | undefined;
  let cancelled = false;

  const stop = (): void => {
    if (timer?.active()) timer.cancel();
    if (receiver?.connected) receiver.abort();
    else if (receiver === undefined) {
      try {
        connector?.stopConnecting();
      } catch {
        // Not connecting any more: the connector has already told the factory.
      }
    }
  };
  const result = new Deferred<string>(() => {
    cancelled = true;
    stop();
  });
  const settle = (outcome: { quote: Buffer } | { error: unknown }): void => {
    if (cancelled || result.called) return;
    if (timer?.active()) timer.cancel();
    if ("quote" in outcome) result.callback(quoteOf(outcome.quote));
    else result.errback(outcome.error);
  };

  const factory = new (class extends ClientFactory<QuoteReceiver> {
    override noisy = false;
    override buildProtocol(): QuoteReceiver {
      receiver = new QuoteReceiver(maxLength, settle);
      return receiver;
    }
    override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
      settle({ error: reason });
    }
  })();

  if (Number.isFinite(timeout)) {
    timer = reactor.callLater(timeout, () => {
      settle({ error: new TimeoutError(timeout, "QOTD getQuote") });
      stop();
    });
  }
  connector = reactor.connectTCP(host, port, factory, Number.isFinite(timeout) ? { timeout } : {});
  return result;
}
