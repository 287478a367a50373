import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import {
  clientFromString,
  registerClientEndpointParser,
} from "../../src/endpoints/clientFromString.js";
import { EndpointValueError, UnknownEndpointTypeError } from "../../src/endpoints/errors.js";
import { HostnameEndpoint } from "../../src/endpoints/hostname.js";
import type { IStreamClientEndpoint } from "../../src/endpoints/interfaces.js";
import { quoteStringArgument } from "../../src/endpoints/parse.js";
import { SSL4ClientEndpoint } from "../../src/endpoints/ssl.js";
import { TCP4ClientEndpoint } from "../../src/endpoints/tcp.js";
import { UNIXClientEndpoint } from "../../src/endpoints/unix.js";
import { ClientTLSEndpoint } from "../../src/endpoints/wrapTLS.js";
import { FakeReactor, FakeTransport, factoryOf, RecordingProtocol } from "./fakeReactor.js";

const fixtures = join(import.meta.dirname, "fixtures");
const fixture = (name: string): string => quoteStringArgument(join(fixtures, name));
const pem = (name: string): string => readFileSync(join(fixtures, name), "latin1").trim();

describe("clientFromString tcp:", () => {
  it("reads host, port, timeout and bindAddress keywords", () => {
    const reactor = new FakeReactor();
    const ep = clientFromString(
      reactor,
      "tcp:host=example.com:port=1234:timeout=7:bindAddress=10.0.0.2",
    );
    expect(ep).toBeInstanceOf(TCP4ClientEndpoint);
    expect(ep).toMatchObject({
      reactor,
      host: "example.com",
      port: 1234,
      timeout: 7,
      bindAddress: ["10.0.0.2", 0],
    });
  });

  it("takes host and port by position", () => {
    const ep = clientFromString(new FakeReactor(), "tcp:example.com:1234:timeout=7");
    expect(ep).toMatchObject({ host: "example.com", port: 1234, timeout: 7 });
  });

  it("takes the host by position with port=", () => {
    const ep = clientFromString(new FakeReactor(), "tcp:example.com:port=1234");
    expect(ep).toMatchObject({ host: "example.com", port: 1234 });
  });

  it("takes the port by position with host=", () => {
    const ep = clientFromString(new FakeReactor(), "tcp:host=example.com:1234");
    expect(ep).toMatchObject({ host: "example.com", port: 1234 });
  });

  it("defaults to a 30 second timeout and no bind address", () => {
    const ep = clientFromString(new FakeReactor(), "tcp:host=example.com:port=1234");
    expect(ep).toMatchObject({ timeout: 30, bindAddress: undefined });
  });

  it("matches its type in any case", () => {
    expect(clientFromString(new FakeReactor(), "TCP:a:1")).toBeInstanceOf(TCP4ClientEndpoint);
    expect(clientFromString(new FakeReactor(), "Tcp:a:1")).toBeInstanceOf(TCP4ClientEndpoint);
  });

  it("connects with what it parsed", () => {
    const reactor = new FakeReactor();
    clientFromString(reactor, "tcp:localhost:6667:timeout=5:bindAddress=127.0.0.1").connect(
      factoryOf(() => new RecordingProtocol()),
    );
    const call = reactor.tcpClients[0];
    expect([call?.host, call?.port, call?.options]).toEqual([
      "localhost",
      6667,
      { timeout: 5, bindAddress: ["127.0.0.1", 0] },
    ]);
  });

  it("reports bad values and missing or unknown fields", () => {
    const r = new FakeReactor();
    expect(() => clientFromString(r, "tcp:host:http")).toThrow(EndpointValueError);
    expect(() => clientFromString(r, "tcp:host:80:timeout=2.5")).toThrow(EndpointValueError);
    expect(() => clientFromString(r, "tcp:host=example.com")).toThrow(
      /missing required argument 'port'/,
    );
    expect(() => clientFromString(r, "tcp:a:1:bogus=2")).toThrow(/unexpected keyword/);
    expect(() => clientFromString(r, "tcp:a:1:2")).toThrow(TypeError);
  });
});

