import { collectState, TCP4ServerEndpoint } from "@twisted-ts/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FibonacciService } from "../src/fibonacci.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("src/app.ts, the app file for twist --app", () => {
  it("exports an application with a stopped service named fibonacci, listening on $FIB_LISTEN", async () => {
    vi.stubEnv("FIB_LISTEN", "tcp:8999:interface=127.0.0.1");
    const { application } = await import("../src/app.js");
    expect(application.name).toBe("fibonacci");
    const service = application.getServiceNamed("fibonacci");
    expect(service).toBeInstanceOf(FibonacciService);
    expect(service.running).toBe(false);
    const endpoint = (service as FibonacciService).listener.endpoint;
    expect(endpoint).toBeInstanceOf(TCP4ServerEndpoint);
    const { port, interface: iface } = endpoint as TCP4ServerEndpoint;
    expect([port, iface]).toEqual([8999, "127.0.0.1"]);
    expect(collectState(application)).toEqual({ fibonacci: ["1", "1"] });
  });

  it("listens on tcp:8031 of 127.0.0.1 by default", async () => {
    vi.stubEnv("FIB_LISTEN", undefined);
    const { application } = await import("../src/app.js");
    const service = application.getServiceNamed("fibonacci") as FibonacciService;
    const { port, interface: iface } = service.listener.endpoint as TCP4ServerEndpoint;
    expect([port, iface]).toEqual([8031, "127.0.0.1"]);
  });
});
