import { describe, expect, it } from "vitest";
import type { IResponse } from "../../src/client/iweb.js";
import {
  BrowserLikeRedirectAgent,
  RedirectAgent,
  resolveLocation,
} from "../../src/client/redirect.js";
import {
  InfiniteRedirection,
  PageRedirect,
  RedirectWithNoLocation,
  ResponseFailed,
} from "../../src/errors.js";
import { Headers } from "../../src/headers.js";
import { FakeAgent, outcome } from "./helpers.js";

function reasonOf(error: unknown): unknown {
  expect(error).toBeInstanceOf(ResponseFailed);
  return (error as ResponseFailed).reasons[0]?.value;
}

describe("RedirectAgent", () => {
  it.each([301, 302, 307, 308])("follows a %i for GET and HEAD, keeping the method", (code) => {
    for (const method of ["GET", "HEAD"]) {
      const fake = new FakeAgent();
      const seen = outcome(new RedirectAgent(fake).request(method, "http://example.com/a"));
      const first = fake.answer(code, { location: ["http://example.com/b"] });
      expect(fake.calls[1]?.method).toBe(method);
      expect(fake.calls[1]?.uri).toBe("http://example.com/b");
      const final = fake.answer(200);
      expect(seen.result).toBe(final);
      expect(seen.result?.previousResponse).toBe(first);
    }
  });

  it.each([301, 302, 307, 308])("refuses a %i for POST with PageRedirect", (code) => {
    const fake = new FakeAgent();
    const seen = outcome(new RedirectAgent(fake).request("POST", "http://example.com/a"));
    const response = fake.answer(code, { location: ["/b"] });
    const error = seen.failure?.value as ResponseFailed;
    const cause = reasonOf(error) as PageRedirect;
    expect(cause).toBeInstanceOf(PageRedirect);
    expect(cause.status).toBe(code);
    expect(cause.location).toBe("/b");
    expect(error.response).toBe(response);
    expect(fake.calls).toHaveLength(1);
  });

  it("turns a 303 into a GET without the body, for any method", () => {
    const fake = new FakeAgent();
    new RedirectAgent(fake).request("POST", "http://example.com/form");
    fake.answer(303, { location: ["/done"] });
    expect(fake.calls[1]?.method).toBe("GET");
    expect(fake.calls[1]?.bodyProducer).toBeUndefined();
    expect(fake.calls[1]?.uri).toBe("http://example.com/done");
  });

  it("resolves relative Locations against the URI that redirected", () => {
    const fake = new FakeAgent();
    new RedirectAgent(fake).request("GET", "http://example.com/a/b?x=1");
    fake.answer(302, { location: ["c"] });
    expect(fake.calls[1]?.uri).toBe("http://example.com/a/c");
    fake.answer(302, { location: ["//other.example/d"] });
    expect(fake.calls[2]?.uri).toBe("http://other.example/d");
    fake.answer(302, { location: ["../e?y#f"] });
    expect(fake.calls[3]?.uri).toBe("http://other.example/e?y#f");
    expect(resolveLocation("https://h/a/b", "/abs")).toBe("https://h/abs");
  });

  it("fails with RedirectWithNoLocation when there is no Location", () => {
    const fake = new FakeAgent();
    const seen = outcome(new RedirectAgent(fake).request("GET", "http://example.com/"));
    fake.answer(301);
    const cause = reasonOf(seen.failure?.value) as RedirectWithNoLocation;
    expect(cause).toBeInstanceOf(RedirectWithNoLocation);
    expect(cause.uri).toBe("http://example.com/");
  });

  it("fails with InfiniteRedirection past the limit", () => {
    const fake = new FakeAgent();
    const seen = outcome(new RedirectAgent(fake, 3).request("GET", "http://example.com/"));
    for (let i = 0; i < 4; i++) fake.answer(302, { location: [`/r${i}`] });
    expect(fake.calls).toHaveLength(4);
    expect(reasonOf(seen.failure?.value)).toBeInstanceOf(InfiniteRedirection);
  });

  it("follows exactly redirectLimit redirects (20 by default)", () => {
    const fake = new FakeAgent();
    const agent = new RedirectAgent(fake);
    expect(agent.redirectLimit).toBe(20);
    const seen = outcome(agent.request("GET", "http://example.com/"));
    for (let i = 0; i < 20; i++) fake.answer(302, { location: [`/r${i}`] });
    fake.answer(200);
    expect(seen.result?.code).toBe(200);
    let hops = 0;
    for (let r: IResponse | undefined = seen.result; r?.previousResponse; r = r.previousResponse)
      hops++;
    expect(hops).toBe(20);
  });

  it("drops credentials and cookies when the redirect crosses origins", () => {
    const fake = new FakeAgent();
    const headers = new Headers({
      authorization: ["Basic x"],
      cookie: ["a=1"],
      cookie2: ["b"],
      "proxy-authorization": ["p"],
      "www-authenticate": ["w"],
      "x-custom": ["kept"],
    });
    new RedirectAgent(fake).request("GET", "http://example.com/", headers);
    fake.answer(302, { location: ["http://example.com/same"] });
    expect(fake.calls[1]?.headers?.getRawHeaders("authorization")).toEqual(["Basic x"]);
    fake.answer(302, { location: ["http://example.com:8080/port"] });
    const sent = fake.calls[2]?.headers;
    for (const name of [
      "authorization",
      "cookie",
      "cookie2",
      "proxy-authorization",
      "www-authenticate",
    ]) {
      expect(sent?.hasHeader(name)).toBe(false);
    }
    expect(sent?.getRawHeaders("x-custom")).toEqual(["kept"]);
    expect(headers.hasHeader("authorization")).toBe(true);
  });

  it.each([
    ["scheme", "https://example.com/"],
    ["host", "http://evil.example/"],
  ])("treats another %s as another origin", (_what, location) => {
    const fake = new FakeAgent();
    new RedirectAgent(fake).request(
      "GET",
      "http://example.com/",
      new Headers({ authorization: ["x"] }),
    );
    fake.answer(301, { location: [location] });
    expect(fake.calls[1]?.headers?.hasHeader("authorization")).toBe(false);
  });

  it("drops extra sensitive header names given to it", () => {
    const fake = new FakeAgent();
    new RedirectAgent(fake, 20, ["X-Api-Key"]).request(
      "GET",
      "http://a.example/",
      new Headers({ "x-api-key": ["k"] }),
    );
    fake.answer(302, { location: ["http://b.example/"] });
    expect(fake.calls[1]?.headers?.hasHeader("x-api-key")).toBe(false);
  });

  it("passes other responses through untouched", () => {
    const fake = new FakeAgent();
    const seen = outcome(new RedirectAgent(fake).request("POST", "http://example.com/"));
    const response = fake.answer(404);
    expect(seen.result).toBe(response);
  });
});

describe("BrowserLikeRedirectAgent", () => {
  it.each([301, 302, 303])("turns a %i after POST into a GET", (code) => {
    const fake = new FakeAgent();
    const seen = outcome(new BrowserLikeRedirectAgent(fake).request("POST", "http://example.com/"));
    fake.answer(code, { location: ["/next"] });
    expect(fake.calls[1]?.method).toBe("GET");
    fake.answer(200);
    expect(seen.result?.code).toBe(200);
  });

  it.each([307, 308])(
    "keeps the method for a %i and refuses it for POST (308: the DECIDE)",
    (code) => {
      const fake = new FakeAgent();
      const seen = outcome(
        new BrowserLikeRedirectAgent(fake).request("POST", "http://example.com/"),
      );
      fake.answer(code, { location: ["/next"] });
      expect(reasonOf(seen.failure?.value)).toBeInstanceOf(PageRedirect);
      const get = new FakeAgent();
      new BrowserLikeRedirectAgent(get).request("GET", "http://example.com/");
      get.answer(code, { location: ["/next"] });
      expect(get.calls[1]?.method).toBe("GET");
    },
  );
});
