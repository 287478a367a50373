import {
  Deferred,
  Factory,
  fail,
  globalLogPublisher,
  type LogEvent,
  succeed,
} from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Finger } from "../src/finger.js";
import type { IFingerService } from "../src/interfaces.js";
import { FingerFactory, type FingerFactoryOptions, type FingerProtocol } from "../src/server.js";
import { MemoryFingerService } from "../src/services/memory.js";
import { connectTo } from "./helpers.js";

const USERS = { moshez: "Happy and well", joe: "At lunch\nback at 2" };

function serve(
  service: IFingerService = new MemoryFingerService(USERS),
  options: FingerFactoryOptions = {},
) {
  const clock = new Clock();
  const factory = new FingerFactory(service, { clock, ...options });
  const { protocol, transport } = connectTo<FingerProtocol>(factory);
  return { clock, factory, protocol, transport };
}

function ask(line: string, service?: IFingerService, options?: FingerFactoryOptions) {
  const s = serve(service, options);
  s.protocol.dataReceived(Buffer.from(line));
  return { ...s, answer: s.transport.value().toString("utf8") };
}

const observed: LogEvent[] = [];
const observer = (event: LogEvent) => {
  observed.push(event);
};
afterEach(() => {
  globalLogPublisher.removeObserver(observer);
  observed.length = 0;
});

describe("FingerProtocol queries", () => {
  it("answers a user's status and closes", () => {
    const { answer, transport } = ask("moshez\r\n");
    expect(answer).toBe("Happy and well\r\n");
    expect(transport.connected).toBe(false);
  });

  it("turns the status's line ends into CRLF", () => {
    expect(ask("joe\r\n").answer).toBe("At lunch\r\nback at 2\r\n");
  });

  it("accepts a bare LF as the line end", () => {
    expect(ask("moshez\n").answer).toBe("Happy and well\r\n");
  });

  it("answers No such user for an unknown user", () => {
    expect(ask("nobody\r\n").answer).toBe("No such user\r\n");
  });

  it("answers the long form for /W", () => {
    expect(ask("/W moshez\r\n").answer).toBe("Login: moshez\r\nHappy and well\r\n");
  });

  it("lists the users for an empty query", () => {
    expect(ask("\r\n").answer).toBe("moshez\r\njoe\r\n");
  });

  it("lists each user's status for /W alone", () => {
    expect(ask("/W\r\n").answer).toBe(
      "Login: moshez\r\nHappy and well\r\n\r\nLogin: joe\r\nAt lunch\r\nback at 2\r\n",
    );
  });

  it("refuses the list when listUsers is false", () => {
    expect(ask("\r\n", undefined, { listUsers: false }).answer).toBe(
      "Finger online list denied\r\n",
    );
  });

  it("refuses forwarding", () => {
    for (const line of ["moshez@example.com\r\n", "@example.com\r\n", "/W a@b@c\r\n"]) {
      const { answer, transport } = ask(line);
      expect(answer).toBe("Finger forwarding service denied\r\n");
      expect(transport.connected).toBe(false);
    }
  });

  it("treats several words as a long query for the last, as Twisted does", () => {
    expect(ask("whatever moshez\r\n").answer).toBe("Login: moshez\r\nHappy and well\r\n");
  });

  it("answers only the first line and ignores what follows", () => {
    const { answer } = ask("moshez\r\njoe\r\n\r\n");
    expect(answer).toBe("Happy and well\r\n");
  });

  it("answers the same whatever the chunking of the query", () => {
    const input = Buffer.from("/W joe\r\n");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: input.length }), { maxLength: 6 }), (cuts) => {
        const { protocol, transport } = serve();
        const points = [0, ...[...cuts].sort((a, b) => a - b), input.length];
        for (let i = 1; i < points.length; i++) {
          protocol.dataReceived(input.subarray(points[i - 1], points[i]));
        }
        expect(transport.value().toString()).toBe("Login: joe\r\nAt lunch\r\nback at 2\r\n");
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), (chunks) => {
        const { protocol, transport } = serve();
        for (const chunk of chunks) protocol.dataReceived(Buffer.from(chunk));
        const text = transport.value().toString("utf8");
        expect(text === "" || text.endsWith("\r\n")).toBe(true);
      }),
    );
  });
});

