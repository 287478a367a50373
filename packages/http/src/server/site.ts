/**
 * `Site`: the factory of HTTP connections for a resource tree, after Twisted's `server.Site`.
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import {
  getDefaultClock,
  type IAddress,
  type IReactorTime,
  Logger,
  ServerFactory,
} from "@twisted-ts/core";
import { Headers } from "../headers.js";
import type { IRequest, IResource } from "../iweb.js";
import { combinedLogFormatter, type LogFormatter } from "./accessLog.js";
import { RequestContent } from "./body.js";
import { HTTPChannel } from "./channel.js";
import { datetimeToLogString, datetimeToString } from "./dates.js";
import { type HTTPLimits, resolveLimits } from "./limits.js";
import { Request } from "./request.js";
import { Session } from "./session.js";

const accessLog = new Logger({ namespace: "twisted-ts.web.access" });

/** The `Server` header's value. */
export const SERVER_VERSION = "TwistedWeb/0.1.0 (twisted-ts)";

/** A class of requests a site builds: `Request` or a subclass. */
export type RequestClass = new (channel: HTTPChannel, site: Site) => Request;

/** Options of `new Site(resource, options)`; every limit of {@link HTTPLimits} may be set. */
export interface SiteOptions extends Partial<HTTPLimits> {
  /** A file to append the access log to (combined format), one flushed line per request. */
  logPath?: string | undefined;
  /** Receives each access-log line instead (takes precedence over `logPath`). */
  accessLog?: ((line: string) => void) | undefined;
  /** Formats the access-log lines; {@link combinedLogFormatter} by default. */
  logFormatter?: LogFormatter | undefined;
  /** The clock of timeouts, sessions and `Date`; the installed reactor by default. */
  clock?: IReactorTime | undefined;
  /** Show tracebacks on 500 pages (never in production). */
  displayTracebacks?: boolean | undefined;
  /** The request class; {@link Request} by default. */
  requestFactory?: RequestClass | undefined;
}

/**
 * Serves a resource tree over HTTP/1.1: Twisted's `server.Site`, a `ServerFactory` building
 * an `HTTPChannel` per connection. Use it with any stream transport:
 *
 * ```ts
 * reactor.listenTCP(8080, new Site(root, { logPath: "access.log" }));
 * ```
 *
 * Each request is routed by `getResourceFor` (traversal through `getChildWithDefault` from the
 * root, segment by segment, until a leaf or the end of the path), then rendered. Every
 * request is logged in combined log format: to `accessLog`, else to `logPath`, else to the
 * global log (namespace `twisted-ts.web.access`).
 *
 * Differences from Twisted: the limits, the clock and the access-log sink are options;
 * `getSession` returns `undefined` for an unknown uid (Twisted raises KeyError).
 */
export class Site extends ServerFactory<HTTPChannel> {
  /** The root resource. */
  resource: IResource;
  /** The limits every channel gets. */
  readonly limits: HTTPLimits;
  /** Whether 500 pages show the traceback. */
  displayTracebacks: boolean;
  /** The request class. */
  requestFactory: RequestClass;
  /** The access-log formatter. */
  logFormatter: LogFormatter;
  /** The access-log file, if any. */
  readonly logPath: string | undefined;
  /** The `Server` header's value. */
  serverVersion: string = SERVER_VERSION;
  /** The `Content-Type` a response gets when it sets none, or null for none. */
  defaultContentType: string | null = "text/html";
  /** The live sessions by uid. */
  readonly sessions = new Map<string, Session>();
  /** The session class. */
  sessionFactory: typeof Session = Session;
  private readonly accessLogSink: ((line: string) => void) | undefined;
  private readonly explicitClock: IReactorTime | undefined;
  private logFd: number | null = null;
  private template: Headers | undefined = undefined;
  private templateSecond = -1;
  private templateServer = "";
  private logSecond = -1;
  private logTimestamp = "";

  /**
   * @param resource - the root resource.
   * @param options - limits, timeouts, logging and the clock.
   */
  constructor(resource: IResource, options: SiteOptions = {}) {
    super();
    this.resource = resource;
    this.limits = resolveLimits(options);
    this.displayTracebacks = options.displayTracebacks ?? false;
    this.requestFactory = options.requestFactory ?? Request;
    this.logFormatter = options.logFormatter ?? combinedLogFormatter;
    this.logPath = options.logPath;
    this.accessLogSink = options.accessLog;
    this.explicitClock = options.clock;
    this.noisy = false;
  }

