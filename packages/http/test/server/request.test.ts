/**
 * Request: writing, finishing, state errors, conditional requests, cookies, sessions, args,
 * bodies, URLs.
 */
import { existsSync } from "node:fs";
import { ConnectionDone, Failure, IPv4Address } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { RequestStateError } from "../../src/errors.js";
import { CACHED, type IRequest, NOT_DONE_YET, type RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import type { Request } from "../../src/server/request.js";
import { connect, parseResponses } from "./helpers.js";

/** Calls `fn` with the request and holds it. */
class Custom extends Resource {
  override isLeaf = true;
  readonly requests: Request[] = [];
  constructor(private readonly fn: (request: Request) => RenderResult) {
    super();
  }
  override render(request: IRequest): RenderResult {
    this.requests.push(request as Request);
    return this.fn(request as Request);
  }
}

function run(
  fn: (request: Request) => RenderResult,
  raw = "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
  heads: boolean[] = [],
) {
  const root = new Custom(fn);
  const c = connect(root);
  c.feed(raw);
  return {
    c,
    root,
    request: root.requests[0] as Request,
    responses: () => parseResponses(c.out(), heads),
  };
}

describe("Request writing", () => {
  it("sends Server, Date and a default Content-Type", () => {
    const { responses } = run(() => "x");
    const h = responses()[0]?.headers;
    expect(h?.get("server")?.[0]).toMatch(/^TwistedWeb\//);
    expect(h?.get("date")?.[0]).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
    expect(h?.get("content-type")).toEqual(["text/html"]);
    expect(h?.get("content-length")).toEqual(["1"]);
  });

  it("chunks a body without Content-Length on HTTP/1.1", () => {
    const { c } = run((r) => {
      r.write("ab");
      r.write(Buffer.from("cde"));
      r.finish();
      return NOT_DONE_YET;
    });
    expect(c.out()).toMatch(/Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n$/);
  });

  it("does not chunk on HTTP/1.0", () => {
    const { c } = run((r) => {
      r.write("ab");
      r.finish();
      return NOT_DONE_YET;
    }, "GET / HTTP/1.0\r\n\r\n");
    expect(c.out()).not.toMatch(/chunked/);
    expect(c.out().endsWith("\r\n\r\nab")).toBe(true);
  });

  it("drops the body of HEAD but keeps Content-Length", () => {
    const { c, responses } = run(() => "four", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", [true]);
    expect(c.out().endsWith("\r\n\r\n")).toBe(true);
    expect(responses()[0]?.headers.get("content-length")).toEqual(["4"]);
  });

  it("fakes HEAD through render_GET", () => {
    class G extends Resource {
      override isLeaf = true;
      render_GET(): RenderResult {
        return "body";
      }
    }
    const c = connect(new G());
    c.feed("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(c.out()).toMatch(/Content-Length: 4\r\n/);
    expect(c.out().endsWith("\r\n\r\n")).toBe(true);
  });

  it("never chunks HEAD, 204 or 304, and gives 204 and 304 no Content-Type", () => {
    for (const code of [204, 304]) {
      const { c } = run((r) => {
        r.setResponseCode(code);
        r.write("ignored");
        r.finish();
        return NOT_DONE_YET;
      });
      expect(c.out()).not.toMatch(/chunked|Content-Type|ignored/i);
      expect(c.transport.disconnecting).toBe(false);
    }
  });

  it("gives Content-Length 0 no Content-Type", () => {
    const { c } = run(() => "");
    expect(c.out()).not.toMatch(/Content-Type/);
  });

  it("turns CR and LF in header values into spaces", () => {
    const { c } = run((r) => {
      r.setHeader("x-a", "b\r\nSet-Cookie: evil");
      return "";
    });
    expect(c.out()).toMatch(/X-A: b {2}Set-Cookie: evil\r\n/);
    expect(c.out()).not.toMatch(/\r\nSet-Cookie/);
  });

  it("sends a custom reason phrase", () => {
    const { c } = run((r) => {
      r.setResponseCode(299, "Fine Enough");
      return "";
    });
    expect(c.out()).toMatch(/^HTTP\/1\.1 299 Fine Enough\r\n/);
  });

  it("counts sentLength", () => {
    const { request } = run(() => "12345");
    expect(request.sentLength).toBe(5);
  });
});

describe("Request state rules", () => {
  it("throws on write after finish", () => {
    const { request } = run(() => "x");
    expect(() => request.write("y")).toThrow(RequestStateError);
  });

  it("throws on finish after the connection was lost, and ignores write", () => {
    const { c, request } = run(() => NOT_DONE_YET);
    c.channel.connectionLost(new Failure(new ConnectionDone()));
    request.write("ignored");
    expect(() => request.finish()).toThrow(RequestStateError);
    expect(c.out()).toBe("");
  });

  it("warns on a second finish instead of throwing", () => {
    const { request } = run(() => "x");
    expect(() => request.finish()).not.toThrow();
  });

  it("fires notifyFinish on completion", async () => {
    let fired = false;
    const { request } = run(() => NOT_DONE_YET);
    request.notifyFinish().addCallback(() => {
      fired = true;
    });
    request.finish();
    expect(fired).toBe(true);
    await expect(request.notifyFinish().asPromise()).resolves.toBeUndefined();
  });

  it("errbacks notifyFinish when the connection is lost", () => {
    const { c, request } = run(() => NOT_DONE_YET);
    let reason: unknown;
    request.notifyFinish().addErrback((f: Failure) => {
      reason = f.value;
      return undefined;
    });
    c.channel.connectionLost(new Failure(new ConnectionDone()));
    expect(reason).toBeInstanceOf(ConnectionDone);
  });

  it("registers the producer with the transport and unregisters it", () => {
    const producer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    const { c, request } = run(() => NOT_DONE_YET);
    request.registerProducer(producer, true);
    expect(c.transport.producer).toBe(producer);
    expect(() => request.registerProducer(producer, true)).toThrow();
    request.unregisterProducer();
    expect(c.transport.producer).toBeUndefined();
    request.finish();
  });

  it("stops the producer when the connection is lost", () => {
    let stopped = false;
    const producer = {
      pauseProducing() {},
      resumeProducing() {},
      stopProducing: () => {
        stopped = true;
      },
    };
    const { c, request } = run(() => NOT_DONE_YET);
    request.registerProducer(producer, true);
    c.channel.connectionLost(new Failure(new ConnectionDone()));
    expect(stopped).toBe(true);
  });
});

describe("Request conditional responses", () => {
  const ims = (date: string) => `GET / HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: ${date}\r\n\r\n`;

  it("answers 304 when If-Modified-Since is not older", () => {
    let result: unknown;
    const { c } = run((r) => {
      result = r.setLastModified(784111777);
      return result === CACHED ? "" : "body";
    }, ims("Sun, 06 Nov 1994 08:49:37 GMT"));
    expect(result).toBe(CACHED);
    expect(c.out()).toMatch(/^HTTP\/1\.1 304 Not Modified/);
    expect(c.out()).toMatch(/Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT/);
  });

  it("serves the body when the resource changed since", () => {
    const { c } = run(
      (r) => (r.setLastModified(784111778) === CACHED ? "" : "body"),
      ims("Sun, 06 Nov 1994 08:49:37 GMT"),
    );
    expect(c.out()).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it("parses RFC 850 and asctime dates", () => {
    for (const d of ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]) {
      const { c } = run((r) => (r.setLastModified(784111777) === CACHED ? "" : "body"), ims(d));
      expect(c.out()).toMatch(/^HTTP\/1\.1 304/);
    }
  });

  it("keeps only a later modification time", () => {
    const { request } = run((r) => {
      r.setLastModified(100);
      r.setLastModified(50);
      return "";
    });
    expect(request.lastModified).toBe(100);
  });

  it("answers If-None-Match with 304 for GET and 412 for POST", () => {
    const get = run(
      (r) => (r.setETag('"abc"') === CACHED ? "" : "body"),
      'GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: "x", "abc"\r\n\r\n',
    );
    expect(get.c.out()).toMatch(/^HTTP\/1\.1 304/);
    expect(get.c.out()).toMatch(/ETag: "abc"/);
    const post = run(
      (r) => (r.setETag('"abc"') === CACHED ? "" : "body"),
      "POST / HTTP/1.1\r\nHost: a\r\nIf-None-Match: *\r\nContent-Length: 0\r\n\r\n",
    );
    expect(post.c.out()).toMatch(/^HTTP\/1\.1 412/);
  });

  it("answers a failed If-Match with 412", () => {
    const { c } = run(
      (r) => (r.setETag('"abc"') === CACHED ? "" : "body"),
      'PUT / HTTP/1.1\r\nHost: a\r\nIf-Match: "other"\r\nContent-Length: 0\r\n\r\n',
    );
    expect(c.out()).toMatch(/^HTTP\/1\.1 412/);
  });

  it("answers a failed If-Unmodified-Since with 412", () => {
    const { c } = run(
      (r) => (r.setLastModified(784111778) === CACHED ? "" : "body"),
      "GET / HTTP/1.1\r\nHost: a\r\nIf-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
    );
    expect(c.out()).toMatch(/^HTTP\/1\.1 412/);
  });
});

describe("Request arguments and body", () => {
  it("parses the query with blank values kept", () => {
    const { request } = run(() => "", "GET /p?a=1&a=2&b=&c&d=%C3%A9+x HTTP/1.1\r\nHost: a\r\n\r\n");
    expect([...request.args]).toEqual([
      ["a", ["1", "2"]],
      ["b", [""]],
      ["c", [""]],
      ["d", ["é x"]],
    ]);
    expect(request.path).toBe("/p");
  });

  it("merges a form body after the query", () => {
    const { request } = run(
      () => "",
      "POST /?a=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: 7\r\n\r\na=2&b=3",
    );
    expect(request.args.get("a")).toEqual(["1", "2"]);
    expect(request.args.get("b")).toEqual(["3"]);
  });

  it("keeps small bodies in memory", () => {
    const { request } = run(() => "", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
    expect(request.content.spooled).toBe(false);
    expect(request.content.read().toString()).toBe("abc");
  });

  it("spools a big body to a temporary file and removes it after the request", () => {
    const body = "z".repeat(100_001);
    let path: string | null = null;
    let read = "";
    run((r) => {
      path = r.content.path;
      read = r.content.read().toString();
      expect(existsSync(path as string)).toBe(true);
      return "";
    }, `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(read).toBe(body);
    expect(path).not.toBeNull();
    expect(existsSync(path as unknown as string)).toBe(false);
  });

  it("spools a chunked body (unknown length)", () => {
    let spooled = false;
    run((r) => {
      spooled = r.content.spooled;
      return "";
    }, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
    expect(spooled).toBe(true);
  });

  it("removes the spooled body when the connection is lost", () => {
    const { c, request } = run(
      () => NOT_DONE_YET,
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    );
    const path = request.content.path as string;
    expect(existsSync(path)).toBe(true);
    c.channel.connectionLost(new Failure(new ConnectionDone()));
    expect(existsSync(path)).toBe(false);
  });
});

describe("Request cookies and sessions", () => {
  it("reads cookies from every Cookie header", () => {
    const { request } = run(
      () => "",
      "GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1; b=2\r\nCookie: c=3\r\n\r\n",
    );
    expect(request.getCookie("b")).toBe("2");
    expect(request.getCookie("c")).toBe("3");
    expect(request.getCookie("z")).toBeUndefined();
  });

  it("sanitises cookies and writes their attributes", () => {
    const { c } = run((r) => {
      r.addCookie("n;a\r\nme", "v;al", {
        path: "/",
        domain: "example.com",
        maxAge: 10,
        expires: new Date(0),
        secure: true,
        httpOnly: true,
        sameSite: "Lax",
      });
      return "";
    });
    expect(c.out()).toMatch(
      /Set-Cookie: n a me=v al; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=\/; Max-Age=10; Secure; HttpOnly; SameSite=Lax\r\n/,
    );
  });

  it("makes a session with a TWISTED_SESSION cookie, finds it again, and expires it after 900 s", () => {
    const first = run((r) => r.getSession().uid);
    const uid = parseResponses(first.c.out())[0]?.body as string;
    expect(first.c.out()).toMatch(new RegExp(`Set-Cookie: TWISTED_SESSION=${uid}; Path=/\r\n`));
    const site = first.c.site;
    expect(site.getSession(uid)).toBeDefined();
    first.c.clock.advance(899);
    expect(site.getSession(uid)).toBeDefined();
    let expired = false;
    site.getSession(uid)?.notifyOnExpire(() => {
      expired = true;
    });
    first.c.clock.advance(1);
    expect(site.getSession(uid)).toBeUndefined();
    expect(expired).toBe(true);
  });

  it("touching a session pushes its expiry back", () => {
    const { c, request } = run((r) => r.getSession().uid);
    const session = request.session;
    c.clock.advance(800);
    session?.touch();
    c.clock.advance(800);
    expect(c.site.getSession(session?.uid ?? "")).toBe(session);
  });
});

describe("Request URLs and identity", () => {
  it("builds prePathURL from Host, the port and the quoted prepath", () => {
    class Child extends Resource {
      override isLeaf = true;
      url = "";
      override render(request: IRequest): RenderResult {
        this.url = request.prePathURL();
        return "";
      }
    }
    const root = new Resource();
    const child = new Child();
    root.putChild("a b", child);
    const c = connect(root);
    c.feed("GET /a%20b/rest HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
    expect(child.url).toBe("http://example.com:8080/a%20b");
  });

  it("redirects with 302 and Location", () => {
    const { c } = run((r) => {
      r.redirect("/elsewhere");
      return "";
    });
    expect(c.out()).toMatch(/^HTTP\/1\.1 302 Found\r\n[\s\S]*Location: \/elsewhere\r\n/);
  });

  it("reads Basic credentials", () => {
    const auth = Buffer.from("user:pa:ss").toString("base64");
    const { request } = run(
      () => "",
      `GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic ${auth}\r\n\r\n`,
    );
    expect(request.getUser()).toBe("user");
    expect(request.getPassword()).toBe("pa:ss");
  });

  it("reports the client and host addresses and no TLS", () => {
    const { request } = run(() => "");
    expect(request.getClientAddress()).toEqual(new IPv4Address("TCP", "127.0.0.1", 5555));
    expect((request.getHost() as IPv4Address).port).toBe(8080);
    expect(request.isSecure()).toBe(false);
  });

  it("takes the path of an absolute-form target", () => {
    const { request } = run(
      () => "",
      "GET http://example.com/x/y?z=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
    );
    expect(request.path).toBe("/x/y");
    expect(request.args.get("z")).toEqual(["1"]);
  });
});
