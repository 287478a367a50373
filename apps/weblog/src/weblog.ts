/**
 * The weblog server: the protocol that streams hits to a client, the factory that follows the
 * access log and keeps the last hits, and the service that runs them.
 *
 *   pnpm --filter weblog server /var/log/nginx/access.log --port 8020
 *
 * @packageDocumentation
 */
import {
  Deferred,
  type EndpointReactor,
  Factory,
  type Failure,
  type IDelayedCall,
  type IReactorTime,
  type ITCPTransport,
  type ITransport,
  MultiService,
  Protocol,
  type StreamServerEndpointService,
  strportsService,
} from "@twisted-ts/core";
import { LogFollower, type LogReader } from "./follower.js";
import { type Hit, hitToXml, parseLogLine } from "./logformat.js";

/** A hit the factory has kept, numbered in the order it was read. */
export interface KeptHit {
  /** Its number: 1 for the first hit read, and so on. */
  readonly seq: number;
  /** The hit. */
  readonly hit: Hit;
  /** Its `<hit/>` element and a newline, made once for every client. */
  readonly xml: string;
}

/**
 * Streams the log's new hits to one client: `<hits>\n` when the connection is made, then every
 * `sendInterval` seconds (5 by default, as in the seed) the hits read since the last send, one
 * `<hit …/>` line each, and `</hits>\n` when the server closes the connection.
 *
 * A client starts with the hits read after it connected. If more hits arrive between two sends
 * than the factory keeps (`maxHits`), the oldest are gone by the send; the client then gets an
 * XML comment `<!-- N hits skipped -->` in their place, so it knows.
 */
export class WebLog extends Protocol<WebLogFactory> {
  /** The number of the last hit sent (or read before this client connected). */
  seen = 0;
  private call: IDelayedCall | undefined = undefined;
  private closing = false;

  /** Opens the stream and schedules the first send. */
  override connectionMade(): void {
    const factory = this.factory;
    if (factory === undefined) return;
    factory.clientConnected(this);
    this.seen = factory.lastSeq;
    this.transport?.write("<hits>\n");
    this.schedule(factory);
  }

  /** Send the hits read since the last send, then schedule the next send. */
  sendNewHits(): void {
    const factory = this.factory;
    if (factory === undefined || !this.connected || this.closing) return;
    this.flush(factory);
    this.schedule(factory);
  }

  /**
   * The server is closing this connection: send what is new, end the stream with `</hits>`,
   * and lose the connection once that is written.
   */
  close(): void {
    if (this.closing || !this.connected) return;
    this.closing = true;
    if (this.call?.active()) this.call.cancel();
    this.call = undefined;
    const factory = this.factory;
    if (factory !== undefined) this.flush(factory);
    this.transport?.write("</hits>\n");
    this.transport?.loseConnection();
  }

  /** Stops sending and leaves the factory's set of clients. */
  override connectionLost(reason?: Failure): void {
    super.connectionLost(reason);
    if (this.call?.active()) this.call.cancel();
    this.call = undefined;
    this.factory?.clientDisconnected(this);
  }

  private flush(factory: WebLogFactory): void {
    const { hits, skipped } = factory.hitsSince(this.seen);
    this.seen = factory.lastSeq;
    const out: string[] = [];
    if (skipped > 0) out.push(`<!-- ${skipped} hits skipped -->\n`);
    for (const kept of hits) out.push(kept.xml);
    if (out.length > 0) this.transport?.writeSequence(out);
  }

  private schedule(factory: WebLogFactory): void {
    this.call = factory.clock.callLater(factory.sendInterval, () => this.sendNewHits());
  }
}

/** Options of `new WebLogFactory`. */
export interface WebLogFactoryOptions {
  /** The clock for polling the log and for the protocols' sends. */
  clock: IReactorTime;
  /** The file system; the real one (`nodeLogReader`) by default. */
  reader?: LogReader;
  /** Seconds between polls of the log; 1 by default. */
  pollInterval?: number;
  /** Seconds between sends to each client; 5 by default. */
  sendInterval?: number;
  /** How many of the latest hits are kept; 100 by default. */
  maxHits?: number;
  /** Read the log from its start instead of its current end (false by default). */
  fromStart?: boolean;
}

/**
 * Follows the access log and keeps its last `maxHits` hits for the `WebLog` protocols: the
 * seed's `WebLogFactory`. `startFactory` starts the `LogFollower` (a poll every `pollInterval`
 * seconds); `stopFactory` stops it. Every client draws from the same kept hits, so all get the
 * same updates.
 *
 * A line that is not in the Common or Combined Log Format is skipped and counted in
 * `malformed` (overlong lines too); `malformedLine` is the hook.
 */
export class WebLogFactory extends Factory<WebLog> {
  override protocol = WebLog;
  override noisy = false;
  /** The clock the protocols schedule their sends with. */
  readonly clock: IReactorTime;
  /** Seconds between sends to each client. */
  readonly sendInterval: number;
  /** How many hits are kept. */
  readonly maxHits: number;
  /** The follower polling the log. */
  readonly follower: LogFollower;
  /** The number of the last hit read; 0 before the first. */
  lastSeq = 0;
  /** Lines that were not hits. */
  malformed = 0;
  /** The clients connected now. */
  readonly clients = new Set<WebLog>();
  private readonly kept: KeptHit[] = [];
  private started: Promise<void> = Promise.resolve();
  private stopped: Promise<void> = Promise.resolve();
  private readonly whenEmpty: Deferred<undefined>[] = [];

