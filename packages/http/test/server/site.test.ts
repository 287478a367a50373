/**
 * Site: traversal, render dispatch, the error pages, OPTIONS *, access logs.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Clock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import { proxiedLogFormatter } from "../../src/server/accessLog.js";
import { Site } from "../../src/server/site.js";
import { connect, parseResponses } from "./helpers.js";

class Echo extends Resource {
  override isLeaf = true;
  render_GET(request: IRequest): RenderResult {
    return JSON.stringify({ prepath: request.prepath, postpath: request.postpath });
  }
}

class GetOnly extends Resource {
  override isLeaf = true;
  render_GET(): RenderResult {
    return "get";
  }
  render_PUT(): RenderResult {
    return "put";
  }
}

function get(root: Resource, target: string, method = "GET") {
  const c = connect(root);
  c.feed(`${method} ${target} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`);
  return { c, r: parseResponses(c.out(), [method === "HEAD"])[0] };
}

describe("Site traversal", () => {
  it('routes "/" to the child ""', () => {
    const root = new Resource();
    root.putChild("", new Echo());
    expect(get(root, "/").r?.body).toBe('{"prepath":[""],"postpath":[]}');
  });

  it("walks children until a leaf, which keeps the rest of postpath", () => {
    const root = new Resource();
    const mid = new Resource();
    root.putChild("a", mid);
    mid.putChild("b", new Echo());
    expect(get(root, "/a/b/c/d").r?.body).toBe('{"prepath":["a","b"],"postpath":["c","d"]}');
  });

  it("percent-decodes segments as UTF-8", () => {
    const root = new Resource();
    root.putChild("é x", new Echo());
    const body = Buffer.from(get(root, "/%C3%A9%20x/%2F").r?.body ?? "", "latin1").toString();
    expect(body).toBe('{"prepath":["é x"],"postpath":["/"]}');
  });

  it('answers 404 "No Such Resource" for a missing child', () => {
    const { r } = get(new Resource(), "/nothing");
    expect(r?.status).toBe(404);
    expect(r?.headers.get("content-type")).toEqual(["text/html; charset=utf-8"]);
    expect(r?.body).toContain("<title>404 - No Such Resource</title>");
    expect(r?.body).toContain("No such child resource.");
  });
});

describe("Site render dispatch", () => {
  it("answers 405 with Allow for GET, HEAD and POST", () => {
    const { r } = get(new GetOnly(), "/", "POST");
    expect(r?.status).toBe(405);
    // HEAD comes with GET, as Twisted's Resource.render_HEAD makes it.
    expect(r?.headers.get("allow")).toEqual(["GET, HEAD, PUT"]);
    expect(r?.body).toContain(
      "with the method &#34;POST&#34;.  I only allow the methods GET, HEAD, PUT here.",
    );
  });

  it('answers 501 "Huh?" for other methods', () => {
    const { r } = get(new GetOnly(), "/", "DELETE");
    expect(r?.status).toBe(501);
    expect(r?.body).toContain("<title>501 - Huh?</title>");
    expect(r?.body).toContain("I don&#39;t know how to treat a DELETE request.");
  });

  it("uses allowedMethods when set", () => {
    const root = new GetOnly();
    root.allowedMethods = ["GET"];
    expect(get(root, "/", "POST").r?.headers.get("allow")).toEqual(["GET"]);
  });

  it('answers an exception with 500 "Processing Failed" and no traceback', () => {
    class Boom extends Resource {
      override isLeaf = true;
      render_GET(): RenderResult {
        throw new Error("secret detail");
      }
    }
    const { r } = get(new Boom(), "/");
    expect(r?.status).toBe(500);
    expect(r?.body).toBe(
      "<html><head><title>Processing Failed</title></head><body><b>Processing Failed</b></body></html>",
    );
  });

  it("shows the traceback with displayTracebacks", () => {
    class Boom extends Resource {
      override isLeaf = true;
      render_GET(): RenderResult {
        throw new Error("secret detail");
      }
    }
    const c = connect(new Boom(), { displayTracebacks: true });
    c.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(c.out()).toContain("secret detail");
    expect(c.out()).toContain("web.Server Traceback");
  });

  it("answers a non-bytes result with 500", () => {
    class Bad extends Resource {
      override isLeaf = true;
      render_GET(): RenderResult {
        return 42 as unknown as RenderResult;
      }
    }
    const { r } = get(new Bad(), "/");
    expect(r?.status).toBe(500);
    expect(r?.body).toContain("Request did not return bytes");
  });

  it("answers OPTIONS * with 200 and other methods on * with 405 Allow: OPTIONS", () => {
    const ok = get(new Resource(), "*", "OPTIONS").r;
    expect(ok?.status).toBe(200);
    expect(ok?.headers.get("content-length")).toEqual(["0"]);
    const no = get(new Resource(), "*", "GET").r;
    expect(no?.status).toBe(405);
    expect(no?.headers.get("allow")).toEqual(["OPTIONS"]);
  });
});

describe("Site access log", () => {
  it("writes one combined-format line per request", () => {
    const c = connect(new GetOnly());
    c.feed('GET /x?y=1 HTTP/1.1\r\nHost: a\r\nReferer: http://r/\r\nUser-Agent: t "1"\r\n\r\n');
    expect(c.lines).toEqual([
      '"127.0.0.1" - - [01/Jan/1970:00:00:00 +0000] "GET /x?y=1 HTTP/1.1" 200 3 "http://r/" "t \\"1\\""',
    ]);
  });

  it("writes and flushes to logPath", () => {
    const dir = mkdtempSync(join(tmpdir(), "twisted-ts-log-"));
    const logPath = join(dir, "access.log");
    const clock = new Clock();
    clock.advance(784111777);
    const site = new Site(new GetOnly(), { clock, logPath });
    site.doStart();
    const c = connect(undefined, {}, { site, clock });
    c.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    expect(readFileSync(logPath, "utf8")).toBe(
      '"127.0.0.1" - - [06/Nov/1994:08:49:37 +0000] "GET / HTTP/1.1" 200 3 "-" "-"\n' +
        '"127.0.0.1" - - [06/Nov/1994:08:49:37 +0000] "HEAD / HTTP/1.1" 200 - "-" "-"\n',
    );
    site.doStop();
  });

  it("takes the client from X-Forwarded-For with the proxied formatter", () => {
    const c = connect(new GetOnly(), { logFormatter: proxiedLogFormatter });
    c.feed("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n\r\n");
    expect(c.lines[0]).toMatch(/^"10\.0\.0\.2" - - /);
  });
});
