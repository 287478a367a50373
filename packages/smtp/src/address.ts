/**
 * `Address` and `User`: Twisted's `twisted.mail.smtp.Address` and `User`.
 * @packageDocumentation
 */
import { AddressError } from "./errors.js";

/** The longest address accepted, in characters (RFC 5321 §4.5.3.1.3: a path is at most 256). */
export const MAX_ADDRESS_LENGTH = 256;

const LABEL = /^[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?$/;

/** A domain: dot-separated labels (letters, digits, inner hyphens, or UTF-8), or `[literal]`. */
function validDomain(domain: string): boolean {
  if (/^\[[^\]\s]+\]$/.test(domain)) return true;
  return domain !== "" && domain.split(".").every((label) => LABEL.test(label));
}

/**
 * A mail address, `local@domain`, parsed from what follows `MAIL FROM:` or `RCPT TO:` (angle
 * brackets optional, a source route `@a,@b:` dropped, quoted local parts kept as written) or
 * built from its parts. The null sender `<>` is an Address with empty `local` and `domain`.
 */
export class Address {
  /** The local part, as written (quotes included). */
  readonly local: string;
  /** The domain (without a trailing dot); `""` when there is none. */
  readonly domain: string;

  /**
   * @param address - `"<joe@example.com>"`, `"joe@example.com"`, `"<@relay:joe@example.com>"`,
   *   `"<>"`, or another Address (copied).
   * @param defaultDomain - the domain for an address written without one.
   * @throws {@link AddressError} when the text is not an address.
   */
  constructor(address: string | Address, defaultDomain?: string) {
    if (address instanceof Address) {
      this.local = address.local;
      this.domain = address.domain;
      return;
    }
    let text = address.trim();
    if (text.length > MAX_ADDRESS_LENGTH + 2)
      throw new AddressError(`address too long: ${text.slice(0, 40)}…`);
    if (text.startsWith("<")) {
      if (!text.endsWith(">")) throw new AddressError(`unbalanced <>: ${text}`);
      text = text.slice(1, -1);
    } else if (text.endsWith(">")) {
      throw new AddressError(`unbalanced <>: ${text}`);
    }
    // A source route: @a,@b:user@host (RFC 5321 says to accept and ignore it).
    const route = /^@[^:]*:/.exec(text);
    if (route !== null) text = text.slice(route[0].length);
    if (text === "") {
      this.local = "";
      this.domain = "";
      return;
    }
    if (/[\s<>\0\r\n]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, ""))) {
      throw new AddressError(`invalid characters in address: ${text}`);
    }
    const at = text.lastIndexOf("@");
    const local = at < 0 ? text : text.slice(0, at);
    const domain = at < 0 ? (defaultDomain ?? "") : text.slice(at + 1).replace(/\.$/, "");
    if (local === "") throw new AddressError(`empty local part: ${text}`);
    if (at >= 0 && !validDomain(domain)) throw new AddressError(`invalid domain: ${domain}`);
    this.local = local;
    this.domain = domain;
  }

  /** Whether this is the null sender `<>`. */
  get isNull(): boolean {
    return this.local === "" && this.domain === "";
  }

  /** @returns `local@domain`, `local` without a domain, `""` for the null sender. */
  toString(): string {
    if (this.isNull) return "";
    return this.domain === "" ? this.local : `${this.local}@${this.domain}`;
  }
}

/**
 * A recipient as the server hands it to `validateTo`: Twisted's `User` (the address, the HELO
 * it came with, the protocol, and the sender).
 */
export class User {
  /**
   * @param dest - the recipient's address.
   * @param helo - the client's HELO/EHLO name and address.
   * @param protocol - the server protocol instance that received it.
   * @param orig - the sender's address.
   */
  constructor(
    readonly dest: Address,
    readonly helo: readonly [name: string, address: string],
    readonly protocol: unknown,
    readonly orig: Address,
  ) {}

  /** @returns the recipient's address as text. */
  toString(): string {
    return this.dest.toString();
  }
}
