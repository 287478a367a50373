import { ConnectionDone, Failure, IPv4Address } from "@twisted-ts/core";
import { MemoryReactor, MemoryReactorClock, StringTransport } from "@twisted-ts/core/testing";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import {
  listenDescription,
  makePortforwardService,
  portforwardPlugin,
} from "../src/portforward/plugin.js";
import {
  ProxyClient,
  type ProxyClientFactory,
  ProxyFactory,
  type ProxyServer,
} from "../src/portforward/proxy.js";

const done = () => new Failure(new ConnectionDone());

/** A server side connected on a StringTransport, and the client factory it asked for. */
function serverSide() {
  const reactor = new MemoryReactor();
  const factory = new ProxyFactory("dest.example", 6665, reactor);
  const server = factory.buildProtocol(new IPv4Address("TCP", "10.0.0.2", 5000)) as ProxyServer;
  const serverTransport = new StringTransport();
  server.makeConnection(serverTransport);
  const record = reactor.tcpClients[0];
  if (record === undefined) throw new Error("no connectTCP");
  return {
    reactor,
    server,
    serverTransport,
    record,
    clientFactory: record[2] as ProxyClientFactory,
  };
}

/** Both sides connected. */
function connected() {
  const side = serverSide();
  const client = side.clientFactory.buildProtocol(
    new IPv4Address("TCP", "1.2.3.4", 6665),
  ) as ProxyClient;
  const clientTransport = new StringTransport();
  client.makeConnection(clientTransport);
  return { ...side, client, clientTransport };
}

describe("ProxyServer", () => {
  it("stops reading from the client and connects to the destination", () => {
    const { serverTransport, record } = serverSide();
    expect(serverTransport.producerState).toBe("paused");
    expect(record.slice(0, 2)).toEqual(["dest.example", 6665]);
  });

  it("closes the client's connection when the destination cannot be reached", () => {
    const { serverTransport, clientFactory } = serverSide();
    clientFactory.clientConnectionFailed(undefined as never, new Failure(new Error("refused")));
    expect(serverTransport.disconnecting).toBe(true);
  });
});

describe("ProxyClient", () => {
  it("wires each transport as the other's producer and lets the client side read", () => {
    const { server, client, serverTransport, clientTransport } = connected();
    expect(client).toBeInstanceOf(ProxyClient);
    expect(server.peer).toBe(client);
    expect(client.peer).toBe(server);
    expect(clientTransport.producer).toBe(serverTransport);
    expect(serverTransport.producer).toBe(clientTransport);
    expect(clientTransport.streaming).toBe(true);
    expect(serverTransport.producerState).toBe("producing");
  });

  it("forwards bytes both ways", () => {
    const { server, client, serverTransport, clientTransport } = connected();
    server.dataReceived(Buffer.from("GET / HTTP/1.0\r\n\r\n"));
    client.dataReceived(Buffer.from("HTTP/1.0 200 OK\r\n"));
    expect(clientTransport.value().toString()).toBe("GET / HTTP/1.0\r\n\r\n");
    expect(serverTransport.value().toString()).toBe("HTTP/1.0 200 OK\r\n");
  });

  it("closes the other side, producer unregistered, when one side closes", () => {
    const { server, serverTransport, clientTransport } = connected();
    server.connectionLost(done());
    expect(clientTransport.producer).toBeUndefined();
    expect(clientTransport.disconnecting).toBe(true);
    expect(serverTransport.disconnecting).toBe(false);
  });

  it("passes a half-close on as a half-close", () => {
    const { server, client, serverTransport, clientTransport } = connected();
    server.readConnectionLost();
    expect(clientTransport.writeClosed).toBe(true);
    expect(clientTransport.disconnecting).toBe(false);
    client.readConnectionLost();
    expect(serverTransport.writeClosed).toBe(true);
  });

  it("hangs up when the client has gone while the destination was connecting", () => {
    const { server, clientFactory } = serverSide();
    server.connectionLost(done());
    const client = clientFactory.buildProtocol(
      new IPv4Address("TCP", "1.2.3.4", 6665),
    ) as ProxyClient;
    const clientTransport = new StringTransport();
    client.makeConnection(clientTransport);
    expect(clientTransport.disconnecting).toBe(true);
    expect(clientTransport.producer).toBeUndefined();
  });
});

describe("the portforward plugin", () => {
  it("listens on --port (a number or a description), or on --listen", () => {
    const base = {
      port: "6666",
      dest_port: "6665",
      listen: undefined,
      dest_host: undefined,
      host: undefined,
    };
    expect(listenDescription(base)).toBe("tcp:6666");
    expect(listenDescription({ ...base, port: "tcp:7:interface=127.0.0.1" })).toBe(
      "tcp:7:interface=127.0.0.1",
    );
    expect(listenDescription({ ...base, listen: "unix:/tmp/s" })).toBe("unix:/tmp/s");
  });

  it("makes a service that listens with a ProxyFactory to the destination", () => {
    const reactor = new MemoryReactorClock();
    const service = makePortforwardService(
      { port: "7000", listen: undefined, dest_host: undefined, host: "h.example", dest_port: "80" },
      reactor,
    );
    service.privilegedStartService();
    const [port, factory] = reactor.tcpServers[0] ?? [];
    expect(port).toBe(7000);
    expect(factory).toBeInstanceOf(ProxyFactory);
    expect(factory).toMatchObject({ host: "h.example", port: 80 });
    expect(portforwardPlugin.name).toBe("portforward");
  });

  it.each(["0", "70000", "http"])("rejects --dest_port %s", (destPort) => {
    expect(() =>
      makePortforwardService(
        {
          port: "1",
          listen: undefined,
          dest_host: undefined,
          host: undefined,
          dest_port: destPort,
        },
        new MemoryReactorClock(),
      ),
    ).toThrow(UsageError);
  });
});
