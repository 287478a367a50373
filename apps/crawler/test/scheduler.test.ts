import { describe, expect, it } from "vitest";
import { Request } from "../src/http.js";
import { requestFingerprint, Scheduler } from "../src/scheduler.js";

describe("Scheduler", () => {
  it("hands requests back first in, first out", () => {
    const scheduler = new Scheduler();
    for (const n of [1, 2, 3]) scheduler.enqueueRequest(new Request(`http://a.test/${n}`));
    expect(scheduler.length).toBe(3);
    expect(scheduler.nextRequest()?.url).toBe("http://a.test/1");
    expect(scheduler.nextRequest()?.url).toBe("http://a.test/2");
    expect(scheduler.nextRequest()?.url).toBe("http://a.test/3");
    expect(scheduler.nextRequest()).toBeUndefined();
    expect(scheduler.hasPendingRequests()).toBe(false);
  });

  it("drops a request for a URL it has seen, even after handing it out", () => {
    const scheduler = new Scheduler();
    expect(scheduler.enqueueRequest(new Request("http://a.test/x"))).toBe(true);
    scheduler.nextRequest();
    expect(scheduler.enqueueRequest(new Request("http://a.test/x"))).toBe(false);
    expect(scheduler.duplicates).toBe(1);
    expect(scheduler.hasPendingRequests()).toBe(false);
  });

  it("treats URLs differing only by fragment or query order as the same", () => {
    const scheduler = new Scheduler();
    expect(scheduler.enqueueRequest(new Request("http://a.test/p?b=2&a=1"))).toBe(true);
    expect(scheduler.enqueueRequest(new Request("http://a.test/p?a=1&b=2#top"))).toBe(false);
    expect(scheduler.enqueueRequest(new Request("http://A.TEST:80/p?a=1&b=2"))).toBe(false);
    expect(scheduler.enqueueRequest(new Request("http://a.test/p?a=1&b=3"))).toBe(true);
  });

  it("tells methods apart", () => {
    const get = new Request("http://a.test/");
    const post = new Request("http://a.test/", { method: "post" });
    expect(requestFingerprint(get)).not.toBe(requestFingerprint(post));
  });

  it("lets a dontFilter request through every time", () => {
    const scheduler = new Scheduler();
    scheduler.enqueueRequest(new Request("http://a.test/"));
    expect(scheduler.enqueueRequest(new Request("http://a.test/", { dontFilter: true }))).toBe(
      true,
    );
    expect(scheduler.enqueueRequest(new Request("http://a.test/", { dontFilter: true }))).toBe(
      true,
    );
    expect(scheduler.length).toBe(3);
  });

  it("keeps its order across many requests (the queue compacts)", () => {
    const scheduler = new Scheduler();
    const seen: string[] = [];
    for (let n = 0; n < 5000; n += 1) {
      scheduler.enqueueRequest(new Request(`http://a.test/${n}`));
      if (n % 2 === 1) seen.push(scheduler.nextRequest()?.url ?? "");
    }
    while (scheduler.hasPendingRequests()) seen.push(scheduler.nextRequest()?.url ?? "");
    expect(seen).toHaveLength(5000);
    expect(seen.every((url, n) => url === `http://a.test/${n}`)).toBe(true);
  });
});
