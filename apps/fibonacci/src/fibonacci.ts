/**
 * The persistent Fibonacci server: the protocol, its factory, and the service that keeps the
 * sequence across restarts.
 *
 *   twist --state-file fib.json --app apps/fibonacci/src/app.ts
 *   pnpm --filter fibonacci server --state fib.json
 *
 * @packageDocumentation
 */
import {
  Deferred,
  type EndpointReactor,
  Factory,
  type Failure,
  type IReactorTime,
  type ITCPTransport,
  type ITransport,
  MultiService,
  Protocol,
  type StateValue,
  type StreamServerEndpointService,
  strportsService,
} from "@twisted-ts/core";
import { FibonacciSequence } from "./sequence.js";

const LF = 0x0a;
const CR = 0x0d;

/**
 * Serves the shared sequence: every line a client sends (whatever it says, an empty line
 * included) is answered with the next Fibonacci number, in decimal, as a `\r\n`-terminated line.
 * A line ends at `\n`; a `\r` before it is dropped.
 *
 * Differences from the seed: the seed answered each `dataReceived` call, so one request split
 * over two TCP segments cost two numbers and two requests in one segment got one; this protocol
 * answers each line, which does not depend on how TCP cuts the stream, and ends its answers
 * with `\r\n` (the seed wrote bare digits, which ran together).
 */
export class Fibonacci extends Protocol<FibonacciFactory> {
  /**
   * The longest line accepted, in bytes without its ending. A peer that sends more without a
   * newline gets `lineLengthExceeded`.
   */
  MAX_LENGTH = 16_384;
  private buffered: Buffer = Buffer.alloc(0);
  private dropped = false;

  /** Joins the factory's set of connected clients. */
  override connectionMade(): void {
    this.factory?.clientConnected(this);
  }

  /**
   * Split the bytes into lines and answer each one; a partial line waits for the rest.
   * @param data - the bytes, cut anywhere.
   */
  override dataReceived(data: Buffer): void {
    if (this.dropped) return;
    const buffer = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    let start = 0;
    for (let end = buffer.indexOf(LF, start); end >= 0; end = buffer.indexOf(LF, start)) {
      const stop = end > start && buffer[end - 1] === CR ? end - 1 : end;
      const line = buffer.subarray(start, stop);
      start = end + 1;
      if (line.length > this.MAX_LENGTH) {
        this.overflow(line.length);
        return;
      }
      this.lineReceived(line);
      if (this.dropped) return;
    }
    this.buffered = Buffer.from(buffer.subarray(start));
    if (this.buffered.length > this.MAX_LENGTH) this.overflow(this.buffered.length);
  }

  /**
   * A request: answer it with the next number of the factory's sequence.
   * @param _line - what the client sent (its content does not matter).
   */
  lineReceived(_line: Buffer): void {
    const sequence = this.factory?.sequence;
    if (sequence === undefined) return;
    this.transport?.write(`${sequence.next().toString()}\r\n`);
  }

  /**
   * A line longer than `MAX_LENGTH` arrived, or that much came without a newline. The default
   * drops the connection (after what was written is flushed); no number is spent on it.
   * @param _length - how many bytes the line had so far.
   */
  lineLengthExceeded(_length: number): void {
    this.transport?.loseConnection();
  }

  /** Leaves the factory's set of connected clients. */
  override connectionLost(reason?: Failure): void {
    super.connectionLost(reason);
    this.factory?.clientDisconnected(this);
  }

  private overflow(length: number): void {
    this.dropped = true;
    this.buffered = Buffer.alloc(0);
    this.lineLengthExceeded(length);
  }
}

/**
 * Builds `Fibonacci` protocols and holds what they share: the one sequence every client draws
 * from (the seed's `f.a, f.b`), and the clients connected now.
 */
export class FibonacciFactory extends Factory<Fibonacci> {
  override protocol = Fibonacci;
  override noisy = false;
  /** The clients connected now. */
  readonly clients = new Set<Fibonacci>();
  private readonly whenEmpty: Deferred<undefined>[] = [];

  /**
   * @param sequence - the shared sequence; a new one (starting at the seed's `[1, 1]`) by
   *   default.
   */
  constructor(readonly sequence: FibonacciSequence = new FibonacciSequence()) {
    super();
  }

  /**
   * A client's connection is made (its protocol calls this).
   * @param client - the protocol.
   */
  clientConnected(client: Fibonacci): void {
    this.clients.add(client);
  }

  /**
   * A client's connection is over (its protocol calls this).
   * @param client - the protocol.
   */
  clientDisconnected(client: Fibonacci): void {
    this.clients.delete(client);
    if (this.clients.size === 0) for (const d of this.whenEmpty.splice(0)) d.callback(undefined);
  }

