/**
 * `sendmail`: send one message through a smarthost, Twisted's `twisted.mail.smtp.sendmail`.
 * @packageDocumentation
 */
import {
  Deferred,
  reactor as globalReactor,
  type IConnector,
  type IReactorTCP,
  type IReactorTime,
  type TLSOptions,
} from "@twisted-ts/core";
import type { Address } from "../address.js";
import type { MessageInput } from "./message.js";
import { ESMTPSenderFactory, type SendResult } from "./senders.js";

/** Options of {@link sendmail}. */
export interface SendmailOptions {
  /** The server's port; 25 by default. */
  port?: number | undefined;
  /** The user name for AUTH (used only with `password`). */
  username?: string | Uint8Array | undefined;
  /** The password for AUTH; without it, no AUTH is attempted. */
  password?: string | Uint8Array | undefined;
  /** Refuse to send unless the connection is TLS (STARTTLS); false by default. */
  requireTransportSecurity?: boolean | undefined;
  /** Refuse to send without AUTH; false by default. */
  requireAuthentication?: boolean | undefined;
  /** Fall back to HELO when EHLO is refused (unless TLS or AUTH is required); true by default. */
  heloFallback?: boolean | undefined;
  /** The name sent with EHLO/HELO; this host's name by default. */
  senderDomainName?: string | undefined;
  /**
   * TLS options for STARTTLS; by default the server's certificate is verified against the
   * system's CAs for the name `smarthost`.
   */
  tls?: TLSOptions | undefined;
  /** How many times to retry after a failure; 5 by default. */
  retries?: number | undefined;
  /** Seconds to wait for each reply, or null (the default) to wait forever. */
  timeout?: number | null | undefined;
  /** The reactor to connect with (and the clock for `timeout`); the global one by default. */
  reactor?: (IReactorTCP & IReactorTime) | undefined;
}

/**
 * Send a message: Twisted's `twisted.mail.smtp.sendmail`. It connects to `smarthost` with an
 * `ESMTPSenderFactory` that falls back to HELO when it may, uses STARTTLS when offered (with
 * `smarthost` as the TLS name), and AUTH when a password is given.
 *
 * ```ts
 * const [numOk, results] = await sendmail("mail.example.com", "me@example.com",
 *   ["you@example.org"], "Subject: hi\n\nhello\n", { port: 587, username: "me", password: "pw",
 *   requireTransportSecurity: true });
 * ```
 *
 * @param smarthost - the server's host name or address.
 * @param from - the envelope sender.
 * @param to - the envelope recipients (a string is one recipient).
 * @param message - the message, headers included (see {@link MessageInput}).
 * @param options - port, credentials, requirements, TLS, reactor.
 * @returns a Deferred that fires with `[numOk, [[address, code, resp], …]]` when the server
 *   took the message for at least one recipient, or fails with an `SMTPClientError`
 *   (`SMTPDeliveryError` when it was refused). Cancelling it stops the retries and aborts the
 *   connection (or the connection attempt); it then fails with `CancelledError`.
 *
 * Differences from Twisted: options come in an object; `heloFallback`, `tls`, `retries` and
 * `timeout` are also options.
 */
export function sendmail(
  smarthost: string,
  from: string | Address,
  to: string | Iterable<string>,
  message: MessageInput,
  options: SendmailOptions = {},
): Deferred<SendResult> {
  const reactor = options.reactor ?? globalReactor;
  let factory: ESMTPSenderFactory | undefined;
  let connector: IConnector | undefined;
  const d = new Deferred<SendResult>(() => {
    if (factory === undefined) return;
    factory.sendFinished = true;
    const transport = factory.currentProtocol?.transport as
      | { abortConnection?: () => void; loseConnection(): void }
      | undefined;
    if (transport !== undefined) {
      if (typeof transport.abortConnection === "function") transport.abortConnection();
      else transport.loseConnection();
    } else {
      connector?.disconnect();
    }
  });
  factory = new ESMTPSenderFactory(
    options.username ?? null,
    options.password ?? null,
    from,
    to,
    message,
    d,
    {
      retries: options.retries,
      timeout: options.timeout,
      clock: reactor,
      contextFactory: options.tls,
      heloFallback: options.heloFallback ?? true,
      requireAuthentication: options.requireAuthentication ?? false,
      requireTransportSecurity: options.requireTransportSecurity ?? false,
      hostname: smarthost,
    },
  );
  if (options.senderDomainName !== undefined) factory.domain = options.senderDomainName;
  connector = reactor.connectTCP(smarthost, options.port ?? 25, factory);
  return d;
}
