/**
 * The built-in `twist portforward` plugin: Twisted's `twisted/tap/portforward.py`.
 *
 * ```
 * twist portforward --port tcp:8080 --dest_host example.com --dest_port 80
 * ```
 * @packageDocumentation
 */
import { type EndpointReactor, type IService, strportsService } from "@twisted-ts/core";
import { UsageError } from "../errors.js";
import type {
  OptionValues,
  ServiceMaker,
  StringOption,
  StringOptionWithDefault,
} from "../serviceMaker.js";
import { ProxyFactory } from "./proxy.js";

/** The option declarations of `twist portforward`. */
export type PortforwardOptionDeclarations = {
  /** `-p`, `--port`: where to listen, a port number or an endpoint description; default 6666. */
  readonly port: StringOptionWithDefault;
  /** `--listen`: where to listen, an endpoint description (overrides `--port`). */
  readonly listen: StringOption;
  /** `--dest_host`: the host to forward to; localhost by default. */
  readonly dest_host: StringOption;
  /** `--host`: Twisted's name for `--dest_host`. */
  readonly host: StringOption;
  /** `-d`, `--dest_port`: the port to forward to; default 6665. */
  readonly dest_port: StringOptionWithDefault;
};

/** The options of `twist portforward`. */
export const portforwardOptions: PortforwardOptionDeclarations = {
  port: {
    type: "string",
    short: "p",
    default: "6666",
    help: 'Where to listen: a port number or an endpoint description ("tcp:6666:interface=127.0.0.1")',
    valueName: "PORT",
  },
  listen: {
    type: "string",
    help: "Where to listen, as an endpoint description (overrides --port)",
    valueName: "DESCRIPTION",
  },
  dest_host: {
    type: "string",
    help: "The host to forward to (default: localhost)",
    valueName: "HOST",
  },
  host: { type: "string", help: "The same as --dest_host (Twisted's name)", valueName: "HOST" },
  dest_port: {
    type: "string",
    short: "d",
    default: "6665",
    help: "The port to forward to",
    valueName: "PORT",
  },
};

/** The parsed options of `twist portforward`. */
export type PortforwardOptions = OptionValues<PortforwardOptionDeclarations>;

/**
 * The endpoint description to listen on: `--listen`, else `--port` (a bare number means
 * `tcp:<number>`).
 * @param options - the parsed options.
 */
export function listenDescription(options: PortforwardOptions): string {
  if (options.listen !== undefined) return options.listen;
  return /^\d+$/.test(options.port) ? `tcp:${options.port}` : options.port;
}

function destinationPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(
      `--dest_port must be a port number (1-65535), not ${JSON.stringify(text)}`,
    );
  }
  return port;
}

/**
 * Make the forwarding service: a `ProxyFactory` behind `strportsService` (so a port in use fails
 * at start).
 * @param options - the parsed options.
 * @param reactor - the reactor.
 * @returns the service.
 * @throws UsageError for a bad `--dest_port`; the endpoint parser's error for a bad `--port`.
 */
export function makePortforwardService(
  options: PortforwardOptions,
  reactor: EndpointReactor,
): IService {
  const host = options.dest_host ?? options.host ?? "localhost";
  const factory = new ProxyFactory(host, destinationPort(options.dest_port), reactor);
  return strportsService(listenDescription(options), factory, reactor);
}

/**
 * `twist portforward`: forward a local port to another host and port, both ways, with flow
 * control. Twisted's `portforward` plugin.
 *
 * Differences from Twisted: `--port` also takes an endpoint description and `--listen` is
 * added (Twisted's newer plugins take endpoint descriptions); `--dest_host` is the destination
 * (`--host`, Twisted's name, is kept; `-h` is help here).
 */
export const portforwardPlugin: ServiceMaker<PortforwardOptionDeclarations, EndpointReactor> = {
  name: "portforward",
  description: "A simple port-forwarder",
  options: portforwardOptions,
  usage: "Forwards every connection to --port to --dest_host:--dest_port, both ways.",
  makeService: makePortforwardService,
};
