/**
 * The server on real sockets, against node:http's client and raw sockets.
 */
import { request as httpRequest, Agent as NodeAgent } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect } from "node:net";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { Site } from "../../src/server/site.js";

class App extends Resource {
  override isLeaf = true;
  readonly peers: string[] = [];
  render_GET(request: IRequest): RenderResult {
    this.peers.push(String((request.getClientAddress() as { port?: number }).port));
    return `hello ${request.uri}`;
  }
  render_POST(request: IRequest): RenderResult {
    const body = request.content.read();
    const spooled = (request.content as { spooled?: boolean }).spooled === true;
    return `${body.length} ${spooled ? "spooled" : "memory"} ${body.subarray(0, 10).toString()}`;
  }
}

function serve(): { port: number; app: App } {
  const reactor = testReactor();
  const app = new App();
  const site = new Site(app, { clock: reactor, accessLog: () => {} });
  const listening = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
  onCleanup(async () => {
    await listening.stopListening().asPromise();
  });
  return { port: (listening.getHost() as { port: number }).port, app };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchWith(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer | string[];
    agent?: NodeAgent;
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: options.headers,
        agent: options.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    if (Array.isArray(options.body)) {
      for (const part of options.body) req.write(part);
      req.end();
    } else if (options.body !== undefined) {
      if (options.headers?.expect === "100-continue") {
        const body = options.body;
        req.on("continue", () => req.end(body));
      } else req.end(options.body);
    } else req.end();
  });
}

describe("Site over loopback", () => {
  it("reuses one keep-alive connection for several requests", async () => {
    const { port, app } = serve();
    const agent = new NodeAgent({ keepAlive: true, maxSockets: 1 });
    onCleanup(() => agent.destroy());
    for (let i = 0; i < 3; i++) {
      const r = await fetchWith(port, { path: `/${i}`, agent });
      expect(r.body).toBe(`hello /${i}`);
    }
    expect(new Set(app.peers).size).toBe(1);
  });

  it("works with fetch", async () => {
    const { port } = serve();
    const r = await fetch(`http://127.0.0.1:${port}/f?x=1`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("hello /f?x=1");
  });

  it("answers pipelined requests in order over a raw socket", async () => {
    const { port } = serve();
    const socket = netConnect(port, "127.0.0.1");
    onCleanup(() => {
      socket.destroy();
    });
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    const done = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    await done;
    const text = Buffer.concat(received).toString();
    const bodies = [...text.matchAll(/hello \/\d/g)].map((m) => m[0]);
    expect(bodies).toEqual(["hello /1", "hello /2", "hello /3"]);
  });

  it("receives a chunked upload", async () => {
    const { port } = serve();
    const r = await fetchWith(port, {
      method: "POST",
      headers: { "transfer-encoding": "chunked" },
      body: ["abc", "def", "ghi"],
    });
    expect(r.body).toBe("9 spooled abcdefghi");
  });

  it("spools a big body to a file", async () => {
    const { port } = serve();
    const body = Buffer.alloc(300_000, 0x61);
    const r = await fetchWith(port, { method: "POST", body });
    expect(r.body).toBe(`300000 spooled ${"a".repeat(10)}`);
  });

  it("answers Expect: 100-continue", async () => {
    const { port } = serve();
    const r = await fetchWith(port, {
      method: "POST",
      headers: { expect: "100-continue", "content-length": "2000" },
      body: Buffer.alloc(2000, 0x62),
    });
    expect(r.body).toBe(`2000 memory ${"b".repeat(10)}`);
  });

  it("answers HEAD with headers only", async () => {
    const { port } = serve();
    const r = await fetchWith(port, { method: "HEAD", path: "/h" });
    expect(r.status).toBe(200);
    expect(r.headers["content-length"]).toBe("8");
    expect(r.body).toBe("");
  });

  it("answers a smuggling attempt with 400 and closes", async () => {
    const { port } = serve();
    const socket = netConnect(port, "127.0.0.1");
    onCleanup(() => {
      socket.destroy();
    });
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    const done = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    await done;
    expect(Buffer.concat(received).toString()).toBe("HTTP/1.1 400 Bad Request\r\n\r\n");
  });
});

describe("Site over TLS", () => {
  it("reports isSecure, an https prePathURL and a TWISTED_SECURE_SESSION cookie", async () => {
    const reactor = testReactor();
    class Secure extends Resource {
      override isLeaf = true;
      render_GET(request: IRequest): RenderResult {
        const session = (request as IRequest & { getSession(): { uid: string } }).getSession();
        return `${request.isSecure()} ${request.prePathURL()} ${session.uid.length}`;
      }
    }
    const site = new Site(new Secure(), { clock: reactor, accessLog: () => {} });
    const port = reactor.listenSSL(0, site, localhostCertificate(), { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening().asPromise();
    });
    const portNumber = (port.getHost() as { port: number }).port;
    const answer = await new Promise<{ body: string; cookie: string[] }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: portNumber,
          path: "/",
          rejectUnauthorized: false,
          headers: { host: "localhost" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              body: Buffer.concat(chunks).toString(),
              cookie: res.headers["set-cookie"] ?? [],
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(answer.body).toBe(`true https://localhost:${portNumber}/ 32`);
    expect(answer.cookie[0]).toMatch(/^TWISTED_SECURE_SESSION=[0-9a-f]{32}; Path=\/; Secure$/);
  });
});
