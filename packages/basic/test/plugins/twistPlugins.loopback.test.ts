import {
  type IListeningPort,
  type IPv4Address,
  Reactor,
  type StreamServerEndpointService,
} from "@twisted-ts/core";
import { afterEach, describe, expect, it } from "vitest";
import { daytime, discard, echo } from "../../src/twistPlugins.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function start(plugin: typeof echo, listen: string[]) {
  const reactor = new Reactor();
  const finished = reactor.run({ installSignalHandlers: false });
  const service = plugin.makeService({ listen }, reactor);
  service.privilegedStartService();
  service.startService();
  stops.push(async () => {
    await service.stopService();
    reactor.stop();
    await finished;
  });
  const ports: IListeningPort[] = [];
  for (const child of service) {
    const port = (child as StreamServerEndpointService).listeningPort;
    if (port) ports.push(port);
  }
  return { reactor, ports };
}

describe("the wire twist plugins", () => {
  it("declare their name, description and a repeatable --listen with a default", () => {
    for (const plugin of [echo, discard, daytime]) {
      expect(plugin.description).toMatch(/RFC 86[237]/);
      expect(plugin.options.listen.multiple).toBe(true);
      expect(plugin.options.listen.default.length).toBe(1);
    }
    expect([echo.name, discard.name, daytime.name]).toEqual(["echo", "discard", "daytime"]);
  });

  it("listen on every --listen description, and the echo plugin echoes", async () => {
    const { ports } = await start(echo, ["tcp:0:interface=127.0.0.1", "tcp:0:interface=127.0.0.1"]);
    expect(ports).toHaveLength(2);
    const { createConnection } = await import("node:net");
    for (const port of ports) {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = createConnection((port.getHost() as IPv4Address).port, "127.0.0.1");
        socket.on("error", reject);
        socket.once("data", (data) => {
          resolve(String(data));
          socket.destroy();
        });
        socket.write("ping");
      });
      expect(reply).toBe("ping");
    }
  });

  it("serve daytime on the described endpoint", async () => {
    const { ports } = await start(daytime, ["tcp:0:interface=127.0.0.1"]);
    const [port] = ports;
    if (port === undefined) throw new Error("the daytime plugin is not listening");
    const { createConnection } = await import("node:net");
    const text = await new Promise<string>((resolve, reject) => {
      let got = "";
      const socket = createConnection((port.getHost() as IPv4Address).port, "127.0.0.1");
      socket.on("error", reject);
      socket.on("data", (data) => {
        got += String(data);
      });
      socket.on("close", () => resolve(got));
    });
    expect(text).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
  });
});