  /**
   * Close every client's connection (after what was written to it is sent), and abort those
   * still open after `timeout` seconds.
   * @param clock - the clock for the timeout.
   * @param timeout - seconds to wait before aborting.
   * @returns a Deferred that fires once no client is connected.
   */
  disconnectAll(clock: IReactorTime, timeout: number): Deferred<undefined> {
    const done = new Deferred<undefined>();
    if (this.clients.size === 0) {
      done.callback(undefined);
      return done;
    }
    this.whenEmpty.push(done);
    const abort = clock.callLater(timeout, () => {
      for (const client of [...this.clients]) abortConnection(client.transport);
    });
    done.addBoth((result: unknown) => {
      if (abort.active()) abort.cancel();
      return result;
    });
    for (const client of [...this.clients]) client.transport?.loseConnection();
    return done;
  }
}

/**
 * Abort a connection where the transport can (a TCP one can), else lose it.
 * @param transport - the transport.
 */
function abortConnection(transport: ITransport | undefined): void {
  if (transport === undefined) return;
  const abortable = transport as Partial<ITCPTransport>;
  if (typeof abortable.abortConnection === "function") abortable.abortConnection();
  else transport.loseConnection();
}

/** Where the Fibonacci server listens unless told otherwise: port 8031 on the loopback interface. */
export const DEFAULT_LISTEN = "tcp:8031:interface=127.0.0.1";

/** Options of `makeService` and `new FibonacciService`. */
export interface FibonacciServiceOptions {
  /** Where to listen, as an endpoint description: `"tcp:8031:interface=127.0.0.1"`. */
  listen: string;
  /** The reactor to listen with, and the clock for the close timeout. */
  reactor: EndpointReactor;
  /** The service's name, which keys its saved state; "fibonacci" by default. */
  name?: string;
  /** The shared sequence; a new one by default. */
  sequence?: FibonacciSequence;
  /**
   * Seconds `stopService` lets clients take their last answers before it aborts their
   * connections; 5 by default.
   */
  closeTimeout?: number;
}

/**
 * The Fibonacci server as a service: it listens while running, and keeps the sequence as its
 * state, `[a, b]` as decimal strings, so that `twist --state-file` (or `src/main.ts --state`)
 * saves it on a clean stop and gives it back before the next start. Numbers handed out before
 * a restart are never handed out again.
 *
 * Stopping it closes the clients' connections too (each is closed once what was written to it
 * is sent, or aborted after `closeTimeout` seconds), then stops listening: the state saved
 * afterwards cannot miss a number handed out to a client that was still connected.
 *
 * Differences from the seed: the seed pickled the whole application to a `.tap` file with
 * `application.save()`; this keeps only the two numbers, as JSON, and no code is deserialised.
 */
export class FibonacciService extends MultiService {
  /** The factory, with the shared sequence. */
  readonly factory: FibonacciFactory;
  /** The child service listening on the endpoint (named "listener"). */
  readonly listener: StreamServerEndpointService;
  private readonly clock: IReactorTime;
  private readonly closeTimeout: number;

  /** @param options - where to listen, the reactor, the name and the sequence. */
  constructor(options: FibonacciServiceOptions) {
    super();
    this.setName(options.name ?? "fibonacci");
    this.clock = options.reactor;
    this.closeTimeout = options.closeTimeout ?? 5;
    this.factory = new FibonacciFactory(options.sequence);
    this.listener = strportsService(options.listen, this.factory, options.reactor);
    this.listener.setName("listener");
    this.listener.setServiceParent(this);
  }

  /** The sequence's state: `[a, b]` as decimal strings. */
  getState(): StateValue {
    return this.factory.sequence.getState();
  }

  /**
   * Resume the sequence from a saved state.
   * @param state - what `getState` returned, after a JSON round trip.
   * @throws TypeError or RangeError for a state that is not a valid `[a, b]` (see
   *   `FibonacciSequence.setState`).
   */
  setState(state: StateValue): void {
    this.factory.sequence.setState(state);
  }

  /**
   * Close every client's connection, then stop listening.
   * @returns a Deferred that fires once the connections are closed and the port is.
   */
  override stopService(): Deferred<unknown> {
    return this.factory
      .disconnectAll(this.clock, this.closeTimeout)
      .addCallback(() => super.stopService());
  }
}

/**
 * The Fibonacci service, for an app file or a program: `makeService({ listen, reactor })`.
 * @param options - where to listen (`"tcp:8031:interface=127.0.0.1"`) and the reactor.
 * @returns a stopped service named "fibonacci"; add it to an `Application`.
 */
export function makeService(options: FibonacciServiceOptions): FibonacciService {
  return new FibonacciService(options);
}
