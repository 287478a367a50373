/**
 * `twist`'s own command line: the runner's options, then a plugin and its options.
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import { LogLevel } from "@twisted-ts/core";
import { UsageError } from "./errors.js";
import type {
  AnyServiceMaker,
  ParseArgsOptionConfig,
  PluginOptionValues,
  ServiceMakerOption,
} from "./serviceMaker.js";

/** How log events are written: Twisted's text lines, or one JSON object a line. */
export type LogFormat = "text" | "json";

/** The runner's options, parsed and checked. */
export interface TwistOptions {
  /** `--app FILE` (`-y`): an application file exporting `application`. */
  readonly app: string | undefined;
  /** `--logfile PATH` (`-l`, or `--log-file`): "-" is standard output. */
  readonly logfile: string | undefined;
  /** `--log-level`: the least important level written; default `info`. */
  readonly logLevel: LogLevel;
  /** `--log-format`: `text` (default) or `json`. */
  readonly logFormat: LogFormat;
  /** `--pidfile PATH`: refuse to start while it names a live process; removed at exit. */
  readonly pidfile: string | undefined;
  /** `--daemon`: run detached, in the background. */
  readonly daemon: boolean;
  /** `--uid` (`-u`): a user id or name to switch to after privileged start. */
  readonly uid: string | undefined;
  /** `--gid` (`-g`): a group id or name; defaults to the user's group when `--uid` is given. */
  readonly gid: string | undefined;
  /** `--umask`: the file mode creation mask (parsed from octal); 0o077 by default with `--daemon`. */
  readonly umask: number | undefined;
  /** `--state-file PATH`: restore services' state before start, save it on a clean stop. */
  readonly stateFile: string | undefined;
  /** `--workers N`: run N worker processes (node:cluster) sharing the listening ports. */
  readonly workers: number | undefined;
  /** `--help` (`-h`). */
  readonly help: boolean;
  /** `--version`. */
  readonly version: boolean;
}

/** A parsed `twist` command line. */
export interface TwistCommandLine {
  /** The runner's options. */
  readonly options: TwistOptions;
  /** The plugin named after the options, if any. */
  readonly plugin: string | undefined;
  /** Everything after the plugin's name: its own options. */
  readonly pluginArgs: readonly string[];
}

/** The long names of the runner's options. */
export type TwistOptionName =
  | "app"
  | "logfile"
  | "log-file"
  | "log-level"
  | "log-format"
  | "pidfile"
  | "daemon"
  | "nodaemon"
  | "uid"
  | "gid"
  | "umask"
  | "state-file"
  | "workers"
  | "reactor"
  | "help"
  | "version";

/** The runner's options as `parseArgs` configs, with their help, in the order `--help` shows. */
export const TWIST_OPTIONS: { readonly [K in TwistOptionName]: ServiceMakerOption } = {
  app: {
    type: "string",
    short: "y",
    help: "Run the application FILE (.ts or .js) exports as `application`",
    valueName: "FILE",
  },
  logfile: {
    type: "string",
    short: "l",
    help: 'Log to FILE ("-" for standard output; default "-", or twist.log with --daemon)',
    valueName: "FILE",
  },
  "log-file": { type: "string", help: "The same as --logfile", valueName: "FILE" },
  "log-level": {
    type: "string",
    help: "Least important level to log: debug, info, warn, error, critical (default info)",
    valueName: "LEVEL",
  },
  "log-format": {
    type: "string",
    help: "Log format: text (Twisted's log lines, default) or json (one object a line)",
    valueName: "FORMAT",
  },
  pidfile: {
    type: "string",
    help: "Write the process id to FILE; refuse to start while it names a live process",
    valueName: "FILE",
  },
  daemon: { type: "boolean", help: "Run in the background, detached from the terminal" },
  nodaemon: { type: "boolean", short: "n", help: "Run in the foreground (the default)" },
  uid: {
    type: "string",
    short: "u",
    help: "Switch to this user (name or id) after binding ports",
    valueName: "USER",
  },
  gid: {
    type: "string",
    short: "g",
    help: "Switch to this group (name or id; default: the user's group)",
    valueName: "GROUP",
  },
  umask: {
    type: "string",
    help: "The umask, in octal (default: inherited, or 077 with --daemon)",
    valueName: "MASK",
  },
  "state-file": {
    type: "string",
    help: "Restore the services' state from FILE at start; save it there on a clean stop",
    valueName: "FILE",
  },
  workers: {
    type: "string",
    help: "Run N worker processes sharing the listening ports; restart any that dies",
    valueName: "N",
  },
  reactor: {
    type: "string",
    short: "r",
    help: "Accepted for compatibility with twistd; there is one reactor, Node's event loop",
    valueName: "NAME",
  },
  help: { type: "boolean", short: "h", help: "Show this help (or a plugin's) and exit" },
  version: { type: "boolean", help: "Show the version and exit" },
};

function configsOf(
  options: Readonly<Record<string, ServiceMakerOption>>,
): Record<string, ParseArgsOptionConfig> {
  const configs: Record<string, ParseArgsOptionConfig> = {};
  for (const [name, option] of Object.entries(options)) {
    const config: ParseArgsOptionConfig = { type: option.type };
    if (option.short !== undefined) config.short = option.short;
    if (option.multiple !== undefined) config.multiple = option.multiple;
    const fallback = option.default;
    if (fallback !== undefined) {
      config.default = Array.isArray(fallback)
        ? ([...fallback] as string[] | boolean[])
        : (fallback as string | boolean);
    }
    configs[name] = config;
  }
  return configs;
}

function usageError(error: unknown): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs messages end with advice about "--" that does not apply here.
  return new UsageError(message.replace(/\. To specify a positional argument.*$/s, ""), {
    cause: error,
  });
}

