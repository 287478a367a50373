/**
 * `@twisted-ts/http/twist-plugin`: the `twist web` plugin, after `twistd web`.
 *
 * ```
 * twist web --listen tcp:8080 --path ./public
 * twist web --port 8080 --path . --index home.html --logfile access.log --list-directories
 * twist web --listen "ssl:8443:privateKey=key.pem:certKey=cert.pem" --path ./public
 * ```
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type EndpointReactor,
  MultiService,
  quoteStringArgument,
  type StreamServerEndpointService,
  strportsService,
} from "@twisted-ts/core";
import { HTTPError } from "./errors.js";
import type { IResource } from "./iweb.js";
import { Data } from "./resource/data.js";
import { Site } from "./server/site.js";
import { File } from "./static/file.js";

/** The plugin's name: `twist web`. */
export const PLUGIN_NAME = "web";

/** The endpoint listened on when neither `--listen`, `--port` nor `--https` is given (twistd's). */
export const DEFAULT_LISTEN = "tcp:8080";

/**
 * One command-line option of the plugin, in the shape `twist` reads (a `node:util` `parseArgs`
 * config plus its help). The same shape as `ServiceMakerOption` of `@twisted-ts/twist`, declared
 * here so that this package does not depend on the runner.
 */
export interface WebPluginOption {
  /** The kind of value: a string, or a flag. */
  readonly type: "string" | "boolean";
  /** Whether the option may be given several times (its value is then an array). */
  readonly multiple?: boolean;
  /** A one-letter alias: `p` for `-p`. */
  readonly short?: string;
  /** One line of help, shown by `twist web --help`. */
  readonly help: string;
  /** The placeholder for the value in help. */
  readonly valueName?: string;
}

/**
 * The options `makeService` takes, as `twist` parsed them. A repeatable option may come as a
 * string or an array of strings.
 */
export interface WebPluginOptions {
  /** Endpoint descriptions to listen on (`--listen`, repeatable). */
  readonly listen?: string | readonly string[] | undefined;
  /** `--port`/`-p`: a port number (`tcp:PORT`) or an endpoint description; repeatable. */
  readonly port?: string | readonly string[] | undefined;
  /** `--https PORT`: serve TLS on this port too, with `--certificate` and `--privkey`. */
  readonly https?: string | undefined;
  /** `--certificate FILE`: the PEM certificate for `--https`; "server.pem" by default. */
  readonly certificate?: string | undefined;
  /** `--privkey FILE`: the PEM private key for `--https`; "server.pem" by default. */
  readonly privkey?: string | undefined;
  /** `--path DIR`: the directory (or file) to serve. */
  readonly path?: string | undefined;
  /** `--index NAME`/`-i`: index names, in order (repeatable); they replace `File`'s defaults. */
  readonly index?: string | readonly string[] | undefined;
  /** `--logfile FILE`/`-l`: the access log, in combined log format. */
  readonly logfile?: string | undefined;
  /** `--list-directories`: list a directory that has no index file (403 otherwise). */
  readonly "list-directories"?: boolean | undefined;
  /** `--mime-type TYPE`: the type of files whose extension is unknown; "text/html" by default. */
  readonly "mime-type"?: string | undefined;
  /** `--ignore-ext EXT`: extensions tried when a name does not exist (repeatable). */
  readonly "ignore-ext"?: string | readonly string[] | undefined;
  /** `--display-tracebacks`: show tracebacks on 500 pages. */
  readonly "display-tracebacks"?: boolean | undefined;
}

/**
 * The service `twist web` runs: a `MultiService` of one `StreamServerEndpointService` per
 * endpoint, all serving one {@link Site}.
 */
export class WebService extends MultiService {
  /**
   * @param site - the site every endpoint serves.
   * @param listen - the endpoint descriptions, in order.
   * @param endpoints - their services (children of this one).
   */
  constructor(
    readonly site: Site,
    readonly listen: readonly string[],
    readonly endpoints: readonly StreamServerEndpointService[],
  ) {
    super();
    for (const endpoint of endpoints) endpoint.setServiceParent(this);
  }
}

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : [...value];
}

