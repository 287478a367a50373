import { ConnectionDone, Deferred, Failure, fail, succeed } from "@twisted-ts/core";
import { Clock, connectedServerAndClient, StringTransport } from "@twisted-ts/core/testing";
import { MemoryFingerService } from "@twisted-ts/finger";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FingerRPCConnectionLost,
  FingerRPCProtocolError,
  FingerRPCRemoteError,
  FingerRPCTimeoutError,
} from "../src/errors.js";
import { FingerRPCClient } from "../src/rpc/client.js";
import { FingerRPCServerFactory, type FingerRPCServerProtocol } from "../src/rpc/server.js";

const USERS = { moshez: "Happy and well", "<b>": "a & b" };

function netstring(text: string | Buffer): Buffer {
  const payload = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(",")]);
}

/** Parse every netstring in `bytes` as JSON. */
function messages(bytes: Buffer): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  while (at < bytes.length) {
    const colon = bytes.indexOf(0x3a, at);
    const length = Number(bytes.toString("latin1", at, colon));
    out.push(JSON.parse(bytes.toString("utf8", colon + 1, colon + 1 + length)));
    at = colon + 1 + length + 1;
  }
  return out;
}

function server(
  service = new MemoryFingerService(USERS),
  limits: ConstructorParameters<typeof FingerRPCServerFactory>[1] = {},
): { protocol: FingerRPCServerProtocol; t: StringTransport } {
  const factory = new FingerRPCServerFactory(service, limits);
  const protocol = factory.buildProtocol({ type: "TCP" } as never);
  const t = new StringTransport();
  protocol.makeConnection(t);
  return { protocol, t };
}

