import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientService, Deferred, fail, type IProtocolFactory, succeed } from "@twisted-ts/core";
import { MemoryReactorClock } from "@twisted-ts/core/testing";
import {
  FileFingerService,
  FingerFactory,
  FingerSetterFactory,
  LocalUsersFingerService,
  MemoryFingerService,
  ProcessFingerService,
} from "@twisted-ts/finger";
import { HTTPFingerService } from "@twisted-ts/finger/http";
import { Site } from "@twisted-ts/http";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { describe, expect, it } from "vitest";
import { FingerUsageError } from "../src/errors.js";
import { SetterOverlay } from "../src/overlay.js";
import { configFromOptions, fingerPlugin, parseFingerArgs } from "../src/plugin.js";
import { FingerProxyFactory } from "../src/proxy.js";
import { FingerRPCServerFactory } from "../src/rpc/server.js";
import { type FingerAppReactor, makeService, parseIRCServer } from "../src/service.js";

function reactor(): MemoryReactorClock & FingerAppReactor {
  return new MemoryReactorClock() as MemoryReactorClock & FingerAppReactor;
}

function fromArgs(args: string[], r = reactor()) {
  return makeService(configFromOptions(parseFingerArgs(args)), r);
}

function tlsFiles(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "finger-tls-"));
  const { cert, key } = localhostCertificate();
  writeFileSync(join(dir, "cert.pem"), cert);
  writeFileSync(join(dir, "key.pem"), key);
  return { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
}

describe("SetterOverlay", () => {
  it("answers set statuses first and the back end for everyone else", async () => {
    const overlay = new SetterOverlay(new MemoryFingerService({ joe: "from the file" }));
    expect(await overlay.getUser("joe")).toBe("from the file");
    overlay.setUser("joe", "set");
    overlay.setUser("ann", "new");
    expect(await overlay.getUser("joe")).toBe("set");
    expect(await overlay.getUser("ann")).toBe("new");
    expect(await overlay.getUsers()).toEqual(["joe", "ann"]);
  });

  it("passes the back end's failures and slowness through", async () => {
    const d = new Deferred<string>();
    const overlay = new SetterOverlay({
      getUser: () => d,
      getUsers: () => fail(new Error("boom")),
    });
    const user = overlay.getUser("x");
    expect(user.called).toBe(false);
    d.callback("late");
    expect(await user).toBe("late");
    await expect(overlay.getUsers().asPromise()).rejects.toBeTruthy();
  });

  it("turns a back end that throws into a failed Deferred", async () => {
    const overlay = new SetterOverlay({
      getUser: () => {
        throw new Error("sync");
      },
      getUsers: () => succeed([]),
    });
    await expect(overlay.getUser("x").asPromise()).rejects.toBeTruthy();
  });
});

describe("parseIRCServer", () => {
  it.each([
    ["irc.example.org", { host: "irc.example.org", port: 6667 }],
    ["127.0.0.1:7000", { host: "127.0.0.1", port: 7000 }],
    ["[::1]:6697", { host: "::1", port: 6697 }],
  ])("reads %s", (text, expected) => {
    expect(parseIRCServer(text)).toEqual(expected);
  });

  it.each(["", "host:0", "host:70000", "host:port"])("refuses %j", (text) => {
    expect(() => parseIRCServer(text)).toThrow(FingerUsageError);
  });
});

describe("the twist finger plugin's options", () => {
  it("has the tutorial's name and options", () => {
    expect(fingerPlugin.name).toBe("finger");
    expect(Object.keys(fingerPlugin.options)).toEqual(
      expect.arrayContaining(["file", "templates", "irc-nick", "irc-server", "rpc", "tls-cert"]),
    );
  });

  it("turns a full command line into a configuration", () => {
    const options = parseFingerArgs(
      ["--file", "users.txt", "--finger", "tcp:1079", "--setter", "tcp:1080", "--web", "tcp:8000"]
        .concat(["--rpc", "tcp:8889", "--irc-server", "irc.example.org:6667", "-n", "bot"])
        .concat(["--irc-channel", "#a", "--irc-channel", "#b", "--proxy", "tcp:7779"]),
    );
    expect(configFromOptions(options)).toMatchObject({
      file: "users.txt",
      interval: 30,
      finger: "tcp:1079",
      setter: "tcp:1080",
      web: "tcp:8000",
      rpc: "tcp:8889",
      ircServer: "irc.example.org:6667",
      ircNick: "bot",
      ircChannels: ["#a", "#b"],
      proxy: "tcp:7779",
      proxyPort: 79,
    });
  });

  it.each([
    [["--file", "a", "--local"], /one back end/],
    [["--file", "a", "--user", "joe:x"], /in-memory/],
    [["--tls-cert", "c.pem"], /go together/],
    [["--web-tls", "ssl:8443"], /needs --tls-cert/],
    [["--irc-nick", "bot"], /need --irc-server/],
    [["--interval", "soon"], /--interval/],
    [["--proxy-port", "0"], /--proxy-port/],
    [["--user", "nocolon"], /user:status/],
    [["--web", "bogus:1"], /--web bogus:1/],
    [["--frobnicate"], /frobnicate/],
  ])("refuses %j with a FingerUsageError", (args, message) => {
    expect(() => fromArgs(args)).toThrow(FingerUsageError);
    expect(() => fromArgs(args)).toThrow(message);
  });
});

