import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MemoryReactorClock } from "@twisted-ts/core/testing";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { afterEach, describe, expect, it } from "vitest";
import { HTTPError } from "../../src/errors.js";
import defaultPlugin, {
  DEFAULT_LISTEN,
  listenDescriptions,
  makeRoot,
  makeService,
  portDescription,
  webPlugin,
} from "../../src/plugin.js";
import { Site } from "../../src/server/site.js";
import { File } from "../../src/static/file.js";
import { DummyRequest, renderRequest } from "../../src/testing.js";

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempSite(): string {
  const dir = mkdtempSync(join(tmpdir(), "twist-web-unit-"));
  temporary.push(dir);
  writeFileSync(join(dir, "home.html"), "<h1>home</h1>");
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "a.txt"), "a");
  return dir;
}

describe("the twist web plugin's declaration", () => {
  it("is the module's default export, named web", () => {
    expect(defaultPlugin).toBe(webPlugin);
    expect(webPlugin.name).toBe("web");
    expect(webPlugin.description).toMatch(/web server/);
  });

  it("declares twistd web's options, with the repeatable ones marked", () => {
    const options = webPlugin.options;
    expect(Object.keys(options)).toEqual(
      expect.arrayContaining(["listen", "port", "path", "index", "logfile", "list-directories"]),
    );
    expect(options.listen?.multiple).toBe(true);
    expect(options.index?.multiple).toBe(true);
    expect(options.port?.short).toBe("p");
    expect(options.logfile?.short).toBe("l");
    expect(options.index?.short).toBe("i");
    expect(options["list-directories"]?.type).toBe("boolean");
  });
});

describe("listenDescriptions", () => {
  it("is tcp:8080 when nothing is given", () => {
    expect(listenDescriptions({})).toEqual([DEFAULT_LISTEN]);
    expect(DEFAULT_LISTEN).toBe("tcp:8080");
  });

  it("takes every --listen, then every --port (a number is tcp:PORT)", () => {
    expect(
      listenDescriptions({ listen: ["tcp:1:interface=127.0.0.1", "unix:/tmp/s"], port: ["81"] }),
    ).toEqual(["tcp:1:interface=127.0.0.1", "unix:/tmp/s", "tcp:81"]);
    expect(listenDescriptions({ listen: "tcp:2", port: "tcp:3:interface=::1" })).toEqual([
      "tcp:2",
      "tcp:3:interface=::1",
    ]);
    expect(portDescription("8080")).toBe("tcp:8080");
  });

  it("builds an ssl: description for --https from the key and certificate", () => {
    const [description] = listenDescriptions({
      https: "8443",
      privkey: "/k/key.pem",
      certificate: "/k/cert.pem",
    });
    expect(description).toBe("ssl:8443:privateKey=/k/key.pem:certKey=/k/cert.pem");
    expect(listenDescriptions({ https: "443" })[0]).toContain(
      `privateKey=${resolve("server.pem").replace(/:/g, "\\:")}`,
    );
  });

  it("refuses a non-numeric --https and a certificate without --https", () => {
    expect(() => listenDescriptions({ https: "tcp:1" })).toThrow(HTTPError);
    expect(() => listenDescriptions({ certificate: "c.pem" })).toThrow(/go with --https/);
  });
});

describe("makeRoot", () => {
  it("is a File over --path with the index names and listing given", () => {
    const dir = tempSite();
    const root = makeRoot({ path: dir, index: ["home.html"], "list-directories": true });
    expect(root).toBeInstanceOf(File);
    const file = root as File;
    expect(file.path).toBe(dir);
    expect(file.indexNames).toEqual(["home.html"]);
    expect(file.options.listDirectories).toBe(true);
  });

  it("keeps File's defaults when no --index, listing off, and takes --mime-type and --ignore-ext", () => {
    const file = makeRoot({ path: tempSite(), "mime-type": "text/plain", "ignore-ext": "html" });
    expect(file).toBeInstanceOf(File);
    expect((file as File).indexNames).toEqual(["index", "index.html", "index.htm"]);
    expect((file as File).options.listDirectories).toBe(false);
    expect((file as File).defaultType).toBe("text/plain");
    expect((file as File).ignoredExts).toEqual([".html"]);
  });

  it("refuses a --path that does not exist", () => {
    expect(() => makeRoot({ path: "/nonexistent/twist-web" })).toThrow(/no such file/);
  });

  it("serves a placeholder page at every path without --path", async () => {
    const request = new DummyRequest(["any", "where"]);
    const body = await renderRequest(makeRoot({}), request);
    expect(body.toString()).toContain("--path DIR");
  });
});

describe("makeService", () => {
  it("listens with one Site on every endpoint once started, and stops them", async () => {
    const reactor = new MemoryReactorClock();
    const dir = tempSite();
    const service = makeService(
      { listen: ["tcp:8081:interface=127.0.0.1"], port: ["8082"], path: dir },
      reactor,
    );
    expect(service.listen).toEqual(["tcp:8081:interface=127.0.0.1", "tcp:8082"]);
    expect(service.site).toBeInstanceOf(Site);
    expect(reactor.tcpServers).toEqual([]);
    service.privilegedStartService();
    service.startService();
    expect(reactor.tcpServers.map(([port, factory, , iface]) => [port, factory, iface])).toEqual([
      [8081, service.site, "127.0.0.1"],
      [8082, service.site, ""],
    ]);
    await service.stopService();
    expect(service.running).toBe(false);
  });

  it("gives the Site the access log path and tracebacks setting", () => {
    const reactor = new MemoryReactorClock();
    const service = makeService({ logfile: "access.log", "display-tracebacks": true }, reactor);
    expect(service.site.logPath).toBe(resolve("access.log"));
    expect(service.site.displayTracebacks).toBe(true);
    expect(makeService({}, reactor).site.logPath).toBeUndefined();
  });

  it("listens with TLS for --https", () => {
    const reactor = new MemoryReactorClock();
    const dir = tempSite();
    const { key, cert } = localhostCertificate();
    writeFileSync(join(dir, "key.pem"), key);
    writeFileSync(join(dir, "cert.pem"), cert);
    const service = makeService(
      { https: "8443", privkey: join(dir, "key.pem"), certificate: join(dir, "cert.pem") },
      reactor,
    );
    service.startService();
    expect(reactor.sslServers.map(([port, factory]) => [port, factory])).toEqual([
      [8443, service.site],
    ]);
  });

  it("throws for a description it cannot parse", () => {
    expect(() => makeService({ listen: "bogus:1" }, new MemoryReactorClock())).toThrow();
  });
});