/**
 * Find where the runner's options end: the index of the first argument that is not an option
 * or an option's value (the plugin's name), or `args.length`.
 */
function pluginIndex(args: readonly string[]): number {
  try {
    const { tokens } = parseArgs({
      args: [...args],
      options: configsOf(TWIST_OPTIONS),
      allowPositionals: true,
      strict: false,
      tokens: true,
    });
    const first = tokens.find((token) => token.kind === "positional");
    if (first !== undefined) return first.index;
    const terminator = tokens.find((token) => token.kind === "option-terminator");
    return terminator === undefined ? args.length : terminator.index;
  } catch (error) {
    throw usageError(error);
  }
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `${what} must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`,
  );
}

/**
 * Parse an octal umask such as `022` or `0o077`.
 * @param text - the value of `--umask`.
 * @returns the mask.
 * @throws UsageError when it is not 1 to 4 octal digits.
 */
export function parseUmask(text: string): number {
  const digits = text.replace(/^0o/i, "");
  if (!/^[0-7]{1,4}$/.test(digits)) {
    throw new UsageError(
      `--umask must be an octal number such as 022, not ${JSON.stringify(text)}`,
    );
  }
  return Number.parseInt(digits, 8);
}

function parseWorkers(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(
      `--workers must be a whole number of at least 1, not ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/**
 * Parse `twist [options] <plugin> [plugin options]` or `twist [options] --app FILE`. The
 * runner's options end at the first argument that is not one of them (or at `--`); what
 * follows is the plugin's name and its arguments, which `parsePluginArgs` parses once the
 * plugin is loaded.
 * @param args - the arguments, without `node` and the script.
 * @returns the runner's options, the plugin's name and its arguments.
 * @throws UsageError for an unknown option, a bad value, `--app` together with a plugin,
 *   `--daemon` with `--nodaemon`, or `--state-file` with `--workers`.
 */
export function parseTwistArgs(args: readonly string[]): TwistCommandLine {
  const split = pluginIndex(args);
  const own = args.slice(0, split);
  let rest = args.slice(split);
  if (rest[0] === "--") rest = rest.slice(1);
  let values: ReturnType<typeof parseOwn>;
  try {
    values = parseOwn(own);
  } catch (error) {
    throw usageError(error);
  }
  const plugin = rest[0];
  const pluginArgs = rest.slice(1);
  const logfile = values.logfile ?? values["log-file"];
  const options: TwistOptions = {
    app: values.app,
    logfile,
    logLevel: oneOf("--log-level", values["log-level"] ?? "info", LogLevel.iterconstants()),
    logFormat: oneOf("--log-format", values["log-format"] ?? "text", ["text", "json"] as const),
    pidfile: values.pidfile === "" ? undefined : values.pidfile,
    daemon: values.daemon === true,
    uid: values.uid,
    gid: values.gid,
    umask: values.umask === undefined ? undefined : parseUmask(values.umask),
    stateFile: values["state-file"],
    workers: values.workers === undefined ? undefined : parseWorkers(values.workers),
    help: values.help === true,
    version: values.version === true,
  };
  if (values.daemon === true && values.nodaemon === true) {
    throw new UsageError("--daemon and --nodaemon do not go together");
  }
  if (options.app !== undefined && plugin !== undefined) {
    throw new UsageError(`give a plugin or --app, not both (got --app and ${plugin})`);
  }
  if (options.stateFile !== undefined && options.workers !== undefined) {
    throw new UsageError(
      "--state-file does not go with --workers: each worker would save its own state",
    );
  }
  if (plugin === undefined && options.app === undefined && !options.help && !options.version) {
    throw new UsageError("give a plugin to run, or --app FILE (twist --help lists the plugins)");
  }
  return { options, plugin, pluginArgs };
}

type StringOption = Exclude<TwistOptionName, "daemon" | "nodaemon" | "help" | "version">;
type OwnValues = { [K in StringOption]?: string } & {
  [K in Exclude<TwistOptionName, StringOption>]?: boolean;
};

function parseOwn(own: string[]): OwnValues {
  return parseArgs({ args: own, options: configsOf(TWIST_OPTIONS), strict: true })
    .values as OwnValues;
}

/** A plugin's parsed command line. */
export interface PluginCommandLine {
  /** The option values, for `makeService`. */
  readonly values: PluginOptionValues;
  /** Whether `--help` was asked for. */
  readonly help: boolean;
}

/**
 * Parse a plugin's own arguments with `parseArgs` (strict: unknown options and positional
 * arguments are errors). `--help`/`-h` is added unless the plugin declares its own.
 * @param maker - the plugin (with its options as a record, see `normalizeServiceMaker`).
 * @param args - the arguments after the plugin's name.
 * @returns the values and whether help was asked for.
 * @throws UsageError for an unknown option, a missing value or a positional argument.
 */
export function parsePluginArgs(
  maker: AnyServiceMaker,
  args: readonly string[],
): PluginCommandLine {
  const configs = configsOf(maker.options);
  const ownHelp = Object.hasOwn(configs, "help");
  if (!ownHelp) {
    const shortTaken = Object.values(configs).some((c) => c.short === "h");
    configs.help = { type: "boolean", ...(shortTaken ? {} : { short: "h" }) };
  }
  let values: PluginOptionValues;
  try {
    const parsed = parseArgs({ args: [...args], options: configs, strict: true });
    values = { ...parsed.values } as PluginOptionValues;
  } catch (error) {
    throw usageError(error);
  }
  const help = !ownHelp && values.help === true;
  if (!ownHelp) delete values.help;
  return { values, help };
}
