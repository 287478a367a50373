import { Readable } from "node:stream";
import { CancelledError, type Deferred } from "@twisted-ts/core";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import {
  normalizeLineEndings,
  SMTPDeliveryError,
  sendmail,
  TLSRequiredError,
} from "../../src/index.js";
import { Responder, type ResponderOptions } from "./responder.js";

const cert = localhostCertificate();

async function responder(options: ResponderOptions): Promise<Responder> {
  const r = await Responder.start(options);
  onCleanup(() => r.close());
  return r;
}

function settle<T>(d: Deferred<T>): Promise<{ value?: T; error?: unknown }> {
  return d.asPromise().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** A big message with dots at line starts and mixed line endings. */
function bigMessage(): Buffer {
  const lines: string[] = ["Subject: big", ""];
  for (let i = 0; i < 20_000; i++)
    lines.push(i % 7 === 0 ? `.line ${i}` : `line ${i} ${"z".repeat(40)}`);
  return Buffer.from(`${lines.join("\n")}\r\n.\r\nafter the fake end\n`, "utf8");
}

describe("the client over loopback", () => {
  it("sends a large stream with PIPELINING and SIZE; the server gets it byte for byte", async () => {
    const server = await responder({ extensions: ["PIPELINING", "SIZE 50000000", "8BITMIME"] });
    const reactor = testReactor();
    const message = bigMessage();
    const chunks: Buffer[] = [];
    for (let i = 0; i < message.length; i += 1000) chunks.push(message.subarray(i, i + 1000));
    const result = await sendmail(
      "127.0.0.1",
      "alice@example.com",
      ["bob@example.com", "reject@example.com"],
      () => Readable.from(chunks),
      { reactor, port: server.port },
    );
    expect(result).toEqual([
      1,
      [
        ["bob@example.com", 250, "recipient ok"],
        ["reject@example.com", 550, "no such user"],
      ],
    ]);
    const got = server.received[0];
    expect(got?.body.equals(normalizeLineEndings(message))).toBe(true);
    expect(got?.mailParams).toBe("BODY=8BITMIME");
    expect(server.sessions[0]?.slice(0, 4)).toEqual([
      expect.stringMatching(/^EHLO /),
      "MAIL FROM:<alice@example.com> BODY=8BITMIME",
      "RCPT TO:<bob@example.com>",
      "RCPT TO:<reject@example.com>",
    ]);
  });

  it("sends in BDAT chunks when CHUNKING is offered", async () => {
    const server = await responder({ extensions: ["PIPELINING", "CHUNKING", "SIZE 0"] });
    const reactor = testReactor();
    const message = bigMessage();
    await sendmail("127.0.0.1", "a@example.com", "b@example.com", message, {
      reactor,
      port: server.port,
    });
    expect(server.received[0]?.body.equals(normalizeLineEndings(message))).toBe(true);
    expect(server.received[0]?.mailParams).toBe(`SIZE=${normalizeLineEndings(message).length}`);
    expect(server.sessions[0]?.some((l) => l.startsWith("BDAT") && l.endsWith("LAST"))).toBe(true);
  });

  it("starts TLS, authenticates, and sends, verifying the server's certificate", async () => {
    const server = await responder({
      extensions: ["STARTTLS", "PIPELINING"],
      tlsExtensions: ["AUTH LOGIN PLAIN", "PIPELINING"],
      tls: cert,
      auth: { user: "joe", password: "secret" },
    });
    const reactor = testReactor();
    const result = await sendmail("localhost", "a@example.com", "b@example.com", "Hi\n", {
      reactor,
      port: server.port,
      username: "joe",
      password: "secret",
      requireTransportSecurity: true,
      requireAuthentication: true,
      tls: { ca: cert.cert, servername: "localhost" },
    });
    expect(result[0]).toBe(1);
    expect(server.received[0]).toMatchObject({ secure: true, authenticated: "joe" });
    expect(server.sessions[0]?.filter((l) => l.startsWith("EHLO"))).toHaveLength(2);
  });

  it("authenticates with LOGIN when the server offers only LOGIN", async () => {
    const server = await responder({
      extensions: ["STARTTLS"],
      tlsExtensions: ["AUTH LOGIN"],
      tls: cert,
      auth: { user: "joe", password: "secret" },
    });
    const reactor = testReactor();
    await sendmail("localhost", "a@example.com", "b@example.com", "Hi\n", {
      reactor,
      port: server.port,
      username: "joe",
      password: "secret",
      requireAuthentication: true,
      tls: { ca: cert.cert },
    });
    expect(server.received[0]).toMatchObject({ secure: true, authenticated: "joe" });
  });

  it("refuses to send in the clear when TLS is required and not offered", async () => {
    const server = await responder({ extensions: ["PIPELINING"] });
    const reactor = testReactor();
    const { error } = await settle(
      sendmail("127.0.0.1", "a@example.com", "b@example.com", "Hi\n", {
        reactor,
        port: server.port,
        requireTransportSecurity: true,
      }),
    );
    expect(error).toBeInstanceOf(TLSRequiredError);
    expect(server.sessions[0]?.some((l) => l.startsWith("MAIL"))).toBe(false);
  });

  it("fails when the certificate does not verify (no retry makes it pass)", async () => {
    const server = await responder({ extensions: ["STARTTLS"], tls: cert });
    const reactor = testReactor();
    const { error } = await settle(
      sendmail("localhost", "a@example.com", "b@example.com", "Hi\n", {
        reactor,
        port: server.port,
        retries: 1,
        tls: { servername: "localhost" },
      }),
    );
    expect(String(error)).toMatch(/self[- ]signed|certificate/i);
    expect(server.sessions).toHaveLength(2);
    expect(server.received).toEqual([]);
  });

  it("retries after the server drops the connection during DATA, sending the whole message again", async () => {
    const server = await responder({ extensions: [], dropInData: 1 });
    const reactor = testReactor();
    const result = await sendmail("127.0.0.1", "a@example.com", "b@example.com", "again\n", {
      reactor,
      port: server.port,
    });
    expect(result[0]).toBe(1);
    expect(server.sessions).toHaveLength(2);
    expect(server.received.map((m) => m.body.toString())).toEqual(["again\r\n"]);
  });

  it("fails with SMTPDeliveryError when every recipient is refused", async () => {
    const server = await responder({ extensions: ["PIPELINING"] });
    const reactor = testReactor();
    const { error } = await settle(
      sendmail("127.0.0.1", "a@example.com", ["reject1@example.com"], "x", {
        reactor,
        port: server.port,
      }),
    );
    expect(error).toBeInstanceOf(SMTPDeliveryError);
  });

  it("cancelled while connected: the connection is aborted and nothing is retried", async () => {
    const server = await responder({ silent: true });
    const reactor = testReactor();
    const d = sendmail("127.0.0.1", "a@example.com", "b@example.com", "x", {
      reactor,
      port: server.port,
    });
    const outcome = settle(d);
    const start = Date.now();
    while (server.sessions.length === 0 && Date.now() - start < 5000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
    d.cancel();
    expect((await outcome).error).toBeInstanceOf(CancelledError);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.sessions).toHaveLength(1);
  });
});
