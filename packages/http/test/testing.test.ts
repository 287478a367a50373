import {
  ConnectionDone,
  ConnectionLost,
  type IPullProducer,
  type IPushProducer,
} from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { CACHED, type IRequest, NOT_DONE_YET, Resource } from "../src/index.js";
import {
  DummyRequest,
  getChildForRequest,
  postpathFromURI,
  renderRequest,
} from "../src/testing.js";

class Text extends Resource {
  override isLeaf = true;
  constructor(private readonly text: string) {
    super();
  }
  render_GET(request: IRequest): string {
    return `${this.text}:${request.postpath.join(",")}`;
  }
}

class Later extends Resource {
  override isLeaf = true;
  pending: IRequest[] = [];
  render_GET(request: IRequest): typeof NOT_DONE_YET {
    this.pending.push(request);
    return NOT_DONE_YET;
  }
}

const DATE_0 = "Thu, 01 Jan 1970 00:00:00 GMT";
const DATE_100 = new Date(100_000).toUTCString();
const DATE_200 = new Date(200_000).toUTCString();

describe("DummyRequest construction", () => {
  it("builds the uri from the postpath and defaults to GET over HTTP/1.1", () => {
    const r = new DummyRequest(["a", "b c"]);
    expect(r.uri).toBe("/a/b%20c");
    expect(r.path).toBe("/a/b%20c");
    expect(r.method).toBe("GET");
    expect(r.clientproto).toBe("HTTP/1.1");
    expect(r.prepath).toEqual([]);
    expect(r.code).toBe(200);
    expect(r.responseCode).toBeUndefined();
    expect(r.codeMessage).toBe("OK");
  });

  it("builds the postpath from the uri when none is given, decoding each segment", () => {
    const r = new DummyRequest(undefined, { uri: "/a/%2e%2e/b%2Fc/%c0%ae?x=1&x=&y=2" });
    expect(r.postpath).toEqual(["a", "..", "b/c", "\ufffd\ufffd"]);
    expect(r.path).toBe("/a/%2e%2e/b%2Fc/%c0%ae");
    expect(r.args.get("x")).toEqual(["1", ""]);
    expect(r.args.get("y")).toEqual(["2"]);
  });

  it("splits a bare slash into one empty segment", () => {
    expect(postpathFromURI("/")).toEqual([""]);
    expect(postpathFromURI("/a/")).toEqual(["a", ""]);
  });

  it("takes headers, a body, addresses and the TLS flag", () => {
    const r = new DummyRequest([], {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: ["a=1; b=2"] },
      body: "k=v&k=w",
      secure: true,
    });
    expect(r.getHeader("content-type")).toBe("application/x-www-form-urlencoded");
    expect(r.content.length).toBe(7);
    expect(r.content.read().toString()).toBe("k=v&k=w");
    expect(r.args.get("k")).toEqual(["v", "w"]);
    expect(r.getCookie("b")).toBe("2");
    expect(r.getCookie("c")).toBeUndefined();
    expect(r.isSecure()).toBe(true);
    expect(r.getClientAddress().toString()).toContain("127.0.0.1");
  });

  it("builds prePathURL from the Host header, the port and the prepath", () => {
    const r = new DummyRequest(["x"], { headers: { host: "example.com:8080" }, prepath: ["a b"] });
    expect(r.prePathURL()).toBe("http://example.com/a%20b");
    const s = new DummyRequest([], { secure: true });
    expect(s.prePathURL()).toBe("https://127.0.0.1:80/");
  });
});

