/**
 * Addresses of the two ends of a connection: Twisted's `twisted.internet.address`.
 * @packageDocumentation
 */

/** The transport kinds an `IPv4Address`/`IPv6Address` can name. */
export type AddressType = "TCP" | "UDP";

/** Any address a transport reports with `getHost()` or `getPeer()`. */
export type IAddress = IPv4Address | IPv6Address | UNIXAddress | HostnameAddress;

/**
 * An IPv4 endpoint: Twisted's `IPv4Address(type, host, port)`.
 * Two addresses are equal (`equals`) when type, host and port are.
 */
export class IPv4Address {
  /** Always "IPv4", to tell address kinds apart. */
  readonly family = "IPv4" as const;
  /**
   * @param type - "TCP" or "UDP".
   * @param host - the dotted-quad address.
   * @param port - the port number.
   */
  constructor(
    readonly type: AddressType,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Whether `other` names the same endpoint. */
  equals(other: unknown): boolean {
    return (
      other instanceof IPv4Address &&
      other.type === this.type &&
      other.host === this.host &&
      other.port === this.port
    );
  }

  /** `IPv4Address(type='TCP', host='127.0.0.1', port=8080)`, as Twisted prints it. */
  toString(): string {
    return `IPv4Address(type='${this.type}', host='${this.host}', port=${this.port})`;
  }
}

/**
 * An IPv6 endpoint: Twisted's `IPv6Address(type, host, port, flowInfo, scopeID)`.
 */
export class IPv6Address {
  /** Always "IPv6". */
  readonly family = "IPv6" as const;
  /**
   * @param type - "TCP" or "UDP".
   * @param host - the address, without brackets.
   * @param port - the port number.
   * @param flowInfo - the IPv6 flow label (0 when unknown).
   * @param scopeID - the scope (zone) id, "" or 0 when none.
   */
  constructor(
    readonly type: AddressType,
    readonly host: string,
    readonly port: number,
    readonly flowInfo = 0,
    readonly scopeID: string | number = 0,
  ) {}

  /** Whether `other` names the same endpoint. */
  equals(other: unknown): boolean {
    return (
      other instanceof IPv6Address &&
      other.type === this.type &&
      other.host === this.host &&
      other.port === this.port
    );
  }

  /** `IPv6Address(type='TCP', host='::1', port=8080)`. */
  toString(): string {
    return `IPv6Address(type='${this.type}', host='${this.host}', port=${this.port})`;
  }
}

/** A Unix domain socket: Twisted's `UNIXAddress(name)`; `name` is null for an unbound peer. */
export class UNIXAddress {
  /** Always "UNIX". */
  readonly family = "UNIX" as const;
  /** Always "UNIX", for symmetry with the IP addresses' `type`. */
  readonly type = "UNIX" as const;
  /** @param name - the socket's path, or null. */
  constructor(readonly name: string | null) {}

  /** Whether `other` names the same socket. */
  equals(other: unknown): boolean {
    return other instanceof UNIXAddress && other.name === this.name;
  }

  /** `UNIXAddress('/tmp/sock')`. */
  toString(): string {
    return `UNIXAddress(${this.name === null ? "None" : `'${this.name}'`})`;
  }
}

/** A host name and port, before resolution: Twisted's `HostnameAddress`. */
export class HostnameAddress {
  /** Always "Hostname". */
  readonly family = "Hostname" as const;
  /** Always "TCP". */
  readonly type = "TCP" as const;
  /**
   * @param hostname - the name.
   * @param port - the port.
   */
  constructor(
    readonly hostname: string,
    readonly port: number,
  ) {}

  /** Whether `other` names the same host and port. */
  equals(other: unknown): boolean {
    return (
      other instanceof HostnameAddress &&
      other.hostname === this.hostname &&
      other.port === this.port
    );
  }

  /** `HostnameAddress(hostname='example.com', port=80)`. */
  toString(): string {
    return `HostnameAddress(hostname='${this.hostname}', port=${this.port})`;
  }
}

/**
 * The address object for a host and port as Node reports them (`family` "IPv4"/"IPv6" or 4/6).
 * @param type - "TCP" or "UDP".
 * @param host - the numeric host.
 * @param port - the port.
 * @param family - Node's family field, when known.
 */
export function ipAddress(
  type: AddressType,
  host: string,
  port: number,
  family?: string | number,
): IPv4Address | IPv6Address {
  const v6 = family === "IPv6" || family === 6 || (family === undefined && host.includes(":"));
  return v6 ? new IPv6Address(type, host, port) : new IPv4Address(type, host, port);
}
