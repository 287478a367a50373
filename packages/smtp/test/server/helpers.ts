/**
 * Test helpers for the SMTP server: a recording delivery, a TLS-capable string transport, and
 * a session driver.
 */
import { Deferred, IPv4Address, type TLSOptions } from "@twisted-ts/core";
import { Clock, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import type { Address, User } from "../../src/address.js";
import type {
  Helo,
  IMessage,
  IMessageDelivery,
  MailParameters,
  MessageFactory,
  RcptParameters,
} from "../../src/server/interfaces.js";
import type { SMTP } from "../../src/server/smtp.js";

/** A message kept in memory. */
export class MemoryMessage implements IMessage {
  readonly lines: Buffer[] = [];
  lost = false;
  ended = false;
  /** Set to make eomReceived wait for it. */
  pending: Deferred<unknown> | undefined;
  /** Set to make eomReceived fail. */
  failWith: unknown;
  constructor(
    readonly user: User,
    readonly store: MemoryMessage[],
  ) {}
  lineReceived(line: Buffer): void {
    this.lines.push(Buffer.from(line));
  }
  eomReceived(): Deferred<unknown> | unknown {
    this.ended = true;
    this.store.push(this);
    if (this.failWith !== undefined) throw this.failWith;
    return this.pending;
  }
  connectionLost(): void {
    this.lost = true;
  }
  /** The body lines joined with "\n", without the Received header. */
  body(): string {
    return this.lines
      .slice(1)
      .map((l) => l.toString("latin1"))
      .join("\n");
  }
}

/** A delivery that accepts everything (or what `acceptTo` allows) and keeps the messages. */
export class MemoryDelivery implements IMessageDelivery {
  readonly delivered: MemoryMessage[] = [];
  readonly made: MemoryMessage[] = [];
  readonly froms: [Helo, Address, MailParameters | undefined][] = [];
  readonly tos: [User, RcptParameters | undefined][] = [];
  acceptFrom: (origin: Address) => unknown = () => true;
  acceptTo: (user: User) => unknown = () => true;
  /** When set, validateFrom/validateTo answer through these Deferreds (pushed here). */
  deferFrom = false;
  deferTo = false;
  readonly waiting: Deferred<unknown>[] = [];
  /** Called when each message is made. */
  onMessage: (m: MemoryMessage) => void = () => {};

  receivedHeader(helo: Helo, origin: Address, recipients: readonly User[]): string {
    return `Received: from ${helo[0]} for ${recipients.map(String).join(",")} from ${origin.toString()}`;
  }
  validateFrom(helo: Helo, origin: Address, params?: MailParameters): Address | Deferred<Address> {
    this.froms.push([helo, origin, params]);
    const verdict = this.acceptFrom(origin);
    if (verdict !== true) throw verdict;
    if (this.deferFrom) {
      const d = new Deferred<unknown>();
      this.waiting.push(d);
      return d.addCallback(() => origin);
    }
    return origin;
  }
  validateTo(user: User, params?: RcptParameters): MessageFactory | Deferred<MessageFactory> {
    this.tos.push([user, params]);
    const verdict = this.acceptTo(user);
    if (verdict !== true) throw verdict;
    const factory = (): IMessage => {
      const m = new MemoryMessage(user, this.delivered);
      this.made.push(m);
      this.onMessage(m);
      return m;
    };
    if (this.deferTo) {
      const d = new Deferred<unknown>();
      this.waiting.push(d);
      return d.addCallback(() => factory);
    }
    return factory;
  }
}

/** A StringTransport that records startTLS and says whether it is secure. */
export class TLSStringTransport extends StringTransportWithDisconnection {
  tls: TLSOptions | undefined;
  secure = false;
  startTLS(options: TLSOptions): void {
    this.tls = options;
    this.secure = true;
  }
}

/** A protocol connected to a transport, with a clock. */
export interface Session<P extends SMTP> {
  readonly protocol: P;
  readonly transport: TLSStringTransport;
  readonly clock: Clock;
  /** Send text (or bytes) to the server. */
  send(data: string | Buffer): void;
  /** Everything the server wrote since the last `take`, then cleared. */
  take(): string;
  /** The reply lines written since the last `take`. */
  lines(): string[];
}

/**
 * Connect a protocol to a fresh transport.
 * @param protocol - the protocol (host set to "test.local" unless set).
 * @param options - `tls`: whether the transport has startTLS.
 */
export function connect<P extends SMTP>(
  protocol: P,
  options: { tls?: boolean; secure?: boolean; keepGreeting?: boolean } = {},
): Session<P> {
  const transport = new TLSStringTransport({
    peerAddress: new IPv4Address("TCP", "10.0.0.9", 40000),
    hostAddress: new IPv4Address("TCP", "10.0.0.1", 25),
  });
  if (options.tls === false) (transport as { startTLS?: unknown }).startTLS = undefined;
  transport.secure = options.secure ?? false;
  const clock = new Clock();
  protocol.clock = clock;
  if (protocol.host === "" || protocol.host === undefined) protocol.host = "test.local";
  transport.protocol = protocol;
  protocol.makeConnection(transport);
  const take = (): string => {
    const text = transport.value().toString("utf8");
    transport.clear();
    return text;
  };
  if (options.keepGreeting !== true) take();
  return {
    protocol,
    transport,
    clock,
    send: (data) =>
      protocol.dataReceived(typeof data === "string" ? Buffer.from(data, "latin1") : data),
    take,
    lines: () =>
      take()
        .split("\r\n")
        .filter((l) => l !== ""),
  };
}
