/**
 * Reading keys and certificates from PEM files for the `ssl:` and `tls:` endpoint strings.
 * Internal: not exported from the package.
 * @packageDocumentation
 */
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import type { TLSOptions } from "../interfaces/reactor.js";
import { EndpointValueError } from "./errors.js";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** @internal Every PEM block in `text` whose label matches `label`, in order. */
export function pemBlocks(text: string, label: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (label(match[1] ?? "")) found.push(match[0]);
  }
  return found;
}

const isCertificate = (name: string): boolean => name === "CERTIFICATE";
const isPrivateKey = (name: string): boolean => name.endsWith("PRIVATE KEY");

function readText(path: string): string {
  return readFileSync(path, "latin1");
}

/** @internal The first certificate in the PEM file at `path`. */
export function loadCertificate(path: string): string {
  const cert = pemBlocks(readText(path), isCertificate)[0];
  if (cert === undefined) {
    throw new EndpointValueError(`no certificate in PEM format in '${path}'`);
  }
  return cert;
}

/** @internal The first private key in the PEM file at `path`. */
export function loadPrivateKey(path: string): string {
  const key = pemBlocks(readText(path), isPrivateKey)[0];
  if (key === undefined) {
    throw new EndpointValueError(`no private key in PEM format in '${path}'`);
  }
  return key;
}

/** The fields of a server `ssl:` description that name files or the method. */
export interface ServerTLSFiles {
  /** The private key file (it may hold the certificate too). */
  privateKey: string;
  /** The certificate file; the private key file when undefined. */
  certKey: string | undefined;
  /** An OpenSSL method name such as `TLSv1_2_METHOD`. */
  sslmethod: string | undefined;
  /** A file of intermediate certificates, sent after ours. */
  extraCertChain: string | undefined;
  /** A file of Diffie-Hellman parameters. */
  dhParameters: string | undefined;
}

/**
 * @internal The TLS server options for an `ssl:` description: key and certificate (and chain)
 * from the files, checked now by building a secure context.
 * @throws EndpointValueError for files without the expected PEM blocks, a chain file without
 *   certificates, or settings Node rejects; Node's error for a file that cannot be read.
 */
export function serverTLSOptions(files: ServerTLSFiles): TLSOptions {
  const certPath = files.certKey ?? files.privateKey;
  const options: TLSOptions = {
    key: loadPrivateKey(files.privateKey),
    cert: [loadCertificate(certPath), ...chainCertificates(files.extraCertChain)].join("\n"),
  };
  if (files.sslmethod !== undefined) {
    if (!/^\w+_METHOD$/.test(files.sslmethod)) {
      throw new EndpointValueError(`unknown sslmethod '${files.sslmethod}'`);
    }
    options.secureProtocol = files.sslmethod.replace(/_METHOD$/, "_method");
  }
  if (files.dhParameters !== undefined) options.dhparam = readFileSync(files.dhParameters);
  try {
    createSecureContext(options);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new EndpointValueError(`unusable TLS settings: ${why}`, { cause: error });
  }
  return options;
}

function chainCertificates(path: string | undefined): string[] {
  if (path === undefined) return [];
  const chain = pemBlocks(readText(path), isCertificate);
  if (chain.length === 0) {
    throw new EndpointValueError(
      `Specified chain file '${path}' doesn't contain any valid certificates in PEM format.`,
    );
  }
  return chain;
}

/**
 * @internal A client certificate and key from files: none without a certificate file; both
 * from the certificate file when there is no key file. Twisted's `_privateCertFromPaths`.
 */
export function clientCertificate(
  certificatePath: string | undefined,
  keyPath: string | undefined,
): { cert: string; key: string } | undefined {
  if (certificatePath === undefined) return undefined;
  return {
    cert: loadCertificate(certificatePath),
    key: loadPrivateKey(keyPath ?? certificatePath),
  };
}

/**
 * @internal The CA certificates in a directory: the first certificate of every readable,
 * valid `*.pem` file (any case), each once. Unreadable and invalid files are skipped, as in
 * Twisted's `_loadCAsFromDir`.
 * @throws Node's error when the directory cannot be listed.
 */
export function loadCAsFromDir(directory: string): string[] {
  const byFingerprint = new Map<string, string>();
  for (const name of readdirSync(directory).sort()) {
    if (name.split(".").at(-1)?.toLowerCase() !== "pem") continue;
    let cert: X509Certificate;
    try {
      const block = pemBlocks(readText(join(directory, name)), isCertificate)[0];
      if (block === undefined) continue;
      cert = new X509Certificate(block);
    } catch {
      continue;
    }
    byFingerprint.set(cert.fingerprint256, cert.toString());
  }
  return [...byFingerprint.values()];
}
