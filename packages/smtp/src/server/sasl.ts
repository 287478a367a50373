/**
 * The SASL mechanisms of AUTH (RFC 4954): PLAIN, LOGIN and CRAM-MD5, each a challenger that is
 * also the credentials the portal checks. Twisted's `PLAINCredentials`, `LOGINCredentials` and
 * `CramMD5Credentials`.
 * @packageDocumentation
 */
import type { ICredentials, IUsernamePassword } from "../cred/credentials.js";
import { CramMD5Credentials, UsernamePassword } from "../cred/credentials.js";

/** One SASL exchange on the server: Twisted's `IChallengeResponse`. */
export interface IChallengeResponse extends ICredentials {
  /** @returns the next challenge to send (before base64). */
  getChallenge(): Buffer;
  /**
   * Take the client's answer to the last challenge.
   * @param response - the decoded answer.
   */
  setResponse(response: Buffer): void;
  /** @returns whether another challenge follows. */
  moreChallenges(): boolean;
}

/** Makes a fresh challenger for one AUTH exchange; it gets the server's host name. */
export type ChallengerFactory = (host: string) => IChallengeResponse;

abstract class PasswordChallenger implements IChallengeResponse, IUsernamePassword {
  readonly credentialInterfaces: readonly string[] = [
    "IUsernamePassword",
    "IUsernameHashedPassword",
  ];
  username = "";
  password = "";
  abstract getChallenge(): Buffer;
  abstract setResponse(response: Buffer): void;
  abstract moreChallenges(): boolean;
  checkPassword(password: string): boolean {
    return new UsernamePassword(this.username, this.password).checkPassword(password);
  }
}

/**
 * AUTH PLAIN (RFC 4616): one answer, `authzid NUL authcid NUL password`; the challenge is empty.
 */
export class PLAINCredentials extends PasswordChallenger {
  /** The authorization identity the client asked for ("" for none). */
  authzid = "";
  private answered = false;

  /** @returns the empty challenge. */
  getChallenge(): Buffer {
    return Buffer.alloc(0);
  }

  /**
   * Take the answer.
   * @param response - `authzid\0authcid\0password`; anything else leaves the user name empty.
   */
  setResponse(response: Buffer): void {
    this.answered = true;
    const parts = response.toString("utf8").split("\0");
    if (parts.length !== 3) return;
    [this.authzid, this.username, this.password] = parts as [string, string, string];
  }

  /** @returns whether the answer is still awaited. */
  moreChallenges(): boolean {
    return !this.answered;
  }
}

/**
 * AUTH LOGIN (draft-murchison-sasl-login): "Username:" then "Password:", each answered alone.
 *
 * Differences from Twisted: the challenges are the customary "Username:" and "Password:"
 * (Twisted sends "User Name\0" and "Password\0").
 */
export class LOGINCredentials extends PasswordChallenger {
  private readonly challenges = ["Password:", "Username:"];
  private readonly responses: string[] = [];

  /** @returns the next prompt. */
  getChallenge(): Buffer {
    return Buffer.from(this.challenges.pop() ?? "");
  }

  /**
   * Take an answer.
   * @param response - the user name, then the password.
   */
  setResponse(response: Buffer): void {
    this.responses.push(response.toString("utf8"));
    this.username = this.responses[0] ?? "";
    this.password = this.responses[1] ?? "";
  }

  /** @returns whether a prompt is left. */
  moreChallenges(): boolean {
    return this.challenges.length > 0;
  }
}

export { CramMD5Credentials };

/** The challengers an ESMTP server offers by default, in the order announced. */
export const DEFAULT_CHALLENGERS: Readonly<Record<string, ChallengerFactory>> = {
  "CRAM-MD5": (host) => new CramMD5Credentials(host),
  LOGIN: () => new LOGINCredentials(),
  PLAIN: () => new PLAINCredentials(),
};
