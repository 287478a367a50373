/**
 * `serverFromString`: a server endpoint from a description such as `"tcp:8080"`.
 * @packageDocumentation
 */
import { bindArguments, parseFlag, parseInteger, parseOctal } from "./args.js";
import { UnknownEndpointTypeError } from "./errors.js";
import type {
  EndpointKeywords,
  EndpointReactor,
  IStreamServerEndpoint,
  IStreamServerEndpointStringParser,
} from "./interfaces.js";
import { parseEndpointDescription } from "./parse.js";
import { serverTLSOptions } from "./pem.js";
import { SSL4ServerEndpoint } from "./ssl.js";
import { TCP4ServerEndpoint, TCP6ServerEndpoint } from "./tcp.js";
import { UNIXServerEndpoint } from "./unix.js";

type Parse = (
  reactor: EndpointReactor,
  args: readonly string[],
  kwargs: Readonly<EndpointKeywords>,
) => IStreamServerEndpoint;

const parseTCP: Parse = (reactor, args, kwargs) => {
  const sig = { name: "tcp", params: ["port", "interface", "backlog"] as const, required: 1 };
  const { values } = bindArguments(sig, args, kwargs);
  return new TCP4ServerEndpoint(
    reactor,
    parseInteger(values.port ?? "", "port"),
    parseInteger(values.backlog ?? "50", "backlog"),
    values.interface ?? "",
  );
};

const parseUNIX: Parse = (reactor, args, kwargs) => {
  const params = ["address", "mode", "backlog", "lockfile"] as const;
  const { values } = bindArguments({ name: "unix", params, required: 1 }, args, kwargs);
  return new UNIXServerEndpoint(
    reactor,
    values.address ?? "",
    parseInteger(values.backlog ?? "50", "backlog"),
    parseOctal(values.mode ?? "666", "mode"),
    parseFlag(values.lockfile ?? "1", "lockfile"),
  );
};

function sslParser(name: string): Parse {
  const params = [
    "port",
    "privateKey",
    "certKey",
    "sslmethod",
    "interface",
    "backlog",
    "extraCertChain",
    "dhParameters",
  ] as const;
  return (reactor, args, kwargs) => {
    const { values } = bindArguments({ name, params, required: 1 }, args, kwargs);
    const port = parseInteger(values.port ?? "", "port");
    const backlog = parseInteger(values.backlog ?? "50", "backlog");
    const tlsOptions = serverTLSOptions({
      privateKey: values.privateKey ?? "server.pem",
      certKey: values.certKey,
      sslmethod: values.sslmethod,
      extraCertChain: values.extraCertChain,
      dhParameters: values.dhParameters,
    });
    return new SSL4ServerEndpoint(reactor, port, tlsOptions, backlog, values.interface ?? "");
  };
}

const parseTCP6: Parse = (reactor, args, kwargs) => {
  const sig = { name: "tcp6", params: ["port", "backlog", "interface"] as const, required: 1 };
  const { values } = bindArguments(sig, args, kwargs);
  return new TCP6ServerEndpoint(
    reactor,
    parseInteger(values.port ?? "", "port"),
    parseInteger(values.backlog ?? "50", "backlog"),
    values.interface ?? "::",
  );
};

/** The built-in types, matched exactly (so in lowercase only), as in Twisted. */
const builtins = new Map<string, Parse>([
  ["tcp", parseTCP],
  ["unix", parseUNIX],
  ["ssl", sslParser("ssl")],
]);

const plugins: IStreamServerEndpointStringParser[] = [
  { prefix: "tcp6", parseStreamServer: parseTCP6 },
  { prefix: "tls", parseStreamServer: sslParser("tls") },
];

/**
 * Add a parser for a new type of server endpoint description (a haproxy wrapper, systemd
 * sockets, …): the JavaScript form of Twisted's `IStreamServerEndpointStringParser` plugins.
 * Its prefix is matched ignoring case, after the built-in `tcp`, `unix` and `ssl`; among
 * parsers with the same prefix, the one added last wins.
 * @param parser - the parser.
 * @returns a function that removes it again.
 */
export function registerServerEndpointParser(
  parser: IStreamServerEndpointStringParser,
): () => void {
  plugins.push(parser);
  return () => {
    const i = plugins.lastIndexOf(parser);
    if (i >= 0) plugins.splice(i, 1);
  };
}

/**
 * Make a server endpoint from a description string, so a program can let its user say where to
 * listen: Twisted's `serverFromString`. The grammar is `parseEndpointDescription`'s; the types:
 * - `tcp:PORT[:interface=ADDRESS][:backlog=50]` (`interface` "" is every IPv4 interface);
 * - `tcp6:PORT[:backlog=50][:interface=::]`;
 * - `ssl:PORT[:privateKey=server.pem][:certKey=FILE][:sslmethod=NAME][:interface=][:backlog=50]`
 *   `[:extraCertChain=FILE][:dhParameters=FILE]`: PEM files, read now; `certKey` defaults to
 *   `privateKey` (one file may hold both); `sslmethod` is an OpenSSL name such as
 *   `TLSv1_2_METHOD`;
 * - `tls:` takes the same fields as `ssl:`;
 * - `unix:PATH[:mode=666][:backlog=50][:lockfile=1]`: `mode` is octal; `lockfile=0` turns off
 *   the `<PATH>.lock` file.
 *
 * Fields may also be given by position, in the order listed (so `tcp:80:127.0.0.1` sets the
 * interface). `tcp`, `unix` and `ssl` must be lowercase; other types (`tcp6`, `tls`, and those
 * added with `registerServerEndpointParser`) match in any case.
 *
 * @param reactor - the reactor the endpoint will listen with.
 * @param description - the description, e.g. `"tcp:8080:interface=127.0.0.1"`.
 * @returns the endpoint; nothing listens until its `listen` is called.
 * @throws UnknownEndpointTypeError (`Unknown endpoint type: 'ftl'`) for an unknown type;
 *   EndpointValueError for a bad value (a port that is not an integer, a key file without a
 *   key, …); TypeError for a missing, repeated or unexpected field; Node's error for a PEM file
 *   that cannot be read.
 *
 * Differences from Twisted: `tls:` here is `ssl:` under another name (key and certificate
 * files); Twisted's `tls:` server type takes a directory of PEM files selected by SNI. The
 * `dhParameters` file is read (and every TLS setting checked) when the string is parsed, not
 * when the endpoint listens. `systemd:`, `stdio:` and `haproxy:` are not built in.
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
): IStreamServerEndpoint {
  const { type, args, kwargs } = parseEndpointDescription(description);
  const builtin = builtins.get(type);
  if (builtin !== undefined) return builtin(reactor, args, kwargs);
  const wanted = type.toLowerCase();
  for (let i = plugins.length - 1; i >= 0; i--) {
    const plugin = plugins[i] as IStreamServerEndpointStringParser;
    if (plugin.prefix.toLowerCase() === wanted) {
      return plugin.parseStreamServer(reactor, args, kwargs);
    }
  }
  throw new UnknownEndpointTypeError(type);
}
