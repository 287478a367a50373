import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Deferred } from "../../src/defer/deferred.js";
import { EndpointValueError, UnknownEndpointTypeError } from "../../src/endpoints/errors.js";
import type { IStreamServerEndpoint } from "../../src/endpoints/interfaces.js";
import { quoteStringArgument } from "../../src/endpoints/parse.js";
import {
  registerServerEndpointParser,
  serverFromString,
} from "../../src/endpoints/serverFromString.js";
import { SSL4ServerEndpoint } from "../../src/endpoints/ssl.js";
import { TCP4ServerEndpoint, TCP6ServerEndpoint } from "../../src/endpoints/tcp.js";
import { UNIXServerEndpoint } from "../../src/endpoints/unix.js";
import { TwistedError } from "../../src/errors.js";
import { FakeReactor } from "./fakeReactor.js";

const fixtures = join(import.meta.dirname, "fixtures");
const fixture = (name: string): string => quoteStringArgument(join(fixtures, name));
const pem = (name: string): string => readFileSync(join(fixtures, name), "latin1");

describe("serverFromString tcp:", () => {
  it("makes a TCP4ServerEndpoint with Twisted's defaults", () => {
    const reactor = new FakeReactor();
    const ep = serverFromString(reactor, "tcp:80");
    expect(ep).toBeInstanceOf(TCP4ServerEndpoint);
    expect(ep).toMatchObject({ reactor, port: 80, backlog: 50, interface: "" });
  });

  it("reads interface as a string and backlog as an integer", () => {
    const ep = serverFromString(new FakeReactor(), "tcp:1234:backlog=12:interface=10.0.0.1");
    expect(ep).toMatchObject({ port: 1234, backlog: 12, interface: "10.0.0.1" });
  });

  it("takes interface and backlog by position too", () => {
    const ep = serverFromString(new FakeReactor(), "tcp:80:127.0.0.1:7");
    expect(ep).toMatchObject({ port: 80, interface: "127.0.0.1", backlog: 7 });
  });

  it("listens with what it parsed", () => {
    const reactor = new FakeReactor();
    serverFromString(reactor, "tcp:8080:interface=127.0.0.1").listen({
      buildProtocol: () => null,
      doStart() {},
      doStop() {},
    });
    expect(reactor.tcpServers.map((s) => [s.where, s.options])).toEqual([
      [8080, { backlog: 50, interface: "127.0.0.1" }],
    ]);
  });

  it("rejects a port that is not an integer", () => {
    expect(() => serverFromString(new FakeReactor(), "tcp:http")).toThrow(EndpointValueError);
    expect(() => serverFromString(new FakeReactor(), "tcp:80:backlog=x")).toThrow(/backlog/);
  });

  it("accepts the integer forms Python's int() accepts", () => {
    expect(serverFromString(new FakeReactor(), "tcp: 8_080 ")).toMatchObject({ port: 8080 });
    expect(serverFromString(new FakeReactor(), "tcp:+80")).toMatchObject({ port: 80 });
  });

  it("reports a missing port, an unexpected keyword and a repeated field as TypeErrors", () => {
    const reactor = new FakeReactor();
    expect(() => serverFromString(reactor, "tcp")).toThrow(/missing required argument 'port'/);
    expect(() => serverFromString(reactor, "tcp:80:bogus=1")).toThrow(
      /unexpected keyword argument 'bogus'/,
    );
    expect(() => serverFromString(reactor, "tcp:80:port=81")).toThrow(
      /multiple values for argument 'port'/,
    );
    expect(() => serverFromString(reactor, "tcp:1:2:3:4")).toThrow(TypeError);
  });
});

describe("serverFromString tcp6:", () => {
  it("makes a TCP6ServerEndpoint on '::' by default", () => {
    const ep = serverFromString(new FakeReactor(), "tcp6:8080");
    expect(ep).toBeInstanceOf(TCP6ServerEndpoint);
    expect(ep).toMatchObject({ port: 8080, backlog: 50, interface: "::" });
  });

  it("takes backlog before interface by position, as Twisted's tcp6 parser does", () => {
    const ep = serverFromString(new FakeReactor(), "tcp6:8080:10:\\:\\:1");
    expect(ep).toMatchObject({ backlog: 10, interface: "::1" });
    const named = serverFromString(new FakeReactor(), "tcp6:8080:interface=\\:\\:1");
    expect(named).toMatchObject({ interface: "::1" });
  });

  it("matches its type in any case, as a plugin", () => {
    expect(serverFromString(new FakeReactor(), "TCP6:80")).toBeInstanceOf(TCP6ServerEndpoint);
  });
});