/**
 * The endpoint description of a `--port` value: a bare port number is `tcp:PORT`; anything
 * else is taken as a description already (as twistd's deprecated `--port` took strports).
 * @param port - the value.
 * @returns an endpoint description.
 */
export function portDescription(port: string): string {
  return /^\d+$/.test(port) ? `tcp:${port}` : port;
}

/**
 * The endpoint descriptions the options ask for, in order: every `--listen`, then every
 * `--port`, then `--https`; {@link DEFAULT_LISTEN} when there are none.
 * @param options - the parsed options.
 * @returns the descriptions.
 * @throws HTTPError when `--https` is not a port number, or `--certificate`/`--privkey` come
 *   without `--https`.
 */
export function listenDescriptions(options: WebPluginOptions): string[] {
  const descriptions = [...list(options.listen), ...list(options.port).map(portDescription)];
  if (options.https !== undefined) {
    if (!/^\d+$/.test(options.https)) {
      throw new HTTPError(`--https wants a port number, not ${JSON.stringify(options.https)}`);
    }
    const key = quoteStringArgument(resolve(options.privkey ?? "server.pem"));
    const cert = quoteStringArgument(resolve(options.certificate ?? "server.pem"));
    descriptions.push(`ssl:${options.https}:privateKey=${key}:certKey=${cert}`);
  } else if (options.certificate !== undefined || options.privkey !== undefined) {
    throw new HTTPError("--certificate and --privkey go with --https");
  }
  return descriptions.length > 0 ? descriptions : [DEFAULT_LISTEN];
}

/** The page served at every path when no `--path` is given (Twisted serves a demo page). */
export const DEFAULT_ROOT_PAGE =
  "<!DOCTYPE html>\n<html><head><title>twist web</title></head><body>" +
  "<h1>twist web</h1><p>Give <code>--path DIR</code> to serve a directory.</p></body></html>\n";

/** A resource that answers every path with the same page. */
class DefaultRoot extends Data {
  /** Every path is this resource. */
  override isLeaf = true;
}

/**
 * The root resource the options ask for: a {@link File} for `--path` (with `--index`,
 * `--list-directories`, `--mime-type` and `--ignore-ext`), else a one-page placeholder.
 * @param options - the parsed options.
 * @returns the root resource.
 * @throws HTTPError when `--path` does not exist.
 */
export function makeRoot(options: WebPluginOptions): IResource {
  if (options.path === undefined) return new DefaultRoot(DEFAULT_ROOT_PAGE, "text/html");
  const path = resolve(options.path);
  if (!existsSync(path)) {
    throw new HTTPError(`--path ${JSON.stringify(options.path)}: no such file or directory`);
  }
  const indexNames = list(options.index);
  const ignoredExts = list(options["ignore-ext"]).map((ext) =>
    ext.startsWith(".") ? ext : `.${ext}`,
  );
  return new File(path, {
    listDirectories: options["list-directories"] === true,
    ...(options["mime-type"] === undefined ? {} : { defaultType: options["mime-type"] }),
    ...(indexNames.length > 0 ? { indexNames } : {}),
    ...(ignoredExts.length > 0 ? { ignoredExts } : {}),
  });
}

/**
 * Make the `twist web` service: a {@link Site} over {@link makeRoot}'s resource, with the
 * access log in `--logfile` (else the global log), on every endpoint of
 * {@link listenDescriptions}, each a core `strportsService`.
 * @param options - the parsed options.
 * @param reactor - the reactor to listen with.
 * @returns the service; `privilegedStartService()` or `startService()` listens.
 * @throws HTTPError for options that do not make sense; core's endpoint errors for a bad
 *   description.
 */
