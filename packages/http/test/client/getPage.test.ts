import { CancelledError, TimeoutError } from "@twisted-ts/core";
import { MemoryReactorClock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { getPage } from "../../src/client/getPage.js";
import { WebError } from "../../src/errors.js";
import { connect, FakeAgent, outcome } from "./helpers.js";

describe("getPage", () => {
  it("fetches a body, following redirects with the default agent", () => {
    const reactor = new MemoryReactorClock();
    const seen = outcome(getPage("http://example.com/a", { reactor, headers: { "x-a": "1" } }));
    const first = connect(reactor);
    expect(first.transport.value().toString()).toContain("X-A: 1\r\n");
    first.feed("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n");
    const second = connect(reactor);
    expect(second.transport.value().toString()).toContain("GET /b HTTP/1.1");
    second.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npage");
    expect(seen.result?.toString()).toBe("page");
  });

  it("errbacks with a WebError carrying the status and body on 4xx and 5xx", () => {
    const fake = new FakeAgent();
    const seen = outcome(getPage("http://example.com/", { agent: fake }));
    fake.answer(404, {}, "nope");
    const error = seen.failure?.value as WebError;
    expect(error).toBeInstanceOf(WebError);
    expect(error.status).toBe(404);
    expect(error.response?.toString()).toBe("nope");
  });

  it("sends postdata with the method and a Content-Length", () => {
    const fake = new FakeAgent();
    getPage("http://example.com/", { agent: fake, method: "POST", postdata: "a=1" });
    expect(fake.calls[0]?.method).toBe("POST");
    expect(fake.calls[0]?.bodyProducer?.length).toBe(3);
  });

  it("accepts a body that runs to the connection's close", () => {
    const reactor = new MemoryReactorClock();
    const seen = outcome(getPage("http://example.com/", { reactor }));
    const conn = connect(reactor);
    conn.feed("HTTP/1.0 200 OK\r\n\r\nold style");
    conn.lose();
    expect(seen.result?.toString()).toBe("old style");
  });

  it("times out on the reactor's clock, aborting the request", () => {
    const reactor = new MemoryReactorClock();
    const seen = outcome(getPage("http://example.com/", { reactor, timeout: 5 }));
    const conn = connect(reactor);
    reactor.advance(5);
    expect(seen.failure?.value).toBeInstanceOf(TimeoutError);
    expect(conn.transport.disconnected).toBe(true);
  });

  it("is cancellable", () => {
    const fake = new FakeAgent();
    const d = getPage("http://example.com/", { agent: fake });
    const seen = outcome(d);
    d.cancel();
    expect(seen.failure?.value).toBeInstanceOf(CancelledError);
  });
});
