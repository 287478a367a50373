/**
 * The TLS client options that the `ssl:` and `tls:` client descriptions build. Internal.
 * @packageDocumentation
 */
import { isIP } from "node:net";
import { type ConnectionOptions, checkServerIdentity, type PeerCertificate } from "node:tls";
import { domainToASCII } from "node:url";
import type { TLSOptions } from "../interfaces/reactor.js";
import { clientCertificate, loadCAsFromDir } from "./pem.js";

/** @internal Options that verify the server's certificate names `name` (and send it as SNI). */
function verifyName(name: string): ConnectionOptions {
  if (isIP(name) !== 0) {
    // An IP address cannot be sent as SNI; check it against the certificate ourselves.
    return {
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        checkServerIdentity(name, cert),
    };
  }
  return { servername: domainToASCII(name) || name };
}

function addClientCertificate(
  options: ConnectionOptions,
  certificatePath: string | undefined,
  keyPath: string | undefined,
): void {
  const pair = clientCertificate(certificatePath, keyPath);
  if (pair !== undefined) {
    options.cert = pair.cert;
    options.key = pair.key;
  }
}

/** @internal The `ssl:` client description's TLS fields. */
export interface SSLClientFields {
  /** The client certificate file (it may hold the key too). */
  certKey: string | undefined;
  /** The client key file. */
  privateKey: string | undefined;
  /** A directory of CA certificates (`*.pem`) to trust instead of the system's. */
  caCertsDir: string | undefined;
  /** The name the server's certificate must carry. */
  hostname: string | undefined;
}

/**
 * @internal Options for `ssl:`, as Twisted builds them: with `hostname`, the certificate must
 * verify (against `caCertsDir`, or the system's CAs) and name `hostname`; without it but with
 * `caCertsDir`, it must verify against those CAs, whatever name it carries; with neither,
 * nothing is verified.
 */
export function sslClientOptions(fields: SSLClientFields): TLSOptions {
  const options: ConnectionOptions = {};
  addClientCertificate(options, fields.certKey, fields.privateKey);
  const ca = fields.caCertsDir === undefined ? undefined : loadCAsFromDir(fields.caCertsDir);
  if (fields.hostname !== undefined) {
    Object.assign(options, verifyName(fields.hostname));
    options.rejectUnauthorized = true;
    if (ca !== undefined) options.ca = ca;
  } else if (ca !== undefined) {
    options.ca = ca;
    options.rejectUnauthorized = true;
    options.checkServerIdentity = () => undefined;
  } else {
    options.rejectUnauthorized = false;
  }
  return options as TLSOptions;
}

/** @internal The `tls:` client description's TLS fields. */
export interface TLSClientFields {
  /** The client certificate file (it may hold the key too). */
  certificate: string | undefined;
  /** The client key file. */
  privateKey: string | undefined;
  /** A directory of CA certificates to trust instead of the system's. */
  trustRoots: string | undefined;
}

/**
 * @internal Options for `tls:`, as Twisted's `optionsForClientTLS(host, …)`: the certificate
 * must verify (against `trustRoots`, or the system's CAs) and name `host`.
 */
export function tlsClientOptions(host: string, fields: TLSClientFields): TLSOptions {
  const options: ConnectionOptions = { ...verifyName(host), rejectUnauthorized: true };
  addClientCertificate(options, fields.certificate, fields.privateKey);
  if (fields.trustRoots !== undefined) options.ca = loadCAsFromDir(fields.trustRoots);
  return options as TLSOptions;
}
