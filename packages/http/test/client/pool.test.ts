import { CancelledError, ConnectionDone, ConnectionLost, Failure } from "@twisted-ts/core";
import { MemoryReactorClock } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/client/agent.js";
import { FileBodyProducer } from "../../src/client/fileBodyProducer.js";
import type { IResponse } from "../../src/client/iweb.js";
import { HTTPConnectionPool, shouldRetry } from "../../src/client/pool.js";
import { readBody } from "../../src/client/readBody.js";
import {
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseFailed,
  ResponseNeverReceived,
} from "../../src/errors.js";
import { type Connected, connect, outcome } from "./helpers.js";

function persistentAgent(): {
  reactor: MemoryReactorClock;
  agent: Agent;
  pool: HTTPConnectionPool;
} {
  const reactor = new MemoryReactorClock();
  const pool = new HTTPConnectionPool(reactor);
  return { reactor, pool, agent: new Agent(reactor, { pool }) };
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/** Run one GET to completion on `conn`, reading the body. */
function complete(conn: Connected, seen: { result?: IResponse }, reply = OK): { result?: Buffer } {
  conn.feed(reply);
  return outcome(readBody(seen.result as IResponse));
}

describe("HTTPConnectionPool", () => {
  it("has Twisted's defaults, and the Agent's default pool is not persistent", () => {
    const reactor = new MemoryReactorClock();
    const pool = new HTTPConnectionPool(reactor);
    expect(pool.persistent).toBe(true);
    expect(pool.maxPersistentPerHost).toBe(2);
    expect(pool.cachedConnectionTimeout).toBe(240);
    expect(new Agent(reactor).pool.persistent).toBe(false);
  });

  it("reuses an idle connection for the next request to the same host", () => {
    const { reactor, agent, pool } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/a"));
    const c = connect(reactor);
    expect(c.transport.value().toString()).not.toContain("Connection: close");
    expect(complete(c, first).result?.toString()).toBe("ok");
    expect(c.transport.disconnecting).toBe(false);
    expect(pool.cachedConnectionCount("http://example.com:80")).toBe(1);
    c.transport.clear();
    const second = outcome(agent.request("GET", "http://example.com/b"));
    expect(reactor.tcpClients).toHaveLength(1);
    expect(c.transport.value().toString()).toContain("GET /b HTTP/1.1");
    expect(complete(c, second).result?.toString()).toBe("ok");
  });

  it("returns the connection to the pool before the body protocol hears ResponseDone", () => {
    const { reactor, agent, pool } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    c.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
    let cachedWhenDone = -1;
    (first.result as IResponse).deliverBody({
      makeConnection: () => {},
      dataReceived: () => {},
      connectionLost: () => {
        cachedWhenDone = pool.cachedConnectionCount("http://example.com:80");
      },
    });
    c.feed("ok");
    expect(cachedWhenDone).toBe(1);
  });

  it("opens a connection per concurrent request and keeps at most maxPersistentPerHost", () => {
    const { reactor, agent, pool } = persistentAgent();
    const seen = [0, 1, 2].map(() => outcome(agent.request("GET", "http://example.com/")));
    const conns = [0, 1, 2].map((i) => connect(reactor, i));
    for (const [i, c] of conns.entries()) complete(c, seen[i] as { result?: IResponse });
    expect(pool.cachedConnectionCount("http://example.com:80")).toBe(2);
    expect(conns.map((c) => c.transport.disconnecting)).toEqual([true, false, false]);
  });

  it("keeps connections per scheme, host and port", () => {
    const { reactor, agent, pool } = persistentAgent();
    const a = outcome(agent.request("GET", "http://example.com/"));
    complete(connect(reactor), a);
    const b = outcome(agent.request("GET", "http://example.com:8080/"));
    expect(reactor.tcpClients).toHaveLength(2);
    complete(connect(reactor), b);
    expect(pool.cachedConnectionCount("http://example.com:8080")).toBe(1);
  });

  it("closes an idle connection after cachedConnectionTimeout seconds", () => {
    const { reactor, agent, pool } = persistentAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, seen);
    reactor.advance(239);
    expect(c.transport.disconnecting).toBe(false);
    reactor.advance(1);
    expect(c.transport.disconnecting).toBe(true);
    expect(pool.cachedConnectionCount("http://example.com:80")).toBe(0);
  });

  it("forgets a cached connection the server closes", () => {
    const { reactor, agent, pool } = persistentAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, seen);
    c.lose();
    expect(pool.cachedConnectionCount("http://example.com:80")).toBe(0);
    expect(reactor.getDelayedCalls()).toHaveLength(0);
  });

  it.each([
    ["Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"],
    ["HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"],
    ["extra bytes after the body", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokXX"],
  ])("does not reuse a connection after %s", (_what, reply) => {
    const { reactor, agent, pool } = persistentAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    expect(complete(c, seen, reply).result?.toString()).toBe("ok");
    expect(c.transport.disconnecting).toBe(true);
    expect(pool.cachedConnectionCount("http://example.com:80")).toBe(0);
  });

  it("retries an idempotent request once on a new connection when the cached one is dead", () => {
    const { reactor, agent } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, first);
    const second = outcome(agent.request("GET", "http://example.com/again"));
    // The server had closed the idle connection: it goes with no response byte.
    c.protocol.connectionLost(new Failure(new ConnectionLost()));
    expect(reactor.tcpClients).toHaveLength(2);
    const fresh = connect(reactor);
    expect(fresh.transport.value().toString()).toContain("GET /again HTTP/1.1");
    expect(complete(fresh, second as { result?: IResponse }).result?.toString()).toBe("ok");
  });

  it("retries only once: a failure on the new connection is reported", () => {
    const { reactor, agent } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, first);
    const second = outcome(agent.request("GET", "http://example.com/"));
    c.lose(new ConnectionLost());
    connect(reactor).lose(new ConnectionLost());
    expect(second.failure?.value).toBeInstanceOf(ResponseNeverReceived);
    expect(reactor.tcpClients).toHaveLength(2);
  });

  it("does not retry a POST", () => {
    const { reactor, agent } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, first);
    const second = outcome(agent.request("POST", "http://example.com/"));
    c.lose(new ConnectionLost());
    expect(second.failure?.value).toBeInstanceOf(ResponseNeverReceived);
    expect(reactor.tcpClients).toHaveLength(1);
  });

  it("does not retry a GET with a body", () => {
    const { reactor, agent } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, first);
    const second = outcome(
      agent.request("GET", "http://example.com/", undefined, new FileBodyProducer(Buffer.alloc(0))),
    );
    c.lose(new ConnectionLost());
    expect(second.failure).toBeDefined();
    expect(reactor.tcpClients).toHaveLength(1);
  });

  it("does not retry once a response has started", () => {
    const { reactor, agent } = persistentAgent();
    const first = outcome(agent.request("GET", "http://example.com/"));
    const c = connect(reactor);
    complete(c, first);
    const second = outcome(agent.request("GET", "http://example.com/"));
    c.feed("HTTP/1.1 200");
    c.lose(new ConnectionLost());
    expect(second.failure?.value).toBeInstanceOf(ResponseFailed);
    expect(second.failure?.value).not.toBeInstanceOf(ResponseNeverReceived);
    expect(reactor.tcpClients).toHaveLength(1);
  });

  it("decides retries as Twisted's _shouldRetry does", () => {
    const lost = [new Failure(new ConnectionLost())];
    expect(shouldRetry("GET", new RequestNotSent(), false)).toBe(true);
    expect(shouldRetry("HEAD", new ResponseNeverReceived(lost), false)).toBe(true);
    expect(shouldRetry("DELETE", new RequestTransmissionFailed(lost), false)).toBe(true);
    expect(shouldRetry("OPTIONS", new RequestNotSent(), false)).toBe(true);
    expect(shouldRetry("TRACE", new RequestNotSent(), false)).toBe(true);
    expect(shouldRetry("PUT", new RequestNotSent(), false)).toBe(false);
    expect(shouldRetry("POST", new RequestNotSent(), false)).toBe(false);
    expect(shouldRetry("GET", new RequestNotSent(), true)).toBe(false);
    expect(shouldRetry("GET", new ResponseFailed(lost), false)).toBe(false);
    expect(shouldRetry("GET", new Error("x"), false)).toBe(false);
    expect(
      shouldRetry("GET", new ResponseNeverReceived([new Failure(new CancelledError())]), false),
    ).toBe(false);
  });

  it("closes every cached connection with closeCachedConnections", () => {
    const { reactor, agent, pool } = persistentAgent();
    const seen = [0, 1].map(() => outcome(agent.request("GET", "http://example.com/")));
    const conns = [0, 1].map((i) => connect(reactor, i));
    for (const [i, c] of conns.entries()) complete(c, seen[i] as { result?: IResponse });
    const closed = outcome(pool.closeCachedConnections());
    expect(conns.every((c) => c.transport.disconnecting)).toBe(true);
    expect(closed.fired).toBe(false);
    for (const c of conns) c.protocol.connectionLost(new Failure(new ConnectionDone()));
    expect(closed.fired).toBe(true);
    expect(reactor.getDelayedCalls()).toHaveLength(0);
  });
});