describe("clientFromString unix:", () => {
  it("reads path, lockfile and timeout keywords", () => {
    const reactor = new FakeReactor();
    const ep = clientFromString(reactor, "unix:path=/var/foo/bar:lockfile=1:timeout=9");
    expect(ep).toBeInstanceOf(UNIXClientEndpoint);
    expect(ep).toMatchObject({ reactor, path: "/var/foo/bar", timeout: 9, checkPID: true });
  });

  it("defaults to no lock file check and a 30 second timeout", () => {
    const ep = clientFromString(new FakeReactor(), "unix:path=/var/foo/bar");
    expect(ep).toMatchObject({ timeout: 30, checkPID: false });
  });

  it("takes the path by position", () => {
    const ep = clientFromString(new FakeReactor(), "unix:/var/foo/bar:lockfile=1:timeout=9");
    expect(ep).toMatchObject({ path: "/var/foo/bar", timeout: 9, checkPID: true });
  });

  it("turns the check off with lockfile=0", () => {
    const ep = clientFromString(new FakeReactor(), "unix:/var/foo/bar:lockfile=0");
    expect(ep).toMatchObject({ checkPID: false });
  });

  it("connects with what it parsed", () => {
    const reactor = new FakeReactor();
    clientFromString(reactor, "unix:/tmp/sock:lockfile=1:timeout=4").connect(
      factoryOf(() => new RecordingProtocol()),
    );
    expect(reactor.unixClients[0]?.options).toEqual({ timeout: 4, checkPID: true });
  });

  it("rejects a missing path and extra positional fields", () => {
    expect(() => clientFromString(new FakeReactor(), "unix:timeout=1")).toThrow(/'path'/);
    expect(() => clientFromString(new FakeReactor(), "unix:/a:/b")).toThrow(TypeError);
  });
});

describe("clientFromString ssl:", () => {
  it("does not verify the server without hostname or caCertsDir, as in Twisted", () => {
    const ep = clientFromString(new FakeReactor(), "ssl:host=simple.example.org:port=4321");
    expect(ep).toBeInstanceOf(SSL4ClientEndpoint);
    const ssl = ep as SSL4ClientEndpoint;
    expect(ssl).toMatchObject({ host: "simple.example.org", port: 4321, timeout: 30 });
    expect(ssl.tlsOptions).toEqual({ rejectUnauthorized: false });
  });

  it("reads every field, loading the client certificate and the CA directory", () => {
    const ep = clientFromString(
      new FakeReactor(),
      `ssl:example.net:4321:privateKey=${fixture("server.pem")}:certKey=${fixture("server.pem")}` +
        `:bindAddress=10.0.0.3:timeout=3:caCertsDir=${fixture("cas")}`,
    ) as SSL4ClientEndpoint;
    expect(ep).toMatchObject({
      host: "example.net",
      port: 4321,
      timeout: 3,
      bindAddress: ["10.0.0.3", 0],
    });
    const options = ep.tlsOptions as typeof ep.tlsOptions & {
      checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
    };
    expect(options.cert).toBe(pem("cert.pem"));
    expect(options.key).toBe(pem("key.pem"));
    expect(options.rejectUnauthorized).toBe(true);
    // Without hostname=, the chain is checked but not the name.
    expect(options.checkServerIdentity?.("anything", {} as PeerCertificate)).toBeUndefined();
    // thing1 and thing2 once each: the duplicate, the garbage and the .crt file are skipped.
    expect(options.ca).toEqual([pem("cas/thing1.pem"), pem("cas/thing2.pem")].map((c) => `${c}\n`));
  });

  it("verifies the name given as hostname=, and sends it as SNI", () => {
    const ep = clientFromString(
      new FakeReactor(),
      "ssl:10.0.0.1:443:hostname=www.example.com",
    ) as SSL4ClientEndpoint;
    expect(ep.tlsOptions).toEqual({ servername: "www.example.com", rejectUnauthorized: true });
  });

  it("takes the key from the certificate file when privateKey is not given", () => {
    const ep = clientFromString(
      new FakeReactor(),
      `ssl:a:1:certKey=${fixture("server.pem")}`,
    ) as SSL4ClientEndpoint;
    expect(ep.tlsOptions.key).toBe(pem("key.pem"));
  });

  it("connects with connectSSL and what it parsed", () => {
    const reactor = new FakeReactor();
    clientFromString(reactor, "ssl:example.net:443:timeout=2").connect(
      factoryOf(() => new RecordingProtocol()),
    );
    const call = reactor.sslClients[0];
    expect([call?.host, call?.port, call?.tlsOptions, call?.options]).toEqual([
      "example.net",
      443,
      { rejectUnauthorized: false },
      { timeout: 2 },
    ]);
  });
});

