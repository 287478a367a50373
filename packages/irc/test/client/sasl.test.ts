import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AuthenticateDecoder,
  createSASLMechanism,
  ExternalMechanism,
  encodeAuthenticate,
  PlainMechanism,
  SASLError,
  type SASLMechanism,
  ScramSha256Mechanism,
} from "../../src/client/sasl.js";
import { IRCError } from "../../src/errors.js";

// RFC 7677 §3 (the server signature as the RFC and independent implementations give it).
const RFC = {
  username: "user",
  password: "pencil",
  nonce: "rOprNGfwEbeRWgbNEkqO",
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst:
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

const b = (text: string): Buffer => Buffer.from(text, "utf8");

/** A mechanism that has sent the RFC 7677 client-first message. */
function rfcAfterFirst(): ScramSha256Mechanism {
  const scram = new ScramSha256Mechanism(RFC.username, RFC.password, { nonce: RFC.nonce });
  scram.respond(null);
  return scram;
}

/** A mechanism that has sent the RFC 7677 client-final message. */
function rfcAfterFinal(): ScramSha256Mechanism {
  const scram = rfcAfterFirst();
  scram.respond(b(RFC.serverFirst));
  return scram;
}

function expectSASLError(run: () => unknown, message: RegExp): SASLError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SASLError);
    expect((error as SASLError).message).toMatch(message);
    return error as SASLError;
  }
  throw new Error("expected a SASLError");
}

/** An independent SCRAM-SHA-256 server side, for round trips with arbitrary credentials. */
function scramServer(password: string, clientFirst: string, clientFinal: string) {
  const salt = Buffer.from("0123456789abcdef");
  const serverFirst = `r=${/,r=([^,]*)/.exec(clientFirst)?.[1]}srv,s=${salt.toString("base64")},i=4096`;
  const clientFirstBare = clientFirst.replace(/^[^,]*,[^,]*,/, "");
  const withoutProof = clientFinal.replace(/,p=[^,]*$/, "");
  const proof = Buffer.from(/,p=([^,]*)$/.exec(clientFinal)?.[1] ?? "", "base64");
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, 4096, 32, "sha256");
  const hmac = (key: Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const clientKey = Buffer.from(proof.map((byte, k) => byte ^ (signature[k] as number)));
  const proofOk = createHash("sha256").update(clientKey).digest().equals(storedKey);
  const serverFinal = `v=${hmac(hmac(salted, "Server Key"), authMessage).toString("base64")}`;
  return { serverFirst, proofOk, serverFinal };
}

/** Runs a full exchange against {@link scramServer}, returning what the client sent. */
function scramRoundTrip(scram: ScramSha256Mechanism, password: string) {
  const clientFirst = scram.respond(null).toString("utf8");
  const first = scramServer(password, clientFirst, "");
  const clientFinal = scram.respond(b(first.serverFirst)).toString("utf8");
  const { proofOk, serverFinal } = scramServer(password, clientFirst, clientFinal);
  const last = scram.respond(b(serverFinal));
  return { clientFirst, clientFinal, proofOk, last };
}

describe("SASLError", () => {
  it("is an IRCError with a stable code and name", () => {
    const error = new SASLError("nope", { serverError: "invalid-proof" });
    expect(error).toBeInstanceOf(IRCError);
    expect(error.code).toBe("ERR_IRC_SASL");
    expect(error.name).toBe("SASLError");
    expect(error.serverError).toBe("invalid-proof");
    expect(new SASLError("plain").serverError).toBeUndefined();
  });
});

describe("PlainMechanism", () => {
  it("sends authzid NUL username NUL password in UTF-8, once", () => {
    const plain = new PlainMechanism("jilles", "sesame");
    expect(plain.name).toBe("PLAIN");
    expect(plain.done).toBe(false);
    expect(plain.respond(null)).toEqual(b("\0jilles\0sesame"));
    expect(plain.done).toBe(true);
    expectSASLError(() => plain.respond(null), /after its only response/);
  });

  it("puts the authzid first and encodes non-ASCII as UTF-8", () => {
    const plain = new PlainMechanism("bøb", "pässwörd", "admin");
    expect(plain.respond(Buffer.alloc(0))).toEqual(
      Buffer.concat([b("admin"), Buffer.from([0]), b("bøb"), Buffer.from([0]), b("pässwörd")]),
    );
  });

  it("refuses a NUL in any field", () => {
    expectSASLError(() => new PlainMechanism("a\0b", "p"), /username holds a NUL/);
    expectSASLError(() => new PlainMechanism("a", "p\0"), /password holds a NUL/);
    expectSASLError(() => new PlainMechanism("a", "p", "\0z"), /authzid holds a NUL/);
  });

  it("refuses a non-empty challenge", () => {
    expectSASLError(() => new PlainMechanism("a", "p").respond(b("x")), /non-empty/);
  });
});

