import { execFileSync, spawn } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type IListeningPort, Reactor } from "@twisted-ts/core";
import {
  DEBIAN_PYTHON,
  ensureDebianPackages,
  localhostCertificate,
  runProcess,
} from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailService } from "../../src/server/service.js";
import { RawSMTP } from "./rawClient.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** tsx's ESM loader, as `twist` itself finds it (to run `twist mail` from source in one process). */
function tsxLoader(): string {
  const pkgPath = createRequire(join(repoRoot, "packages/twist/package.json")).resolve(
    "tsx/package.json",
  );
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, unknown> };
  const main = pkg.exports["."];
  const file = typeof main === "string" ? main : "./dist/loader.mjs";
  return pathToFileURL(join(pkgPath, "..", file)).href;
}

let reactor: Reactor;
let finished: Promise<void>;
let service: MailService;
let port: number;
let root: string;

function files(user = "joe"): string[] {
  const dir = join(root, "mail", "example.com", user, "new");
  return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), "latin1")) : [];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port: p } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return p;
}

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  // The independent peers: swaks, Postfix (as a real SMTP client), Python's smtplib.
  ensureDebianPackages(["swaks", "postfix", "python3"]);
  root = mkdtempSync(join(tmpdir(), "smtp-interop-"));
  const cert = localhostCertificate();
  writeFileSync(join(root, "cert.pem"), cert.cert);
  writeFileSync(join(root, "key.pem"), cert.key);
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  service = new MailService(reactor, {
    listen: ["tcp:0:interface=127.0.0.1"],
    maildir: join(root, "mail"),
    domains: ["example.com"],
    users: { joe: "secret", ann: "pw2" },
    tlsCert: join(root, "cert.pem"),
    tlsKey: join(root, "key.pem"),
    relay: true,
    hostname: "mx.example.com",
  });
  await service.startService().asPromise();
  port = ((service.ports[0] as IListeningPort).getHost() as { port: number }).port;
});