describe("clientFromString tls:", () => {
  it("wraps a HostnameEndpoint built from the fields", () => {
    const reactor = new FakeReactor();
    const ep = clientFromString(reactor, "tls:example.com:443:timeout=10:bindAddress=127.0.0.1");
    expect(ep).toBeInstanceOf(ClientTLSEndpoint);
    const tls = ep as ClientTLSEndpoint;
    expect(tls.wrappedEndpoint).toBeInstanceOf(HostnameEndpoint);
    expect(tls.wrappedEndpoint).toMatchObject({
      reactor,
      hostText: "example.com",
      port: 443,
      timeout: 10,
      bindAddress: ["127.0.0.1", 0],
    });
    expect(tls.tlsOptions).toEqual({ servername: "example.com", rejectUnauthorized: true });
  });

  it("defaults to a 30 second timeout, no bind address and the system's CAs", () => {
    const tls = clientFromString(new FakeReactor(), "tls:example.com:443") as ClientTLSEndpoint;
    expect(tls.wrappedEndpoint).toMatchObject({ timeout: 30, bindAddress: undefined });
    expect(tls.tlsOptions.ca).toBeUndefined();
  });

  it("verifies the IDNA form of a Unicode host name and connects to it", () => {
    const tls = clientFromString(
      new FakeReactor(),
      "tls:éxample.example.com:443",
    ) as ClientTLSEndpoint;
    expect(tls.tlsOptions.servername).toBe("xn--xample-9ua.example.com");
    expect(tls.wrappedEndpoint).toMatchObject({ hostText: "xn--xample-9ua.example.com" });
  });

  it("takes timeout by position and rejects unknown keywords", () => {
    const r = new FakeReactor();
    expect(clientFromString(r, "tls:example.com:443:10")).toBeDefined();
    expect(() => clientFromString(r, "tls:example.com:443:hostname=x")).toThrow(
      /unrecognized keyword arguments present: hostname/,
    );
    expect(() => clientFromString(r, "tls:example.com")).toThrow(
      /missing required argument 'port'/,
    );
    expect(() => clientFromString(r, "tls:example.com:https")).toThrow(EndpointValueError);
  });

  it("starts TLS over the endpoint given as endpoint=, verifying the host name", () => {
    const reactor = new FakeReactor();
    const inner = quoteStringArgument("tcp:127.0.0.1:8443");
    const ep = clientFromString(
      reactor,
      `tls:localhost:8443:endpoint=${inner}:trustRoots=${fixture("cas")}` +
        `:certificate=${fixture("cert.pem")}:privateKey=${fixture("key.pem")}`,
    );
    const user = new RecordingProtocol();
    const d = ep.connect(factoryOf(() => user));
    const call = reactor.tcpClients[0];
    expect([call?.host, call?.port]).toEqual(["127.0.0.1", 8443]);
    const started: unknown[] = [];
    const transport = Object.assign(new FakeTransport(), {
      startTLS: (options: unknown) => started.push(options),
    });
    call?.connector.succeed(transport);
    expect(d.called).toBe(true);
    expect(started).toEqual([
      {
        servername: "localhost",
        rejectUnauthorized: true,
        cert: pem("cert.pem"),
        key: pem("key.pem"),
        ca: [pem("cas/thing1.pem"), pem("cas/thing2.pem")].map((c) => `${c}\n`),
      },
    ]);
    expect(user.transport).toBe(transport);
  });

  it("checks an IP address host against the certificate itself (no SNI)", () => {
    const reactor = new FakeReactor();
    const ep = clientFromString(
      reactor,
      `tls:127.0.0.1:1:endpoint=${quoteStringArgument("tcp:127.0.0.1:1")}`,
    );
    ep.connect(factoryOf(() => new RecordingProtocol()));
    let options: { servername?: string; checkServerIdentity?: unknown } | undefined;
    reactor.tcpClients[0]?.connector.succeed(
      Object.assign(new FakeTransport(), {
        startTLS: (o: typeof options) => {
          options = o;
        },
      }),
    );
    expect(options?.servername).toBeUndefined();
    expect(typeof options?.checkServerIdentity).toBe("function");
  });
});

describe("clientFromString types", () => {
  it("rejects an unknown type with Twisted's message", () => {
    expect(() => clientFromString(new FakeReactor(), "ftl:andromeda/carcosa/hali/2387")).toThrow(
      new UnknownEndpointTypeError("ftl"),
    );
    expect(() => clientFromString(new FakeReactor(), "FTL:x")).toThrow(
      "Unknown endpoint type: 'ftl'",
    );
  });

  it("hands registered types their reactor, positional and keyword fields", () => {
    const endpoint: IStreamClientEndpoint = { connect: () => new Deferred() };
    const seen: unknown[] = [];
    const remove = registerClientEndpointParser({
      prefix: "crfake",
      parseStreamClient(reactor, args, kwargs) {
        seen.push(reactor, [...args], { ...kwargs });
        return endpoint;
      },
    });
    const reactor = new FakeReactor();
    try {
      expect(clientFromString(reactor, "crfake:alpha:beta:cee=dee:num=1")).toBe(endpoint);
      expect(seen).toEqual([reactor, ["alpha", "beta"], { cee: "dee", num: "1" }]);
    } finally {
      remove();
    }
    expect(() => clientFromString(reactor, "crfake:x")).toThrow(UnknownEndpointTypeError);
  });
});
