import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IProtocolFactory, IPv4Address, IReactorTCP } from "@twisted-ts/core";
import { Agent } from "@twisted-ts/http";
import { LineClient, onCleanup, testReactor, until } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { finger } from "../src/client.js";
import { HTTPFingerService } from "../src/http.js";
import type { IFingerService } from "../src/interfaces.js";
import { FingerFactory } from "../src/server.js";
import { FileFingerService } from "../src/services/file.js";
import { MemoryFingerService } from "../src/services/memory.js";
import { ProcessFingerService } from "../src/services/process.js";
import { FingerSetterFactory } from "../src/setter.js";

function listen(reactor: IReactorTCP, factory: IProtocolFactory): number {
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  onCleanup(async () => {
    await port.stopListening();
  });
  return (port.getHost() as IPv4Address).port;
}

function fingerServer(service: IFingerService) {
  const reactor = testReactor();
  const factory = new FingerFactory(service, { clock: reactor });
  factory.noisy = false;
  return { reactor, port: listen(reactor, factory) };
}

describe("finger over real sockets", () => {
  it("answers our client: one user, the long form, the list, forwarding", async () => {
    const { reactor, port } = fingerServer(
      new MemoryFingerService({ moshez: "Happy and well", joe: "At lunch" }),
    );
    const ask = (user: string, long = false) =>
      finger(reactor, user, "127.0.0.1", { port, long, timeout: 5 });
    expect(await ask("moshez")).toBe("Happy and well\r\n");
    expect(await ask("moshez", true)).toBe("Login: moshez\r\nHappy and well\r\n");
    expect(await ask("")).toBe("moshez\r\njoe\r\n");
    expect(await ask("nobody")).toBe("No such user\r\n");
    expect(await ask("joe@elsewhere")).toBe("Finger forwarding service denied\r\n");
  });

  it("answers a plain socket that ends its query with LF only", async () => {
    const { port } = fingerServer(new MemoryFingerService({ joe: "At lunch" }));
    const client = await LineClient.connect(port);
    client.send("joe\n");
    await client.waitForEnd();
    expect(client.lines).toEqual(["At lunch"]);
  });

  it("closes a connection that sends nothing, after its timeout", async () => {
    const reactor = testReactor();
    const factory = new FingerFactory(new MemoryFingerService(), {
      clock: reactor,
      timeout: 0.2,
    });
    factory.noisy = false;
    const client = await LineClient.connect(listen(reactor, factory));
    await client.waitForEnd(3000);
    expect(client.lines).toEqual([]);
  });

  it("lets the setter protocol change what finger answers", async () => {
    const reactor = testReactor();
    const users = new MemoryFingerService();
    const fingerFactory = new FingerFactory(users, { clock: reactor });
    const setterFactory = new FingerSetterFactory(users);
    fingerFactory.noisy = false;
    setterFactory.noisy = false;
    const fingerPort = listen(reactor, fingerFactory);
    const setterPort = listen(reactor, setterFactory);
    const setter = netConnect(setterPort, "127.0.0.1");
    onCleanup(() => {
      setter.destroy();
    });
    setter.write("joe Gone fishing\r\n");
    await until(
      () => users.users.has("joe"),
      5000,
      () => "the setter line",
    );
    expect(await finger(reactor, "joe", "127.0.0.1", { port: fingerPort, timeout: 5 })).toBe(
      "Gone fishing\r\n",
    );
  });

  it("fails our client with a connection error when nothing listens", async () => {
    const reactor = testReactor();
    // A port that is free now: listen, note it, stop.
    const port = reactor.listenTCP(0, new FingerFactory(new MemoryFingerService()), {
      interface: "127.0.0.1",
    });
    const free = (port.getHost() as IPv4Address).port;
    await port.stopListening();
    await expect(
      finger(reactor, "joe", "127.0.0.1", { port: free, timeout: 5 }).asPromise(),
    ).rejects.toThrow();
  });
});

describe("back ends with real I/O", () => {
  it("FileFingerService reloads a changed file on the reactor's clock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "finger-loop-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "users");
    writeFileSync(path, "moshez:Happy and well\n");
    const reactor = testReactor();
    const service = new FileFingerService(path, { clock: reactor, interval: 0.1 });
    service.startService();
    onCleanup(() => {
      service.stopService();
    });
    const { port } = fingerServerOn(reactor, service);
    await until(
      () => service.users.size > 0,
      5000,
      () => "the first read",
    );
    expect(await finger(reactor, "moshez", "127.0.0.1", { port, timeout: 5 })).toBe(
      "Happy and well\r\n",
    );
    writeFileSync(path, "moshez:Changed\n");
    await until(
      () => service.users.get("moshez") === "Changed",
      5000,
      () => "the reload",
    );
  });

  it("ProcessFingerService answers a real command's output", async () => {
    const reactor = testReactor();
    const service = new ProcessFingerService("/bin/echo", { reactor, args: ["Status of"] });
    expect(await service.getUser("joe")).toBe("Status of joe\n");
  });

  it("ProcessFingerService fails when the command cannot be run", async () => {
    const reactor = testReactor();
    const service = new ProcessFingerService("/nonexistent/finger", { reactor });
    await expect(
      Promise.resolve().then(() => service.getUser("joe").asPromise()),
    ).rejects.toThrow();
  });

  it("HTTPFingerService looks statuses up on a web server", async () => {
    const server: Server = createServer((request, response) => {
      if (request.url === "/status/joe%20x") {
        response.end("Encoded\n");
      } else if (request.url === "/status/joe") {
        response.end("At lunch\n");
      } else if (request.url === "/users") {
        response.end("joe\nann\n\n");
      } else if (request.url === "/status/broken") {
        response.statusCode = 500;
        response.end("oops");
      } else {
        response.statusCode = 404;
        response.end("not found");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    const reactor = testReactor();
    const service = new HTTPFingerService(
      `http://127.0.0.1:${address.port}/status/{user}`,
      new Agent(reactor),
      { usersUrl: `http://127.0.0.1:${address.port}/users` },
    );
    expect(await service.getUser("joe")).toBe("At lunch\n");
    expect(await service.getUser("joe x")).toBe("Encoded\n");
    expect(await service.getUser("nobody")).toBe("No such user");
    expect(await service.getUsers()).toEqual(["joe", "ann"]);
    await expect(service.getUser("broken").asPromise()).rejects.toThrow(/500/);
    // And through a finger server: the failure becomes Internal error in server.
    const { port } = fingerServerOn(reactor, service);
    expect(await finger(reactor, "joe", "127.0.0.1", { port, timeout: 5 })).toBe("At lunch\r\n");
    expect(await finger(reactor, "broken", "127.0.0.1", { port, timeout: 5 })).toBe(
      "Internal error in server\r\n",
    );
  });
});

function fingerServerOn(reactor: ReturnType<typeof testReactor>, service: IFingerService) {
  const factory = new FingerFactory(service, { clock: reactor });
  factory.noisy = false;
  return { port: listen(reactor, factory) };
}
