import { afterEach, describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import { SystemExit } from "../../src/errors.js";
import { globalLogPublisher, type LogEvent } from "../../src/logger/index.js";
import { Reactor } from "../../src/reactor/reactor.js";
import { react } from "../../src/task/react.js";

const savedExitCode = process.exitCode;
afterEach(() => {
  process.exitCode = savedExitCode;
});

function quietReactor(): Reactor {
  return new Reactor();
}

describe("react (real reactor)", () => {
  it("runs main once the reactor runs, passes argv, and exits 0 on a synchronous success", async () => {
    const reactor = quietReactor();
    const seen: unknown[] = [];
    const code = await react(
      (r: Reactor, a: string, b: number) => {
        seen.push(r.running, a, b);
      },
      ["x", 2],
      reactor,
    );
    expect(seen).toEqual([true, "x", 2]);
    expect(code).toBe(0);
    expect(process.exitCode).toBe(0);
    expect(reactor.running).toBe(false);
  });

  it("waits for a Deferred main and stops the reactor exactly once", async () => {
    const reactor = quietReactor();
    let stops = 0;
    const stop = reactor.stop.bind(reactor);
    reactor.stop = () => {
      stops++;
      stop();
    };
    const code = await react(
      (r: Reactor) => {
        const d = new Deferred<string>();
        r.callLater(0.02, () => d.callback("done"));
        return d;
      },
      [],
      reactor,
    );
    expect(code).toBe(0);
    expect(stops).toBe(1);
  });

  it("logs 'main function encountered error' and exits 1 when an async main fails", async () => {
    const events: LogEvent[] = [];
    const observer = (e: LogEvent) => {
      events.push(e);
    };
    globalLogPublisher.addObserver(observer);
    try {
      const code = await react(
        async () => {
          throw new RangeError("main broke");
        },
        [],
        quietReactor(),
      );
      expect(code).toBe(1);
      const logged = events.find((e) => e.log_format === "main function encountered error");
      expect(logged?.log_failure?.getErrorMessage()).toBe("main broke");
    } finally {
      globalLogPublisher.removeObserver(observer);
    }
  });

  it("exits with a SystemExit's code", async () => {
    const code = await react(
      () => {
        throw new SystemExit(3);
      },
      [],
      quietReactor(),
    );
    expect(code).toBe(3);
    expect(process.exitCode).toBe(3);
  });

  it("exits 0 when something else stops the reactor first", async () => {
    const reactor = quietReactor();
    const code = await react(
      (r: Reactor) => {
        r.callLater(0, () => r.stop());
        return new Deferred<void>();
      },
      [],
      reactor,
    );
    expect(code).toBe(0);
  });
});
