/**
 * Client SASL mechanisms for ESMTP AUTH: CRAM-MD5, LOGIN and PLAIN.
 * @packageDocumentation
 */
import { createHmac } from "node:crypto";

/**
 * A SASL mechanism the client can use: Twisted's `IClientAuthentication`.
 */
export interface IClientAuthentication {
  /** The mechanism's name as the server advertises it ("CRAM-MD5"). */
  getName(): string;
  /**
   * The answer to one challenge.
   * @param secret - the password.
   * @param challenge - the decoded challenge; for PLAIN, 1 for the initial response (sent with
   *   AUTH) and 2 for the answer to an empty challenge.
   * @returns the response, before base64.
   */
  challengeResponse(secret: Buffer, challenge: Buffer | 1 | 2): Buffer;
}

function bytes(value: string | Uint8Array): Buffer {
  return typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
}

/**
 * CRAM-MD5 (RFC 2195): the user name, a space, and the hex HMAC-MD5 of the challenge keyed with
 * the password. Twisted's `CramMD5ClientAuthenticator`.
 */
export class CramMD5ClientAuthenticator implements IClientAuthentication {
  /** The user name. */
  readonly user: Buffer;

  /** @param user - the user name. */
  constructor(user: string | Uint8Array) {
    this.user = bytes(user);
  }

  /** @returns "CRAM-MD5". */
  getName(): string {
    return "CRAM-MD5";
  }

  /** @inheritDoc */
  challengeResponse(secret: Buffer, challenge: Buffer | 1 | 2): Buffer {
    const chal = typeof challenge === "number" ? Buffer.alloc(0) : challenge;
    const digest = createHmac("md5", secret).update(chal).digest("hex");
    return Buffer.concat([this.user, Buffer.from(` ${digest}`)]);
  }
}

/**
 * LOGIN (draft-murchison-sasl-login): the user name, then the password. Which one is asked for
 * is read from the challenge ("Username:"/"User Name" or "Password:"); an odd challenge gets the
 * next answer in order. Twisted's `LOGINAuthenticator`.
 *
 * Differences from Twisted: Twisted answers strictly in order (user name, then password)
 * whatever the challenge says; this one reads the challenge first, so a server that asks for
 * the password first still gets the right answer, and falls back to Twisted's order for
 * challenges that name neither (empty, "User Name\0", localised ones).
 */
export class LOGINAuthenticator implements IClientAuthentication {
  /** The user name. */
  readonly user: Buffer;
  private answered = 0;

  /** @param user - the user name. */
  constructor(user: string | Uint8Array) {
    this.user = bytes(user);
  }

  /** @returns "LOGIN". */
  getName(): string {
    return "LOGIN";
  }

  /** @inheritDoc */
  challengeResponse(secret: Buffer, challenge: Buffer | 1 | 2): Buffer {
    const text = typeof challenge === "number" ? "" : challenge.toString("latin1").toLowerCase();
    let answer: "user" | "password";
    if (text.startsWith("password")) answer = "password";
    else if (text.startsWith("user")) answer = "user";
    else answer = this.answered === 0 ? "user" : "password";
    this.answered++;
    return answer === "user" ? this.user : secret;
  }
}

/**
 * PLAIN (RFC 4616): `authzid NUL user NUL password`, sent inline with the AUTH command.
 * Twisted's `PLAINAuthenticator`.
 */
export class PLAINAuthenticator implements IClientAuthentication {
  /** The user name. */
  readonly user: Buffer;

  /** @param user - the user name. */
  constructor(user: string | Uint8Array) {
    this.user = bytes(user);
  }

  /** @returns "PLAIN". */
  getName(): string {
    return "PLAIN";
  }

  /**
   * The PLAIN response: with `challenge` 1 (inline) `user NUL user NUL secret`, otherwise
   * `NUL user NUL secret`, as Twisted sends them.
   */
  challengeResponse(secret: Buffer, challenge: Buffer | 1 | 2): Buffer {
    const nul = Buffer.from([0]);
    if (challenge === 1) return Buffer.concat([this.user, nul, this.user, nul, secret]);
    return Buffer.concat([nul, this.user, nul, secret]);
  }
}
