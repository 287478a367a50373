/**
 * `@twisted-ts/qotd/twist-plugin`: the `twist qotd` plugin.
 *
 * ```
 * twist qotd --listen tcp:8017 --quote "An apple a day keeps the doctor away."
 * twist qotd --listen tcp:8017 --listen udp:8017 --fortune quotes.txt --fortune more.txt
 * ```
 * @packageDocumentation
 */
import { QOTDUsageError } from "./errors.js";
import { FortuneQuoter } from "./fortune.js";
import { StaticQuoter } from "./quoters.js";
import { QOTDService, type QOTDServiceReactor } from "./service.js";

/** One command-line option a `twist` plugin declares. */
export interface TwistPluginOption {
  /** The long name, without dashes: `--listen` is "listen". */
  readonly name: string;
  /** One line of help. */
  readonly description: string;
  /** The kind of value: this plugin's options all take a string. */
  readonly type: "string";
  /** Whether the option may be given several times (its value is then an array). */
  readonly multiple: boolean;
  /** The value when the option is not given. */
  readonly default?: string;
  /** The placeholder shown in help, e.g. "DESCRIPTION". */
  readonly valueName: string;
}

/**
 * The options `makeService` takes, as the runner parsed them. A repeatable option may come as a
 * string or an array of strings.
 */
export interface QOTDPluginOptions {
  /** Endpoint descriptions to listen on; "tcp:8017" when absent or empty. */
  readonly listen?: string | readonly string[] | undefined;
  /** A static quote (not with `fortune`). */
  readonly quote?: string | undefined;
  /** Fortune files to draw quotes from (not with `quote`). */
  readonly fortune?: string | readonly string[] | undefined;
}

/** The shape of a `twist` plugin, as this package offers it (the runner may adapt it). */
export interface TwistPlugin<O, S> {
  /** The subcommand: `twist <name>`. */
  readonly name: string;
  /** One line for `twist --help`. */
  readonly description: string;
  /** The options the subcommand takes. */
  readonly options: readonly TwistPluginOption[];
  /**
   * Make the service to run.
   * @param options - the parsed options.
   * @param reactor - the reactor to run it on.
   */
  makeService(options: O, reactor: QOTDServiceReactor): S;
}

/** The quote served when neither `--quote` nor `--fortune` is given (the tutorial's default). */
export const DEFAULT_QUOTE = "An apple a day keeps the doctor away.";

/** The endpoint listened on when no `--listen` is given. */
export const DEFAULT_LISTEN = "tcp:8017";

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : [...value];
}

/**
 * Make the QOTD service from the plugin's options: a `StaticQuoter` for `--quote` (or the
 * default quote), a `FortuneQuoter` for `--fortune`, behind a `QOTDService` on every `--listen`.
 * @param options - the parsed options.
 * @param reactor - the reactor.
 * @returns the service; call `startService()` to listen.
 * @throws QOTDUsageError for both `--quote` and `--fortune`, or a bad `--listen`.
 */
export function makeService(options: QOTDPluginOptions, reactor: QOTDServiceReactor): QOTDService {
  const fortunes = list(options.fortune);
  if (options.quote !== undefined && fortunes.length > 0) {
    throw new QOTDUsageError("give --quote or --fortune, not both");
  }
  const quoter =
    fortunes.length > 0
      ? new FortuneQuoter(fortunes)
      : new StaticQuoter(options.quote ?? DEFAULT_QUOTE);
  const listen = list(options.listen);
  return new QOTDService(reactor, listen.length > 0 ? listen : [DEFAULT_LISTEN], quoter);
}

/**
 * The `twist qotd` plugin: Quote of the Day (RFC 865) on TCP, UDP, TLS or Unix endpoints, from
 * a static quote or fortune files. The package names it in its package.json
 * (`"twist": { "plugins": { "qotd": "./twist-plugin" } }`) and `twist` imports it from there.
 *
 * Options: `--listen DESCRIPTION` (repeatable; "tcp:8017" by default; "udp:PORT" serves UDP),
 * `--quote TEXT`, `--fortune FILE` (repeatable).
 *
 * Differences from Twisted: the tutorial's `quotetap` takes `--port`, `--static` and `--file`
 * and serves TCP only; this plugin takes endpoint descriptions, as Twisted's newer plugins do.
 */
export const qotdPlugin: TwistPlugin<QOTDPluginOptions, QOTDService> = {
  name: "qotd",
  description: "Quote of the Day (RFC 865) server, over TCP and UDP",
  options: [
    {
      name: "listen",
      description: 'Where to listen: an endpoint description ("tcp:8017", "udp:8017", "unix:PATH")',
      type: "string",
      multiple: true,
      default: DEFAULT_LISTEN,
      valueName: "DESCRIPTION",
    },
    {
      name: "quote",
      description: "A static quote to serve",
      type: "string",
      multiple: false,
      valueName: "TEXT",
    },
    {
      name: "fortune",
      description: 'A fortune file (quotes separated by lines holding "%") to draw quotes from',
      type: "string",
      multiple: true,
      valueName: "FILE",
    },
  ],
  makeService,
};

export default qotdPlugin;
export { QOTDService, type QOTDServiceReactor } from "./service.js";
