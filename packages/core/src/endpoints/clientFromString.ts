/**
 * `clientFromString`: a client endpoint from a description such as `"tcp:example.com:80"`.
 * @packageDocumentation
 */
import { bindArguments, parseFlag, parseInteger } from "./args.js";
import { sslClientOptions, tlsClientOptions } from "./clientTLS.js";
import { UnknownEndpointTypeError } from "./errors.js";
import { HostnameEndpoint } from "./hostname.js";
import type {
  EndpointKeywords,
  EndpointReactor,
  IStreamClientEndpoint,
  IStreamClientEndpointStringParserWithReactor,
} from "./interfaces.js";
import { parseEndpointDescription } from "./parse.js";
import { SSL4ClientEndpoint } from "./ssl.js";
import { TCP4ClientEndpoint } from "./tcp.js";
import { UNIXClientEndpoint } from "./unix.js";
import { wrapClientTLS } from "./wrapTLS.js";

type Parse = (
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: Readonly<EndpointKeywords>,
) => IStreamClientEndpoint;

/** Host and port from positional fields, as Twisted's `_parseClientTCP` places them. */
function hostAndPort(name: string, args: readonly string[], kwargs: Readonly<EndpointKeywords>) {
  if (args.length > 2) {
    throw new TypeError(`${name}: takes at most 2 positional arguments (${args.length} given)`);
  }
  const merged: EndpointKeywords = Object.assign(Object.create(null) as EndpointKeywords, kwargs);
  if (args.length === 2) {
    merged.host = args[0] as string;
    merged.port = args[1] as string;
  } else if (args.length === 1) {
    if ("host" in merged) merged.port = args[0] as string;
    else merged.host = args[0] as string;
  }
  return merged;
}

const TCP_PARAMS = ["host", "port", "timeout", "bindAddress"] as const;

const parseTCP: Parse = (reactor, args, kwargs) => {
  const sig = { name: "tcp", params: TCP_PARAMS, required: 2 };
  const { values } = bindArguments(sig, [], hostAndPort("tcp", args, kwargs));
  return new TCP4ClientEndpoint(
    reactor,
    values.host ?? "",
    parseInteger(values.port ?? "", "port"),
    parseInteger(values.timeout ?? "30", "timeout"),
    values.bindAddress,
  );
};

const parseSSL: Parse = (reactor, args, kwargs) => {
  const params = [...TCP_PARAMS, "certKey", "privateKey", "caCertsDir", "hostname"] as const;
  const sig = { name: "ssl", params, required: 2 };
  const { values } = bindArguments(sig, [], hostAndPort("ssl", args, kwargs));
  const port = parseInteger(values.port ?? "", "port");
  const timeout = parseInteger(values.timeout ?? "30", "timeout");
  const tlsOptions = sslClientOptions({
    certKey: values.certKey,
    privateKey: values.privateKey,
    caCertsDir: values.caCertsDir,
    hostname: values.hostname,
  });
  const host = values.host ?? "";
  return new SSL4ClientEndpoint(reactor, host, port, tlsOptions, timeout, values.bindAddress);
};

const parseUNIX: Parse = (reactor, args, kwargs) => {
  if (args.length > 1) {
    throw new TypeError(`unix: takes at most 1 positional argument (${args.length} given)`);
  }
  const merged: EndpointKeywords = Object.assign(Object.create(null) as EndpointKeywords, kwargs);
  if (args.length === 1) merged.path = args[0] as string;
  const params = ["path", "timeout", "checkPID", "lockfile"] as const;
  const { values } = bindArguments({ name: "unix", params, required: 1 }, [], merged);
  const lockfile = values.lockfile ?? values.checkPID;
  return new UNIXClientEndpoint(
    reactor,
    values.path ?? "",
    parseInteger(values.timeout ?? "30", "timeout"),
    lockfile === undefined ? false : parseFlag(lockfile, "lockfile"),
  );
};