describe("FingerProtocol limits", () => {
  it("answers Finger query too long past MAX_LENGTH and closes", () => {
    const { answer, transport } = ask(`${"x".repeat(2000)}`, undefined, { maxQueryLength: 100 });
    expect(answer).toBe("Finger query too long\r\n");
    expect(transport.connected).toBe(false);
  });

  it("caps the answer at maxAnswerSize", () => {
    const service = new MemoryFingerService({ big: "0123456789\n".repeat(1000) });
    const { transport } = ask("big\r\n", service, { maxAnswerSize: 100 });
    const answer = transport.value().toString();
    expect(answer.length).toBeLessThanOrEqual(100);
    expect(answer.endsWith("[answer truncated]\r\n")).toBe(true);
  });

  it("caps a long listing of many users", () => {
    const users: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) users[`user${i}`] = "x".repeat(50);
    const { transport } = ask("/W\r\n", new MemoryFingerService(users));
    expect(transport.value().length).toBeLessThanOrEqual(65536);
  });

  it("replaces control characters in a status", () => {
    const service = new MemoryFingerService({ evil: "\x1b]0;pwned\x07hi" });
    expect(ask("evil\r\n", service).answer).toBe("?]0;pwned?hi\r\n");
  });

  it("closes an idle connection after 30 seconds", () => {
    const { clock, transport, protocol } = serve();
    clock.advance(20);
    protocol.dataReceived(Buffer.from("mos"));
    clock.advance(29);
    expect(transport.connected).toBe(true);
    clock.advance(1);
    expect(transport.connected).toBe(false);
    expect(transport.value().length).toBe(0);
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it("takes its timeout from the factory, and none with null", () => {
    const short = serve(undefined, { timeout: 5 });
    short.clock.advance(5);
    expect(short.transport.connected).toBe(false);
    const none = serve(undefined, { timeout: null });
    expect(none.clock.getDelayedCalls()).toHaveLength(0);
  });

  it("cancels the timeout once answered", () => {
    const { clock } = ask("moshez\r\n");
    expect(clock.getDelayedCalls()).toHaveLength(0);
  });

  it("times out a slow back end and cancels its look-up", () => {
    let cancelled = false;
    const slow: IFingerService = {
      getUser: () =>
        new Deferred<string>(() => {
          cancelled = true;
        }),
      getUsers: () => succeed([]),
    };
    const { clock, transport } = ask("joe\r\n", slow);
    clock.advance(30);
    expect(transport.connected).toBe(false);
    expect(cancelled).toBe(true);
  });

  it("refuses a negative limit", () => {
    const service = new MemoryFingerService();
    expect(() => new FingerFactory(service, { timeout: -1 })).toThrow(RangeError);
    expect(() => new FingerFactory(service, { maxAnswerSize: 10 })).toThrow(RangeError);
  });
});

describe("FingerProtocol back-end failures", () => {
  it("answers Internal error in server and logs the failure", () => {
    globalLogPublisher.addObserver(observer);
    const broken: IFingerService = {
      getUser: () => fail(new Error("disk on fire")),
      getUsers: () => fail(new Error("disk on fire")),
    };
    expect(ask("joe\r\n", broken).answer).toBe("Internal error in server\r\n");
    expect(ask("\r\n", broken).answer).toBe("Internal error in server\r\n");
    expect(observed.some((e) => String(e.log_failure).includes("disk on fire"))).toBe(true);
  });

  it("writes a late answer only while connected", () => {
    const later = new Deferred<string>();
    const service: IFingerService = { getUser: () => later, getUsers: () => succeed([]) };
    const { transport } = ask("joe\r\n", service);
    transport.loseConnection();
    // Losing the connection cancelled the look-up: a late answer is not written.
    expect(later.called).toBe(true);
    expect(transport.value().length).toBe(0);
  });
});

describe("Finger (Twisted's base class)", () => {
  function base(line: string): string {
    const factory = Factory.forProtocol(Finger);
    const { protocol, transport } = connectTo<Finger>(factory);
    protocol.dataReceived(Buffer.from(line));
    expect(transport.connected).toBe(false);
    return transport.value().toString();
  }

  it("refuses everything with Twisted's exact strings", () => {
    expect(base("moshez\r\n")).toBe("Login: moshez\nNo such user\n");
    expect(base("\r\n")).toBe("Finger online list denied\n");
    expect(base("moshez@example.com\r\n")).toBe("Finger forwarding service denied\n");
  });

  it("gives forwardQuery the rightmost host, not an empty one (Twisted's bug fixed)", () => {
    const seen: [boolean, string, string][] = [];
    class Recording extends Finger {
      override forwardQuery(slashW: boolean, user: string, host: string): void {
        seen.push([slashW, user, host]);
      }
    }
    const { protocol } = connectTo<Recording>(Factory.forProtocol(Recording));
    protocol.dataReceived(Buffer.from("/W joe@a@b\r\n"));
    expect(seen).toEqual([[true, "joe@a", "b"]]);
  });
});
