/**
 * SASL for the IRC client (IRCv3 `sasl-3.1`/`sasl-3.2`): the PLAIN, EXTERNAL and SCRAM-SHA-256
 * mechanisms, and the framing of their messages into `AUTHENTICATE` parameters. Pure: nothing
 * here reads or writes a socket; the client feeds server challenges in and sends what comes out.
 * @packageDocumentation
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { IRCError } from "../errors.js";

/**
 * A SASL exchange failed: the server sent a malformed or dishonest message (a SCRAM message that
 * does not parse, a nonce that does not extend ours, a weak or absurd iteration count, bad
 * base64, a server signature that does not match), the server reported an error (SCRAM `e=`),
 * a mechanism was used out of turn, or the credentials cannot be encoded (a NUL in a PLAIN
 * field, a missing password).
 *
 * Differences from Twisted: Twisted's `IRCClient` has no SASL support.
 */
export class SASLError extends IRCError {
  /** The stable code of this class of error. */
  static override readonly code: string = "ERR_IRC_SASL";
  /** The server's own error text (SCRAM `e=`), when the server reported the failure. */
  readonly serverError: string | undefined;

  /**
   * @param message - what went wrong, for people.
   * @param options - the standard `cause` option, and the server's error text, if any.
   */
  constructor(message: string, options?: ErrorOptions & { serverError?: string }) {
    super(message, options);
    this.serverError = options?.serverError;
  }
}

/**
 * One side of a SASL exchange, the client's. The client sends `AUTHENTICATE <name>`, then for
 * each challenge the server sends (decoded by {@link AuthenticateDecoder}) calls
 * {@link SASLMechanism.respond} and sends the result (framed by {@link encodeAuthenticate}).
 */
export interface SASLMechanism {
  /** The mechanism's IANA name, as sent in `AUTHENTICATE <name>`, e.g. `"PLAIN"`. */
  readonly name: string;
  /**
   * Computes the next client response.
   * @param challenge - the server's decoded challenge; `null` (or an empty Buffer) for the
   *   empty `AUTHENTICATE +` challenge.
   * @returns the response to send; an empty Buffer is sent as `AUTHENTICATE +`.
   * @throws {@link SASLError} when the challenge is malformed, fails verification, or comes
   *   when the mechanism expects none.
   */
  respond(challenge: Buffer | null): Buffer;
  /**
   * True once the exchange is complete from the client's side: the last response has been
   * computed (for SCRAM, after the server's signature has been verified). The server still
   * reports success or failure with a numeric (903 `RPL_SASLSUCCESS`, 904 `ERR_SASLFAIL`).
   */
  readonly done: boolean;
}

function isEmpty(challenge: Buffer | null): boolean {
  return challenge === null || challenge.length === 0;
}

/**
 * SASL PLAIN (RFC 4616): one response, `authzid NUL username NUL password` in UTF-8. Send it
 * only over TLS; it carries the password in the clear.
 */
export class PlainMechanism implements SASLMechanism {
  /** Always `"PLAIN"`. */
  readonly name = "PLAIN";
  readonly #message: Buffer;
  #done = false;

  /**
   * @param username - the authentication identity (the account name).
   * @param password - the password.
   * @param authzid - the identity to act as; empty (the default) to act as `username`.
   * @throws {@link SASLError} when any field holds a NUL, which would shift the fields.
   */
  constructor(username: string, password: string, authzid = "") {
    for (const [field, value] of [
      ["authzid", authzid],
      ["username", username],
      ["password", password],
    ] as const) {
      if (value.includes("\0")) throw new SASLError(`the PLAIN ${field} holds a NUL`);
    }
    this.#message = Buffer.from(`${authzid}\0${username}\0${password}`, "utf8");
  }