describe("FingerRPCServerProtocol", () => {
  it("answers getUser and getUsers with the request's id", () => {
    const { protocol, t } = server();
    protocol.dataReceived(netstring('{"id":1,"method":"getUser","params":["moshez"]}'));
    protocol.dataReceived(netstring('{"id":7,"method":"getUsers","params":[]}'));
    expect(messages(t.value())).toEqual([
      { id: 1, result: "Happy and well" },
      { id: 7, result: ["moshez", "<b>"] },
    ]);
    expect(t.disconnecting).toBe(false);
  });

  it("answers an unknown user with the service's answer", () => {
    const { protocol, t } = server();
    protocol.dataReceived(netstring('{"id":2,"method":"getUser","params":["nobody"]}'));
    expect(messages(t.value())).toEqual([{ id: 2, result: "No such user" }]);
  });

  it("parses requests split at every byte", () => {
    const { protocol, t } = server();
    const bytes = Buffer.concat([
      netstring('{"id":1,"method":"getUser","params":["moshez"]}'),
      netstring('{"id":2,"method":"getUsers"}'),
    ]);
    for (const byte of bytes) protocol.dataReceived(Buffer.from([byte]));
    expect(messages(t.value())).toEqual([
      { id: 1, result: "Happy and well" },
      { id: 2, result: ["moshez", "<b>"] },
    ]);
  });

  it.each([
    ["not JSON", "{id:1", { id: null, error: { code: "parse-error" } }],
    ["not an object", "[1,2]", { id: null, error: { code: "invalid-request" } }],
    [
      "a request without an id",
      '{"method":"getUsers"}',
      { id: null, error: { code: "invalid-request" } },
    ],
    [
      "a negative id",
      '{"id":-1,"method":"getUsers"}',
      { id: null, error: { code: "invalid-request" } },
    ],
    ["no method", '{"id":3}', { id: 3, error: { code: "invalid-request" } }],
    [
      "params that are not an array",
      '{"id":3,"method":"getUsers","params":{}}',
      { id: 3, error: { code: "invalid-request" } },
    ],
    [
      "an unknown method",
      '{"id":4,"method":"setUser","params":["a","b"]}',
      { id: 4, error: { code: "method-not-found" } },
    ],
    [
      "getUser without a user",
      '{"id":5,"method":"getUser","params":[]}',
      { id: 5, error: { code: "invalid-params" } },
    ],
    [
      "getUser with a number",
      '{"id":5,"method":"getUser","params":[5]}',
      { id: 5, error: { code: "invalid-params" } },
    ],
    [
      "getUsers with params",
      '{"id":6,"method":"getUsers","params":["x"]}',
      { id: 6, error: { code: "invalid-params" } },
    ],
  ])("answers %s with a typed error and keeps the connection", (_what, body, expected) => {
    const { protocol, t } = server();
    protocol.dataReceived(netstring(body));
    expect(messages(t.value())).toEqual([
      { ...expected, error: { ...expected.error, message: expect.any(String) } },
    ]);
    expect(t.disconnecting).toBe(false);
  });

  it("answers a payload that is not UTF-8 with parse-error", () => {
    const { protocol, t } = server();
    protocol.dataReceived(netstring(Buffer.from([0xff, 0xfe, 0x7b])));
    expect(messages(t.value())).toMatchObject([{ id: null, error: { code: "parse-error" } }]);
  });

  it("refuses a user name longer than maxUserLength", () => {
    const { protocol, t } = server(undefined, { maxUserLength: 8 });
    protocol.dataReceived(netstring('{"id":1,"method":"getUser","params":["123456789"]}'));
    expect(messages(t.value())).toMatchObject([{ id: 1, error: { code: "invalid-params" } }]);
  });

  it.each([
    ["a bad length", "x5:hello,"],
    ["a leading zero", "05:hello,"],
    ["a missing comma", "5:hello!"],
  ])("answers a netstring with %s with parse-error and drops the connection", (_what, bytes) => {
    const { protocol, t } = server();
    protocol.dataReceived(Buffer.from(bytes));
    expect(messages(t.value())).toMatchObject([{ id: null, error: { code: "parse-error" } }]);
    expect(t.disconnecting).toBe(true);
    // Nothing more is read.
    protocol.dataReceived(netstring('{"id":1,"method":"getUsers"}'));
    expect(messages(t.value())).toHaveLength(1);
  });

  it("answers a netstring longer than maxLength with too-large and drops the connection", () => {
    const { protocol, t } = server(undefined, { maxLength: 100 });
    protocol.dataReceived(Buffer.from("101:"));
    expect(messages(t.value())).toMatchObject([{ id: null, error: { code: "too-large" } }]);
    expect(t.disconnecting).toBe(true);
  });

  it("answers busy past maxPending calls in flight, then serves again", () => {
    const waiting: Deferred<string>[] = [];
    const slow = {
      getUser: () => {
        const d = new Deferred<string>();
        waiting.push(d);
        return d;
      },
      getUsers: () => succeed([]),
    };
    const { protocol, t } = server(slow as never, { maxPending: 2 });
    for (const id of [1, 2, 3]) {
      protocol.dataReceived(netstring(`{"id":${id},"method":"getUser","params":["a"]}`));
    }
    expect(messages(t.value())).toMatchObject([{ id: 3, error: { code: "busy" } }]);
    t.clear();
    waiting[1]?.callback("second");
    waiting[0]?.callback("first");
    protocol.dataReceived(netstring('{"id":4,"method":"getUsers"}'));
    expect(messages(t.value())).toEqual([
      { id: 2, result: "second" },
      { id: 1, result: "first" },
      { id: 4, result: [] },
    ]);
  });

  it("answers internal-error when the service fails", () => {
    const broken = {
      getUser: () => fail(new Error("disk on fire")),
      getUsers: () => {
        throw new Error("boom");
      },
    };
    const { protocol, t } = server(broken as never);
    protocol.dataReceived(netstring('{"id":1,"method":"getUser","params":["a"]}'));
    protocol.dataReceived(netstring('{"id":2,"method":"getUsers"}'));
    expect(messages(t.value())).toEqual([
      { id: 1, error: { code: "internal-error", message: "Internal error in server" } },
      { id: 2, error: { code: "internal-error", message: "Internal error in server" } },
    ]);
  });

  it("answers too-large instead of an answer longer than maxResponseLength", () => {
    const big = new MemoryFingerService({ joe: "x".repeat(500) });
    const { protocol, t } = server(big, { maxResponseLength: 200 });
    protocol.dataReceived(netstring('{"id":1,"method":"getUser","params":["joe"]}'));
    expect(messages(t.value())).toMatchObject([{ id: 1, error: { code: "too-large" } }]);
  });

  it("sends nothing once the connection is gone", () => {
    const d = new Deferred<string>();
    const { protocol, t } = server({ getUser: () => d, getUsers: () => succeed([]) } as never);
    protocol.dataReceived(netstring('{"id":1,"method":"getUser","params":["a"]}'));
    protocol.connectionLost(new Failure(new ConnectionDone()));
    d.callback("late");
    expect(t.value().length).toBe(0);
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const { protocol } = server();
        protocol.dataReceived(Buffer.from(bytes));
      }),
    );
  });

  it("answers the same whatever the split of the byte stream", () => {
    const bytes = Buffer.concat([
      netstring('{"id":1,"method":"getUser","params":["moshez"]}'),
      netstring("{bad json"),
      netstring('{"id":2,"method":"getUsers"}'),
    ]);
    const whole = server();
    whole.protocol.dataReceived(bytes);
    const expected = whole.t.value().toString("hex");
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 6 }),
        (cuts) => {
          const { protocol, t } = server();
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          let from = 0;
          for (const at of [...points, bytes.length]) {
            protocol.dataReceived(bytes.subarray(from, at));
            from = at;
          }
          expect(t.value().toString("hex")).toBe(expected);
        },
      ),
    );
  });
});

function client(options: ConstructorParameters<typeof FingerRPCClient>[0] = {}) {
  const c = new FingerRPCClient(options);
  const t = new StringTransport();
  c.makeConnection(t);
  return { c, t };
}

async function failureOf(d: Deferred<unknown>): Promise<unknown> {
  try {
    await d;
  } catch (error) {
    return error;
  }
  throw new Error("the Deferred succeeded");
}

