/**
 * The demo: the whole finger app on 127.0.0.1 with free ports, then each front end used once.
 *
 * 1. An embedded IRC server (`IRCServerFactory` from @twisted-ts/irc) for the bot.
 * 2. The app: the users file `users.txt` behind finger, the setter, the web (TCP, and TLS when
 *    openssl can make a certificate), the RPC server, the IRC bot and a finger proxy.
 * 3. A finger client, the setter, a web fetch (`getPage`, the tutorial's step 10), `/RPC2`, the
 *    RPC client, an IRC user asking the bot, and the proxy; every answer is printed.
 *
 *   pnpm --filter finger demo
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ClientFactory,
  clientFromString,
  connectProtocol,
  Deferred,
  type Failure,
  type IPv4Address,
  Protocol,
  reactor,
} from "@twisted-ts/core";
import type { FileFingerService } from "@twisted-ts/finger";
import { finger } from "@twisted-ts/finger";
import { Agent, getPage, readBody } from "@twisted-ts/http";
import { IRCClient, IRCServerFactory } from "@twisted-ts/irc";
import { connectFingerRPC } from "./rpc/client.js";
import { type FingerApp, makeService } from "./service.js";

const LOCAL = "tcp:0:interface=127.0.0.1";
const USERS = fileURLToPath(new URL("../users.txt", import.meta.url));

/** A self-signed certificate for localhost, or undefined without openssl. */
function certificate(): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "finger-demo-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-days",
        "1",
      ].concat(["-keyout", key, "-out", cert]),
      { stdio: "ignore" },
    );
    return { cert, key };
  } catch {
    return undefined;
  }
}

/** Writes one setter line and hangs up. */
class SetterClient extends Protocol {
  constructor(private readonly line: string) {
    super();
  }
  override connectionMade(): void {
    this.transport?.write(`${this.line}\n`);
    this.transport?.loseConnection();
  }
}

/** Alice: asks the bot once, in private, and reports its answer. */
class Alice extends IRCClient<AskFactory> {
  override nickname = "alice";
  override lineRate: number | null = null;
  override capabilities: string[] = [];

  override signedOn(): void {
    const question = this.factory?.question ?? "";
    console.log(`  <alice> (to fingerbot) ${question}`);
    this.msg("fingerbot", question);
  }

  override privmsg(user: string, _target: string, message: string): void {
    if (user.split("!")[0] !== "fingerbot") return;
    this.factory?.answer.callback(message);
    this.quit("thanks");
  }
}

/** Builds Alice; `answer` fires with the bot's reply. */
class AskFactory extends ClientFactory<Alice> {
  override protocol = Alice;
  override noisy = false;
  readonly answer = new Deferred<string>();
  constructor(readonly question: string) {
    super();
  }
  override clientConnectionFailed(_connector: unknown, reason: Failure): void {
    this.answer.errback(reason);
  }
}

const wait = (seconds: number) =>
  new Promise<void>((resolve) => reactor.callLater(seconds, () => resolve()));

async function main(): Promise<void> {
  const irc = reactor.listenTCP(0, new IRCServerFactory({ serverName: "irc.demo.local" }), {
    interface: "127.0.0.1",
  });
  const ircPort = (irc.getHost() as IPv4Address).port;
  const tls = certificate();
  const app: FingerApp = makeService(
    {
      file: USERS,
      finger: LOCAL,
      setter: LOCAL,
      web: LOCAL,
      ...(tls === undefined
        ? {}
        : { webTls: "ssl:0:interface=127.0.0.1", tlsCert: tls.cert, tlsKey: tls.key }),
      rpc: LOCAL,
      ircServer: `127.0.0.1:${ircPort}`,
      ircNick: "fingerbot",
    },
    reactor,
  );
  app.startService();
  await (app.backend as FileFingerService).reload();
  const port = (name: Parameters<FingerApp["port"]>[0]) => app.port(name) as number;
  const proxy = makeService({ finger: "none", proxy: LOCAL, proxyPort: port("finger") }, reactor);
  proxy.startService();
  console.log(
    `== finger ${port("finger")}, setter ${port("setter")}, web ${port("web")}` +
      `${tls === undefined ? " (no openssl: no TLS)" : `, web-tls ${port("web-tls")}`}` +
      `, rpc ${port("rpc")}, proxy ${proxy.port("proxy")}, IRC server ${ircPort}`,
  );

  const fingered = await finger(reactor, "moshez", "127.0.0.1", { port: port("finger") });
  console.log(`finger moshez        -> ${fingered.trimEnd()}`);

  await connectProtocol(
    clientFromString(reactor, `tcp:host=127.0.0.1:port=${port("setter")}`),
    new SetterClient("moshez Writing the <demo> & testing it"),
  );
  await wait(0.2);
  console.log("setter               <- moshez Writing the <demo> & testing it");
  const again = await finger(reactor, "moshez", "127.0.0.1", { port: port("finger") });
  console.log(`finger moshez        -> ${again.trimEnd()}`);

  const web = `http://127.0.0.1:${port("web")}`;
  const page = (await getPage(`${web}/moshez`, { reactor })).toString("utf8");
  console.log(`GET /moshez          -> ${/<p>.*<\/p>/.exec(page)?.[0]}`);
  const index = (await getPage(`${web}/`, { reactor })).toString("utf8");
  console.log(
    `GET /                -> ${[...index.matchAll(/<li>.*?<\/li>/g)].length} users listed`,
  );
  if (tls !== undefined) {
    const agent = new Agent(reactor, { tls: { ca: readFileSync(tls.cert) } });
    const response = await agent.request("GET", `https://localhost:${port("web-tls")}/shawn`);
    const body = (await readBody(response)).toString("utf8");
    console.log(`GET https /shawn     -> ${/<p>.*<\/p>/.exec(body)?.[0]}`);
  }
  const rpc2 = await getPage(`${web}/RPC2`, {
    reactor,
    method: "POST",
    headers: { "content-type": "application/json" },
    postdata: JSON.stringify({ id: 1, method: "getUsers", params: [] }),
  });
  console.log(`POST /RPC2 getUsers  -> ${rpc2.toString("utf8").trim()}`);

  const client = await connectFingerRPC(
    clientFromString(reactor, `tcp:host=127.0.0.1:port=${port("rpc")}`),
    { clock: reactor },
  );
  console.log(`RPC getUser(glyph)   -> ${await client.getUser("glyph")}`);
  console.log(`RPC getUsers()       -> ${JSON.stringify(await client.getUsers())}`);
  client.close();

  const proxied = await finger(reactor, "shawn@127.0.0.1", "127.0.0.1", {
    port: proxy.port("proxy") as number,
  });
  console.log(`proxy shawn@127.0.0.1 -> ${proxied.trimEnd()}`);

  while (app.ircFactory?.client?.registered !== true) await wait(0.05);
  const ask = new AskFactory("who is moshez?");
  reactor.connectTCP("127.0.0.1", ircPort, ask);
  console.log(`  <fingerbot> ${await ask.answer}`);

  await proxy.stopService();
  await app.stopService();
  await irc.stopListening();
}

let failed = false;
reactor.callWhenRunning(() => {
  main()
    .catch((error: unknown) => {
      failed = true;
      const failure = error as Partial<Failure>;
      console.error(
        `demo failed: ${failure.getErrorMessage?.() ?? (error instanceof Error ? error.stack : String(error))}`,
      );
    })
    .finally(() => {
      if (reactor.running) reactor.stop();
    });
});
await reactor.run();
process.exitCode = failed ? 1 : 0;