  /** True once the response has been produced. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Returns the PLAIN message, once.
   * @param challenge - the server's challenge, which must be empty.
   * @returns the `authzid NUL username NUL password` bytes.
   * @throws {@link SASLError} for a non-empty challenge or a second call.
   */
  respond(challenge: Buffer | null): Buffer {
    if (this.#done) throw new SASLError("PLAIN got a challenge after its only response");
    if (!isEmpty(challenge)) throw new SASLError("PLAIN got a non-empty challenge");
    this.#done = true;
    return Buffer.from(this.#message);
  }
}

/**
 * SASL EXTERNAL (RFC 4422 appendix A): the server authenticates by something outside SASL,
 * on IRC a TLS client certificate (CertFP). The single response is the authzid, or empty.
 */
export class ExternalMechanism implements SASLMechanism {
  /** Always `"EXTERNAL"`. */
  readonly name = "EXTERNAL";
  readonly #authzid: string;
  #done = false;

  /** @param authzid - the identity to act as; empty (the default) for the certificate's own. */
  constructor(authzid = "") {
    this.#authzid = authzid;
  }

  /** True once the response has been produced. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Returns the authzid, once.
   * @param challenge - the server's challenge, which must be empty.
   * @returns the authzid in UTF-8; an empty Buffer when there is none.
   * @throws {@link SASLError} for a non-empty challenge or a second call.
   */
  respond(challenge: Buffer | null): Buffer {
    if (this.#done) throw new SASLError("EXTERNAL got a challenge after its only response");
    if (!isEmpty(challenge)) throw new SASLError("EXTERNAL got a non-empty challenge");
    this.#done = true;
    return Buffer.from(this.#authzid, "utf8");
  }
}

/** Options of {@link ScramSha256Mechanism}. */
export interface ScramOptions {
  /**
   * The client nonce: printable ASCII without `,`. Only for tests (fixed vectors); by default
   * 24 random bytes in base64.
   */
  nonce?: string;
  /** The identity to act as, sent in the GS2 header; empty or absent for the username's own. */
  authzid?: string;
}

/** The fewest PBKDF2 iterations accepted from a server (RFC 7677 §4 recommends at least 4096). */
export const SCRAM_MIN_ITERATIONS = 4096;
/** The most PBKDF2 iterations accepted from a server, so it cannot make the client spin. */
export const SCRAM_MAX_ITERATIONS = 1_000_000;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;

function decodeBase64(text: string, what: string): Buffer {
  if (!STRICT_BASE64.test(text)) throw new SASLError(`${what} is not valid base64`);
  return Buffer.from(text, "base64");
}

function escapeSaslname(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new SASLError(`the ${what} is not valid UTF-8`, { cause });
  }
}

/** Splits `a=1,b=2` into `[["a", "1"], ["b", "2"]]`, refusing anything not `letter=value`. */
function parseAttributes(message: string, what: string): [string, string][] {
  return message.split(",").map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw new SASLError(`malformed attribute in the ${what}`);
    return [part[0] as string, part.slice(2)];
  });
}

type ScramState = "initial" | "first-sent" | "final-sent" | "done" | "failed";

/**
 * SASL SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding: the password never crosses
 * the wire, and the server proves it knows the password's verifier too. Four steps: the empty
 * initial challenge gets the client-first message; the server-first gets the client-final
 * (with the proof); the server-final's signature is verified and answered with an empty
 * response (`AUTHENTICATE +`), and then {@link ScramSha256Mechanism.done} is true.
 *
 * Normalisation is a simplification of SASLprep (RFC 4013): the username, password and authzid
 * are NFKC-normalised and refused if they hold a NUL, but the other SASLprep mappings and
 * prohibitions (soft hyphens, non-ASCII spaces, bidirectional checks, unassigned code points)
 * are not applied. ASCII credentials, the common case, are unaffected. In the username and the
 * authzid, `=` becomes `=3D` and `,` becomes `=2C`.
 */
export class ScramSha256Mechanism implements SASLMechanism {
  /** Always `"SCRAM-SHA-256"`. */
  readonly name = "SCRAM-SHA-256";
  readonly #password: string;
  readonly #nonce: string;
  readonly #gs2Header: string;
  readonly #clientFirstBare: string;
  #state: ScramState = "initial";
  #serverSignature: Buffer | undefined;

  /**
   * @param username - the authentication identity.
   * @param password - the password.
   * @param options - a fixed nonce (tests only) and an authzid.
   * @throws {@link SASLError} when a credential holds a NUL or the nonce is not printable
   *   ASCII without `,`.
   */
  constructor(username: string, password: string, options: ScramOptions = {}) {
    const authzid = options.authzid ?? "";
    for (const [field, value] of [
      ["username", username],
      ["password", password],
      ["authzid", authzid],
    ] as const) {
      if (value.includes("\0")) throw new SASLError(`the SCRAM ${field} holds a NUL`);
    }
    const nonce = options.nonce ?? randomBytes(24).toString("base64");
    if (!PRINTABLE.test(nonce)) {
      throw new SASLError("the SCRAM nonce must be printable ASCII without ','");
    }
    this.#password = password.normalize("NFKC");
    this.#nonce = nonce;
    this.#gs2Header = authzid === "" ? "n,," : `n,a=${escapeSaslname(authzid.normalize("NFKC"))},`;
    this.#clientFirstBare = `n=${escapeSaslname(username.normalize("NFKC"))},r=${nonce}`;
  }

  /** True once the server's signature has been verified and the final empty response made. */
  get done(): boolean {
    return this.#state === "done";
  }

