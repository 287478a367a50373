/**
 * Credentials: what a client proves who it is with. Twisted's `twisted.cred.credentials`.
 * @packageDocumentation
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Credentials of any kind. TypeScript interfaces vanish at run time, so a credentials object
 * names the credential interfaces it provides (Twisted's `providedBy`); a checker names those it
 * takes, and the portal matches them.
 */
export interface ICredentials {
  /** The credential interfaces this object provides, e.g. `["IUsernamePassword"]`. */
  readonly credentialInterfaces: readonly string[];
}

/** A user name and a password that can be checked: Twisted's `IUsernamePassword`. */
export interface IUsernamePassword extends ICredentials {
  /** The user name. */
  readonly username: string;
  /** The password, when the credentials carry it in clear. */
  readonly password: string;
  /**
   * @param password - the password on record.
   * @returns whether it matches.
   */
  checkPassword(password: string): boolean;
}

/**
 * A user name and a proof derived from the password (CRAM-MD5), checked against the password
 * on record: Twisted's `IUsernameHashedPassword`.
 */
export interface IUsernameHashedPassword extends ICredentials {
  /** The user name. */
  readonly username: string;
  /**
   * @param password - the password on record.
   * @returns whether the proof was made from it.
   */
  checkPassword(password: string): boolean;
}

/** Compare two strings in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A user name and a clear-text password: Twisted's `UsernamePassword`. */
export class UsernamePassword implements IUsernamePassword {
  /** Provides `IUsernamePassword` and `IUsernameHashedPassword`. */
  readonly credentialInterfaces: readonly string[] = [
    "IUsernamePassword",
    "IUsernameHashedPassword",
  ];

  /**
   * @param username - the user name.
   * @param password - the password.
   */
  constructor(
    readonly username: string,
    readonly password: string,
  ) {}

  /**
   * @param password - the password on record.
   * @returns whether it equals this one (compared in constant time).
   */
  checkPassword(password: string): boolean {
    return sameText(password, this.password);
  }
}

/** No credentials at all: Twisted's `Anonymous`. */
export class Anonymous implements ICredentials {
  /** Provides `IAnonymous`. */
  readonly credentialInterfaces: readonly string[] = ["IAnonymous"];
}

/**
 * The CRAM-MD5 exchange (RFC 2195): the server's challenge and the client's `user digest`
 * answer, checked against the password on record. Twisted's `CramMD5Credentials`; it is also a
 * SASL challenger (`getChallenge`, `setResponse`, `moreChallenges`).
 */
export class CramMD5Credentials implements IUsernameHashedPassword {
  /** Provides `IUsernameHashedPassword`. */
  readonly credentialInterfaces: readonly string[] = ["IUsernameHashedPassword"];
  /** The user name the client gave ("" before its answer). */
  username = "";
  /** The hex HMAC-MD5 digest the client gave. */
  response = "";
  /** The challenge sent, made on first use of `getChallenge`. */
  challenge: Buffer | undefined;

  /** @param host - the host name put in the challenge. */
  constructor(readonly host = "localhost") {}

  /** @returns the challenge, `<random.time@host>`, made once. */
  getChallenge(): Buffer {
    if (this.challenge === undefined) {
      const r = randomBytes(8).readBigUInt64BE().toString();
      this.challenge = Buffer.from(`<${r}.${Math.floor(Date.now() / 1000)}@${this.host}>`);
    }
    return this.challenge;
  }

  /**
   * Take the client's answer.
   * @param response - the decoded answer, `user hexdigest`.
   */
  setResponse(response: Buffer): void {
    const text = response.toString("utf8");
    const space = text.lastIndexOf(" ");
    this.username = space < 0 ? text : text.slice(0, space);
    this.response = space < 0 ? "" : text.slice(space + 1).toLowerCase();
  }

  /** @returns false: one round. */
  moreChallenges(): boolean {
    return false;
  }

  /**
   * @param password - the password on record.
   * @returns whether the client's digest is HMAC-MD5(password, challenge).
   */
  checkPassword(password: string): boolean {
    const expected = createHmac("md5", password).update(this.getChallenge()).digest("hex");
    return sameText(expected, this.response);
  }
}
