import { Clock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import {
  CookieAgent,
  CookieJar,
  domainMatch,
  parseCookieDate,
  pathMatch,
} from "../../src/client/cookies.js";
import { Headers } from "../../src/headers.js";
import { FakeAgent, outcome } from "./helpers.js";

function jar(): { jar: CookieJar; clock: Clock } {
  const clock = new Clock();
  clock.advance(1_700_000_000);
  return { jar: new CookieJar(clock), clock };
}

describe("CookieJar", () => {
  it("sends a host-only cookie back to the same host only", () => {
    const { jar: j } = jar();
    j.setCookie("http://example.com/", "a=1");
    expect(j.cookieHeaderFor("http://example.com/x")).toBe("a=1");
    expect(j.cookieHeaderFor("http://sub.example.com/")).toBeUndefined();
    expect(j.cookieHeaderFor("http://other.com/")).toBeUndefined();
  });

  it("sends a Domain cookie to subdomains, and refuses one for another site", () => {
    const { jar: j } = jar();
    j.setCookie("http://www.example.com/", "a=1; Domain=.example.com");
    expect(j.cookieHeaderFor("http://api.example.com/")).toBe("a=1");
    expect(j.cookieHeaderFor("http://example.com/")).toBe("a=1");
    expect(j.cookieHeaderFor("http://badexample.com/")).toBeUndefined();
    j.setCookie("http://evil.com/", "steal=1; Domain=example.com");
    j.setCookie("http://example.com/", "tld=1; Domain=com");
    expect(j.allCookies().map((c) => c.name)).toEqual(["a"]);
  });

  it("refuses a Domain attribute on an IP address host other than itself", () => {
    const { jar: j } = jar();
    j.setCookie("http://10.0.0.1/", "a=1; Domain=0.0.1");
    expect(j.allCookies()).toEqual([]);
    expect(domainMatch("10.0.0.1", "0.0.1")).toBe(false);
  });

  it("matches paths per RFC 6265, with the default path from the request", () => {
    const { jar: j } = jar();
    j.setCookie("http://example.com/docs/page", "d=1");
    j.setCookie("http://example.com/", "p=1; Path=/docs/api");
    expect(j.cookieHeaderFor("http://example.com/docs/api/x")).toBe("p=1; d=1");
    expect(j.cookieHeaderFor("http://example.com/docs")).toBe("d=1");
    expect(j.cookieHeaderFor("http://example.com/docsx")).toBeUndefined();
    expect(pathMatch("/docs/api", "/docs/")).toBe(true);
    expect(pathMatch("/docsapi", "/docs")).toBe(false);
  });

  it("sends Secure cookies over https only, and refuses one set over http", () => {
    const { jar: j } = jar();
    j.setCookie("https://example.com/", "s=1; Secure");
    j.setCookie("http://example.com/", "t=1; Secure");
    expect(j.cookieHeaderFor("https://example.com/")).toBe("s=1");
    expect(j.cookieHeaderFor("http://example.com/")).toBeUndefined();
  });

  it("expires cookies by Max-Age (which wins over Expires) on the clock", () => {
    const { jar: j, clock } = jar();
    j.setCookie("http://example.com/", "m=1; Expires=Wed, 01 Jan 2098 00:00:00 GMT; Max-Age=10");
    j.setCookie("http://example.com/", "e=1; Expires=Wed, 01 Jan 2098 00:00:00 GMT");
    expect(j.cookieHeaderFor("http://example.com/")).toBe("m=1; e=1");
    clock.advance(10);
    expect(j.cookieHeaderFor("http://example.com/")).toBe("e=1");
  });

  it("deletes a cookie set again with a past expiry", () => {
    const { jar: j } = jar();
    j.setCookie("http://example.com/", "a=1");
    j.setCookie("http://example.com/", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    expect(j.allCookies()).toEqual([]);
    j.setCookie("http://example.com/", "b=1");
    j.setCookie("http://example.com/", "b=1; Max-Age=0");
    expect(j.allCookies()).toEqual([]);
  });

  it("replaces a cookie with the same name, domain and path", () => {
    const { jar: j } = jar();
    j.setCookie("http://example.com/", "a=1");
    j.setCookie("http://example.com/", "a=2");
    expect(j.cookieHeaderFor("http://example.com/")).toBe("a=2");
  });

  it("ignores a Set-Cookie without a name", () => {
    const { jar: j } = jar();
    j.setCookie("http://example.com/", "novalue");
    j.setCookie("http://example.com/", "=x");
    expect(j.allCookies()).toEqual([]);
  });

  it("parses the cookie date forms", () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;
    expect(parseCookieDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(t);
    expect(parseCookieDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(t);
    expect(parseCookieDate("Sun Nov  6 08:49:37 1994")).toBe(t);
    expect(parseCookieDate("garbage")).toBeUndefined();
  });
});

describe("CookieAgent", () => {
  it("stores the response's cookies and sends them to the same site only", () => {
    const fake = new FakeAgent();
    const cookieJar = new CookieJar();
    const agent = new CookieAgent(fake, cookieJar);
    outcome(agent.request("GET", "http://a.example/"));
    fake.answer(200, { "set-cookie": ["sid=42; Path=/", "x=y"] });
    agent.request("GET", "http://a.example/page", new Headers({ cookie: ["mine=1"] }));
    expect(fake.calls[1]?.headers?.getRawHeaders("cookie")).toEqual(["mine=1; sid=42; x=y"]);
    agent.request("GET", "http://b.example/");
    expect(fake.calls[2]?.headers?.hasHeader("cookie")).toBe(false);
  });
});
