import { once } from "node:events";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { VerifyError } from "@twisted-ts/core";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/client/agent.js";
import { readBody } from "../../src/client/readBody.js";

async function startHTTPS(): Promise<{ port: number; cert: string }> {
  const { key, cert } = localhostCertificate();
  const server = createServer({ key, cert }, (req, res) => {
    res.end(`secure ${req.headers.host}`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, cert };
}

describe("Agent over TLS (loopback)", () => {
  it("fetches over https, verifying the certificate against the given CA and host name", async () => {
    const reactor = testReactor();
    const { port, cert } = await startHTTPS();
    const agent = new Agent(reactor, { tls: { ca: cert } });
    const response = await agent.request("GET", `https://localhost:${port}/`);
    expect((await readBody(response)).toString()).toBe(`secure localhost:${port}`);
  });

  it("refuses a certificate it cannot verify", async () => {
    const reactor = testReactor();
    const { port } = await startHTTPS();
    const agent = new Agent(reactor);
    const error = await agent
      .request("GET", `https://localhost:${port}/`)
      .asPromise()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
  });
});
