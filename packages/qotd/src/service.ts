/**
 * `QOTDService`: a Quote of the Day server on several endpoints, started and stopped as one
 * service (what the `twist qotd` plugin makes).
 * @packageDocumentation
 */
import {
  Deferred,
  type EndpointReactor,
  type IListeningPort,
  type IReactorUDP,
  type IStreamServerEndpoint,
  type IUDPPort,
  parseEndpointDescription,
  Service,
  serverFromString,
  succeed,
} from "@twisted-ts/core";
import { QOTDDatagramProtocol } from "./datagram.js";
import { QOTDUsageError } from "./errors.js";
import { FortuneQuoter } from "./fortune.js";
import type { IQuoter } from "./quoters.js";
import { QOTDFactory } from "./server.js";

/** What `QOTDService` needs of a reactor: endpoints (TCP, TLS, Unix), time, and UDP. */
export type QOTDServiceReactor = EndpointReactor & IReactorUDP;

type Target =
  | { readonly kind: "stream"; readonly endpoint: IStreamServerEndpoint }
  | { readonly kind: "udp"; readonly port: number; readonly iface: string };

function parseUDP(description: string): Target {
  const { args, kwargs } = parseEndpointDescription(description);
  const portText = kwargs.port ?? args[0];
  const port = Number(portText);
  if (portText === undefined || !/^\d+$/.test(portText) || port > 65535) {
    throw new QOTDUsageError(`${JSON.stringify(description)}: a UDP port is wanted (udp:PORT)`);
  }
  return { kind: "udp", port, iface: kwargs.interface ?? args[1] ?? "" };
}

function targetOf(reactor: QOTDServiceReactor, description: string): Target {
  try {
    const { type } = parseEndpointDescription(description);
    if (type.toLowerCase() === "udp") return parseUDP(description);
    return { kind: "stream", endpoint: serverFromString(reactor, description) };
  } catch (error) {
    if (error instanceof QOTDUsageError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new QOTDUsageError(`bad listen description ${JSON.stringify(description)}: ${detail}`, {
      cause: error,
    });
  }
}

/**
 * A Quote of the Day server listening on every endpoint of a list, started and stopped as one
 * service, with one quoter. Stream descriptions (`"tcp:8017"`, `"tcp:17:interface=127.0.0.1"`,
 * `"unix:/tmp/qotd.sock"`, `"ssl:…"`) are served by one `QOTDFactory` through core's
 * `serverFromString`; `"udp:PORT"` or `"udp:PORT:interface=ADDR"` by a rate-limited
 * `QOTDDatagramProtocol` on the reactor's clock.
 *
 * Descriptions are checked when the service is made; listening happens in `startService`.
 *
 * Differences from Twisted: the tutorial's `makeService` returns a `TCPServer`; this service
 * listens on several endpoints, UDP included, and checks fortune files before listening.
 */
export class QOTDService extends Service {
  /** The listening ports, in the order of the descriptions, once started. */
  readonly ports: Array<IListeningPort | IUDPPort> = [];
  /** The factory serving the stream endpoints. */
  readonly factory: QOTDFactory;
  private readonly targets: readonly Target[];

  /**
   * @param reactor - the reactor to listen with (its clock runs timeouts and UDP limits).
   * @param listen - endpoint descriptions; at least one.
   * @param quoter - where the quotes come from.
   * @throws QOTDUsageError for an empty list or a description that cannot be parsed.
   */
  constructor(
    readonly reactor: QOTDServiceReactor,
    readonly listen: readonly string[],
    readonly quoter: IQuoter,
  ) {
    super();
    this.name = "qotd";
    if (listen.length === 0) throw new QOTDUsageError("nothing to listen on: give a --listen");
    this.targets = listen.map((description) => targetOf(reactor, description));
    this.factory = new QOTDFactory(quoter, { clock: reactor });
  }

  /**
   * Start serving: a `FortuneQuoter`'s files are read first (`load()`), then every endpoint is
   * listened on in turn.
   * @returns a Deferred that fires once all are listening, or fails with the first error
   *   (`QuoteFileError`, `NoQuotesError`, `CannotListenError`, …), after closing the ports
   *   already opened.
   */
  override startService(): Deferred<void> {
    if (this.running) return succeed(undefined);
    super.startService();
    return Deferred.fromPromise(this.start());
  }

  /**
   * Stop listening on every port (connections in progress finish on their own).
   * @returns a Deferred that fires once every port is closed.
   */
  override stopService(): Deferred<void> {
    super.stopService();
    return Deferred.fromPromise(this.closePorts());
  }

  private async start(): Promise<void> {
    try {
      if (this.quoter instanceof FortuneQuoter) await this.quoter.load();
      for (const target of this.targets) {
        if (target.kind === "udp") {
          const protocol = new QOTDDatagramProtocol(this.quoter, { clock: this.reactor });
          this.ports.push(
            this.reactor.listenUDP(target.port, protocol, { interface: target.iface }),
          );
        } else {
          this.ports.push(await target.endpoint.listen(this.factory));
        }
      }
    } catch (error) {
      this.running = false;
      await this.closePorts();
      throw error;
    }
  }

  private async closePorts(): Promise<void> {
    const ports = this.ports.splice(0);
    await Promise.all(ports.map((port) => port.stopListening()));
  }
}