describe("makeService", () => {
  it("listens with finger alone on tcp:1079 by default, over an in-memory back end", async () => {
    const r = reactor();
    const app = fromArgs(["--user", "joe:Having lunch"], r);
    app.startService();
    expect(r.tcpServers.map(([port]) => port)).toEqual([1079]);
    const factory = r.tcpServers[0]?.[1];
    expect(factory).toBeInstanceOf(FingerFactory);
    expect((factory as FingerFactory).service).toBe(app.service);
    expect(await app.service.getUser("joe")).toBe("Having lunch");
    await app.stopService();
  });

  it("wires every front end to the one service, the setter's updates included", async () => {
    const r = reactor();
    const { cert, key } = tlsFiles();
    const app = fromArgs(
      ["--user", "joe:lunch", "--finger", "tcp:1079", "--setter", "tcp:1080:interface=127.0.0.1"]
        .concat(["--web", "tcp:8000", "--tls-cert", cert, "--tls-key", key, "--rpc", "tcp:8889"])
        .concat(["--irc-server", "irc.example.org", "--proxy", "tcp:7779"]),
      r,
    );
    app.startService();
    const servers = new Map<number, IProtocolFactory>(r.tcpServers.map(([p, f]) => [p, f]));
    expect([...servers.keys()]).toEqual([1079, 1080, 8000, 8889, 7779]);
    expect(r.tcpServers[1]?.[3]).toBe("127.0.0.1");
    expect(servers.get(1080)).toBeInstanceOf(FingerSetterFactory);
    expect(servers.get(8000)).toBeInstanceOf(Site);
    expect(servers.get(8889)).toBeInstanceOf(FingerRPCServerFactory);
    expect(servers.get(7779)).toBeInstanceOf(FingerProxyFactory);
    // One Site on TCP and TLS (the tutorial's part 8).
    expect(r.sslServers.map(([port, factory]) => [port, factory])).toEqual([[8443, app.site]]);
    expect(servers.get(8000)).toBe(app.site);
    // The bot connects to irc.example.org:6667 under a ClientService.
    expect(app.getServiceNamed("irc")).toBeInstanceOf(ClientService);
    expect(r.tcpClients.map(([host, port]) => [host, port])).toEqual([["irc.example.org", 6667]]);

    (servers.get(1080) as FingerSetterFactory).setter.setUser("joe", "back at work");
    expect(await (servers.get(1079) as FingerFactory).service.getUser("joe")).toBe("back at work");
    expect(await (servers.get(8889) as FingerRPCServerFactory).service.getUser("joe")).toBe(
      "back at work",
    );
    await app.stopService();
  });

  it("runs a users file back end as a child service", () => {
    const dir = mkdtempSync(join(tmpdir(), "finger-file-"));
    writeFileSync(join(dir, "users.txt"), "joe:lunch\n");
    const app = fromArgs(["--file", join(dir, "users.txt"), "--finger", "none"]);
    expect(app.backend).toBeInstanceOf(FileFingerService);
    expect(app.getServiceNamed("backend")).toBe(app.backend);
    expect(() => app.getServiceNamed("finger")).toThrow();
  });

  it.each([
    [["--local"], LocalUsersFingerService],
    [["--process", "finger"], ProcessFingerService],
    [["--http", "http://127.0.0.1:8000/status/{user}"], HTTPFingerService],
    [[], MemoryFingerService],
  ])("picks the back end of %j", (args, kind) => {
    expect(fromArgs(args).backend).toBeInstanceOf(kind);
  });

  it("puts the TLS site where --web-tls says", () => {
    const r = reactor();
    const { cert, key } = tlsFiles();
    const app = fromArgs(["--tls-cert", cert, "--tls-key", key, "--web-tls", "ssl:9443"], r);
    app.startService();
    expect(r.sslServers.map(([port]) => port)).toEqual([9443]);
    expect(app.port("web")).toBeUndefined();
  });
});
