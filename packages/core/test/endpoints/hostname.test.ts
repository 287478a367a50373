import { describe, expect, it } from "vitest";
import { HostnameAddress } from "../../src/address.js";
import { Deferred } from "../../src/defer/deferred.js";
import { EndpointValueError } from "../../src/endpoints/errors.js";
import { HostnameEndpoint } from "../../src/endpoints/hostname.js";
import type { ResolvedAddress } from "../../src/endpoints/resolver.js";
import {
  ConnectError,
  ConnectingCancelledError,
  ConnectionRefusedError,
  DNSLookupError,
} from "../../src/errors.js";
import { FakeReactor, factoryOf, RecordingProtocol, resultOf } from "./fakeReactor.js";

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

function endpoint(
  reactor: FakeReactor,
  addresses: readonly ResolvedAddress[],
  ...rest: [timeout?: number, bindAddress?: string | readonly [string, number]]
): HostnameEndpoint {
  const ep = new HostnameEndpoint(reactor, "www.example.com", 80, ...rest);
  ep.nameResolver = () => addresses;
  return ep;
}

const factory = () => factoryOf(() => new RecordingProtocol());

describe("HostnameEndpoint", () => {
  it("resolves the name with family 0 and connects to the address", () => {
    const reactor = new FakeReactor();
    const ep = new HostnameEndpoint(reactor, "example.com", 80, 10, ["localhost", 49595]);
    const asked: unknown[] = [];
    ep.nameResolver = (host, family) => {
      asked.push(host, family);
      return [v4("1.2.3.4")];
    };
    const user = new RecordingProtocol();
    const d = ep.connect(factoryOf(() => user));
    expect(asked).toEqual(["example.com", 0]);
    expect(reactor.tcpClients.map((c) => [c.host, c.port, c.options])).toEqual([
      ["1.2.3.4", 80, { timeout: 10, bindAddress: ["localhost", 49595] }],
    ]);
    reactor.tcpClients[0]?.connector.succeed();
    expect(resultOf(d).value).toBe(user);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("starts the next address after 0.3 seconds while the first is pending", () => {
    const reactor = new FakeReactor();
    endpoint(reactor, [v4("1.2.3.4"), v6("1:2::3:4")]).connect(factory());
    expect(reactor.tcpClients.map((c) => c.host)).toEqual(["1.2.3.4"]);
    reactor.advance(0.29);
    expect(reactor.tcpClients).toHaveLength(1);
    reactor.advance(0.01);
    expect(reactor.tcpClients.map((c) => c.host)).toEqual(["1.2.3.4", "1:2::3:4"]);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("takes the first connection and cancels the others (IPv6 is faster)", () => {
    const reactor = new FakeReactor();
    const d = endpoint(reactor, [v4("1.2.3.4"), v6("1:2::3:4"), v4("5.6.7.8")]).connect(factory());
    reactor.advance(0.3);
    reactor.tcpClients[1]?.connector.succeed();
    expect(resultOf(d).value).toBeInstanceOf(RecordingProtocol);
    expect(reactor.tcpClients[0]?.connector.stoppedConnecting).toBe(true);
    expect(reactor.tcpClients).toHaveLength(2);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("builds the protocol only for the winning connection", () => {
    const reactor = new FakeReactor();
    const f = factory();
    let built = 0;
    const counting = {
      ...f,
      buildProtocol: () => {
        built++;
        return new RecordingProtocol();
      },
    };
    endpoint(reactor, [v4("1.2.3.4"), v4("5.6.7.8")]).connect(counting);
    reactor.advance(0.3);
    reactor.tcpClients[0]?.connector.succeed();
    expect(built).toBe(1);
  });

  it("starts the next address at once when an attempt fails (RFC 8305)", () => {
    const reactor = new FakeReactor();
    endpoint(reactor, [v6("::1"), v4("127.0.0.1")]).connect(factory());
    reactor.tcpClients[0]?.connector.fail(new ConnectionRefusedError("refused"));
    expect(reactor.tcpClients.map((c) => c.host)).toEqual(["::1", "127.0.0.1"]);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("fails with the last failure when every address fails", () => {
    const reactor = new FakeReactor();
    const d = endpoint(reactor, [v4("1.2.3.4"), v6("1:2::3:4")]).connect(factory());
    reactor.advance(0.3);
    const last = new ConnectError("second");
    reactor.tcpClients[0]?.connector.fail(new ConnectError("first"));
    expect(d.called).toBe(false);
    reactor.tcpClients[1]?.connector.fail(last);
    expect(resultOf(d).failure?.value).toBe(last);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("fails at once when the only address cannot be connected to", () => {
    const reactor = new FakeReactor();
    const error = new ConnectError("Connection Failed");
    reactor.connectError = error;
    const d = endpoint(reactor, [v4("1.2.3.4")]).connect(factory());
    expect(resultOf(d).failure?.value).toBe(error);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });

  it("skips addresses of other families", () => {
    const reactor = new FakeReactor();
    endpoint(reactor, [v4("1.2.3.4"), { address: "x", family: 99 }, v6("1:2::3:4")]).connect(
      factory(),
    );
    reactor.advance(0.3);
    expect(reactor.tcpClients.map((c) => c.host)).toEqual(["1.2.3.4", "1:2::3:4"]);
  });

  it("fails with DNSLookupError naming the host when nothing resolves", () => {
    const d = endpoint(new FakeReactor(), []).connect(factory());
    const error = resultOf(d).failure?.value;
    expect(error).toBeInstanceOf(DNSLookupError);
    expect(String(error)).toContain("www.example.com");
  });

  it("fails with DNSLookupError when resolution fails", () => {
    const ep = new HostnameEndpoint(new FakeReactor(), "nowhere.invalid", 80);
    ep.nameResolver = () => Promise.reject(new Error("ENOTFOUND"));
    const d = ep.connect(factory());
    return d.asPromise().then(
      () => expect.unreachable(),
      (error: unknown) => {
        expect(error).toBeInstanceOf(DNSLookupError);
        expect(String(error)).toContain("Couldn't find the hostname 'nowhere.invalid'");
      },
    );
  });

  it("cancels every pending attempt and leaves no timer when cancelled", () => {
    for (const advance of [0, 0.45]) {
      const reactor = new FakeReactor();
      const d = endpoint(reactor, [v4("1.2.3.4"), v6("1:2::3:4")]).connect(factory());
      reactor.advance(advance);
      d.cancel();
      const error = resultOf(d).failure?.value;
      expect(error).toBeInstanceOf(ConnectingCancelledError);
      expect((error as { address?: unknown }).address).toEqual(
        new HostnameAddress("www.example.com", 80),
      );
      expect(reactor.tcpClients.every((c) => c.connector.stoppedConnecting)).toBe(true);
      expect(reactor.getDelayedCalls()).toEqual([]);
    }
  });

  it("connects nowhere when cancelled during resolution", () => {
    const reactor = new FakeReactor();
    const ep = new HostnameEndpoint(reactor, "example.com", 80);
    const lookup = new Deferred<ResolvedAddress[]>();
    ep.nameResolver = () => lookup;
    const d = ep.connect(factory());
    d.cancel();
    lookup.callback([v4("1.2.3.4")]);
    expect(resultOf(d).failure?.value).toBeInstanceOf(ConnectingCancelledError);
    expect(reactor.tcpClients).toEqual([]);
  });

  it("takes a custom attempt delay", () => {
    const reactor = new FakeReactor();
    const ep = new HostnameEndpoint(reactor, "h", 80, 30, undefined, 1);
    ep.nameResolver = () => [v4("1.2.3.4"), v4("5.6.7.8")];
    ep.connect(factory());
    reactor.advance(0.9);
    expect(reactor.tcpClients).toHaveLength(1);
    reactor.advance(0.1);
    expect(reactor.tcpClients).toHaveLength(2);
  });

  it("accepts a host or a [host, port] pair as bind address", () => {
    const reactor = new FakeReactor();
    expect(new HostnameEndpoint(reactor, "h", 1, 30, "1.2.3.4").bindAddress).toEqual([
      "1.2.3.4",
      0,
    ]);
    expect(new HostnameEndpoint(reactor, "h", 1, 30, ["1.2.3.4", 1234]).bindAddress).toEqual([
      "1.2.3.4",
      1234,
    ]);
    expect(new HostnameEndpoint(reactor, "h", 1).bindAddress).toBeUndefined();
  });

  it("IDNA-encodes Unicode names, keeps IPv6 addresses, and rejects names it cannot encode", () => {
    const reactor = new FakeReactor();
    const idn = new HostnameEndpoint(reactor, "éxample.example.com", 443);
    expect(idn.hostText).toBe("xn--xample-9ua.example.com");
    expect(String(idn)).toBe("<HostnameEndpoint xn--xample-9ua.example.com:443>");
    expect(String(new HostnameEndpoint(reactor, "::1", 80))).toBe("<HostnameEndpoint [::1]:80>");
    const bad = new HostnameEndpoint(reactor, "bad host/name", 80);
    expect(resultOf(bad.connect(factory())).failure?.value).toBeInstanceOf(EndpointValueError);
  });
});