  /** The clock: the `clock` option, else the installed reactor. */
  get clock(): IReactorTime {
    return this.explicitClock ?? getDefaultClock();
  }

  /** The idle timeout in seconds (Twisted's `timeOut`), or null. */
  get timeOut(): number | null {
    return this.limits.timeout;
  }

  /**
   * Builds a channel for a connection, with this site's limits, clock and request class.
   * @param _addr - the peer's address.
   * @returns the channel.
   */
  override buildProtocol(_addr: IAddress): HTTPChannel {
    const channel = new HTTPChannel();
    channel.factory = this;
    channel.limits = this.limits;
    channel.clock = this.clock;
    const factory = this.requestFactory;
    channel.requestFactory = (ch) => new factory(ch, this);
    return channel;
  }

  /** Opens the access-log file. */
  override startFactory(): void {
    if (this.logPath !== undefined && this.accessLogSink === undefined && this.logFd === null) {
      this.logFd = openSync(this.logPath, "a");
    }
  }

  /** Closes the access-log file. */
  override stopFactory(): void {
    if (this.logFd !== null) {
      closeSync(this.logFd);
      this.logFd = null;
    }
  }

  /**
   * The headers every response starts with (`Server` and `Date`), rebuilt once a second;
   * requests take a copy.
   * @returns the shared template (do not change it).
   */
  responseHeadersTemplate(): Headers {
    const now = Math.floor(this.clock.seconds());
    let template = this.template;
    if (
      template === undefined ||
      now !== this.templateSecond ||
      this.templateServer !== this.serverVersion
    ) {
      template = new Headers();
      template.setRawHeaders("server", [this.serverVersion]);
      template.setRawHeaders("date", [datetimeToString(now)]);
      this.template = template;
      this.templateSecond = now;
      this.templateServer = this.serverVersion;
    }
    return template;
  }

  /**
   * Finds the resource for a request: Twisted's `getResourceFor`. Records `sitepath`, then
   * walks `postpath` into `prepath` through `getChildWithDefault` until a leaf.
   * @param request - the request.
   * @returns the resource to render.
   */
  getResourceFor(request: IRequest & { sitepath?: string[] }): IResource {
    request.sitepath = [...request.prepath];
    return getChildForRequest(this.resource, request);
  }

  /**
   * Where a request's body goes: in memory, or a temporary file when the length is unknown or
   * above `memoryBodyLimit`. Override to store bodies elsewhere.
   * @param length - the body's length, or null when unknown.
   * @returns the store.
   */
  getContentFile(length: number | null): RequestContent {
    const limit = this.limits.memoryBodyLimit;
    return new RequestContent(limit, length === null || length > limit);
  }

  /** @returns a new session, registered under a fresh random uid. */
  makeSession(): Session {
    const uid = randomBytes(16).toString("hex");
    const session = new this.sessionFactory(this, uid, this.clock);
    this.sessions.set(uid, session);
    return session;
  }

  /**
   * @param uid - a session's uid.
   * @returns the live session, or `undefined`.
   */
  getSession(uid: string): Session | undefined {
    return this.sessions.get(uid);
  }

  /**
   * Writes the access-log line of a finished request.
   * @param request - the request.
   */
  log(request: Request): void {
    const now = Math.floor(this.clock.seconds());
    if (now !== this.logSecond) {
      this.logSecond = now;
      this.logTimestamp = datetimeToLogString(now);
    }
    const line = this.logFormatter(this.logTimestamp, request);
    if (this.accessLogSink !== undefined) this.accessLogSink(line);
    else if (this.logPath !== undefined) {
      if (this.logFd === null) this.startFactory();
      if (this.logFd !== null) writeSync(this.logFd, `${line}\n`);
    } else accessLog.info("{line}", { line });
  }
}

/**
 * Walks a request's `postpath` from a resource: Twisted's `resource.getChildForRequest`.
 * @param resource - where to start.
 * @param request - the request; its segments move from `postpath` to `prepath`.
 * @returns the resource reached.
 */
export function getChildForRequest(resource: IResource, request: IRequest): IResource {
  let current = resource;
  while (request.postpath.length > 0 && !current.isLeaf) {
    const segment = request.postpath.shift() as string;
    request.prepath.push(segment);
    current = current.getChildWithDefault(segment, request);
  }
  return current;
}
