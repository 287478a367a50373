import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { clientFromString, type IPv4Address, type Reactor } from "@twisted-ts/core";
import { FileFingerService, finger } from "@twisted-ts/finger";
import { IRCServerFactory } from "@twisted-ts/irc";
import { localhostCertificate } from "@twisted-ts/testing-helpers";
import { onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { connectFingerRPC } from "../src/rpc/client.js";
import { type FingerApp, type FingerConfig, makeService } from "../src/service.js";
import { exchange, httpsGet, RawIRCUser, setStatus, tempDir, until, usersFile } from "./helpers.js";

const LOCAL = "tcp:0:interface=127.0.0.1";

async function startApp(reactor: Reactor, config: FingerConfig): Promise<FingerApp> {
  const app = makeService(config, reactor);
  app.startService();
  onCleanup(async () => {
    await app.stopService();
  });
  const listening = (["finger", "setter", "web", "web-tls", "rpc", "proxy"] as const).filter(
    (name) => {
      try {
        app.getServiceNamed(name);
        return true;
      } catch {
        return false;
      }
    },
  );
  if (app.backend instanceof FileFingerService) await app.backend.reload();
  await until(
    () => listening.every((name) => app.port(name) !== undefined),
    5000,
    () => `the app to listen on ${listening.join(", ")}`,
  );
  return app;
}

function port(app: FingerApp, name: Parameters<FingerApp["port"]>[0]): number {
  return app.port(name) as number;
}

describe("the whole finger app on real sockets", () => {
  it("serves one database through finger, setter, web (TCP and TLS), RPC, IRC and the proxy", async () => {
    const reactor = testReactor();
    const irc = reactor.listenTCP(0, new IRCServerFactory({ serverName: "irc.test.local" }), {
      interface: "127.0.0.1",
    });
    onCleanup(async () => {
      await irc.stopListening();
    });
    const ircPort = (irc.getHost() as IPv4Address).port;
    const dir = tempDir("tls");
    const { cert, key } = localhostCertificate();
    writeFileSync(join(dir, "cert.pem"), cert);
    writeFileSync(join(dir, "key.pem"), key);

    const app = await startApp(reactor, {
      file: usersFile({ moshez: "Happy and well", ann: "<i>away</i> & out" }),
      finger: LOCAL,
      setter: LOCAL,
      web: LOCAL,
      webTls: "ssl:0:interface=127.0.0.1",
      tlsCert: join(dir, "cert.pem"),
      tlsKey: join(dir, "key.pem"),
      rpc: LOCAL,
      ircServer: `127.0.0.1:${ircPort}`,
      ircNick: "fingerbot",
    });
    const web = `http://127.0.0.1:${port(app, "web")}`;

    // finger: a raw client and the library's client.
    expect(await exchange(port(app, "finger"), "moshez\r\n")).toBe("Happy and well\r\n");
    expect(await finger(reactor, "ann", "127.0.0.1", { port: port(app, "finger") })).toBe(
      "<i>away</i> & out\r\n",
    );

    // The web: an index and a page per user, escaped.
    const index = await (await fetch(`${web}/`)).text();
    expect(index).toContain('<a href="moshez">moshez</a>');
    const annPage = await fetch(`${web}/ann`);
    expect(annPage.status).toBe(200);
    expect(await annPage.text()).toContain("<p>&#60;i&#62;away&#60;/i&#62; &#38; out</p>");
    // The same Site over TLS.
    const secure = await httpsGet(`https://localhost:${port(app, "web-tls")}/moshez`, cert);
    expect(secure.status).toBe(200);
    expect(secure.body).toContain("<p>Happy and well</p>");

    // RPC.
    const rpc = await connectFingerRPC(
      clientFromString(reactor, `tcp:host=127.0.0.1:port=${port(app, "rpc")}`),
      { clock: reactor },
    );
    onCleanup(() => rpc.close());
    expect(await rpc.getUser("moshez")).toBe("Happy and well");
    expect(await rpc.getUsers()).toEqual(["moshez", "ann"]);

    // IRC: wait for the bot, then ask it.
    const alice = await RawIRCUser.signOn(ircPort, "alice");
    onCleanup(() => alice.close());
    await until(
      () => app.ircFactory?.client?.registered === true,
      10_000,
      () => "the bot",
    );
    expect(await alice.ask("fingerbot", "who is moshez?", /^Status of moshez:/)).toBe(
      "Status of moshez: Happy and well",
    );

    // The setter: one line updates the database, and every front end sees it.
    await setStatus(port(app, "setter"), "moshez Busy with <b>tests</b>\nnewbie Just arrived\n");
    await until(
      () => app.service.overrides.get("newbie") !== undefined,
      5000,
      () => "the setter's update",
    );
    expect(await exchange(port(app, "finger"), "moshez\r\n")).toBe("Busy with <b>tests</b>\r\n");
    expect(await (await fetch(`${web}/moshez`)).text()).toContain(
      "<p>Busy with &#60;b&#62;tests&#60;/b&#62;</p>",
    );
    expect(await (await fetch(`${web}/`)).text()).toContain('<a href="newbie">newbie</a>');
    expect(await rpc.getUser("moshez")).toBe("Busy with <b>tests</b>");
    expect(await rpc.getUsers()).toEqual(["moshez", "ann", "newbie"]);
    expect(await alice.ask("fingerbot", "newbie", /^Status of newbie:/)).toBe(
      "Status of newbie: Just arrived",
    );

    // /RPC2, the web's RPC.
    const posted = await fetch(`${web}/RPC2`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: 9, method: "getUser", params: ["newbie"] }),
    });
    expect(await posted.json()).toEqual({ id: 9, result: "Just arrived" });

    // The proxy (tutorial part 9): a second app forwarding to the first one's finger port.
    const proxy = await startApp(reactor, {
      finger: "none",
      proxy: LOCAL,
      proxyPort: port(app, "finger"),
    });
    expect(await exchange(port(proxy, "proxy"), "moshez@127.0.0.1\r\n")).toBe(
      "Busy with <b>tests</b>\r\n",
    );
    expect(await exchange(port(proxy, "proxy"), "moshez\r\n")).toBe("Busy with <b>tests</b>\r\n");
    expect(await exchange(port(proxy, "proxy"), "/W ann@127.0.0.1\r\n")).toBe(
      "Login: ann\r\n<i>away</i> & out\r\n",
    );
  });

  it("re-reads the users file while running", async () => {
    const reactor = testReactor();
    const path = usersFile({ joe: "before" });
    const app = await startApp(reactor, { file: path, interval: 0.1, finger: LOCAL });
    expect(await exchange(port(app, "finger"), "joe\r\n")).toBe("before\r\n");
    writeFileSync(path, "joe:after\n");
    const deadline = Date.now() + 5000;
    let answer = "";
    while (answer !== "after\r\n" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await exchange(port(app, "finger"), "joe\r\n");
    }
    expect(answer).toBe("after\r\n");
  });

  it("answers from the web with the HTTP back end (the tutorial's step 10)", async () => {
    const reactor = testReactor();
    const server = createServer((req, res) => {
      res.end(req.url === "/status/joe" ? "Fetched from the web" : "No such user");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port: httpPort } = server.address() as AddressInfo;
    const app = await startApp(reactor, {
      http: `http://127.0.0.1:${httpPort}/status/{user}`,
      finger: LOCAL,
    });
    expect(await exchange(port(app, "finger"), "joe\r\n")).toBe("Fetched from the web\r\n");
  });

  it("answers through the proxy that a host cannot be reached", async () => {
    const reactor = testReactor();
    const proxy = await startApp(reactor, { finger: "none", proxy: LOCAL, proxyPort: 1 });
    expect(await exchange(port(proxy, "proxy"), "joe@127.0.0.1\r\n")).toBe(
      "Could not connect to remote host\r\n",
    );
  });
});
