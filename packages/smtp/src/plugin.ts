/**
 * `@twisted-ts/smtp/twist-plugin`: the `twist mail` plugin.
 *
 * ```
 * twist mail --listen tcp:2525 --maildir ./mail --domain example.com
 * twist mail --listen tcp:2525 --maildir ./mail --domain example.com --user joe:secret \
 *   --tls-cert cert.pem --tls-key key.pem --relay
 * ```
 * @packageDocumentation
 */
import type { EndpointReactor } from "@twisted-ts/core";
import { MailService } from "./server/service.js";

/** One command-line option a `twist` plugin declares. */
export interface TwistPluginOption {
  /** The long name, without dashes: `--tls-cert` is "tls-cert". */
  readonly name: string;
  /** One line of help. */
  readonly description: string;
  /** The kind of value. */
  readonly type: "string" | "boolean";
  /** Whether the option may be given several times (its value is then an array). */
  readonly multiple: boolean;
  /** The value when the option is not given. */
  readonly default?: string | boolean;
  /** The placeholder shown in help. */
  readonly valueName?: string;
}

/** The options `makeService` takes, as the runner parsed them. */
export interface MailPluginOptions {
  /** Endpoint descriptions; "tcp:2525" when absent. */
  readonly listen?: string | readonly string[] | undefined;
  /** The Maildir root; "./mail" when absent. */
  readonly maildir?: string | undefined;
  /** The local domains (at least one). */
  readonly domain?: string | readonly string[] | undefined;
  /** `name:password` users (AUTH logins and mailboxes). */
  readonly user?: string | readonly string[] | undefined;
  /** The PEM certificate for STARTTLS. */
  readonly "tls-cert"?: string | undefined;
  /** The PEM key for STARTTLS. */
  readonly "tls-key"?: string | undefined;
  /** Let logged-in users relay. */
  readonly relay?: boolean | undefined;
  /** Allow AUTH without TLS. */
  readonly "insecure-auth"?: boolean | undefined;
  /** The host name in the greeting. */
  readonly hostname?: string | undefined;
  /** The largest message, in octets. */
  readonly "max-message-size"?: string | undefined;
}

/** The shape of a `twist` plugin, as this package offers it. */
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
  makeService(options: O, reactor: EndpointReactor): S;
}

/** The plugin's name. */
export const PLUGIN_NAME = "mail";

/** The endpoint listened on when no `--listen` is given. */
export const DEFAULT_LISTEN = "tcp:2525";

/** The Maildir root when no `--maildir` is given. */
export const DEFAULT_MAILDIR = "./mail";

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : [...value];
}

/**
 * Make the mail service from the plugin's options.
 * @param options - the parsed options.
 * @param reactor - the reactor.
 * @returns the service; `startService()` listens.
 * @throws Error for no `--domain`, a `--user` without ":", a bad `--max-message-size`, or only
 *   one of `--tls-cert` and `--tls-key`.
 */
export function makeService(options: MailPluginOptions, reactor: EndpointReactor): MailService {
  const users: Record<string, string> = {};
  for (const entry of list(options.user)) {
    const colon = entry.indexOf(":");
    if (colon <= 0) throw new Error(`--user wants NAME:PASSWORD, not ${JSON.stringify(entry)}`);
    users[entry.slice(0, colon)] = entry.slice(colon + 1);
  }
  const listen = list(options.listen);
  const size = options["max-message-size"];
  if (size !== undefined && !/^\d+$/.test(size)) throw new Error("--max-message-size wants octets");
  return new MailService(reactor, {
    listen: listen.length > 0 ? listen : [DEFAULT_LISTEN],
    maildir: options.maildir ?? DEFAULT_MAILDIR,
    domains: list(options.domain),
    users,
    ...(options["tls-cert"] !== undefined ? { tlsCert: options["tls-cert"] } : {}),
    ...(options["tls-key"] !== undefined ? { tlsKey: options["tls-key"] } : {}),
    relay: options.relay === true,
    allowInsecureAuth: options["insecure-auth"] === true,
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
    ...(size !== undefined ? { maxMessageSize: Number(size) } : {}),
  });
}

/**
 * The `twist mail` plugin: an ESMTP server (PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN,
 * CHUNKING, STARTTLS, AUTH) delivering mail for `--domain` into Maildirs under `--maildir`
 * (`<maildir>/<domain>/<user>/new/`). Nobody may relay unless `--relay` is given, and then only
 * users who logged in with AUTH (their mail for other domains is queued in `<maildir>/.relay`).
 *
 * Differences from Twisted: `twistd mail -E -d example.com=emails -u joe=pw` becomes
 * `twist mail --domain example.com --maildir emails --user joe:pw`; the server listens on
 * endpoint descriptions; POP3 is not served.
 */
export const mailPlugin: TwistPlugin<MailPluginOptions, MailService> = {
  name: PLUGIN_NAME,
  description: "ESMTP server delivering into Maildirs",
  options: [
    {
      name: "listen",
      description: 'Where to listen: an endpoint description ("tcp:2525", "ssl:465:…")',
      type: "string",
      multiple: true,
      default: DEFAULT_LISTEN,
      valueName: "DESCRIPTION",
    },
    {
      name: "maildir",
      description: "The Maildir root: mail goes to MAILDIR/DOMAIN/USER/new",
      type: "string",
      multiple: false,
      default: DEFAULT_MAILDIR,
      valueName: "DIR",
    },
    {
      name: "domain",
      description: "A local domain to accept mail for",
      type: "string",
      multiple: true,
      valueName: "DOMAIN",
    },
    {
      name: "user",
      description: "A user NAME:PASSWORD (a mailbox, and a login for AUTH)",
      type: "string",
      multiple: true,
      valueName: "NAME:PASSWORD",
    },
    {
      name: "tls-cert",
      description: "PEM certificate for STARTTLS",
      type: "string",
      multiple: false,
      valueName: "FILE",
    },
    {
      name: "tls-key",
      description: "PEM private key for STARTTLS",
      type: "string",
      multiple: false,
      valueName: "FILE",
    },
    {
      name: "relay",
      description: "Let users who logged in relay mail to other domains (queued in MAILDIR/.relay)",
      type: "boolean",
      multiple: false,
    },
    {
      name: "insecure-auth",
      description: "Allow AUTH on connections without TLS",
      type: "boolean",
      multiple: false,
    },
    {
      name: "hostname",
      description: "The host name in the greeting (the first domain by default)",
      type: "string",
      multiple: false,
      valueName: "NAME",
    },
    {
      name: "max-message-size",
      description: "The largest message accepted, in octets (10485760)",
      type: "string",
      multiple: false,
      valueName: "OCTETS",
    },
  ],
  makeService,
};

export default mailPlugin;
export { MailService, type MailServiceOptions } from "./server/service.js";
