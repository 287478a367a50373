import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryFingerService } from "../src/services/memory.js";
import { FingerSetterFactory, type FingerSetterProtocol, parseSetterLine } from "../src/setter.js";
import { connectTo } from "./helpers.js";

describe("parseSetterLine", () => {
  it.each([
    ["joe At lunch", { user: "joe", status: "At lunch" }],
    ["joe\tAt  lunch\r", { user: "joe", status: "At  lunch" }],
    ["  joe   gone", { user: "joe", status: "gone" }],
    ["joe", { user: "joe", status: "" }],
    ["", undefined],
    [" \t ", undefined],
  ])("splits %j", (line, expected) => {
    expect(parseSetterLine(line)).toEqual(expected);
  });
});

describe("FingerSetterProtocol", () => {
  function setter(maxLineLength?: number) {
    const service = new MemoryFingerService({ joe: "old" });
    const factory = new FingerSetterFactory(
      service,
      maxLineLength === undefined ? {} : { maxLineLength },
    );
    const { protocol, transport } = connectTo<FingerSetterProtocol>(factory);
    return { service, protocol, transport };
  }

  it("sets a user's status from each line, answering nothing", async () => {
    const { service, protocol, transport } = setter();
    protocol.dataReceived(Buffer.from("joe At lunch\r\nmoshez Happy\n\r\n"));
    expect(await service.getUser("joe")).toBe("At lunch");
    expect(await service.getUser("moshez")).toBe("Happy");
    expect(await service.getUsers()).toEqual(["joe", "moshez"]);
    expect(transport.value().length).toBe(0);
    expect(transport.connected).toBe(true);
  });

  it("drops the connection past its line limit", () => {
    const { protocol, transport } = setter(16);
    protocol.dataReceived(Buffer.from(`joe ${"x".repeat(40)}`));
    expect(transport.connected).toBe(false);
  });

  it("sets the same statuses whatever the chunking", () => {
    const input = Buffer.from("a one\r\nb two two\r\n");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: input.length }), { maxLength: 6 }), (cuts) => {
        const { service, protocol } = setter();
        const points = [0, ...[...cuts].sort((x, y) => x - y), input.length];
        for (let i = 1; i < points.length; i++) {
          protocol.dataReceived(input.subarray(points[i - 1], points[i]));
        }
        expect([...service.users]).toEqual([
          ["joe", "old"],
          ["a", "one"],
          ["b", "two two"],
        ]);
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const { protocol } = setter(64);
        protocol.dataReceived(Buffer.from(bytes));
      }),
    );
  });
});

describe("MemoryFingerService", () => {
  it("answers from its users and copies the initial object", async () => {
    const initial = { moshez: "Happy and well" };
    const service = new MemoryFingerService(initial);
    initial.moshez = "changed";
    expect(await service.getUser("moshez")).toBe("Happy and well");
    expect(await service.getUser("nobody")).toBe("No such user");
    service.replaceUsers([["x", "y"]]);
    expect(await service.getUsers()).toEqual(["x"]);
  });

  it("does not answer for inherited object keys", async () => {
    expect(await new MemoryFingerService().getUser("constructor")).toBe("No such user");
  });
});
