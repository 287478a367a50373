/**
 * The ready-made resources: Data, Redirect, NameVirtualHost, EncodingResourceWrapper and
 * ReverseProxyResource.
 */
import { gunzipSync } from "node:zlib";
import { ConnectionDone, ConnectionRefusedError, Failure, IPv4Address } from "@twisted-ts/core";
import { MemoryReactor, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import type { IRequest, IResource, RenderResult } from "../../src/iweb.js";
import { Data } from "../../src/resource/data.js";
import { EncodingResourceWrapper, GzipEncoderFactory } from "../../src/resource/encoding.js";
import { ProxyClientFactory, ReverseProxyResource } from "../../src/resource/proxy.js";
import { Redirect } from "../../src/resource/redirect.js";
import { Resource } from "../../src/resource/resource.js";
import { NameVirtualHost } from "../../src/resource/vhost.js";
import { connect, parseResponses } from "../server/helpers.js";

function mounted(child: IResource): Resource {
  const root = new Resource();
  root.putChild("d", child);
  return root;
}

function fetch(root: Resource, head: string, isHead = false) {
  const c = connect(root);
  c.feed(head);
  return { c, r: parseResponses(c.out(), [isHead])[0] };
}

describe("Data", () => {
  it("serves its bytes with its type, and HEAD without the body", () => {
    const data = mounted(new Data("hello", "text/plain"));
    const { r } = fetch(data, "GET /d HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(r?.body).toBe("hello");
    expect(r?.headers.get("content-type")).toEqual(["text/plain"]);
    const head = fetch(data, "HEAD /d HTTP/1.1\r\nHost: a\r\n\r\n", true);
    expect(head.r?.headers.get("content-length")).toEqual(["5"]);
    expect(head.c.out().endsWith("\r\n\r\n")).toBe(true);
  });
});

describe("Redirect", () => {
  it("answers 302 with Location and a refresh page", () => {
    const { r } = fetch(
      new Redirect("http://example.com/"),
      "GET /any/path HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    expect(r?.status).toBe(302);
    expect(r?.headers.get("location")).toEqual(["http://example.com/"]);
    expect(r?.body).toContain('<a href="http://example.com/">click here</a>');
  });
});

describe("NameVirtualHost", () => {
  class Named extends Resource {
    override isLeaf = true;
    constructor(readonly name: string) {
      super();
    }
    override render(request: IRequest): RenderResult {
      return `${this.name} ${request.postpath.join("/")}`;
    }
  }

  it("routes by Host without the port, case-insensitively, with a default", () => {
    const vhost = new NameVirtualHost();
    vhost.addHost("example.com", new Named("ex"));
    vhost.default = new Named("default");
    expect(fetch(vhost, "GET /p HTTP/1.1\r\nHost: EXAMPLE.com:8080\r\n\r\n").r?.body).toBe("ex p");
    expect(fetch(vhost, "GET /p HTTP/1.1\r\nHost: other\r\n\r\n").r?.body).toBe("default p");
  });

  it("answers 404 for an unknown host without a default", () => {
    const vhost = new NameVirtualHost();
    const { r } = fetch(vhost, "GET / HTTP/1.1\r\nHost: nope\r\n\r\n");
    expect(r?.status).toBe(404);
    expect(r?.body).toContain("host nope not in vhost map");
  });
});

describe("EncodingResourceWrapper", () => {
  const page = new Data("x".repeat(1000), "text/plain");

  it("gzips when Accept-Encoding allows it, with Vary and Content-Encoding", () => {
    const wrapped = mounted(new EncodingResourceWrapper(page, [new GzipEncoderFactory()]));
    const c = connect(wrapped);
    c.feed("GET /d HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br, gzip;q=0.5\r\n\r\n");
    const r = parseResponses(c.out())[0];
    expect(r?.headers.get("content-encoding")).toEqual(["gzip"]);
    expect(r?.headers.get("vary")).toEqual(["Accept-Encoding"]);
    expect(r?.headers.has("content-length")).toBe(false);
    expect(gunzipSync(Buffer.from(r?.body ?? "", "latin1")).toString()).toBe("x".repeat(1000));
  });

  it("sends the body as it is otherwise (q=0, or no header)", () => {
    const wrapped = mounted(new EncodingResourceWrapper(page, [new GzipEncoderFactory()]));
    for (const accept of ["Accept-Encoding: gzip;q=0\r\n", ""]) {
      const { r } = fetch(wrapped, `GET /d HTTP/1.1\r\nHost: a\r\n${accept}\r\n`);
      expect(r?.headers.has("content-encoding")).toBe(false);
      expect(r?.headers.get("vary")).toEqual(["Accept-Encoding"]);
      expect(r?.body).toBe("x".repeat(1000));
    }
  });
});

describe("ReverseProxyResource", () => {
  function proxied(target: string, extra = "", body = "") {
    const reactor = new MemoryReactor();
    const proxy = new ReverseProxyResource("upstream", 8000, "/base", reactor);
    const c = connect(proxy);
    c.feed(
      `GET ${target} HTTP/1.1\r\nHost: front\r\nProxy-Connection: keep-alive\r\n${extra}\r\n${body}`,
    );
    const [host, port, factory] = reactor.tcpClients[0] ?? [];
    return { c, host, port, factory: factory as ProxyClientFactory };
  }

  it("connects upstream and forwards the path, query, Host with port and Connection: close", () => {
    const { host, port, factory } = proxied("/a%20b/c?x=1&y=2");
    expect([host, port]).toEqual(["upstream", 8000]);
    const client = factory.buildProtocol(new IPv4Address("TCP", "upstream", 8000));
    const upstream = new StringTransport();
    client.makeConnection(upstream);
    const sent = upstream.value().toString("latin1");
    expect(sent.startsWith("GET /base/a%20b/c?x=1&y=2 HTTP/1.0\r\n")).toBe(true);
    expect(sent).toMatch(/\r\nHost: upstream:8000\r\n/);
    expect(sent).toMatch(/\r\nConnection: close\r\n/);
    expect(sent).not.toMatch(/Proxy-Connection/i);
  });

  it("leaves the port out of Host when it is 80", () => {
    const reactor = new MemoryReactor();
    const c = connect(new ReverseProxyResource("up", 80, "", reactor));
    c.feed("GET / HTTP/1.1\r\nHost: front\r\n\r\n");
    const factory = reactor.tcpClients[0]?.[2] as ProxyClientFactory;
    expect(factory.headers.get("Host")).toEqual(["up"]);
    expect(factory.rest).toBe("/");
  });

  it("copies the upstream's status, headers and body, replacing Server, Date and Content-Type", () => {
    const { c, factory } = proxied("/p");
    const client = factory.buildProtocol(new IPv4Address("TCP", "upstream", 8000));
    client.makeConnection(new StringTransport());
    client.dataReceived(
      Buffer.from(
        "HTTP/1.1 201 Made\r\nServer: up/1\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\nX-Up: 1\r\nContent-Length: 4\r\n\r\nbody",
      ),
    );
    const r = parseResponses(c.out())[0];
    expect(r?.status).toBe(201);
    expect(r?.reason).toBe("Made");
    expect(r?.headers.get("server")).toEqual(["up/1"]);
    expect(r?.headers.get("date")).toEqual(["Sun, 06 Nov 1994 08:49:37 GMT"]);
    expect(r?.headers.get("content-type")).toEqual(["text/plain"]);
    expect(r?.headers.get("x-up")).toEqual(["1"]);
    expect(r?.body).toBe("body");
  });

  it("relays a chunked upstream body and one read until close", () => {
    const a = proxied("/p");
    const ca = a.factory.buildProtocol(new IPv4Address("TCP", "upstream", 8000));
    ca.makeConnection(new StringTransport());
    ca.dataReceived(
      Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    );
    expect(parseResponses(a.c.out())[0]?.body).toBe("abc");
    const b = proxied("/p");
    const cb = b.factory.buildProtocol(new IPv4Address("TCP", "upstream", 8000));
    cb.makeConnection(new StringTransport());
    cb.dataReceived(Buffer.from("HTTP/1.0 200 OK\r\n\r\nuntil close"));
    cb.connectionLost(new Failure(new ConnectionDone()));
    expect(parseResponses(b.c.out())[0]?.body).toBe("until close");
  });

  it("forwards the request body", () => {
    const reactor = new MemoryReactor();
    const c = connect(new ReverseProxyResource("up", 80, "", reactor));
    c.feed("POST /f HTTP/1.1\r\nHost: front\r\nContent-Length: 3\r\n\r\nabc");
    const factory = reactor.tcpClients[0]?.[2] as ProxyClientFactory;
    const upstream = new StringTransport();
    factory.buildProtocol(new IPv4Address("TCP", "up", 80)).makeConnection(upstream);
    expect(upstream.value().toString()).toMatch(/Content-Length: 3\r\n[\s\S]*\r\n\r\nabc$/);
  });

  it('answers 501 "Gateway error" when the upstream cannot be reached', () => {
    const { c, factory } = proxied("/p");
    factory.clientConnectionFailed(reactorConnector(), new Failure(new ConnectionRefusedError()));
    const r = parseResponses(c.out())[0];
    expect(r?.status).toBe(501);
    expect(r?.reason).toBe("Gateway error");
    expect(r?.body).toBe("<H1>Could not connect</H1>");
  });
});

function reactorConnector() {
  const reactor = new MemoryReactor();
  return reactor.connectTCP(
    "x",
    1,
    new ProxyClientFactory("GET", "/", "HTTP/1.1", new Map(), Buffer.alloc(0), {} as IRequest),
  );
}
