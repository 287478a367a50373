/**
 * `FingerProtocol` and `FingerFactory`: a finger server (RFC 1288) that answers from an
 * `IFingerService`, as in Twisted's finger tutorial.
 * @packageDocumentation
 */
import { TimeoutMixin } from "@twisted-ts/basic";
import {
  type Deferred,
  type Failure,
  getDefaultClock,
  type IAddress,
  type IReactorTime,
  Logger,
  LogLevel,
  ServerFactory,
  succeed,
} from "@twisted-ts/core";
import { capAnswer, MAX_ANSWER_SIZE, toAnswerLines } from "./answer.js";
import { Finger } from "./finger.js";
import type { IFingerService } from "./interfaces.js";
import { MAX_QUERY_LENGTH } from "./query.js";

/** The log of the finger server (namespace `twisted-ts.finger`). */
export const log: Logger = new Logger({ namespace: "twisted-ts.finger" });

/** The port finger is served on (79, RFC 1288). */
export const FINGER_PORT = 79;

/** Seconds a connection may stay idle before the server closes it (30). */
export const DEFAULT_TIMEOUT = 30;

/** What the server answers when the back end fails (as Twisted's tutorial does). */
export const INTERNAL_ERROR = "Internal error in server";

/** What the server answers to a forwarding query (`user@host`), as Twisted's `Finger` does. */
export const FORWARDING_DENIED = "Finger forwarding service denied";

/** What the server answers to an empty query when `listUsers` is false. */
export const LIST_DENIED = "Finger online list denied";

/** What the server answers to a query line longer than its limit. */
export const QUERY_TOO_LONG = "Finger query too long";

/** Options of `new FingerFactory(service, options)`. */
export interface FingerFactoryOptions {
  /**
   * What schedules the idle timeout: the reactor, or a `Clock` in tests. The default clock
   * (the installed reactor, `getDefaultClock()`) when left out, read when a connection is made.
   */
  clock?: IReactorTime | undefined;
  /** Seconds of inactivity before the connection is closed, or null for none; 30 by default. */
  timeout?: number | null | undefined;
  /** The largest answer sent, in bytes; 65536 by default. A longer one is cut (see `capAnswer`). */
  maxAnswerSize?: number | undefined;
  /** The longest query line accepted, in bytes, without its line end; 1024 by default. */
  maxQueryLength?: number | undefined;
  /** Whether an empty query lists the users (`getUsers`); true by default. */
  listUsers?: boolean | undefined;
  /**
   * Whether control characters in a status (C0 but tab, DEL, C1) are replaced with `?` (RFC
   * 1288 §3.3); true by default.
   */
  filterControlCharacters?: boolean | undefined;
}

/**
 * A finger server connection that answers from its factory's `IFingerService`: the tutorial's
 * `FingerProtocol`, grown to RFC 1288. It reads one query line (`[/W] [user][@host…]`, see
 * {@link Finger}), writes the answer with CRLF line ends and closes:
 *
 * - `user` → the user's status (`getUser`), line by line;
 * - `/W user` → `Login: user`, then the status (the long form);
 * - an empty query → the user names, one a line (`getUsers`); `/W` alone → `Login:` and status
 *   for each user; `Finger online list denied` when the factory's `listUsers` is false;
 * - `user@host` → `Finger forwarding service denied` (forwarding is refused; RFC 1288 §3.2.1
 *   lets a server refuse it). Override `forwardQuery` to forward;
 * - a failing back end → `Internal error in server` (the failure is logged).
 *
 * Limits: the query line (`MAX_LENGTH`, 1024 bytes; a longer one is answered
 * `Finger query too long`), the answer (`maxAnswerSize`, 64 KiB, cut with a final
 * `[answer truncated]` line), and an idle timeout (`timeOut`, 30 s) that closes the connection,
 * also while a slow back end is still working (its Deferred is then cancelled).
 */
export class FingerProtocol extends TimeoutMixin(Finger<FingerFactory>) {
  private pending: Deferred<void> | undefined;

  /** Start the idle timeout. */
  override connectionMade(): void {
    super.connectionMade();
    const factory = this.factory;
    if (this.clock === undefined && factory !== undefined && factory.timeout !== null) {
      this.clock = factory.clock ?? getDefaultClock();
    }
    if (this.timeOut !== null) this.setTimeout(this.timeOut);
  }

  /**
   * Push the idle timeout back, then read.
   * @param data - the bytes.
   */
  override dataReceived(data: Buffer): void {
    this.resetTimeout();
    super.dataReceived(data);
  }

  /**
   * Stop the timeout and cancel a look-up still in progress.
   * @param reason - why the connection ended.
   */
  override connectionLost(reason?: Failure): void {
    this.setTimeout(null);
    super.connectionLost(reason);
    const pending = this.pending;
    this.pending = undefined;
    pending?.cancel();
  }

  /**
   * Answer one user from the service: the status, after `Login: <user>` for the long form.
   * @param slashW - whether `/W` was given.
   * @param user - the user name.
   */
  override getUser(slashW: boolean, user: string): void {
    const service = this.requireService();
    this.answerWith(
      service.getUser(user).addCallback((status: string) => {
        const lines = this.lines(status);
        return slashW ? `Login: ${this.lines(user)}${lines}` : lines;
      }),
    );
  }

  /**
   * Answer an empty query: the user names (or, for `/W`, each user's `Login:` and status), or
   * `Finger online list denied` when the factory's `listUsers` is false.
   * @param slashW - whether `/W` was given.
   */
  override getDomain(slashW: boolean): void {
    const factory = this.factory;
    if (factory !== undefined && !factory.listUsers) {
      this.finish(`${LIST_DENIED}\r\n`);
      return;
    }
    const service = this.requireService();
    this.answerWith(
      service.getUsers().addCallback((users: string[]) => {
        if (!slashW) return users.map((user) => this.lines(user)).join("");
        return this.longListing(service, users);
      }),
    );
  }

