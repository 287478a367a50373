/**
 * ReverseProxyResource on real sockets: our Site in front of another of our Sites.
 */
import { createServer } from "node:net";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { ReverseProxyResource } from "../../src/resource/proxy.js";
import { Resource } from "../../src/resource/resource.js";
import { Site } from "../../src/server/site.js";

class Upstream extends Resource {
  override isLeaf = true;
  override render(request: IRequest): RenderResult {
    request.setHeader("content-type", "text/plain");
    request.setHeader("x-upstream", "yes");
    const seen = [
      request.method,
      request.uri,
      request.getHeader("host"),
      request.getHeader("connection"),
      request.getHeader("proxy-connection") ?? "-",
      request.content.read().toString(),
    ];
    return seen.join(" ");
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("ReverseProxyResource over loopback", () => {
  it("relays a request with its query and body, and copies the answer", async () => {
    const reactor = testReactor();
    const up = reactor.listenTCP(
      0,
      new Site(new Upstream(), { clock: reactor, accessLog: () => {} }),
      {
        interface: "127.0.0.1",
      },
    );
    const upPort = (up.getHost() as { port: number }).port;
    const front = reactor.listenTCP(
      0,
      new Site(new ReverseProxyResource("127.0.0.1", upPort, "/base", reactor), {
        clock: reactor,
        accessLog: () => {},
      }),
      { interface: "127.0.0.1" },
    );
    onCleanup(async () => {
      await front.stopListening().asPromise();
      await up.stopListening().asPromise();
    });
    const frontPort = (front.getHost() as { port: number }).port;
    const r = await fetch(`http://127.0.0.1:${frontPort}/a/b?q=1`, {
      method: "POST",
      body: "payload",
      headers: { "proxy-connection": "keep-alive" },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-upstream")).toBe("yes");
    expect(r.headers.get("content-type")).toBe("text/plain");
    expect(await r.text()).toBe(`POST /base/a/b?q=1 127.0.0.1:${upPort} close - payload`);
  });

  it('answers 501 "Gateway error" when the upstream refuses', async () => {
    const reactor = testReactor();
    const dead = await freePort();
    const front = reactor.listenTCP(
      0,
      new Site(new ReverseProxyResource("127.0.0.1", dead, "", reactor), {
        clock: reactor,
        accessLog: () => {},
      }),
      { interface: "127.0.0.1" },
    );
    onCleanup(async () => {
      await front.stopListening().asPromise();
    });
    const r = await fetch(`http://127.0.0.1:${(front.getHost() as { port: number }).port}/x`);
    expect(r.status).toBe(501);
    expect(r.statusText).toBe("Gateway error");
    expect(await r.text()).toBe("<H1>Could not connect</H1>");
  });
});