describe("serverFromString unix:", () => {
  it("makes a UNIXServerEndpoint with mode 0o666, backlog 50 and a lock file", () => {
    const reactor = new FakeReactor();
    const ep = serverFromString(reactor, "unix:/var/run/finger");
    expect(ep).toBeInstanceOf(UNIXServerEndpoint);
    expect(ep).toMatchObject({
      reactor,
      address: "/var/run/finger",
      mode: 0o666,
      backlog: 50,
      wantPID: true,
    });
  });

  it("reads mode as octal", () => {
    const r = new FakeReactor();
    expect(serverFromString(r, "unix:/a:mode=0660")).toMatchObject({ mode: 0o660 });
    expect(serverFromString(r, "unix:/a:mode=660")).toMatchObject({ mode: 0o660 });
    expect(serverFromString(r, "unix:/a:mode=0o123")).toMatchObject({ mode: 0o123 });
    expect(() => serverFromString(r, "unix:/a:mode=0689")).toThrow(EndpointValueError);
  });

  it("turns the lock file off with lockfile=0", () => {
    const r = new FakeReactor();
    expect(serverFromString(r, "unix:/var/run/finger:lockfile=0")).toMatchObject({
      wantPID: false,
    });
    expect(serverFromString(r, "unix:/a:lockfile=1")).toMatchObject({ wantPID: true });
    expect(() => serverFromString(r, "unix:/a:lockfile=yes")).toThrow(EndpointValueError);
  });

  it("reads every field (Twisted's test_unix)", () => {
    const ep = serverFromString(
      new FakeReactor(),
      "unix:/var/foo/bar:backlog=7:mode=0123:lockfile=1",
    );
    expect(ep).toMatchObject({ address: "/var/foo/bar", backlog: 7, mode: 0o123, wantPID: true });
  });

  it("takes the path from address= and unescapes it", () => {
    const r = new FakeReactor();
    expect(serverFromString(r, "unix:address=foo=bar")).toMatchObject({ address: "foo=bar" });
    expect(serverFromString(r, "unix:foo\\:bar\\=baz\\:qux\\\\")).toMatchObject({
      address: "foo:bar=baz:qux\\",
    });
  });

  it("listens with the mode, backlog and lock file it parsed", () => {
    const reactor = new FakeReactor();
    serverFromString(reactor, "unix:/tmp/s:mode=600:backlog=3:lockfile=0").listen({
      buildProtocol: () => null,
      doStart() {},
      doStop() {},
    });
    expect(reactor.unixServers[0]?.options).toEqual({ backlog: 3, mode: 0o600, wantPID: false });
  });
});

