import { describe, expect, it } from "vitest";
import { ProcessDone } from "../../src/errors.js";
import { Failure } from "../../src/failure.js";
import type { IProcessTransport } from "../../src/interfaces/process.js";
import { ProcessProtocol } from "../../src/protocol/processProtocol.js";

class Recorder extends ProcessProtocol {
  readonly calls: string[] = [];
  override connectionMade(): void {
    this.calls.push("connectionMade");
  }
  override outReceived(data: Buffer): void {
    this.calls.push(`out ${data}`);
  }
  override errReceived(data: Buffer): void {
    this.calls.push(`err ${data}`);
  }
  override inConnectionLost(): void {
    this.calls.push("in lost");
  }
  override outConnectionLost(): void {
    this.calls.push("out lost");
  }
  override errConnectionLost(): void {
    this.calls.push("err lost");
  }
}

describe("ProcessProtocol", () => {
  it("sets transport and connected, then calls connectionMade", () => {
    const p = new Recorder();
    const transport = {} as IProcessTransport;
    p.makeConnection(transport);
    expect(p.transport).toBe(transport);
    expect(p.connected).toBe(true);
    expect(p.calls).toEqual(["connectionMade"]);
  });

  it("dispatches fd 1 and 2 to outReceived and errReceived and ignores other descriptors", () => {
    const p = new Recorder();
    p.childDataReceived(1, Buffer.from("a"));
    p.childDataReceived(2, Buffer.from("b"));
    p.childDataReceived(3, Buffer.from("c"));
    expect(p.calls).toEqual(["out a", "err b"]);
  });

  it("dispatches closed descriptors 0, 1 and 2 to the in/out/err ConnectionLost hooks", () => {
    const p = new Recorder();
    for (const fd of [0, 1, 2, 5]) p.childConnectionLost(fd);
    expect(p.calls).toEqual(["in lost", "out lost", "err lost"]);
  });

  it("does nothing by default on exit and end, and names itself by class", () => {
    const p = new ProcessProtocol();
    const done = new Failure(new ProcessDone());
    expect(() => p.processExited(done)).not.toThrow();
    expect(() => p.processEnded(done)).not.toThrow();
    expect(() => p.outReceived(Buffer.alloc(0))).not.toThrow();
    expect(p.logPrefix()).toBe("ProcessProtocol");
  });
});