const parseTLS: Parse = (reactor, args, kwargs) => {
  const params = [
    "host",
    "port",
    "timeout",
    "bindAddress",
    "certificate",
    "privateKey",
    "trustRoots",
    "endpoint",
  ] as const;
  const sig = { name: "tls", params, required: 2, extraKeywords: true };
  const { values, extra } = bindArguments(sig, args, kwargs);
  const unknown = Object.keys(extra);
  if (unknown.length > 0) {
    throw new TypeError(`tls: unrecognized keyword arguments present: ${unknown.join(", ")}`);
  }
  const host = values.host ?? "";
  const port = parseInteger(values.port ?? "", "port");
  const timeout = parseInteger(values.timeout ?? "30", "timeout");
  const tlsOptions = tlsClientOptions(host, {
    certificate: values.certificate,
    privateKey: values.privateKey,
    trustRoots: values.trustRoots,
  });
  const inner =
    values.endpoint !== undefined
      ? clientFromString(reactor, values.endpoint)
      : new HostnameEndpoint(reactor, host, port, timeout, values.bindAddress);
  return wrapClientTLS(tlsOptions, inner);
};

/** The built-in types, matched after upper-casing, as in Twisted. */
const builtins = new Map<string, Parse>([
  ["TCP", parseTCP],
  ["SSL", parseSSL],
  ["UNIX", parseUNIX],
]);

const plugins: IStreamClientEndpointStringParserWithReactor[] = [
  { prefix: "tls", parseStreamClient: parseTLS },
];

/**
 * Add a parser for a new type of client endpoint description: the JavaScript form of Twisted's
 * `IStreamClientEndpointStringParserWithReactor` plugins. Its prefix is matched ignoring case,
 * after the built-in `tcp`, `ssl` and `unix`; among parsers with the same prefix, the one added
 * last wins.
 * @param parser - the parser.
 * @returns a function that removes it again.
 */
export function registerClientEndpointParser(
  parser: IStreamClientEndpointStringParserWithReactor,
): () => void {
  plugins.push(parser);
  return () => {
    const i = plugins.lastIndexOf(parser);
    if (i >= 0) plugins.splice(i, 1);
  };
}

/**
 * Make a client endpoint from a description string, so a program can let its user say where to
 * connect: Twisted's `clientFromString`. The grammar is `parseEndpointDescription`'s; the types
 * (matched ignoring case):
 * - `tcp:HOST:PORT[:timeout=30][:bindAddress=ADDRESS]`, where host and port may also be given
 *   as `host=`/`port=` in any mix (`tcp:host=example.com:80`);
 * - `ssl:` as `tcp:`, plus `certKey=FILE` and `privateKey=FILE` (a client certificate; the key
 *   defaults to the certificate file), `caCertsDir=DIR` (trust the `*.pem` certificates there)
 *   and `hostname=NAME` (the name to verify). Without `hostname` and `caCertsDir` the server's
 *   certificate is not verified, as in Twisted;
 * - `unix:PATH[:lockfile=0][:timeout=30]` (or `path=`); `lockfile=1` checks `<PATH>.lock`;
 * - `tls:HOST:PORT[:timeout=30][:bindAddress=][:certificate=FILE][:privateKey=FILE]`
 *   `[:trustRoots=DIR][:endpoint=DESCRIPTION]`: TLS that verifies the certificate names HOST,
 *   over a `HostnameEndpoint` (or over the client endpoint `endpoint` describes, quoted with
 *   `quoteStringArgument`).
 *
 * @param reactor - the reactor the endpoint will connect with.
 * @param description - the description, e.g. `"tcp:host=localhost:port=6667"`.
 * @returns the endpoint; nothing connects until its `connect` is called.
 * @throws UnknownEndpointTypeError for an unknown type; EndpointValueError for a bad value;
 *   TypeError for a missing, repeated or unexpected field (any keyword `tls:` does not know);
 *   Node's error for a PEM file or CA directory that cannot be read.
 *
 * Differences from Twisted: `tcp:` and `ssl:` with three or more positional fields, and `unix:`
 * with two or more, are a TypeError (Twisted ignores them and then misses host and port).
 * `unix:` also takes `checkPID=` as a flag, as `lockfile=`.
 */
export function clientFromString(
  reactor: EndpointReactor,
  description: string,
): IStreamClientEndpoint {
  const { type, args, kwargs } = parseEndpointDescription(description);
  const builtin = builtins.get(type.toUpperCase());
  if (builtin !== undefined) return builtin(reactor, args, kwargs);
  const wanted = type.toLowerCase();
  for (let i = plugins.length - 1; i >= 0; i--) {
    const plugin = plugins[i] as IStreamClientEndpointStringParserWithReactor;
    if (plugin.prefix.toLowerCase() === wanted) {
      return plugin.parseStreamClient(reactor, args, kwargs);
    }
  }
  throw new UnknownEndpointTypeError(type);
}