describe("ExternalMechanism", () => {
  it("sends an empty response without an authzid", () => {
    const external = new ExternalMechanism();
    expect(external.name).toBe("EXTERNAL");
    expect(external.respond(null)).toEqual(Buffer.alloc(0));
    expect(external.done).toBe(true);
    expect(encodeAuthenticate(Buffer.alloc(0))).toEqual(["+"]);
  });

  it("sends the authzid when given one", () => {
    expect(new ExternalMechanism("admin").respond(null)).toEqual(b("admin"));
  });

  it("refuses a second challenge and a non-empty one", () => {
    const external = new ExternalMechanism();
    external.respond(null);
    expectSASLError(() => external.respond(null), /after its only response/);
    expectSASLError(() => new ExternalMechanism().respond(b("x")), /non-empty/);
  });
});

describe("ScramSha256Mechanism", () => {
  it("reproduces the RFC 7677 test vector end to end", () => {
    const scram = new ScramSha256Mechanism(RFC.username, RFC.password, { nonce: RFC.nonce });
    expect(scram.name).toBe("SCRAM-SHA-256");
    expect(scram.respond(null).toString("utf8")).toBe(RFC.clientFirst);
    expect(scram.done).toBe(false);
    expect(scram.respond(b(RFC.serverFirst)).toString("utf8")).toBe(RFC.clientFinal);
    expect(scram.done).toBe(false);
    expect(scram.respond(b(RFC.serverFinal))).toEqual(Buffer.alloc(0));
    expect(scram.done).toBe(true);
    expectSASLError(() => scram.respond(null), /after the exchange completed/);
  });

  it("accepts an empty Buffer as the initial challenge", () => {
    const scram = new ScramSha256Mechanism("user", "pencil", { nonce: RFC.nonce });
    expect(scram.respond(Buffer.alloc(0)).toString("utf8")).toBe(RFC.clientFirst);
  });

  it("refuses a wrong server signature", () => {
    const scram = rfcAfterFinal();
    const wrong = "v=6rriTRBi23WpRR/wtup+mMhK1eNWdxwVb5OQ7sRJ9w4=";
    expectSASLError(() => scram.respond(b(wrong)), /signature does not match/);
    expect(scram.done).toBe(false);
    expectSASLError(() => scram.respond(b(RFC.serverFinal)), /already failed/);
  });

  it("refuses a server signature of the wrong length", () => {
    expectSASLError(() => rfcAfterFinal().respond(b("v=AAAA")), /signature does not match/);
  });

  it("refuses a server nonce that does not extend the client's", () => {
    const other = RFC.serverFirst.replace("r=rOpr", "r=XOpr");
    expectSASLError(() => rfcAfterFirst().respond(b(other)), /does not extend/);
    const same = `r=${RFC.nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
    expectSASLError(() => rfcAfterFirst().respond(b(same)), /does not extend/);
  });

  it("refuses iteration counts below 4096 and above 1,000,000", () => {
    for (const count of ["4095", "1", "1000001", "99999999999"]) {
      const serverFirst = RFC.serverFirst.replace("i=4096", `i=${count}`);
      expectSASLError(() => rfcAfterFirst().respond(b(serverFirst)), /iteration count/);
    }
    for (const count of ["0", "-4096", "4096.0", "", "0x1000", "04096"]) {
      const serverFirst = RFC.serverFirst.replace("i=4096", `i=${count}`);
      expectSASLError(() => rfcAfterFirst().respond(b(serverFirst)), /not a positive integer/);
    }
  });

  it("reports the server's e= error text", () => {
    const error = expectSASLError(
      () => rfcAfterFinal().respond(b("e=invalid-proof")),
      /server error: invalid-proof/,
    );
    expect(error.serverError).toBe("invalid-proof");
  });

  it.each([
    ["empty", ""],
    ["no attributes", "garbage"],
    ["attributes out of order", "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOx,i=4096"],
    ["a missing iteration count", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ=="],
    ["a mandatory extension", `m=ext,${RFC.serverFirst}`],
    ["a multi-letter key", "rr=rOprNGfwEbeRWgbNEkqOx,s=AAAA,i=4096"],
    ["a bad salt", "r=rOprNGfwEbeRWgbNEkqOx,s=not base64!,i=4096"],
    ["an empty salt", "r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096"],
    ["a non-printable nonce", "r=rOprNGfwEbeRWgbNEkqO x,s=AAAA,i=4096"],
  ])("refuses a server-first message with %s", (_, serverFirst) => {
    expectSASLError(() => rfcAfterFirst().respond(b(serverFirst)), /SCRAM/);
  });

  it("refuses server-first messages that are null or not UTF-8", () => {
    expectSASLError(() => rfcAfterFirst().respond(null), /empty/);
    expectSASLError(() => rfcAfterFirst().respond(Buffer.from([0x72, 0x3d, 0xff])), /UTF-8/);
  });

  it("accepts extensions after the iteration count", () => {
    const scram = rfcAfterFirst();
    const clientFinal = scram.respond(b(`${RFC.serverFirst},x=ext`)).toString("utf8");
    expect(clientFinal).toMatch(
      /^c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,p=/,
    );
  });

  it.each([
    ["null", null],
    ["no attribute", b("6rriTRBi23WpRR")],
    ["another attribute", b("x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")],
    ["bad base64", b("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4")],
  ])("refuses a server-final message with %s", (_, serverFinal) => {
    expectSASLError(() => rfcAfterFinal().respond(serverFinal), /SCRAM/);
  });

  it("refuses a non-empty initial challenge", () => {
    expectSASLError(() => new ScramSha256Mechanism("u", "p").respond(b("r=x")), /non-empty/);
  });

  it("escapes = and , in the username", () => {
    const scram = new ScramSha256Mechanism("a=b,c", "p", { nonce: "abc" });
    expect(scram.respond(null).toString("utf8")).toBe("n,,n=a=3Db=2Cc,r=abc");
  });

  it("sends the escaped authzid in the GS2 header and its base64 as c=", () => {
    const scram = new ScramSha256Mechanism("user", "pencil", { nonce: "abc", authzid: "ad,m=n" });
    const { clientFirst, clientFinal, proofOk, last } = scramRoundTrip(scram, "pencil");
    expect(clientFirst).toBe("n,a=ad=2Cm=3Dn,n=user,r=abc");
    expect(clientFinal.startsWith(`c=${b("n,a=ad=2Cm=3Dn,").toString("base64")},r=abcsrv,p=`)).toBe(
      true,
    );
    expect(proofOk).toBe(true);
    expect(last).toEqual(Buffer.alloc(0));
    expect(scram.done).toBe(true);
  });

  it("generates a 24-byte base64 nonce without commas", () => {
    const first = new ScramSha256Mechanism("u", "p").respond(null).toString("utf8");
    const nonce = /,r=(.*)$/.exec(first)?.[1] ?? "";
    expect(nonce).toMatch(/^[A-Za-z0-9+/=]{32}$/);
    expect(Buffer.from(nonce, "base64")).toHaveLength(24);
    const second = new ScramSha256Mechanism("u", "p").respond(null).toString("utf8");
    expect(second).not.toBe(first);
  });

  it("refuses a fixed nonce with a comma or non-printable characters, and NULs", () => {
    expectSASLError(() => new ScramSha256Mechanism("u", "p", { nonce: "a,b" }), /nonce/);
    expectSASLError(() => new ScramSha256Mechanism("u", "p", { nonce: "" }), /nonce/);
    expectSASLError(() => new ScramSha256Mechanism("u\0", "p"), /username holds a NUL/);
    expectSASLError(() => new ScramSha256Mechanism("u", "\0p"), /password holds a NUL/);
  });

  it("NFKC-normalises the password", () => {
    // U+2163 ROMAN NUMERAL FOUR is NFKC "IV"; the server hashed "IV".
    const scram = new ScramSha256Mechanism("user", "\u2163", { nonce: "abc" });
    expect(scramRoundTrip(scram, "IV").proofOk).toBe(true);
    expect(scram.done).toBe(true);
  });

  it("completes with any credentials against an independent server", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !s.includes("\0"));
    fc.assert(
      fc.property(text, text, (username, password) => {
        const scram = new ScramSha256Mechanism(username, password);
        const { proofOk } = scramRoundTrip(scram, password);
        expect(proofOk).toBe(true);
        expect(scram.done).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});

describe("createSASLMechanism", () => {
  it("makes each mechanism by name", () => {
    const plain = createSASLMechanism("PLAIN", { username: "u", password: "p", authzid: "z" });
    expect(plain).toBeInstanceOf(PlainMechanism);
    expect(plain.respond(null)).toEqual(b("z\0u\0p"));
    const external = createSASLMechanism("EXTERNAL", {});
    expect(external).toBeInstanceOf(ExternalMechanism);
    expect(external.respond(null)).toEqual(Buffer.alloc(0));
    const scram: SASLMechanism = createSASLMechanism("SCRAM-SHA-256", {
      username: "u",
      password: "p",
      authzid: "z",
    });
    expect(scram).toBeInstanceOf(ScramSha256Mechanism);
    expect(scram.respond(null).toString("utf8")).toMatch(/^n,a=z,n=u,r=/);
  });

  it("refuses missing credentials and unknown names", () => {
    expectSASLError(() => createSASLMechanism("PLAIN", { password: "p" }), /needs a username/);
    expectSASLError(() => createSASLMechanism("SCRAM-SHA-256", { username: "u" }), /password/);
    const name = "DIGEST-MD5" as "PLAIN";
    expectSASLError(() => createSASLMechanism(name, {}), /unknown SASL mechanism/);
  });
});

describe("encodeAuthenticate", () => {
  // [payload bytes, base64 characters, expected chunk lengths]
  it.each([
    [0, 0, [1]],
    [1, 4, [4]],
    [297, 396, [396]],
    [299, 400, [400, 1]],
    [300, 400, [400, 1]],
    [301, 404, [400, 4]],
    [600, 800, [400, 400, 1]],
    [601, 804, [400, 400, 4]],
  ])("frames %i bytes (%i base64 characters) as chunks of %j", (bytes, chars, lengths) => {
    const payload = Buffer.alloc(bytes, 0xa5);
    const chunks = encodeAuthenticate(payload);
    expect(chunks.map((c) => c.length)).toEqual(lengths);
    expect(chunks.filter((c) => c !== "+").join("")).toHaveLength(chars);
    if (lengths.at(-1) === 1) expect(chunks.at(-1)).toBe("+");
    expect(chunks.join("").replace(/\+$/, "")).toBe(payload.toString("base64"));
  });
});

describe("AuthenticateDecoder", () => {
  it("returns an empty payload for a lone +", () => {
    expect(new AuthenticateDecoder().push("+")).toEqual(Buffer.alloc(0));
  });

  it("completes on a chunk shorter than 400", () => {
    const decoder = new AuthenticateDecoder();
    expect(decoder.push("aGVsbG8=")).toEqual(b("hello"));
    expect(decoder.push("d29ybGQ=")).toEqual(b("world"));
  });

  it("waits after a 400-character chunk and completes on + or a shorter chunk", () => {
    const decoder = new AuthenticateDecoder();
    expect(decoder.push("A".repeat(400))).toBeUndefined();
    expect(decoder.push("+")).toEqual(Buffer.alloc(300));
    expect(decoder.push("A".repeat(400))).toBeUndefined();
    expect(decoder.push("A".repeat(400))).toBeUndefined();
    expect(decoder.push("AAAA")).toEqual(Buffer.alloc(603));
  });

  it.each([
    [1, "A"],
    [399, "A".repeat(399)],
    [4, "AA=A"],
    [4, "AA!A"],
  ])("refuses invalid base64 (%i characters)", (_, chunk) => {
    expectSASLError(() => new AuthenticateDecoder().push(chunk), /not valid base64/);
  });

  it("refuses base64 that is invalid across chunks, then starts afresh", () => {
    const decoder = new AuthenticateDecoder();
    expect(decoder.push("A".repeat(400))).toBeUndefined();
    expectSASLError(() => decoder.push("A"), /not valid base64/);
    expect(decoder.push("aGk=")).toEqual(b("hi"));
  });

  it("refuses a chunk over 400 characters and an empty chunk", () => {
    expectSASLError(() => new AuthenticateDecoder().push("A".repeat(401)), /over 400/);
    expectSASLError(() => new AuthenticateDecoder().push(""), /empty AUTHENTICATE chunk/);
  });

  it("caps the message at maxBytes, 65536 by default", () => {
    const decoder = new AuthenticateDecoder();
    expect(decoder.maxBytes).toBe(65536);
    const feed = (d: AuthenticateDecoder, payload: Buffer) => {
      let result: Buffer | undefined;
      for (const chunk of encodeAuthenticate(payload)) result = d.push(chunk);
      return result;
    };
    expect(feed(decoder, Buffer.alloc(65536, 1))).toEqual(Buffer.alloc(65536, 1));
    expectSASLError(() => feed(decoder, Buffer.alloc(65537, 1)), /over 65536 bytes/);
    const small = new AuthenticateDecoder({ maxBytes: 300 });
    expect(feed(small, Buffer.alloc(300))).toEqual(Buffer.alloc(300));
    expectSASLError(() => feed(small, Buffer.alloc(301)), /over 300 bytes/);
    expect(small.push("+")).toEqual(Buffer.alloc(0));
  });

  it("refuses an oversized message before it ends", () => {
    const decoder = new AuthenticateDecoder({ maxBytes: 500 });
    expect(decoder.push("A".repeat(400))).toBeUndefined();
    expectSASLError(() => decoder.push("A".repeat(400)), /over 500 bytes/);
  });

  it("round-trips any payload through encodeAuthenticate", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const payload = Buffer.from(bytes);
        const chunks = encodeAuthenticate(payload);
        for (const chunk of chunks.slice(0, -1)) expect(chunk).toHaveLength(400);
        expect((chunks.at(-1) as string).length).toBeLessThan(400);
        const decoder = new AuthenticateDecoder();
        const results = chunks.map((chunk) => decoder.push(chunk));
        expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
        expect(results.at(-1)).toEqual(payload);
      }),
    );
  });
});
