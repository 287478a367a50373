/**
 * `twist finger`: the tutorial's twistd plugin (part 11), configuring the whole app.
 *
 * ```
 * twist finger --file users.txt --finger tcp:1079 --setter tcp:1080:interface=127.0.0.1 \
 *   --web tcp:8000 --rpc tcp:8889 --irc-server irc.example.org:6667 --irc-nick fingerbot \
 *   [--tls-cert cert.pem --tls-key key.pem [--web-tls ssl:8443]] [--proxy tcp:7779]
 * ```
 *
 * `twist` finds the plugin through this app's package.json (`"twist": { "plugins": { "finger":
 * "./twist-plugin" } }`) when run inside the monorepo, or anywhere with
 * `TWIST_PLUGIN_PATH=<this app's directory>`; `twist --app apps/finger/src/app.ts` runs the
 * same service configured from the environment.
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import type { Reactor } from "@twisted-ts/core";
import type {
  OptionValues,
  ServiceMaker,
  ServiceMakerOption,
  ServiceMakerOptions,
} from "@twisted-ts/twist";
import { FingerUsageError } from "./errors.js";
import { type FingerApp, type FingerConfig, makeService } from "./service.js";

/** The plugin's options, as `twist finger --help` shows them. */
export const fingerOptions = {
  file: {
    type: "string",
    short: "f",
    help: "A users file of user:status lines, re-read every --interval seconds",
    valueName: "FILE",
  },
  interval: {
    type: "string",
    default: "30",
    help: "Seconds between reads of --file",
    valueName: "SECONDS",
  },
  user: {
    type: "string",
    multiple: true,
    help: "A user:status for the in-memory back end (repeatable)",
    valueName: "USER:STATUS",
  },
  local: { type: "boolean", help: "Answer from the local users (/etc/passwd, ~/.plan)" },
  process: {
    type: "string",
    help: "Answer with the output of `COMMAND <user>` (the tutorial runs finger)",
    valueName: "COMMAND",
  },
  http: {
    type: "string",
    help: "Fetch a user's status from URL ({user} stands for the user; appended when absent)",
    valueName: "URL",
  },
  finger: {
    type: "string",
    default: "tcp:1079",
    help: 'Where finger listens ("none" for nowhere)',
    valueName: "DESCRIPTION",
  },
  setter: {
    type: "string",
    help: "Where the setter listens (a line `user status` sets a status)",
    valueName: "DESCRIPTION",
  },
  web: { type: "string", help: "Where the web site listens", valueName: "DESCRIPTION" },
  "web-tls": {
    type: "string",
    help: "Where the same site listens over TLS (ssl:8443 with --tls-cert/--tls-key)",
    valueName: "DESCRIPTION",
  },
  "tls-cert": { type: "string", help: "The TLS certificate (PEM)", valueName: "FILE" },
  "tls-key": { type: "string", help: "The TLS private key (PEM)", valueName: "FILE" },
  templates: {
    type: "string",
    short: "t",
    help: "A directory with index.html and user.html web templates",
    valueName: "DIR",
  },
  rpc: {
    type: "string",
    short: "p",
    help: "Where the RPC server (Perspective Broker's role) listens",
    valueName: "DESCRIPTION",
  },
  "irc-server": {
    type: "string",
    help: "The IRC server the bot connects to",
    valueName: "HOST[:PORT]",
  },
  "irc-nick": { type: "string", short: "n", help: "The bot's nick (fingerbot)", valueName: "NICK" },
  "irc-channel": {
    type: "string",
    multiple: true,
    help: "A channel for the bot to join (repeatable)",
    valueName: "CHANNEL",
  },
  proxy: {
    type: "string",
    help: "Where the finger proxy listens (it forwards user@host queries)",
    valueName: "DESCRIPTION",
  },
  "proxy-port": {
    type: "string",
    default: "79",
    help: "The port the proxy fingers remote hosts on",
    valueName: "PORT",
  },
} as const satisfies ServiceMakerOptions;

/** The parsed options. */
export type FingerPluginOptions = OptionValues<typeof fingerOptions>;

function number(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new FingerUsageError(`--${name} wants a number from ${min} to ${max}, not ${text}`);
  }
  return value;
}

/**
 * Turn the parsed options into the app's configuration.
 * @param options - as `twist` parsed them.
 * @returns the configuration.
 * @throws FingerUsageError for a bad number.
 */
export function configFromOptions(options: FingerPluginOptions): FingerConfig {
  return {
    file: options.file,
    interval: number("interval", options.interval, 0.001, 86_400 * 365),
    users: options.user,
    local: options.local,
    process: options.process,
    http: options.http,
    finger: options.finger,
    setter: options.setter,
    web: options.web,
    webTls: options["web-tls"],
    tlsCert: options["tls-cert"],
    tlsKey: options["tls-key"],
    templates: options.templates,
    rpc: options.rpc,
    ircServer: options["irc-server"],
    ircNick: options["irc-nick"],
    ircChannels: options["irc-channel"],
    proxy: options.proxy,
    proxyPort: number("proxy-port", options["proxy-port"], 1, 65_535),
  };
}

/**
 * Parse a `twist finger` command line without `twist` (for `src/app.ts` and tests).
 * @param args - the arguments, e.g. `["--file", "users.txt", "--web", "tcp:8000"]`.
 * @returns the parsed options.
 * @throws FingerUsageError for an unknown option or a missing value.
 */
export function parseFingerArgs(args: readonly string[]): FingerPluginOptions {
  const configs: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string }
  > = {};
  for (const [name, option] of Object.entries(fingerOptions) as [string, ServiceMakerOption][]) {
    const config: {
      type: "string" | "boolean";
      multiple?: boolean;
      short?: string;
      default?: string;
    } = { type: option.type };
    if (option.multiple === true) config.multiple = true;
    if (option.short !== undefined) config.short = option.short;
    if (typeof option.default === "string") config.default = option.default;
    configs[name] = config;
  }
  try {
    return parseArgs({ args: [...args], options: configs, strict: true, allowPositionals: false })
      .values as FingerPluginOptions;
  } catch (error) {
    throw new FingerUsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The `twist finger` plugin: Twisted's `ServiceMaker("finger", "finger.tap", …)`.
 *
 * Differences from Twisted: the tutorial's plugin takes `--file`, `--templates`, `--ircnick`,
 * `--ircserver`, `--pbport` and `--ssl` and listens on fixed ports; this one takes an endpoint
 * description per front end (`--rpc` where the tutorial has `--pbport`, `--tls-cert` and
 * `--tls-key` where it has `--ssl`), and every front end but finger is off unless asked for.
 */
export const fingerPlugin: ServiceMaker<typeof fingerOptions, Reactor> = {
  name: "finger",
  description: "A finger server with setter, web, TLS, IRC bot, RPC and proxy front ends",
  options: fingerOptions,
  usage: [
    "Back ends (one): --file, --local, --process, --http, or --user pairs in memory.",
    "Front ends: --finger (on by default), --setter, --web, --web-tls, --rpc, --irc-server,",
    "--proxy. A status set through the setter shadows the back end's until restart.",
  ].join("\n"),
  makeService(options: FingerPluginOptions, reactor: Reactor): FingerApp {
    return makeService(configFromOptions(options), reactor);
  },
};

export default fingerPlugin;
