import { describe, expect, it } from "vitest";
import {
  ConnectionClosed,
  ConnectionDone,
  ConnectionLost,
  Failure,
  ProcessTerminated,
  TimeoutError,
  TwistedError,
} from "../src/index.js";

describe("Failure", () => {
  it("keeps the thrown value and its class", () => {
    const error = new RangeError("out");
    const f = new Failure(error);
    expect(f.value).toBe(error);
    expect(f.type).toBe(RangeError);
    expect(f.getErrorMessage()).toBe("out");
    expect(String(f)).toBe("[Failure RangeError: out]");
  });

  it("wraps non-Error values with a stack from where it was made", () => {
    const f = new Failure(42);
    expect(f.type).toBe(Number);
    expect(f.getErrorMessage()).toBe("42");
    expect(f.getTraceback()).toMatch(/^Number: 42\n\s+at /);
  });

  it("trap returns the first matching class and rethrows the original value otherwise", () => {
    const error = new ConnectionDone();
    const f = new Failure(error);
    expect(f.trap(TypeError, ConnectionClosed)).toBe(ConnectionClosed);
    let thrown: unknown;
    try {
      f.trap(TypeError, ConnectionLost);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(error);
  });

  it("check returns the match or null", () => {
    const f = new Failure(new TimeoutError(3, "Deferred"));
    expect(f.check(TypeError)).toBeNull();
    expect(f.check(TwistedError)).toBe(TwistedError);
  });

  it("raiseException throws the original value", () => {
    expect(() => new Failure("plain").raiseException()).toThrow("plain");
  });

  it("from returns an existing Failure unchanged", () => {
    const f = new Failure(new Error("x"));
    expect(Failure.from(f)).toBe(f);
    expect(Failure.from("y")).toBeInstanceOf(Failure);
  });

  it("getTraceback includes the causes", () => {
    const error = new Error("outer", { cause: new Error("root cause") });
    expect(new Failure(error).getTraceback()).toContain("Caused by: Error: root cause");
  });
});

describe("errors", () => {
  it("follow Twisted's hierarchy", () => {
    const lost = new ProcessTerminated(1);
    expect(lost).toBeInstanceOf(ConnectionLost);
    expect(lost).toBeInstanceOf(ConnectionClosed);
    expect(lost).toBeInstanceOf(TwistedError);
    expect(lost).toBeInstanceOf(Error);
    expect(lost).not.toBeInstanceOf(ConnectionDone);
    expect(lost.exitCode).toBe(1);
    expect(lost.code).toBe("ERR_PROCESS_TERMINATED");
    expect(lost.name).toBe("ProcessTerminated");
  });

  it("are recognised across copies of the package by their brand", () => {
    // A structurally separate copy: same brand key, a class chain of its own.
    const brand = Symbol.for("twisted-ts.error.codes");
    const foreign = Object.assign(new Error("from the CJS copy"), {
      [brand]: ["ERR_CONNECTION_DONE", "ERR_CONNECTION_CLOSED", "ERR_TWISTED"],
    });
    expect(foreign).toBeInstanceOf(ConnectionDone);
    expect(ConnectionClosed.is(foreign)).toBe(true);
    expect(ConnectionLost.is(foreign)).toBe(false);
  });

  it("say what happened", () => {
    expect(new ConnectionDone().message).toBe("Connection was closed cleanly.");
    expect(new TimeoutError(2.5, "Deferred").message).toBe("Deferred timed out after 2.5 seconds");
  });
});
