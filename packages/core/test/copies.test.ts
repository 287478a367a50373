import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import * as esm from "../src/index.js";

type Core = typeof esm;
let cjs: Core;

beforeAll(() => {
  // A second, CommonJS copy of the package, as a user gets when one dependency `require`s it
  // and another `import`s it.
  const outfile = join(mkdtempSync(join(tmpdir(), "twisted-ts-cjs-")), "core.cjs");
  buildSync({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "silent",
  });
  cjs = createRequire(import.meta.url)(outfile) as Core;
});

describe("an ESM and a CJS copy loaded side by side", () => {
  it("are separate copies", () => {
    expect(cjs.ConnectionDone).not.toBe(esm.ConnectionDone);
  });

  it("recognise each other's errors with instanceof and is()", () => {
    const fromCjs = new cjs.ConnectionDone();
    expect(fromCjs).toBeInstanceOf(esm.ConnectionDone);
    expect(fromCjs).toBeInstanceOf(esm.ConnectionClosed);
    expect(fromCjs).not.toBeInstanceOf(esm.ConnectionLost);
    expect(esm.ConnectionClosed.is(fromCjs)).toBe(true);
    expect(new esm.TimeoutError(1)).toBeInstanceOf(cjs.ConnectError);
    expect(fromCjs.code).toBe("ERR_CONNECTION_DONE");
  });

  it("recognise each other's Failures, and trap errors across copies", () => {
    const failure = new cjs.Failure(new cjs.CancelledError());
    expect(esm.Failure.isFailure(failure)).toBe(true);
    expect(failure.check(esm.CancelledError)).toBe(esm.CancelledError);
    const d = new esm.Deferred<number>();
    let trapped: unknown;
    d.addErrback((f) => {
      trapped = f.trap(esm.CancelledError);
    });
    d.errback(failure);
    expect(trapped).toBe(esm.CancelledError);
  });

  it("share one global reactor and one default clock", () => {
    expect(cjs.reactor).toBe(esm.reactor);
    expect(cjs.getDefaultClock()).toBe(esm.getDefaultClock());
  });

  it("share the global log publisher", () => {
    expect(cjs.globalLogPublisher).toBe(esm.globalLogPublisher);
  });
});