describe("FingerRPCClient", () => {
  it("sends requests with increasing ids and fires each call with its answer, in any order", async () => {
    const { c, t } = client();
    const user = c.getUser("moshez");
    const users = c.getUsers();
    expect(messages(t.value())).toEqual([
      { id: 1, method: "getUser", params: ["moshez"] },
      { id: 2, method: "getUsers", params: [] },
    ]);
    c.dataReceived(netstring('{"id":2,"result":["moshez"]}'));
    c.dataReceived(netstring('{"id":1,"result":"Happy and well"}'));
    expect(await user).toBe("Happy and well");
    expect(await users).toEqual(["moshez"]);
    expect(c.pendingCalls).toBe(0);
  });

  it("errbacks with FingerRPCRemoteError carrying the remote code", async () => {
    const { c } = client();
    const d = c.callRemote("getUser", "x");
    c.dataReceived(netstring('{"id":1,"error":{"code":"invalid-params","message":"nope"}}'));
    const error = await failureOf(d);
    expect(error).toBeInstanceOf(FingerRPCRemoteError);
    expect(error).toMatchObject({ remoteCode: "invalid-params", message: "nope" });
  });

  it("times out a call after `timeout` seconds and ignores its late answer", async () => {
    const clock = new Clock();
    const { c, t } = client({ clock, timeout: 5 });
    const d = c.getUser("slow");
    clock.advance(4.9);
    expect(d.called).toBe(false);
    clock.advance(0.1);
    expect(await failureOf(d)).toBeInstanceOf(FingerRPCTimeoutError);
    c.dataReceived(netstring('{"id":1,"result":"late"}'));
    expect(t.disconnecting).toBe(false);
  });

  it("forgets a cancelled call and ignores its late answer", () => {
    const { c, t } = client();
    const d = c.getUser("x");
    d.cancel();
    d.addErrback(() => undefined);
    c.dataReceived(netstring('{"id":1,"result":"late"}'));
    expect(t.disconnecting).toBe(false);
    expect(c.pendingCalls).toBe(0);
  });

  it("fails every call with FingerRPCProtocolError on an answer to no call, and drops", async () => {
    const { c, t } = client();
    const d = c.getUser("x");
    c.dataReceived(netstring('{"id":99,"result":"who?"}'));
    expect(await failureOf(d)).toBeInstanceOf(FingerRPCProtocolError);
    expect(t.disconnecting).toBe(true);
  });

  it.each([
    ["bad JSON", netstring("{oops")],
    ["a result of the wrong type", netstring('{"id":1,"result":["a"]}')],
    ["an unknown error code", netstring('{"id":1,"error":{"code":"weird","message":""}}')],
    ["a broken netstring", Buffer.from("3:abc;")],
  ])("fails with FingerRPCProtocolError on %s", async (_what, bytes) => {
    const { c, t } = client();
    const d = c.getUser("x");
    c.dataReceived(bytes);
    expect(await failureOf(d)).toBeInstanceOf(FingerRPCProtocolError);
    expect(t.disconnecting).toBe(true);
  });

  it("fails with FingerRPCProtocolError on an answer longer than maxLength", async () => {
    const { c, t } = client({ maxLength: 10 });
    const d = c.getUsers();
    c.dataReceived(Buffer.from("11:"));
    expect(await failureOf(d)).toBeInstanceOf(FingerRPCProtocolError);
    expect(t.disconnecting).toBe(true);
  });

  it("fails every pending call when the server answers an unreadable request", async () => {
    const { c } = client();
    const d = c.getUsers();
    c.dataReceived(netstring('{"id":null,"error":{"code":"too-large","message":"big"}}'));
    expect(await failureOf(d)).toMatchObject({ remoteCode: "too-large" });
  });

  it("fails pending calls with FingerRPCConnectionLost, and later calls at once", async () => {
    const { c } = client();
    const d = c.getUser("x");
    c.connectionLost(new Failure(new ConnectionDone()));
    expect(await failureOf(d)).toBeInstanceOf(FingerRPCConnectionLost);
    expect(await failureOf(c.getUsers())).toBeInstanceOf(FingerRPCConnectionLost);
  });
});

describe("FingerRPCClient and server, connected in memory", () => {
  it("calls getUser and getUsers end to end, and sees typed errors", async () => {
    const service = new MemoryFingerService(USERS);
    const [c, , pump] = connectedServerAndClient(
      new FingerRPCServerFactory(service),
      () => new FingerRPCClient(),
    );
    const user = c.getUser("<b>");
    const users = c.getUsers();
    const bad = c.callRemote("getUser", "y".repeat(300));
    pump.flush();
    expect(await user).toBe("a & b");
    expect(await users).toEqual(["moshez", "<b>"]);
    expect(await failureOf(bad)).toMatchObject({ remoteCode: "invalid-params" });
    service.setUser("moshez", "Busy");
    const again = c.getUser("moshez");
    pump.flush();
    expect(await again).toBe("Busy");
  });
});