describe("DummyRequest writing", () => {
  it("records writes, counts finishes and fires notifyFinish", async () => {
    const r = new DummyRequest([]);
    const d = r.notifyFinish();
    r.write("ab");
    r.write(Buffer.from("cd"));
    expect(r.startedWriting).toBe(true);
    expect(r.sentLength).toBe(4);
    expect(d.called).toBe(false);
    r.finish();
    expect(d.called).toBe(true);
    await d;
    expect(r.written.map(String)).toEqual(["ab", "cd"]);
    expect(r.writtenBody().toString()).toBe("abcd");
    expect(r.finished).toBe(true);
    r.finish();
    expect(r.finishCount).toBe(2);
    expect(r.notifyFinish().called).toBe(true);
  });

  it("refuses a write after finish", () => {
    const r = new DummyRequest([]);
    r.finish();
    expect(() => r.write("x")).toThrow(/after Request.finish/);
  });

  it("ignores writes and refuses finish after the connection was lost", async () => {
    const r = new DummyRequest([]);
    const d = r.notifyFinish();
    r.connectionLost();
    await expect(d.asPromise()).rejects.toBeInstanceOf(ConnectionLost);
    r.write("x");
    expect(r.written).toEqual([]);
    expect(() => r.finish()).toThrow(/connection was lost/);
    await expect(r.notifyFinish().asPromise()).rejects.toBeInstanceOf(ConnectionLost);
  });

  it("errbacks notifyFinish on processingFailed and records the reason", async () => {
    const r = new DummyRequest([]);
    const d = r.notifyFinish();
    const reason = new Error("boom");
    r.processingFailed(reason);
    await expect(d.asPromise()).rejects.toBe(reason);
    expect(r.failures).toEqual([reason]);
    expect(r.code).toBe(500);
  });

  it("sets headers, codes, redirects and sanitised cookies", () => {
    const r = new DummyRequest([]);
    r.setHeader("X-A", "1");
    r.setHeader("x-a", "2");
    expect(r.responseHeaders.getRawHeaders("x-a")).toEqual(["2"]);
    r.setResponseCode(418, "Teapot");
    expect(r.codeMessage).toBe("Teapot");
    r.redirect("/elsewhere");
    expect(r.code).toBe(302);
    expect(r.responseHeaders.getHeader("location")).toBe("/elsewhere");
    r.addCookie("n;\r\n", "v;x", { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
    expect(r.cookies).toEqual(["n=vx; Path=/; Secure; HttpOnly; SameSite=Lax"]);
    expect(() => r.setResponseCode(1.5)).toThrow(TypeError);
  });
});

describe("DummyRequest producers", () => {
  it("drives a pull producer to completion synchronously", () => {
    const r = new DummyRequest([]);
    let left = 3;
    const producer: IPullProducer = {
      resumeProducing() {
        if (left === 0) {
          r.unregisterProducer();
          r.finish();
          return;
        }
        r.write(String(left--));
      },
      stopProducing() {},
    };
    r.registerProducer(producer, false);
    expect(r.writtenBody().toString()).toBe("321");
    expect(r.finished).toBe(true);
    expect(r.producer).toBeUndefined();
  });

  it("pulls an asynchronous pull producer again after each write", async () => {
    const r = new DummyRequest([]);
    let left = 3;
    const producer: IPullProducer = {
      resumeProducing() {
        setTimeout(() => {
          if (left === 0) {
            r.unregisterProducer();
            r.finish();
          } else {
            r.write(String(left--));
          }
        }, 0);
      },
      stopProducing() {},
    };
    r.registerProducer(producer, false);
    await r.notifyFinish();
    expect(r.writtenBody().toString()).toBe("321");
  });

  it("pulls by hand when autoProduce is off", () => {
    const r = new DummyRequest([], { autoProduce: false });
    let n = 0;
    const producer: IPullProducer = {
      resumeProducing() {
        r.write(String(n++));
        if (n === 2) r.unregisterProducer();
      },
      stopProducing() {},
    };
    r.registerProducer(producer, false);
    expect(r.written).toEqual([]);
    expect(r.pumpProducer()).toBe(1);
    expect(r.pumpProducer(5)).toBe(1);
    expect(r.writtenBody().toString()).toBe("01");
  });

  it("pauses and resumes a push producer and stops it on connection loss", () => {
    const r = new DummyRequest([]);
    const calls: string[] = [];
    const producer: IPushProducer = {
      pauseProducing: () => calls.push("pause"),
      resumeProducing: () => calls.push("resume"),
      stopProducing: () => calls.push("stop"),
    };
    r.registerProducer(producer, true);
    expect(r.streamingProducer).toBe(true);
    expect(() => r.registerProducer(producer, true)).toThrow(/previous one/);
    r.pauseProducer();
    r.pauseProducer();
    r.resumeProducer();
    r.connectionLost(new ConnectionDone());
    expect(calls).toEqual(["pause", "resume", "stop"]);
    expect(r.producer).toBeUndefined();
  });
});

describe("DummyRequest conditional requests", () => {
  const make = (method: string, headers: Record<string, string>): DummyRequest =>
    new DummyRequest([], { method, headers });

  it("answers If-Modified-Since with 304 when not modified since", () => {
    const r = make("GET", { "if-modified-since": DATE_100 });
    expect(r.setLastModified(99.5)).toBe(CACHED);
    expect(r.code).toBe(304);
    expect(r.responseHeaders.getHeader("last-modified")).toBe(DATE_100);
    expect(make("GET", { "if-modified-since": DATE_100 }).setLastModified(101)).toBeNull();
  });

  it("keeps only a later modification time", () => {
    const r = make("GET", {});
    r.setLastModified(200);
    r.setLastModified(100);
    expect(r.lastModified).toBe(200);
    expect(r.responseHeaders.getHeader("last-modified")).toBe(DATE_200);
  });

  it("ignores If-Modified-Since for POST and for a garbage date", () => {
    expect(make("POST", { "if-modified-since": DATE_200 }).setLastModified(100)).toBeNull();
    expect(make("GET", { "if-modified-since": "yesterday" }).setLastModified(100)).toBeNull();
  });

  it("accepts a date with a trailing length parameter", () => {
    expect(
      make("GET", { "if-modified-since": `${DATE_200}; length=12` }).setLastModified(100),
    ).toBe(CACHED);
  });

  it("answers a matching If-None-Match with 304 for GET and HEAD and 412 otherwise", () => {
    for (const [method, code] of [
      ["GET", 304],
      ["HEAD", 304],
      ["PUT", 412],
      ["DELETE", 412],
    ] as const) {
      const r = make(method, { "if-none-match": 'W/"x", "abc"' });
      expect(r.setETag('"abc"')).toBe(CACHED);
      expect(r.code).toBe(code);
    }
    const weak = make("GET", { "if-none-match": 'W/"abc"' });
    expect(weak.setETag('"abc"')).toBe(CACHED);
    expect(make("GET", { "if-none-match": "*" }).setETag('"q"')).toBe(CACHED);
    expect(make("GET", { "if-none-match": '"zzz"' }).setETag('"abc"')).toBeNull();
  });

  it("fails If-Match without a strong match with 412", () => {
    const r = make("PUT", { "if-match": '"other"' });
    expect(r.setETag('"abc"')).toBe(CACHED);
    expect(r.code).toBe(412);
    expect(make("PUT", { "if-match": 'W/"abc"' }).setETag('"abc"')).toBe(CACHED);
    expect(make("PUT", { "if-match": '"abc"' }).setETag('"abc"')).toBeNull();
    expect(make("PUT", { "if-match": "*" }).setETag('"abc"')).toBeNull();
  });

  it("fails If-Unmodified-Since with 412 when modified later, unless If-Match is there", () => {
    const r = make("GET", { "if-unmodified-since": DATE_100 });
    expect(r.setLastModified(200)).toBe(CACHED);
    expect(r.code).toBe(412);
    expect(make("GET", { "if-unmodified-since": DATE_200 }).setLastModified(100)).toBeNull();
    const both = make("GET", { "if-unmodified-since": DATE_0, "if-match": '"abc"' });
    expect(both.setLastModified(200)).toBeNull();
    expect(both.setETag('"abc"')).toBeNull();
    expect(both.code).toBe(200);
  });

  it("lets If-None-Match override If-Modified-Since, whatever the call order", () => {
    const r = make("GET", { "if-none-match": '"new"', "if-modified-since": DATE_200 });
    expect(r.setLastModified(100)).toBeNull();
    expect(r.setETag('"old"')).toBeNull();
    expect(r.code).toBe(200);
  });

  it("puts a failed If-Match before a matching If-None-Match", () => {
    const r = make("GET", { "if-match": '"x"', "if-modified-since": DATE_200 });
    r.setLastModified(100);
    expect(r.code).toBe(304);
    expect(r.setETag('"abc"')).toBe(CACHED);
    expect(r.code).toBe(412);
  });
});

describe("renderRequest", () => {
  it("traverses to a leaf and writes a returned body", async () => {
    const root = new Resource();
    root.putChild("a", new Text("A"));
    const r = new DummyRequest(["a", "b", "c"]);
    const body = await renderRequest(root, r);
    expect(body.toString()).toBe("A:b,c");
    expect(r.prepath).toEqual(["a"]);
    expect(r.finished).toBe(true);
  });

  it("renders the 404 page for a missing child", async () => {
    const r = new DummyRequest(["nope"]);
    const body = await renderRequest(new Resource(), r);
    expect(r.code).toBe(404);
    expect(body.toString()).toContain("No Such Resource");
  });

  it("waits for finish after NOT_DONE_YET", async () => {
    const later = new Later();
    const r = new DummyRequest([]);
    const d = renderRequest(later, r);
    expect(d.called).toBe(false);
    later.pending[0]?.write("late");
    later.pending[0]?.finish();
    expect((await d).toString()).toBe("late");
  });

  it("errbacks when render throws", async () => {
    const r = new DummyRequest([], { method: "PATCH" });
    await expect(renderRequest(new Text("x"), r).asPromise()).rejects.toThrow(/allowed/);
  });

  it("returns the resource without traversing when postpath is empty", () => {
    const root = new Resource();
    expect(getChildForRequest(root, new DummyRequest([]))).toBe(root);
  });
});
