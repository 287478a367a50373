import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Deferred,
  fail,
  formatEvent,
  globalLogPublisher,
  type LogEvent,
  succeed,
} from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

let events: LogEvent[] = [];
const observer = (event: LogEvent) => {
  events.push(event);
};
beforeEach(() => {
  events = [];
  globalLogPublisher.addObserver(observer);
});
afterEach(() => {
  globalLogPublisher.removeObserver(observer);
});

/**
 * Collect garbage and give the FinalizationRegistry its turns: until `expected` unhandled-error
 * events have been logged, or at least 5 rounds (enough when none is expected) and at most 100.
 */
async function collect(expected = 0): Promise<void> {
  for (let i = 0; i < 100; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (i >= 4 && unhandled().length >= expected) return;
  }
}

function unhandled(): LogEvent[] {
  return events.filter((e) => String(e.log_format).startsWith("Unhandled error in Deferred"));
}

describe("unhandled errors in Deferreds", () => {
  it("runs with a garbage collector the test can call", () => {
    expect(typeof gc).toBe("function");
  });

  it("logs a failure left at the end of a collected Deferred, with its traceback, at critical", async () => {
    (() => {
      fail(new RangeError("nobody handled me"));
    })();
    await collect(1);
    const logged = unhandled();
    expect(logged).toHaveLength(1);
    const event = logged[0] as LogEvent;
    expect(event.log_level).toBe("critical");
    expect(formatEvent(event)).toBe("Unhandled error in Deferred:");
    const failure = event.log_failure as { getTraceback(): string; getErrorMessage(): string };
    expect(failure.getErrorMessage()).toBe("nobody handled me");
    expect(failure.getTraceback()).toContain("RangeError: nobody handled me");
  });

  it("does not log a failure an errback handled", async () => {
    (() => {
      fail(new Error("handled")).addErrback(() => undefined);
    })();
    await collect();
    expect(unhandled()).toHaveLength(0);
  });

  it("does not log a failure handed on by chaining, nor the inner Deferred's", async () => {
    (() => {
      const inner = fail(new Error("passed out"));
      succeed(1)
        .addCallback(() => inner)
        .addErrback(() => "recovered");
    })();
    await collect();
    expect(unhandled()).toHaveLength(0);
  });

  it("does not log a failure that an await rejected with", async () => {
    await (async () => {
      await expect(fail(new Error("awaited"))).rejects.toThrow("awaited");
    })();
    await collect();
    expect(unhandled()).toHaveLength(0);
  });

  it("does not log a Deferred that succeeded, or one still pending", async () => {
    (() => {
      succeed(1);
      new Deferred<number>();
    })();
    await collect();
    expect(unhandled()).toHaveLength(0);
  });

  it("logs a failure that an errback handled and a later callback re-raised", async () => {
    (() => {
      fail(new Error("first"))
        .addErrback(() => 1)
        .addCallback(() => {
          throw new Error("second");
        });
    })();
    await collect(1);
    const logged = unhandled();
    expect(logged).toHaveLength(1);
    const failure = (logged[0] as LogEvent).log_failure as { getErrorMessage(): string };
    expect(failure.getErrorMessage()).toBe("second");
  });
});
