/**
 * `@twisted-ts/basic/twist-plugins`: the `twist echo`, `twist discard` and `twist daytime`
 * plugins.
 *
 * ```
 * twist echo --listen tcp:8007:interface=127.0.0.1
 * twist daytime --listen tcp:8013 --listen tcp6:8013
 * ```
 * @packageDocumentation
 */
import {
  type EndpointReactor,
  Factory,
  type IProtocol,
  MultiService,
  type ProtocolClass,
  strportsService,
} from "@twisted-ts/core";
import { Daytime, Discard, Echo } from "./wire/index.js";

/** How a plugin declares its `--listen` option (the `twist` runner's option shape). */
export interface ListenOption {
  /** A string value. */
  readonly type: "string";
  /** May be given several times. */
  readonly multiple: true;
  /** Listen here when the option is not given. */
  readonly default: readonly string[];
  /** One line of help. */
  readonly help: string;
  /** The placeholder in help. */
  readonly valueName: "DESCRIPTION";
}

/** The options the wire plugins declare. */
export interface WirePluginOptionDeclarations {
  /** `--listen DESCRIPTION`, repeatable. */
  readonly listen: ListenOption;
}

/** The options the wire plugins take, as the runner parsed them. */
export interface WirePluginOptions {
  /** Endpoint descriptions to listen on. */
  readonly listen?: string | readonly string[] | undefined;
}

/** A `twist` plugin serving one wire protocol: a service maker, in the runner's shape. */
export interface WirePlugin {
  /** The subcommand: `twist <name>`. */
  readonly name: string;
  /** One line for `twist --help`. */
  readonly description: string;
  /** The subcommand's options. */
  readonly options: WirePluginOptionDeclarations;
  /**
   * A service listening on every `--listen` description.
   * @param options - the parsed options.
   * @param reactor - the reactor to listen with.
   */
  makeService(options: WirePluginOptions, reactor: EndpointReactor): MultiService;
}

function wirePlugin(
  name: string,
  description: string,
  defaultListen: string,
  protocol: ProtocolClass<IProtocol>,
): WirePlugin {
  return {
    name,
    description,
    options: {
      listen: {
        type: "string",
        multiple: true,
        default: [defaultListen],
        help: `an endpoint to listen on, e.g. ${defaultListen} (repeatable)`,
        valueName: "DESCRIPTION",
      },
    },
    makeService(options, reactor) {
      const given = options.listen;
      const listens =
        given === undefined || given.length === 0
          ? [defaultListen]
          : typeof given === "string"
            ? [given]
            : given;
      const service = new MultiService();
      const factory = new Factory();
      factory.protocol = protocol;
      for (const description of listens)
        strportsService(description, factory, reactor).setServiceParent(service);
      return service;
    },
  };
}

/** `twist echo`: RFC 862 echo, `tcp:8007` by default. */
export const echo: WirePlugin = wirePlugin("echo", "An echo server (RFC 862).", "tcp:8007", Echo);

/** `twist discard`: RFC 863 discard, `tcp:8009` by default. */
export const discard: WirePlugin = wirePlugin(
  "discard",
  "A discard server (RFC 863).",
  "tcp:8009",
  Discard,
);

/** `twist daytime`: RFC 867 daytime, `tcp:8013` by default. */
export const daytime: WirePlugin = wirePlugin(
  "daytime",
  "A daytime server (RFC 867).",
  "tcp:8013",
  Daytime,
);
