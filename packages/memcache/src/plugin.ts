/**
 * `@twisted-ts/memcache/twist-plugin`: the `twist memcache` plugin, a small in-memory
 * memcached-compatible server for demos and tests.
 *
 * ```
 * twist memcache --listen tcp:11211:interface=127.0.0.1
 * ```
 * @packageDocumentation
 */
import { type EndpointReactor, MultiService, strportsService } from "@twisted-ts/core";
import { MAX_VALUE_LENGTH } from "./parser.js";
import { DEFAULT_PORT } from "./protocol.js";
import { MemCacheServerFactory } from "./server.js";

/**
 * The endpoint listened on when no `--listen` is given: memcached's port, on 127.0.0.1 only
 * (the server has no authentication).
 */
export const DEFAULT_LISTEN = `tcp:${DEFAULT_PORT}:interface=127.0.0.1`;

/** How the plugin declares a string option (the `twist` runner's option shape). */
export interface StringOptionDeclaration {
  /** A string value. */
  readonly type: "string";
  /** Whether the option may be given several times. */
  readonly multiple: boolean;
  /** The value when the option is not given. */
  readonly default: string | readonly string[];
  /** One line of help. */
  readonly help: string;
  /** The placeholder in help. */
  readonly valueName: string;
}

/** The options the plugin declares. */
export interface MemCachePluginOptionDeclarations {
  /** `--listen DESCRIPTION`, repeatable. */
  readonly listen: StringOptionDeclaration;
  /** `--max-item-size BYTES`: the largest value accepted. */
  readonly "max-item-size": StringOptionDeclaration;
}

/** The options the plugin takes, as the runner parsed them. */
export interface MemCachePluginOptions {
  /** Endpoint descriptions to listen on; `DEFAULT_LISTEN` when absent or empty. */
  readonly listen?: string | readonly string[] | undefined;
  /** The largest value accepted, in bytes, as text; `MAX_VALUE_LENGTH` by default. */
  readonly "max-item-size"?: string | undefined;
}

/** A `twist` plugin (a service maker), in the runner's shape. */
export interface MemCachePlugin {
  /** The subcommand: `twist memcache`. */
  readonly name: string;
  /** One line for `twist --help`. */
  readonly description: string;
  /** The subcommand's options. */
  readonly options: MemCachePluginOptionDeclarations;
  /**
   * A service listening on every `--listen` description.
   * @param options - the parsed options.
   * @param reactor - the reactor to listen with (and the store's clock).
   */
  makeService(options: MemCachePluginOptions, reactor: EndpointReactor): MultiService;
}

/**
 * Make the in-memory server: one `MemCacheServerFactory` (one store, on the reactor's clock)
 * behind a `StreamServerEndpointService` for each `--listen` description.
 * @param options - the parsed options.
 * @param reactor - the reactor to listen with.
 * @returns the service; `startService()` listens.
 * @throws TypeError for a `--max-item-size` that is not a positive integer; Error for a
 *   `--listen` description that cannot be parsed.
 */
export function makeService(
  options: MemCachePluginOptions,
  reactor: EndpointReactor,
): MultiService {
  const given = options.listen;
  const listens =
    given === undefined || given.length === 0
      ? [DEFAULT_LISTEN]
      : typeof given === "string"
        ? [given]
        : [...given];
  const size = options["max-item-size"];
  if (size !== undefined && (!/^\d+$/.test(size) || Number(size) === 0)) {
    throw new TypeError(`--max-item-size must be a positive integer, got ${JSON.stringify(size)}`);
  }
  const factory = new MemCacheServerFactory({
    clock: reactor,
    maxValueLength: size === undefined ? MAX_VALUE_LENGTH : Number(size),
  });
  const service = new MultiService();
  for (const description of listens) {
    strportsService(description, factory, reactor).setServiceParent(service);
  }
  return service;
}

/**
 * `twist memcache`: a small in-memory memcached-compatible server (text protocol; no eviction,
 * no memory limit) on every `--listen` endpoint, `tcp:11211:interface=127.0.0.1` by default.
 * For demos and tests, such as trying `MemCacheProtocol` without installing memcached. The
 * package names this module in its package.json (`"twist": { "plugins": { "memcache":
 * "./twist-plugin" } }`) and `twist` imports it from there.
 */
export const memcachePlugin: MemCachePlugin = {
  name: "memcache",
  description: "A small in-memory memcached-compatible server, for demos and tests.",
  options: {
    listen: {
      type: "string",
      multiple: true,
      default: [DEFAULT_LISTEN],
      help: `an endpoint to listen on, e.g. ${DEFAULT_LISTEN} (repeatable)`,
      valueName: "DESCRIPTION",
    },
    "max-item-size": {
      type: "string",
      multiple: false,
      default: String(MAX_VALUE_LENGTH),
      help: `the largest value accepted, in bytes (${MAX_VALUE_LENGTH})`,
      valueName: "BYTES",
    },
  },
  makeService,
};

export default memcachePlugin;
