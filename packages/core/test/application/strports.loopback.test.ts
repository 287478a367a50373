import { describe, expect, it } from "vitest";
import {
  CannotListenError,
  Factory,
  type IPv4Address,
  Protocol,
  strportsService,
} from "../../src/index.js";
import { Collector, RecordingClientFactory, testReactor, waitFor } from "../reactor/helpers.js";

class Greeter extends Protocol {
  override connectionMade(): void {
    this.transport?.write("hi\r\n");
    this.transport?.loseConnection();
  }
}

describe("strportsService over loopback", () => {
  it("listens while running and stops listening on stop", async () => {
    const reactor = testReactor();
    const factory = Factory.forProtocol(Greeter);
    factory.noisy = false;
    const service = strportsService("tcp:0:interface=127.0.0.1", factory, reactor);
    service.privilegedStartService();
    service.startService();
    const port = await waitFor(() => service.listeningPort);
    const client = new RecordingClientFactory(() => new Collector());
    const { port: number } = port.getHost() as IPv4Address;
    reactor.connectTCP("127.0.0.1", number, client);
    const proto = await waitFor(() => client.built[0]);
    await proto.lost;
    expect(proto.text).toBe("hi\r\n");
    await service.stopService();
    expect(service.running).toBe(false);
    const refused = new RecordingClientFactory(() => new Collector());
    reactor.connectTCP("127.0.0.1", number, refused);
    await refused.failed;
  });

  it("throws CannotListenError from privilegedStartService when the port is in use", () => {
    const reactor = testReactor();
    const busy = reactor.listenTCP(0, Factory.forProtocol(Greeter), { interface: "127.0.0.1" });
    const service = strportsService(
      `tcp:${(busy.getHost() as IPv4Address).port}:interface=127.0.0.1`,
      Factory.forProtocol(Greeter),
      reactor,
    );
    expect(() => service.privilegedStartService()).toThrow(CannotListenError);
  });
});
