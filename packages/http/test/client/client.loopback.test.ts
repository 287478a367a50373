import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { CancelledError, Cooperator } from "@twisted-ts/core";
import { onCleanup, testReactor, until } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/client/agent.js";
import {
  BrotliDecoder,
  ContentDecoderAgent,
  GzipDecoder,
} from "../../src/client/contentDecoder.js";
import { CookieAgent, CookieJar } from "../../src/client/cookies.js";
import { FileBodyProducer } from "../../src/client/fileBodyProducer.js";
import { downloadPage, getPage } from "../../src/client/getPage.js";
import { UNKNOWN_LENGTH } from "../../src/client/iweb.js";
import { HTTPConnectionPool } from "../../src/client/pool.js";
import { readBody } from "../../src/client/readBody.js";
import { RedirectAgent } from "../../src/client/redirect.js";
import { WebError } from "../../src/errors.js";
import { Headers } from "../../src/headers.js";

const BIG = Buffer.alloc(8 * 1024 * 1024, "x");

interface Fixture {
  base: string;
  connections: () => number;
  server: Server;
}

async function startServer(): Promise<Fixture> {
  let connections = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/hello":
        res.setHeader("Content-Type", "text/plain");
        res.end("hello");
        return;
      case "/chunked":
        res.write("one,");
        setTimeout(() => {
          res.write("two,");
          res.end("three");
        }, 5);
        return;
      case "/gzip":
        res.setHeader("Content-Encoding", "gzip");
        res.end(gzipSync(Buffer.from("compressed ".repeat(1000))));
        return;
      case "/br":
        res.setHeader("Content-Encoding", "br");
        res.end(brotliCompressSync(Buffer.from("brotli ".repeat(1000))));
        return;
      case "/redirect":
        res.writeHead(302, { Location: "/hello" });
        res.end();
        return;
      case "/see-other":
        req.resume();
        res.writeHead(303, { Location: "/method" });
        res.end();
        return;
      case "/method":
        res.end(req.method);
        return;
      case "/set-cookie":
        res.setHeader("Set-Cookie", ["session=abc; Path=/", "other=1; Path=/elsewhere"]);
        res.end("set");
        return;
      case "/echo-cookie":
        res.end(req.headers.cookie ?? "(none)");
        return;
      case "/big":
        res.setHeader("Content-Length", BIG.length);
        res.end(BIG);
        return;
      case "/upload": {
        let size = 0;
        req.on("data", (d: Buffer) => {
          size += d.length;
        });
        req.on("end", () =>
          res.end(`${size} ${req.headers["transfer-encoding"] ?? req.headers["content-length"]}`),
        );
        return;
      }
      case "/missing":
        res.statusCode = 404;
        res.end("not here");
        return;
      case "/hang":
        return;
      default:
        res.statusCode = 500;
        res.end();
    }
  });
  server.on("connection", () => {
    connections += 1;
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, connections: () => connections, server };
}