export function makeService(options: WebPluginOptions, reactor: EndpointReactor): WebService {
  const listen = listenDescriptions(options);
  const site = new Site(makeRoot(options), {
    ...(options.logfile === undefined ? {} : { logPath: resolve(options.logfile) }),
    displayTracebacks: options["display-tracebacks"] === true,
  });
  const endpoints = listen.map((description) => strportsService(description, site, reactor));
  return new WebService(site, listen, endpoints);
}

/** The options `twist web` takes, by long name. */
export const WEB_OPTIONS: Readonly<Record<string, WebPluginOption>> = {
  listen: {
    type: "string",
    multiple: true,
    help: 'Where to listen: an endpoint description ("tcp:8080", "ssl:8443:privateKey=…", "unix:PATH"); default tcp:8080',
    valueName: "DESCRIPTION",
  },
  port: {
    type: "string",
    short: "p",
    multiple: true,
    help: "A port to listen on (tcp:PORT), or an endpoint description",
    valueName: "PORT",
  },
  https: {
    type: "string",
    help: "Also serve TLS on this port, with --certificate and --privkey",
    valueName: "PORT",
  },
  certificate: {
    type: "string",
    help: "The PEM certificate for --https (default server.pem)",
    valueName: "FILE",
  },
  privkey: {
    type: "string",
    help: "The PEM private key for --https (default server.pem)",
    valueName: "FILE",
  },
  path: { type: "string", help: "The directory (or file) to serve", valueName: "DIR" },
  index: {
    type: "string",
    short: "i",
    multiple: true,
    help: "An index name, tried in order for a directory (replaces index, index.html, index.htm)",
    valueName: "NAME",
  },
  logfile: {
    type: "string",
    short: "l",
    help: "The access log (combined log format); the runner's own --logfile goes before `web`",
    valueName: "FILE",
  },
  "list-directories": {
    type: "boolean",
    help: "List directories that have no index file (otherwise 403)",
  },
  "mime-type": {
    type: "string",
    help: "The content type of files with an unknown extension (default text/html)",
    valueName: "TYPE",
  },
  "ignore-ext": {
    type: "string",
    multiple: true,
    help: "An extension to try when a name does not exist: --ignore-ext .html",
    valueName: "EXT",
  },
  "display-tracebacks": { type: "boolean", help: "Show tracebacks on 500 pages" },
};

/** The shape of a `twist` plugin, as this package offers it (`ServiceMaker` in `@twisted-ts/twist`). */
export interface WebPlugin {
  /** The subcommand: `twist web`. */
  readonly name: string;
  /** One line for `twist --help`. */
  readonly description: string;
  /** The options the subcommand takes. */
  readonly options: Readonly<Record<string, WebPluginOption>>;
  /** More text for `twist web --help`. */
  readonly usage: string;
  /**
   * Make the service to run.
   * @param options - the parsed options.
   * @param reactor - the reactor to run it on.
   */
  makeService(options: WebPluginOptions, reactor: EndpointReactor): WebService;
}

/**
 * The `twist web` plugin: static files over HTTP/1.1 (and TLS), like `twistd web`. The package
 * names it in its package.json (`"twist": { "plugins": { "web": "./twist-plugin" } }`).
 *
 * Differences from Twisted: `--port` takes a bare port number as well as a description and is
 * not deprecated; `--https` uses `ssl:` (Node's TLS); directory listings are opt-in
 * (`--list-directories`); a `--path` that does not exist is an error; without `--path` a
 * one-page placeholder is served (Twisted serves its demo resource). Not supported: `--user`,
 * `--personal`, `--processor`, `--class`, `--resource-script`, `--wsgi`, `--add-header`.
 */
export const webPlugin: WebPlugin = {
  name: PLUGIN_NAME,
  description: "A web server: static files from --path, over HTTP/1.1 and TLS",
  options: WEB_OPTIONS,
  usage:
    "`twist --logfile FILE web …` names the runner's log; `twist web --logfile FILE` names the access log.",
  makeService,
};

export default webPlugin;
