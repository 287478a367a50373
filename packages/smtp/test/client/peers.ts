/**
 * Real SMTP servers for the client's interop tests, each private to the test run: aiosmtpd,
 * Twisted's ESMTP (a .tac) and a private Postfix instance, all on 127.0.0.1 and free ports,
 * with their files under a temporary directory.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEBIAN_PYTHON,
  ensureDebianPackages,
  runProcess,
  type Spawned,
  spawnAndWaitForLine,
} from "@twisted-ts/testing-helpers";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** A free TCP port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Wait until a server on `port` sends its 220 greeting (then say QUIT). */
export async function waitForGreeting(port: number, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.setEncoding("utf8");
      socket.once("data", (text: string) => {
        socket.end("QUIT\r\n");
        resolve(text.startsWith("220"));
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`no SMTP greeting on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A temporary directory for one peer. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `twisted-ts-smtp-client-${name}-`));
}

/** A running peer. */
export interface Peer {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** aiosmtpd recording each message to `<dir>/out/<n>.json`. */
export async function startAiosmtpd(
  mode: "plain" | "tls-auth",
  tls?: { key: string; cert: string },
): Promise<Peer & { messages(): AiosmtpdRecord[] }> {
  ensureDebianPackages(["python3-aiosmtpd"]);
  const dir = tempDir("aiosmtpd");
  const out = join(dir, "out");
  mkdirSync(out);
  const args = [join(FIXTURES, "aiosmtpd_recorder.py"), out, String(await freePort()), mode];
  if (tls !== undefined) {
    writeFileSync(join(dir, "cert.pem"), tls.cert);
    writeFileSync(join(dir, "key.pem"), tls.key, { mode: 0o600 });
    args.push(join(dir, "cert.pem"), join(dir, "key.pem"));
  }
  const { spawned, match } = await spawnAndWaitForLine(DEBIAN_PYTHON, args, /READY (\d+)/);
  const port = Number(match[1]);
  return {
    port,
    dir,
    stop: async () => {
      await spawned.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    messages: () =>
      readdirSync(out)
        .filter((n) => !n.startsWith("."))
        .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
        .map((n) => JSON.parse(readFileSync(join(out, n), "utf8")) as AiosmtpdRecord),
  };
}

/** What the aiosmtpd fixture records per message. */
export interface AiosmtpdRecord {
  from: string;
  to: string[];
  mail_options: string[];
  content: string;
  tls: boolean;
  auth: boolean;
}

/** Twisted 22.4's ESMTP server from the tmail.tac fixture; files land in `<dir>/mail/new`. */
export async function startTwistedESMTP(options: {
  auth: boolean;
}): Promise<Peer & { messages(): string[] }> {
  ensureDebianPackages(["python3-twisted"]);
  const dir = tempDir("twisted");
  const port = await freePort();
  const root = join(dir, "mail");
  const env = {
    ...process.env,
    TMAIL_PORT: String(port),
    TMAIL_ROOT: root,
    TMAIL_AUTH: options.auth ? "1" : "0",
  };
  // The log goes to a real file: never /dev/null (Twisted's LogFile rotates by renaming).
  const spawned: Spawned = await spawnTwistd(
    ["-n", "--pidfile=", "-l", join(dir, "twistd.log"), "-y", join(FIXTURES, "tmail.tac")],
    env,
  );
  try {
    await waitForGreeting(port);
  } catch (error) {
    await spawned.stop();
    throw new Error(`${String(error)}; log: ${safeRead(join(dir, "twistd.log"))}`);
  }
  return {
    port,
    dir,
    stop: async () => {
      await spawned.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    messages: () => {
      const newDir = join(root, "new");
      return readdirSync(newDir)
        .sort()
        .map((n) => readFileSync(join(newDir, n), "latin1"));
    },
  };
}

async function spawnTwistd(args: string[], env: NodeJS.ProcessEnv): Promise<Spawned> {
  // twistd -n with -l prints nothing on stdout: start it and let the greeting tell readiness.
  const child = spawn("twistd3", args, { env });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "(no log)";
  }
}

/**
 * A private Postfix instance (its own config, queue and data directories under a temp dir,
 * master.cf listening on 127.0.0.1:<free port>, nothing chrooted) delivering every
 * `@example.com` address to one Maildir, `<dir>/mail/catchall/`. Needs root.
 */
export async function startPostfix(options: {
  tls?: { key: string; cert: string };
  messageSizeLimit?: number;
}): Promise<Peer & { messages(): string[]; log(): string }> {
  if (!isInstalled("postfix")) {
    // No main.cf in /etc: this test runs its own instance and must not configure the system's.
    execFileSync("debconf-set-selections", {
      input: "postfix postfix/main_mailer_type select No configuration\n",
    });
  }
  ensureDebianPackages(["postfix"]);
  const dir = tempDir("postfix");
  chmodSync(dir, 0o755); // postfix and the virtual delivery user must reach their directories
  const conf = join(dir, "conf");
  const mail = join(dir, "mail");
  for (const d of [conf, join(dir, "queue"), join(dir, "data"), mail, join(dir, "log")]) {
    mkdirSync(d, { recursive: true });
  }
  chownSync(mail, 65534, 65534);
  const postfixUid = Number(execFileSync("id", ["-u", "postfix"]).toString().trim());
  chownSync(join(dir, "data"), postfixUid, 0);
  cpSync("/etc/postfix/master.cf", join(conf, "master.cf"));
  const port = await freePort();
  const lines = [
    "compatibility_level = 3.6",
    `queue_directory = ${join(dir, "queue")}`,
    `data_directory = ${join(dir, "data")}`,
    "myhostname = mail.test.local",
    "mydomain = test.local",
    "inet_interfaces = 127.0.0.1",
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    "mydestination =",
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
    "smtpd_banner = $myhostname ESMTP Postfix test",
    "biff = no",
    "smtpd_peername_lookup = no",
    "smtp_dns_support_level = disabled",
    "alias_maps =",
    "alias_database =",
    "local_recipient_maps =",
    "virtual_mailbox_domains = example.com",
    `virtual_mailbox_base = ${mail}`,
    "virtual_mailbox_maps = static:catchall/",
    "virtual_uid_maps = static:65534",
    "virtual_gid_maps = static:65534",
    "virtual_minimum_uid = 100",
    `maillog_file_prefixes = ${tmpdir()}`,
    `maillog_file = ${join(dir, "log", "postfix.log")}`,
    "smtputf8_enable = no",
  ];
  if (options.messageSizeLimit !== undefined) {
    lines.push(`message_size_limit = ${options.messageSizeLimit}`);
  }
  if (options.tls !== undefined) {
    writeFileSync(join(conf, "cert.pem"), options.tls.cert);
    writeFileSync(join(conf, "key.pem"), options.tls.key, { mode: 0o600 });
    lines.push(
      `smtpd_tls_cert_file = ${join(conf, "cert.pem")}`,
      `smtpd_tls_key_file = ${join(conf, "key.pem")}`,
      "smtpd_tls_security_level = may",
    );
  }
  writeFileSync(join(conf, "main.cf"), `${lines.join("\n")}\n`);
  const postconf = (...args: string[]) => execFileSync("postconf", ["-c", conf, ...args]);
  postconf("-M#", "smtp/inet");
  postconf("-Me", `127.0.0.1:${port}/inet = 127.0.0.1:${port} inet n - n - - smtpd`);
  postconf("-F", "*/*/chroot = n");
  const started = await runProcess("postfix", ["-c", conf, "start"], { timeoutMs: 60_000 });
  if (started.code !== 0) {
    throw new Error(`postfix start failed: ${started.stdout} ${started.stderr}`);
  }
  const stop = async () => {
    await runProcess("postfix", ["-c", conf, "stop"], { timeoutMs: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForGreeting(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    dir,
    stop,
    log: () => safeRead(join(dir, "log", "postfix.log")),
    messages: () => {
      const newDir = join(mail, "catchall", "new");
      try {
        return readdirSync(newDir)
          .sort()
          .map((n) => readFileSync(join(newDir, n), "latin1"));
      } catch {
        return [];
      }
    },
  };
}

function isInstalled(pkg: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax.
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

/** Poll until `ready()` is true. */
export async function eventually(ready: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