afterAll(async () => {
  await service?.stopService().asPromise();
  reactor?.stop();
  await finished;
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

function swaks(...args: string[]) {
  return runProcess("swaks", ["--server", `127.0.0.1:${port}`, "--helo", "swaks.test", ...args], {
    timeoutMs: 30_000,
  });
}

describe("swaks against our server", () => {
  it("delivers a plain message", async () => {
    const before = files().length;
    const r = await swaks(
      "--from",
      "alice@elsewhere.org",
      "--to",
      "joe@example.com",
      "--header",
      "Subject: plain",
      "--body",
      "hello from swaks",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("250 2.0.0 Delivery in progress");
    const all = files();
    expect(all.length).toBe(before + 1);
    expect(all.some((t) => t.includes("Subject: plain") && t.includes("hello from swaks"))).toBe(
      true,
    );
  });

  it("delivers with --pipeline", async () => {
    const r = await swaks(
      "--pipeline",
      "--from",
      "a@b.example",
      "--to",
      "joe@example.com,ann@example.com",
      "--header",
      "Subject: piped",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PIPELINING/);
    expect(files("ann").some((t) => t.includes("Subject: piped"))).toBe(true);
  });

  it("delivers over STARTTLS with --tls", async () => {
    const r = await swaks(
      "--tls",
      "--from",
      "a@b.example",
      "--to",
      "joe@example.com",
      "--header",
      "Subject: tls",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("220 2.0.0 Begin TLS negotiation now");
    expect(files().some((t) => t.includes("Subject: tls") && /with ESMTPS /.test(t))).toBe(true);
  });

  for (const mech of ["PLAIN", "LOGIN", "CRAM-MD5"]) {
    it(`authenticates with AUTH ${mech} over TLS and may relay`, async () => {
      const r = await swaks(
        "--tls",
        "--auth",
        mech,
        "--auth-user",
        "joe",
        "--auth-password",
        "secret",
        "--from",
        "joe@example.com",
        "--to",
        "friend@elsewhere.org",
        "--header",
        `Subject: auth ${mech}`,
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("235 2.7.0 Authentication successful.");
      const relay = join(root, "mail", ".relay", "new");
      expect(
        readdirSync(relay)
          .map((f) => readFileSync(join(relay, f), "utf8"))
          .some((t) => t.includes(`Subject: auth ${mech}`)),
      ).toBe(true);
    });
  }

  it("fails a wrong password with 535", async () => {
    const r = await swaks(
      "--tls",
      "--auth",
      "LOGIN",
      "--auth-user",
      "joe",
      "--auth-password",
      "nope",
      "--from",
      "a@b.c",
      "--to",
      "joe@example.com",
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("535 5.7.8 Authentication failed");
  });

  it("refuses relaying without AUTH", async () => {
    const r = await swaks("--from", "a@b.example", "--to", "victim@elsewhere.org");
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("550 5.7.1 Relaying denied");
  });
});

describe("Python's smtplib against our server", () => {
  it("uses STARTTLS, AUTH and sends, with per-recipient refusals", async () => {
    const r = await runProcess(DEBIAN_PYTHON, [fixture("smtplib_client.py"), String(port)], {
      timeoutMs: 30_000,
    });
    expect(r.stderr).toBe("");
    const out = r.stdout.split("\n");
    expect(out[0]).toMatch(
      /^ehlo 250 .*8bitmime.*chunking.*dsn.*enhancedstatuscodes.*pipelining.*size.*smtputf8.*starttls/,
    );
    expect(out.slice(1)).toEqual([
      "auth 235",
      "refused ['nobody@example.com']",
      "all refused ['nobody2@example.com']",
      "quit 221",
      "",
    ]);
    expect(
      files().some(
        (t) => t.includes("Subject: from smtplib") && t.includes("\n.leading dot line\n"),
      ),
    ).toBe(true);
  });
});

describe("Postfix relaying into our server", () => {
  let dir: string;
  let postfixPort: number;

  beforeAll(async () => {
    postfixPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), "smtp-postfix-"));
    for (const sub of ["conf", "queue", "data"]) mkdirSync(join(dir, sub));
    execFileSync("chmod", ["755", dir]);
    chownSync(
      join(dir, "data"),
      Number(execFileSync("id", ["-u", "postfix"]).toString()),
      Number(execFileSync("id", ["-g", "postfix"]).toString()),
    );
    for (const f of ["master.cf", "postfix-files", "dynamicmaps.cf"]) {
      if (existsSync(`/etc/postfix/${f}`))
        execFileSync("cp", [`/etc/postfix/${f}`, join(dir, "conf", f)]);
    }
    for (const d of ["postfix-files.d", "dynamicmaps.cf.d"]) {
      if (existsSync(`/etc/postfix/${d}`))
        execFileSync("cp", ["-r", `/etc/postfix/${d}`, join(dir, "conf", d)]);
    }
    writeFileSync(
      join(dir, "conf", "main.cf"),
      [
        "compatibility_level = 3.6",
        `queue_directory = ${dir}/queue`,
        `data_directory = ${dir}/data`,
        "myhostname = relay.test.local",
        "inet_interfaces = 127.0.0.1",
        "inet_protocols = ipv4",
        "mynetworks = 127.0.0.0/8",
        "mydestination =",
        "relay_domains = example.com",
        `transport_maps = inline:{ example.com=smtp:[127.0.0.1]:${port} }`,
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
        "smtp_dns_support_level = disabled",
        "smtpd_peername_lookup = no",
        "smtp_tls_security_level = encrypt",
        "alias_maps =",
        "alias_database =",
        "local_recipient_maps =",
        "biff = no",
        `maillog_file_prefixes = ${dir}`,
        `maillog_file = ${dir}/postfix.log`,
        "smtputf8_enable = no",
        "",
      ].join("\n"),
    );
    const conf = join(dir, "conf");
    execFileSync("postconf", ["-c", conf, "-M#", "smtp/inet"]);
    execFileSync("postconf", [
      "-c",
      conf,
      "-Me",
      `127.0.0.1:${postfixPort}/inet = 127.0.0.1:${postfixPort} inet n - n - - smtpd`,
    ]);
    execFileSync("postconf", ["-c", conf, "-F", "*/*/chroot = n"]);
    execFileSync("postfix", ["-c", conf, "check"], { stdio: "pipe" });
    execFileSync("postfix", ["-c", conf, "start"], { stdio: "pipe" });
  });

  afterAll(() => {
    if (dir === undefined) return;
    try {
      execFileSync("postfix", ["-c", join(dir, "conf"), "stop"], { stdio: "pipe" });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("relays a message from Postfix's own SMTP client into the Maildir, over STARTTLS", async () => {
    const r = await runProcess(
      "swaks",
      [
        "--server",
        `127.0.0.1:${postfixPort}`,
        "--from",
        "sender@relay.test.local",
        "--to",
        "ann@example.com",
        "--header",
        "Subject: via postfix",
        "--body",
        "relayed body\n.dot line",
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.code).toBe(0);
    const text = await waitFor(
      "the relayed message",
      () => files("ann").find((t) => t.includes("Subject: via postfix")),
      60_000,
    );
    expect(text).toMatch(/with ESMTPS \(twisted-ts\)/);
    expect(text).toContain("relayed body\n.dot line");
    const log = readFileSync(join(dir, "postfix.log"), "utf8");
    expect(log).toMatch(/status=sent \(250 2\.0\.0 Delivery in progress\)/);
  });
});

describe("durability: a 250 means the message is on disk", () => {
  it("keeps the message in new/ after kill -9 right after the 250", async () => {
    const p = await freePort();
    const box = mkdtempSync(join(tmpdir(), "smtp-durable-"));
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsxLoader(),
        "--conditions=@twisted-ts/source",
        join(repoRoot, "packages/twist/bin/twist.mjs"),
        "mail",
        "--listen",
        `tcp:${p}:interface=127.0.0.1`,
        "--maildir",
        box,
        "--domain",
        "example.com",
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      const client = await (async () => {
        const start = Date.now();
        for (;;) {
          try {
            return await RawSMTP.connect(p);
          } catch {
            if (Date.now() - start > 60_000 || child.exitCode !== null)
              throw new Error(`twist mail did not listen: ${err}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      })();
      expect((await client.reply())[0]).toMatch(/^220 /);
      await client.command("EHLO c");
      await client.command("MAIL FROM:<a@b.c>");
      await client.command("RCPT TO:<joe@example.com>");
      await client.command("DATA");
      client.send(`Subject: durable\r\n\r\n${"keep me\r\n".repeat(1000)}`);
      client.send(".\r\n");
      const reply = await client.reply();
      child.kill("SIGKILL");
      expect(reply).toEqual(["250 2.0.0 Delivery in progress"]);
      await exited;
      const newDir = join(box, "example.com", "joe", "new");
      const stored = readdirSync(newDir);
      expect(stored).toHaveLength(1);
      expect(readFileSync(join(newDir, stored[0] as string), "utf8")).toContain(
        `Subject: durable\n\n${"keep me\n".repeat(1000)}`,
      );
      expect(readdirSync(join(box, "example.com", "joe", "tmp"))).toEqual([]);
      client.close();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(box, { recursive: true, force: true });
    }
  });
});