describe("Agent against node:http (loopback)", () => {
  it("fetches a body and reuses one keep-alive connection with a persistent pool", async () => {
    const reactor = testReactor();
    const { base, connections } = await startServer();
    const pool = new HTTPConnectionPool(reactor);
    onCleanup(() => pool.closeCachedConnections().asPromise());
    const agent = new Agent(reactor, { pool });
    for (let i = 0; i < 3; i++) {
      const response = await agent.request("GET", `${base}/hello`);
      expect(response.code).toBe(200);
      expect(response.headers.getHeader("content-type")).toBe("text/plain");
      expect((await readBody(response)).toString()).toBe("hello");
    }
    expect(connections()).toBe(1);
  });

  it("opens a connection per request with the default (non-persistent) pool", async () => {
    const reactor = testReactor();
    const { base, connections } = await startServer();
    const agent = new Agent(reactor);
    for (let i = 0; i < 2; i++)
      expect((await readBody(await agent.request("GET", `${base}/hello`))).toString()).toBe(
        "hello",
      );
    expect(connections()).toBe(2);
  });

  it("reads a chunked body", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    const response = await new Agent(reactor).request("GET", `${base}/chunked`);
    expect(response.length).toBe(UNKNOWN_LENGTH);
    expect((await readBody(response)).toString()).toBe("one,two,three");
  });

  it("decodes gzip and br with ContentDecoderAgent", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    const agent = new ContentDecoderAgent(new Agent(reactor), [
      ["gzip", GzipDecoder],
      ["br", BrotliDecoder],
    ]);
    const gz = await agent.request("GET", `${base}/gzip`);
    expect(gz.headers.hasHeader("content-encoding")).toBe(false);
    expect((await readBody(gz)).toString()).toBe("compressed ".repeat(1000));
    expect((await readBody(await agent.request("GET", `${base}/br`))).toString()).toBe(
      "brotli ".repeat(1000),
    );
  });

  it("follows redirects, and turns a POST answered with 303 into a GET", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    const agent = new RedirectAgent(new Agent(reactor));
    const response = await agent.request("GET", `${base}/redirect`);
    expect(response.code).toBe(200);
    expect(response.previousResponse?.code).toBe(302);
    expect((await readBody(response)).toString()).toBe("hello");
    const body = new FileBodyProducer(Buffer.from("data"), new Cooperator({ clock: reactor }));
    const seeOther = await agent.request("POST", `${base}/see-other`, undefined, body);
    expect((await readBody(seeOther)).toString()).toBe("GET");
  });

  it("keeps cookies with CookieAgent", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    const jar = new CookieJar();
    const agent = new CookieAgent(new Agent(reactor), jar);
    await readBody(await agent.request("GET", `${base}/set-cookie`));
    expect((await readBody(await agent.request("GET", `${base}/echo-cookie`))).toString()).toBe(
      "session=abc",
    );
    const other = base.replace("127.0.0.1", "localhost");
    expect((await readBody(await agent.request("GET", `${other}/echo-cookie`))).toString()).toBe(
      "(none)",
    );
  });

  it("downloads a big body with back-pressure, to memory and to a file", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    const body = await readBody(await new Agent(reactor).request("GET", `${base}/big`));
    expect(body.equals(BIG)).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), "dl-")), "big");
    await downloadPage(`${base}/big`, file, { reactor });
    expect(readFileSync(file).equals(BIG)).toBe(true);
  });

  it("uploads a big body with Content-Length, and a stream chunked", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    const agent = new Agent(reactor);
    const fixed = new FileBodyProducer(BIG, new Cooperator({ clock: reactor }));
    const r1 = await agent.request("POST", `${base}/upload`, undefined, fixed);
    expect((await readBody(r1)).toString()).toBe(`${BIG.length} ${BIG.length}`);
    const { Readable } = await import("node:stream");
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) yield Buffer.alloc(65536, i);
      })(),
    );
    const r2 = await agent.request(
      "PUT",
      `${base}/upload`,
      undefined,
      new FileBodyProducer(stream),
    );
    expect((await readBody(r2)).toString()).toBe(`${64 * 65536} chunked`);
  });

  it("aborts the connection when the AbortSignal fires", async () => {
    const reactor = testReactor();
    const { base, server } = await startServer();
    let closed = false;
    let requested = false;
    server.on("request", (req: IncomingMessage) => {
      requested = true;
      req.socket.on("close", () => {
        closed = true;
      });
    });
    const controller = new AbortController();
    const d = new Agent(reactor).request("GET", `${base}/hang`, new Headers(), undefined, {
      signal: controller.signal,
    });
    await until(
      () => requested,
      5000,
      () => "the request to arrive",
    );
    controller.abort();
    await expect(d).rejects.toBeInstanceOf(CancelledError);
    await until(
      () => closed,
      5000,
      () => "the server to see the connection close",
    );
  });

  it("getPage returns the body, and errbacks with WebError on 404", async () => {
    const reactor = testReactor();
    const { base } = await startServer();
    expect((await getPage(`${base}/redirect`, { reactor })).toString()).toBe("hello");
    const error = await getPage(`${base}/missing`, { reactor })
      .asPromise()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebError);
    expect((error as WebError).status).toBe(404);
    expect((error as WebError).response?.toString()).toBe("not here");
  });
});