  /**
   * @param path - the access log.
   * @param options - the clock, and the intervals.
   */
  constructor(
    readonly path: string,
    options: WebLogFactoryOptions,
  ) {
    super();
    this.clock = options.clock;
    this.sendInterval = options.sendInterval ?? 5;
    this.maxHits = options.maxHits ?? 100;
    this.follower = new LogFollower(path, (line) => this.lineReceived(line), {
      clock: options.clock,
      interval: options.pollInterval ?? 1,
      ...(options.reader === undefined ? {} : { reader: options.reader }),
      ...(options.fromStart === undefined ? {} : { fromStart: options.fromStart }),
    });
  }

  /** Starts following the log, from its current end. */
  override startFactory(): void {
    this.started = this.follower.start();
  }

  /** Stops following the log. */
  override stopFactory(): void {
    this.stopped = this.follower.stop();
  }

  /** @returns a Promise that settles once the log is open (so new lines will be seen). */
  whenStarted(): Promise<void> {
    return this.started;
  }

  /** @returns a Promise that settles once the log is closed after `stopFactory`. */
  whenStopped(): Promise<void> {
    return this.stopped;
  }

  /** The kept hits, oldest first. */
  get hits(): readonly KeptHit[] {
    return this.kept;
  }

  /**
   * A line of the log: keep it as a hit, or count it as malformed.
   * @param line - the line, without its newline.
   */
  lineReceived(line: string): void {
    const hit = parseLogLine(line);
    if (hit === undefined) this.malformedLine(line);
    else this.hitReceived(hit);
  }

  /**
   * A line that is not a hit. The default counts it in `malformed` and skips it.
   * @param _line - the line.
   */
  malformedLine(_line: string): void {
    this.malformed++;
  }

  /**
   * Keep a hit (dropping the oldest beyond `maxHits`).
   * @param hit - the hit.
   */
  hitReceived(hit: Hit): void {
    this.lastSeq++;
    this.kept.push({ seq: this.lastSeq, hit, xml: `${hitToXml(hit)}\n` });
    if (this.kept.length > this.maxHits) this.kept.splice(0, this.kept.length - this.maxHits);
  }

  /**
   * The kept hits after number `seq`.
   * @param seq - the number of the last hit a client has.
   * @returns those hits, oldest first, and how many hits after `seq` are no longer kept.
   */
  hitsSince(seq: number): { hits: KeptHit[]; skipped: number } {
    const hits = this.kept.filter((kept) => kept.seq > seq);
    const first = hits[0]?.seq ?? this.lastSeq + 1;
    return { hits, skipped: Math.max(0, first - seq - 1) };
  }

  /**
   * A client's stream has started (its protocol calls this).
   * @param client - the protocol.
   */
  clientConnected(client: WebLog): void {
    this.clients.add(client);
  }

  /**
   * A client's connection is over (its protocol calls this).
   * @param client - the protocol.
   */
  clientDisconnected(client: WebLog): void {
    this.clients.delete(client);
    if (this.clients.size === 0) for (const d of this.whenEmpty.splice(0)) d.callback(undefined);
  }

  /**
   * End every client's stream (`</hits>`) and close its connection once that is written;
   * abort those still open after `timeout` seconds.
   * @param timeout - seconds to wait before aborting.
   * @returns a Deferred that fires once no client is connected.
   */
  closeAll(timeout: number): Deferred<undefined> {
    const done = new Deferred<undefined>();
    if (this.clients.size === 0) {
      done.callback(undefined);
      return done;
    }
    this.whenEmpty.push(done);
    const abort = this.clock.callLater(timeout, () => {
      for (const client of [...this.clients]) abortConnection(client.transport);
    });
    done.addBoth((result: unknown) => {
      if (abort.active()) abort.cancel();
      return result;
    });
    for (const client of [...this.clients]) client.close();
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

/** Options of `makeService` and `new WebLogService`. */
export interface WebLogServiceOptions extends Omit<WebLogFactoryOptions, "clock"> {
  /** The access log to follow. */
  logfile: string;
  /** Where to listen, as an endpoint description: `"tcp:8020:interface=127.0.0.1"`. */
  listen: string;
  /** The reactor to listen with; it is also the clock. */
  reactor: EndpointReactor;
  /** Seconds `stopService` gives clients to take `</hits>` before aborting them; 5 by default. */
  closeTimeout?: number;
}

/**
 * The weblog server as a service: it listens while running, and the factory follows the log
 * while the port is open. Stopping it ends every client's stream with `</hits>`, closes the
 * connections, stops listening, and closes the log.
 */
export class WebLogService extends MultiService {
  /** The factory, which follows the log. */
  readonly factory: WebLogFactory;
  /** The child service listening on the endpoint (named "listener"). */
  readonly listener: StreamServerEndpointService;
  private readonly closeTimeout: number;

  /** @param options - the log, where to listen, the reactor, and the intervals. */
  constructor(options: WebLogServiceOptions) {
    super();
    this.setName("weblog");
    const { logfile, listen, reactor, closeTimeout, ...factoryOptions } = options;
    this.closeTimeout = closeTimeout ?? 5;
    this.factory = new WebLogFactory(logfile, { ...factoryOptions, clock: reactor });
    this.listener = strportsService(listen, this.factory, reactor);
    this.listener.setName("listener");
    this.listener.setServiceParent(this);
  }

  /**
   * End the clients' streams and close them, stop listening, and close the log.
   * @returns a Deferred that fires once all of that is done.
   */
  override stopService(): Deferred<unknown> {
    return this.factory
      .closeAll(this.closeTimeout)
      .addCallback(() => super.stopService())
      .addCallback(() => Deferred.fromPromise(this.factory.whenStopped()));
  }
}

/**
 * The weblog service, for an app file or a program.
 * @param options - the log, where to listen, and the reactor.
 * @returns a stopped service named "weblog"; start it, or add it to an `Application`.
 */
export function makeService(options: WebLogServiceOptions): WebLogService {
  return new WebLogService(options);
}