describe("serverFromString ssl: and tls:", () => {
  it("loads the key and the certificate from one PEM file by default", () => {
    const ep = serverFromString(new FakeReactor(), `ssl:4321:privateKey=${fixture("server.pem")}`);
    expect(ep).toBeInstanceOf(SSL4ServerEndpoint);
    const ssl = ep as SSL4ServerEndpoint;
    expect(ssl).toMatchObject({ port: 4321, backlog: 50, interface: "" });
    expect(ssl.tlsOptions.key).toBe(pem("key.pem").trim());
    expect(ssl.tlsOptions.cert).toBe(pem("cert.pem").trim());
  });

  it("reads separate key and certificate files, and every other field", () => {
    const ep = serverFromString(
      new FakeReactor(),
      `ssl:1234:backlog=12:privateKey=${fixture("key.pem")}:certKey=${fixture("cert.pem")}` +
        ":sslmethod=TLSv1_2_METHOD:interface=10.0.0.1",
    ) as SSL4ServerEndpoint;
    expect(ep).toMatchObject({ port: 1234, backlog: 12, interface: "10.0.0.1" });
    expect(ep.tlsOptions.secureProtocol).toBe("TLSv1_2_method");
    expect(ep.tlsOptions.key).toBe(pem("key.pem").trim());
  });

  it("accepts PEM files without a trailing newline", () => {
    const ep = serverFromString(
      new FakeReactor(),
      `ssl:1234:privateKey=${fixture("key-no-newline.pem")}:certKey=${fixture("cert-no-newline.pem")}`,
    ) as SSL4ServerEndpoint;
    expect(ep.tlsOptions.cert).toBe(pem("cert.pem").trim());
  });

  it("sends the extra chain after the certificate, in order", () => {
    const ep = serverFromString(
      new FakeReactor(),
      `ssl:1234:privateKey=${fixture("server.pem")}:extraCertChain=${fixture("chain.pem")}`,
    ) as SSL4ServerEndpoint;
    const expected = [pem("cert.pem"), pem("cas/thing1.pem"), pem("cas/thing2.pem")];
    expect(ep.tlsOptions.cert).toBe(expected.map((s) => s.trim()).join("\n"));
  });

  it("rejects a chain file without certificates, naming it", () => {
    const empty = join(fixtures, "empty.pem");
    expect(() =>
      serverFromString(
        new FakeReactor(),
        `ssl:1234:privateKey=${fixture("server.pem")}:extraCertChain=${fixture("empty.pem")}`,
      ),
    ).toThrow(
      new EndpointValueError(
        `Specified chain file '${empty}' doesn't contain any valid certificates in PEM format.`,
      ),
    );
  });

  it("reads Diffie-Hellman parameters into dhparam", () => {
    const ep = serverFromString(
      new FakeReactor(),
      `ssl:4321:privateKey=${fixture("server.pem")}:dhParameters=${fixture("dh.pem")}`,
    ) as SSL4ServerEndpoint;
    expect(String(ep.tlsOptions.dhparam)).toBe(pem("dh.pem"));
  });

  it("rejects a key file without a key, a certificate file without a certificate", () => {
    const r = new FakeReactor();
    expect(() => serverFromString(r, `ssl:1:privateKey=${fixture("cert.pem")}`)).toThrow(
      /no private key/,
    );
    expect(() =>
      serverFromString(r, `ssl:1:privateKey=${fixture("key.pem")}:certKey=${fixture("key.pem")}`),
    ).toThrow(/no certificate/);
  });

  it("rejects a key that does not match the certificate, and an unknown method", () => {
    const r = new FakeReactor();
    const other = join(fixtures, "cas", "thing1.pem");
    expect(() =>
      serverFromString(
        r,
        `ssl:1:privateKey=${fixture("key.pem")}:certKey=${quoteStringArgument(other)}`,
      ),
    ).toThrow(EndpointValueError);
    expect(() =>
      serverFromString(r, `ssl:1:privateKey=${fixture("server.pem")}:sslmethod=BOGUS_METHOD`),
    ).toThrow(EndpointValueError);
  });

  it("looks for server.pem when no key file is named", () => {
    expect(() => serverFromString(new FakeReactor(), "ssl:443")).toThrow(/server\.pem/);
  });

  it("accepts tls: as ssl: with key and certificate files, in any case", () => {
    const ep = serverFromString(
      new FakeReactor(),
      `TLS:8443:privateKey=${fixture("key.pem")}:certKey=${fixture("cert.pem")}`,
    );
    expect(ep).toBeInstanceOf(SSL4ServerEndpoint);
    expect(ep).toMatchObject({ port: 8443 });
  });
});

describe("serverFromString types", () => {
  it("rejects an unknown type with Twisted's message", () => {
    const attempt = () => serverFromString(new FakeReactor(), "ftl:andromeda/carcosa/hali/2387");
    expect(attempt).toThrow(UnknownEndpointTypeError);
    expect(attempt).toThrow("Unknown endpoint type: 'ftl'");
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(EndpointValueError);
      expect(error).toBeInstanceOf(TwistedError);
      expect((error as UnknownEndpointTypeError).code).toBe("ERR_UNKNOWN_ENDPOINT_TYPE");
      expect((error as UnknownEndpointTypeError).endpointType).toBe("ftl");
    }
  });

  it("matches the built-in types only in lowercase, and reports the type lowercased", () => {
    expect(() => serverFromString(new FakeReactor(), "TCP:80")).toThrow(
      "Unknown endpoint type: 'tcp'",
    );
    expect(() => serverFromString(new FakeReactor(), "Unix:/a")).toThrow(UnknownEndpointTypeError);
  });

  it("reports an empty description as an unknown type", () => {
    expect(() => serverFromString(new FakeReactor(), "")).toThrow("Unknown endpoint type: ''");
  });

  it("hands registered types their reactor, positional and keyword fields", () => {
    const seen: unknown[] = [];
    const endpoint: IStreamServerEndpoint = { listen: () => new Deferred() };
    const remove = registerServerEndpointParser({
      prefix: "fake",
      parseStreamServer(reactor, args, kwargs) {
        seen.push(reactor, [...args], { ...kwargs });
        return endpoint;
      },
    });
    const reactor = new FakeReactor();
    try {
      expect(serverFromString(reactor, "FAKE:hello:world:yes=no:up=down")).toBe(endpoint);
      expect(seen).toEqual([reactor, ["hello", "world"], { yes: "no", up: "down" }]);
    } finally {
      remove();
    }
    expect(() => serverFromString(reactor, "fake:x")).toThrow(UnknownEndpointTypeError);
  });

  it("does not let a registered parser shadow a built-in type", () => {
    const remove = registerServerEndpointParser({
      prefix: "tcp",
      parseStreamServer: () => {
        throw new Error("not reached");
      },
    });
    try {
      expect(serverFromString(new FakeReactor(), "tcp:80")).toBeInstanceOf(TCP4ServerEndpoint);
    } finally {
      remove();
    }
  });
});