  /**
   * Computes the next SCRAM message. After any error the mechanism refuses further calls.
   * @param challenge - `null` or empty first, then the server-first, then the server-final
   *   message.
   * @returns the client-first message, the client-final message, then an empty Buffer.
   * @throws {@link SASLError} for a malformed server message, a nonce that does not extend
   *   ours, an iteration count outside 4096–1,000,000, a server error (`e=`, in
   *   {@link SASLError.serverError}), a server signature mismatch, or a call out of turn.
   */
  respond(challenge: Buffer | null): Buffer {
    const state = this.#state;
    this.#state = "failed";
    switch (state) {
      case "initial":
        if (!isEmpty(challenge)) throw new SASLError("SCRAM got a non-empty first challenge");
        this.#state = "first-sent";
        return Buffer.from(`${this.#gs2Header}${this.#clientFirstBare}`, "utf8");
      case "first-sent": {
        const response = this.#clientFinal(challenge);
        this.#state = "final-sent";
        return response;
      }
      case "final-sent":
        this.#verifyServerFinal(challenge);
        this.#state = "done";
        return Buffer.alloc(0);
      case "done":
        throw new SASLError("SCRAM got a challenge after the exchange completed");
      case "failed":
        throw new SASLError("SCRAM exchange already failed");
    }
  }

  #clientFinal(challenge: Buffer | null): Buffer {
    if (challenge === null) throw new SASLError("SCRAM server-first message is empty");
    const serverFirst = decodeUtf8(challenge, "SCRAM server-first message");
    const attributes = parseAttributes(serverFirst, "SCRAM server-first message");
    if (attributes[0]?.[0] === "m") {
      throw new SASLError("SCRAM server-first message requires an unsupported extension");
    }
    const [r, s, i] = attributes;
    if (r?.[0] !== "r" || s?.[0] !== "s" || i?.[0] !== "i") {
      throw new SASLError("SCRAM server-first message is not r=…,s=…,i=…");
    }
    const nonce = r[1];
    if (!nonce.startsWith(this.#nonce) || nonce.length <= this.#nonce.length) {
      throw new SASLError("SCRAM server nonce does not extend the client nonce");
    }
    if (!PRINTABLE.test(nonce)) throw new SASLError("SCRAM server nonce is not printable");
    if (s[1] === "") throw new SASLError("SCRAM salt is empty");
    const salt = decodeBase64(s[1], "the SCRAM salt");
    if (!/^[1-9][0-9]{0,9}$/.test(i[1])) {
      throw new SASLError("SCRAM iteration count is not a positive integer");
    }
    const iterations = Number(i[1]);
    if (iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
      throw new SASLError(
        `SCRAM iteration count ${iterations} is outside ${SCRAM_MIN_ITERATIONS}–${SCRAM_MAX_ITERATIONS}`,
      );
    }

    const saltedPassword = pbkdf2Sync(this.#password, salt, iterations, 32, "sha256");
    const clientKey = hmac(saltedPassword, "Client Key");
    const storedKey = createHash("sha256").update(clientKey).digest();
    const channelBinding = Buffer.from(this.#gs2Header, "utf8").toString("base64");
    const withoutProof = `c=${channelBinding},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let k = 0; k < proof.length; k++) {
      proof[k] = (clientKey[k] as number) ^ (clientSignature[k] as number);
    }
    this.#serverSignature = hmac(hmac(saltedPassword, "Server Key"), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString("base64")}`, "utf8");
  }

  #verifyServerFinal(challenge: Buffer | null): void {
    if (challenge === null) throw new SASLError("SCRAM server-final message is empty");
    const serverFinal = decodeUtf8(challenge, "SCRAM server-final message");
    const [first] = parseAttributes(serverFinal, "SCRAM server-final message");
    if (first?.[0] === "e") {
      throw new SASLError(`SCRAM server error: ${first[1]}`, { serverError: first[1] });
    }
    if (first?.[0] !== "v") throw new SASLError("SCRAM server-final message is not v=… or e=…");
    const signature = decodeBase64(first[1], "the SCRAM server signature");
    const expected = this.#serverSignature as Buffer;
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw new SASLError("SCRAM server signature does not match: the server is not genuine");
    }
  }
}

/**
 * The credentials {@link createSASLMechanism} draws on; which are required depends on the
 * mechanism. (The client's `SASLCredentials`, which also names a mechanism, fits this shape.)
 */
export interface SASLMechanismCredentials {
  /** The account name; required by PLAIN and SCRAM-SHA-256. */
  username?: string;
  /** The password; required by PLAIN and SCRAM-SHA-256. */
  password?: string;
  /** The identity to act as; optional for every mechanism. */
  authzid?: string;
}