  /**
   * A forwarding query: refused with `Finger forwarding service denied`.
   * @param _slashW - whether `/W` was given.
   * @param _user - the query to pass on.
   * @param _host - the host to forward to.
   */
  override forwardQuery(_slashW: boolean, _user: string, _host: string): void {
    this.finish(`${FORWARDING_DENIED}\r\n`);
  }

  /**
   * A query line longer than `MAX_LENGTH`: answer `Finger query too long` and close.
   * @param _line - the buffered bytes.
   */
  override lineLengthExceeded(_line: Buffer): void {
    this.queried = true;
    this.setRawMode();
    this.finish(`${QUERY_TOO_LONG}\r\n`);
  }

  /**
   * Write an answer (capped at the factory's `maxAnswerSize`) and close the connection.
   * Nothing happens once the connection is gone.
   * @param answer - the whole answer, with its line ends.
   */
  finish(answer: string): void {
    this.pending = undefined;
    const transport = this.transport;
    if (!this.connected || transport === undefined) return;
    this.setTimeout(null);
    const maxSize = this.factory?.maxAnswerSize ?? MAX_ANSWER_SIZE;
    transport.write(capAnswer(answer, maxSize).bytes);
    transport.loseConnection();
  }

  private answerWith(answer: Deferred<string>): void {
    const d = answer.addCallbacks(
      (text: string) => this.finish(text),
      (reason: Failure) => {
        if (!this.connected) return;
        log.failure(
          "finger back end failed",
          reason,
          { peer: String(this.transport?.getPeer()) },
          LogLevel.error,
        );
        this.finish(`${INTERNAL_ERROR}\r\n`);
      },
    );
    if (!d.called) this.pending = d;
  }

  private longListing(service: IFingerService, users: readonly string[]): Deferred<string> {
    const maxSize = this.factory?.maxAnswerSize ?? MAX_ANSWER_SIZE;
    let answer = "";
    let index = 0;
    const next = (): Deferred<string> => {
      const user = users[index++];
      // Stop asking once the answer is over its cap: the rest would be cut anyway.
      if (user === undefined || Buffer.byteLength(answer) > maxSize) return succeed(answer);
      return service.getUser(user).addCallback((status: string) => {
        answer += `${index > 1 ? "\r\n" : ""}Login: ${this.lines(user)}${this.lines(status)}`;
        return next();
      });
    };
    return next();
  }

  private lines(text: string): string {
    return toAnswerLines(text, this.factory?.filterControlCharacters ?? true);
  }

  private requireService(): IFingerService {
    const factory = this.factory;
    if (factory === undefined) throw new Error("FingerProtocol needs a FingerFactory");
    return factory.service;
  }
}

/**
 * Makes a {@link FingerProtocol} for each connection, answering from `service`: the tutorial's
 * `FingerFactory` (which took the users as a dict, then a service).
 *
 * ```ts
 * const service = new MemoryFingerService({ moshez: "Happy and well" });
 * reactor.listenTCP(1079, new FingerFactory(service, { clock: reactor }), 50, "127.0.0.1");
 * ```
 */
export class FingerFactory extends ServerFactory<FingerProtocol> {
  /** The protocol built for each connection. */
  override protocol = FingerProtocol;
  /** The user database answers come from. */
  service: IFingerService;
  /** What schedules idle timeouts; see {@link FingerFactoryOptions.clock}. */
  clock: IReactorTime | undefined;
  /** Seconds of inactivity before a connection is closed, or null for none. */
  timeout: number | null;
  /** The largest answer sent, in bytes. */
  maxAnswerSize: number;
  /** The longest query line accepted, in bytes. */
  maxQueryLength: number;
  /** Whether an empty query lists the users. */
  listUsers: boolean;
  /** Whether control characters in statuses are replaced with `?`. */
  filterControlCharacters: boolean;

  /**
   * @param service - the user database.
   * @param options - clock, timeout and limits.
   * @throws RangeError for a negative or non-finite limit or timeout.
   */
  constructor(service: IFingerService, options: FingerFactoryOptions = {}) {
    super();
    this.service = service;
    this.clock = options.clock;
    this.timeout = options.timeout === undefined ? DEFAULT_TIMEOUT : options.timeout;
    this.maxAnswerSize = options.maxAnswerSize ?? MAX_ANSWER_SIZE;
    this.maxQueryLength = options.maxQueryLength ?? MAX_QUERY_LENGTH;
    this.listUsers = options.listUsers ?? true;
    this.filterControlCharacters = options.filterControlCharacters ?? true;
    for (const [name, value] of [
      ["timeout", this.timeout ?? 0],
      ["maxAnswerSize", this.maxAnswerSize],
      ["maxQueryLength", this.maxQueryLength],
    ] as const) {
      if (!Number.isFinite(value) || value < 0) {
        throw new RangeError(`${name} must be a finite number >= 0, not ${value}`);
      }
    }
    if (this.maxAnswerSize < 64) throw new RangeError("maxAnswerSize must be at least 64 bytes");
  }

  /**
   * Build a protocol with this factory's limits and timeout.
   * @param addr - the peer's address.
   * @returns the protocol.
   */
  override buildProtocol(addr: IAddress): FingerProtocol | null {
    const protocol = super.buildProtocol(addr);
    if (protocol === null) return null;
    protocol.MAX_LENGTH = this.maxQueryLength;
    protocol.timeOut = this.timeout;
    if (this.clock !== undefined) protocol.clock = this.clock;
    return protocol;
  }
}
