import { describe, expect, it } from "vitest";
import * as testing from "../../src/testing.js";

describe("@twisted-ts/core/testing", () => {
  it("exports the test doubles, the pump and Clock", () => {
    expect(Object.keys(testing).sort()).toEqual(
      [
        "AccumulatingProtocol",
        "Clock",
        "EventLoggingObserver",
        "FakeConnector",
        "FakeDatagramTransport",
        "FakePort",
        "FakeTransport",
        "IOPump",
        "LineSendingProtocol",
        "MemoryReactor",
        "MemoryReactorClock",
        "NonStreamingProducer",
        "RaisingMemoryReactor",
        "StringTransport",
        "StringTransportWithDisconnection",
        "connect",
        "connectedServerAndClient",
        "makeFakeClient",
        "makeFakeServer",
        "noAddr",
      ].sort(),
    );
  });

  it("resolves through the package's own subpath export", async () => {
    const viaPackage = await import("@twisted-ts/core/testing");
    expect(viaPackage.StringTransport).toBe(testing.StringTransport);
  });
});