/**
 * Makes a mechanism by its SASL name, e.g. from the server's `sasl=` capability value.
 * @param name - the mechanism's name.
 * @param credentials - the credentials it needs.
 * @returns a fresh mechanism, ready for its first challenge.
 * @throws {@link SASLError} when the name is unknown or a required credential is missing.
 */
export function createSASLMechanism(
  name: "PLAIN" | "EXTERNAL" | "SCRAM-SHA-256",
  credentials: SASLMechanismCredentials,
): SASLMechanism {
  const { username, password, authzid = "" } = credentials;
  switch (name) {
    case "EXTERNAL":
      return new ExternalMechanism(authzid);
    case "PLAIN":
    case "SCRAM-SHA-256": {
      if (username === undefined) throw new SASLError(`${name} needs a username`);
      if (password === undefined) throw new SASLError(`${name} needs a password`);
      return name === "PLAIN"
        ? new PlainMechanism(username, password, authzid)
        : new ScramSha256Mechanism(username, password, { authzid });
    }
    default:
      throw new SASLError(`unknown SASL mechanism ${JSON.stringify(name as string)}`);
  }
}

/** The most base64 characters in one `AUTHENTICATE` parameter (IRCv3 `sasl-3.1`). */
export const AUTHENTICATE_CHUNK_SIZE = 400;

/**
 * Frames a SASL message as `AUTHENTICATE` parameters: base64, cut into 400-character chunks.
 * An empty message is `["+"]`; when the base64 fills its last chunk exactly, a final `"+"`
 * follows, so the server knows the message has ended.
 * @param payload - the message, e.g. from {@link SASLMechanism.respond}.
 * @returns the parameters, one `AUTHENTICATE` command each, in order.
 */
export function encodeAuthenticate(payload: Buffer): string[] {
  const text = payload.toString("base64");
  if (text === "") return ["+"];
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += AUTHENTICATE_CHUNK_SIZE) {
    chunks.push(text.slice(at, at + AUTHENTICATE_CHUNK_SIZE));
  }
  if (text.length % AUTHENTICATE_CHUNK_SIZE === 0) chunks.push("+");
  return chunks;
}

/** Options of {@link AuthenticateDecoder}. */
export interface AuthenticateDecoderOptions {
  /** The most bytes a decoded message may have; 65536 by default. */
  maxBytes?: number;
}

/**
 * Reassembles a SASL message from the server's `AUTHENTICATE` parameters, the reverse of
 * {@link encodeAuthenticate}: 400-character chunks accumulate until a shorter chunk or a `"+"`
 * ends the message. The size of a message is capped, because the server controls it. After a
 * complete message or an error, the decoder starts afresh.
 */
export class AuthenticateDecoder {
  /** The most bytes a decoded message may have. */
  readonly maxBytes: number;
  #pending = "";

  /** @param options - the size cap. */
  constructor(options: AuthenticateDecoderOptions = {}) {
    this.maxBytes = options.maxBytes ?? 65536;
  }

  /**
   * Feeds one `AUTHENTICATE` parameter.
   * @param chunk - the parameter: up to 400 base64 characters, or `"+"`.
   * @returns the decoded message when this chunk completes it (`Buffer.alloc(0)` for a lone
   *   `"+"`), else `undefined`.
   * @throws {@link SASLError} for an empty chunk or one over 400 characters, invalid base64, or a message
   *   over {@link AuthenticateDecoder.maxBytes}.
   */
  push(chunk: string): Buffer | undefined {
    try {
      return this.#push(chunk);
    } catch (error) {
      this.#pending = "";
      throw error;
    }
  }

  #push(chunk: string): Buffer | undefined {
    if (chunk === "+") return this.#finish();
    if (chunk === "") throw new SASLError("empty AUTHENTICATE chunk (an empty message is '+')");
    if (chunk.length > AUTHENTICATE_CHUNK_SIZE) {
      throw new SASLError(`AUTHENTICATE chunk of ${chunk.length} characters is over 400`);
    }
    this.#pending += chunk;
    // The fewest bytes the pending base64 can decode to (padding removes at most two).
    if (Math.floor((this.#pending.length * 3) / 4) - 2 > this.maxBytes) {
      throw new SASLError(`AUTHENTICATE message is over ${this.maxBytes} bytes`);
    }
    return chunk.length < AUTHENTICATE_CHUNK_SIZE ? this.#finish() : undefined;
  }

  #finish(): Buffer {
    const text = this.#pending;
    this.#pending = "";
    const payload = decodeBase64(text, "the AUTHENTICATE message");
    if (payload.length > this.maxBytes) {
      throw new SASLError(`AUTHENTICATE message is over ${this.maxBytes} bytes`);
    }
    return payload;
  }
}
