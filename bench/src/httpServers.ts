/**
 * The HTTP servers P4 and P5 measure, one per process so each can be pinned to its own core:
 * `node dist/http-server.mjs <kind> [dir]` listens on 127.0.0.1, a free port, prints the port,
 * and serves until killed.
 *
 * - `ours-hello`: a `Site` with a leaf `Resource` answering "Hello, world!\n" as text/plain;
 * - `node-hello`: node:http, the same answer and headers;
 * - `fastify-hello`: fastify 5 with one route, the same answer;
 * - `ours-static`: `Site(new File(dir))`;
 * - `send-static`: node:http with `send` (what Express's static middleware uses).
 * @packageDocumentation
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type IPv4Address, Reactor } from "@twisted-ts/core";
import { File, type IRequest, Resource, Site } from "@twisted-ts/http";
import Fastify from "fastify";
import send from "send";

const HELLO = Buffer.from("Hello, world!\n");
const [kind, dir = "."] = process.argv.slice(2);

class Hello extends Resource {
  override isLeaf = true;
  render_GET(request: IRequest): Buffer {
    request.setHeader("content-type", "text/plain");
    return HELLO;
  }
}

function announce(port: number): void {
  process.stdout.write(`${port}\n`);
}

async function main(): Promise<void> {
  switch (kind) {
    case "ours-hello":
    case "ours-static": {
      const reactor = new Reactor();
      const resource = kind === "ours-hello" ? new Hello() : new File(dir);
      const site = new Site(resource, { clock: reactor });
      site.noisy = false;
      // No access log: node:http, fastify and the Twisted server (twisted_web.py) keep none.
      site.log = () => {};
      const port = reactor.listenTCP(0, site, { interface: "127.0.0.1", backlog: 511 });
      announce((port.getHost() as IPv4Address).port);
      await reactor.run({ installSignalHandlers: true });
      return;
    }
    case "node-hello": {
      const server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain", "content-length": HELLO.length });
        res.end(HELLO);
      });
      server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
      return;
    }
    case "fastify-hello": {
      const app = Fastify({ logger: false });
      app.get("/", (_req, reply) => {
        reply.header("content-type", "text/plain").send(HELLO);
      });
      await app.listen({ port: 0, host: "127.0.0.1" });
      announce((app.server.address() as AddressInfo).port);
      return;
    }
    case "send-static": {
      const server = createServer((req, res) => {
        send(req, new URL(req.url ?? "/", "http://x").pathname, { root: dir }).pipe(res);
      });
      server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
      return;
    }
    default:
      throw new Error(`unknown server kind: ${kind}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
