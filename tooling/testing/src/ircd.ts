/**
 * Real IRC servers for interop tests: ngIRCd and InspIRCd, each started in the foreground on
 * 127.0.0.1 with a free port and a config of its own in a fresh temporary directory, so several
 * test files can run their own servers side by side.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianPackages } from "./peers.js";

/** A running IRC server started by a test. */
export interface IRCServerPeer {
  /** Always "127.0.0.1". */
  host: "127.0.0.1";
  /** The TCP port it listens on (the same across `restart`). */
  port: number;
  /** The temporary directory holding its config and logs (removed when the test process exits). */
  dir: string;
  /** What the server printed so far (its log, for failure messages). */
  output(): string;
  /** Stop the server (SIGTERM, then SIGKILL after 5 s) and wait for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Stop the server if it runs, then start it again on the same port and wait until it listens. */
  restart(): Promise<void>;
}

/** Options for {@link startNgircd} and {@link startInspircd}. */
export interface IRCServerOptions {
  /** The server's name; `irc.test.local` (ngIRCd) or `irc2.test.local` (InspIRCd) by default. */
  serverName?: string;
  /** A predefined, persistent channel (ngIRCd only), such as `#test`; none by default. */
  channel?: string;
  /** How long to wait for the port to accept connections, in milliseconds (20 000). */
  timeoutMs?: number;
}

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1: bind port 0, read it, close. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Whether 127.0.0.1:`port` accepts a connection now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Install Debian packages with a machine-wide lock (test files run in parallel processes, and
 * dpkg allows one install at a time), and with a `policy-rc.d` that keeps the packages'
 * postinst scripts from starting the daemons with their default, all-interfaces configs.
 * A missing peer is a failure (with CI=true as anywhere), never a skip.
 */
function installPeer(packages: readonly string[]): void {
  const lock = join(tmpdir(), "twisted-ts-apt.lock");
  const deadline = Date.now() + 900_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {}
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the apt lock ${lock}`);
      sleepSync(200);
    }
  }
  const policy = "/usr/sbin/policy-rc.d";
  let madePolicy = false;
  try {
    if (!existsSync(policy)) {
      try {
        writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
        madePolicy = true;
      } catch {
        // Not root: apt-get will fail on its own with a clear message.
      }
    }
    ensureDebianPackages(packages);
  } finally {
    if (madePolicy) rmSync(policy, { force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}

interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  dir: string;
  port: number;
  timeoutMs: number;
}

/** Start the server process and wait until its port accepts connections. */
async function launch(spec: ServerSpec, log: { text: string }): Promise<ChildProcess> {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const append = (chunk: Buffer) => {
    log.text += chunk.toString("utf8");
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let exited = false;
  let spawnError: Error | null = null;
  child.once("error", (error) => {
    spawnError = error;
  });
  child.once("exit", () => {
    exited = true;
    children.delete(child);
  });
  const deadline = Date.now() + spec.timeoutMs;
  while (!(await accepts(spec.port))) {
    if (spawnError !== null || exited) {
      throw new Error(
        `${spec.name} exited before listening on 127.0.0.1:${spec.port}` +
          `${spawnError === null ? "" : ` (${String(spawnError)})`}; output:\n${log.text}`,
      );
    }
    if (Date.now() > deadline) {
      await terminate(child);
      throw new Error(
        `${spec.name} did not listen on 127.0.0.1:${spec.port} within ${spec.timeoutMs} ms; output:\n${log.text}`,
      );
    }
    await sleep(25);
  }
  // A server that failed to bind exits at once: make sure the listener is ours.
  await sleep(50);
  if (exited) {
    throw new Error(`${spec.name} exited; something else listens on ${spec.port}:\n${log.text}`);
  }
  return child;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Run a server of `kind` on a free port, retrying with a new port if a parallel test took it. */
async function startServer(
  name: string,
  writeConfig: (dir: string, port: number) => { command: string; args: string[] },
  timeoutMs: number,
): Promise<IRCServerPeer> {
  const dir = mkdtempSync(join(tmpdir(), `twisted-ts-${name}-`));
  // The servers may drop to nobody: their directory and files must be readable by anyone.
  chmodSync(dir, 0o755);
  dirs.add(dir);
  const log = { text: "" };
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const { command, args } = writeConfig(dir, port);
    const spec: ServerSpec = { name, command, args, dir, port, timeoutMs };
    let child: ChildProcess;
    try {
      log.text = "";
      child = await launch(spec, log);
    } catch (error) {
      lastError = error;
      continue;
    }
    let current: ChildProcess | null = child;
    const peer: IRCServerPeer = {
      host: "127.0.0.1",
      port,
      dir,
      output: () => log.text,
      stop: async () => {
        const running = current;
        current = null;
        if (running !== null) await terminate(running);
      },
      restart: async () => {
        await peer.stop();
        // The port may linger for a moment after the old process exits.
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          try {
            current = await launch(spec, log);
            return;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await sleep(100);
          }
        }
      },
    };
    return peer;
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * Start an ngIRCd (Debian's `ngircd`, installed when missing) on 127.0.0.1 and a free port,
 * with no PAM, DNS or ident lookups, no flood penalty and no per-IP connection limit. It runs
 * in the foreground (`-n`) and drops to `nobody`, so its files are world-readable.
 * @param options - server name, an optional predefined channel, the start timeout.
 * @returns the running server; call `stop()` after the test.
 * @throws when the package cannot be installed or the server does not start.
 */
export async function startNgircd(options: IRCServerOptions = {}): Promise<IRCServerPeer> {
  installPeer(["ngircd"]);
  const serverName = options.serverName ?? "irc.test.local";
  return startServer(
    "ngircd",
    (dir, port) => {
      const config = join(dir, "ngircd.conf");
      // ngIRCd writes its PID file after dropping to nobody: give it a directory it may write.
      const run = join(dir, "run");
      mkdirSync(run, { recursive: true });
      chmodSync(run, 0o777);
      const channel =
        options.channel === undefined
          ? ""
          : `[Channel]\n\tName = ${options.channel}\n\tTopic = Test channel\n\tModes = +P\n`;
      writeFileSync(
        config,
        `# ngIRCd for one test: plain TCP on 127.0.0.1:${port}, no lookups, no limits.
[Global]
\tName = ${serverName}
\tInfo = ngircd test server
\tListen = 127.0.0.1
\tPorts = ${port}
\tMotdPhrase = "Welcome to the test server"
\tNetwork = TestNet
\tAdminInfo1 = Test server
\tAdminInfo2 = 127.0.0.1 only
\tAdminEMail = root@localhost
\tServerUID = nobody
\tServerGID = nogroup
\tPidFile = ${join(run, "ngircd.pid")}
[Limits]
\tMaxConnections = 0
\tMaxConnectionsIP = 0
\tMaxJoins = 0
\tMaxNickLength = 30
\tMaxPenaltyTime = 0
\tPingTimeout = 120
\tPongTimeout = 20
[Options]
\tDNS = no
\tIdent = no
\tPAM = no
\tOperCanUseMode = yes
[Operator]
\tName = oper
\tPassword = operpass
${channel}`,
        { mode: 0o644 },
      );
      return { command: "ngircd", args: ["-n", "-f", config] };
    },
    options.timeoutMs ?? 20_000,
  );
}

/**
 * Start an InspIRCd 3 (Debian's `inspircd`, installed when missing) on 127.0.0.1 and a free
 * port, with the `cap` and IRCv3 modules (server-time, echo-message, batch, message tags,
 * account tags, chghost, invite-notify, cap-notify, msgid) plus namesx and uhnames, no lookups
 * and no flood limits. It runs in the foreground with `--runasroot`. Note that InspIRCd sends
 * 001 about one second after USER.
 * @param options - server name and the start timeout (`channel` is ignored).
 * @returns the running server; call `stop()` after the test.
 * @throws when the package cannot be installed or the server does not start.
 */
export async function startInspircd(options: IRCServerOptions = {}): Promise<IRCServerPeer> {
  installPeer(["inspircd"]);
  const serverName = options.serverName ?? "irc2.test.local";
  return startServer(
    "inspircd",
    (dir, port) => {
      const motd = join(dir, "motd");
      writeFileSync(motd, "Welcome to the InspIRCd test server\n", { mode: 0o644 });
      const config = join(dir, "inspircd.conf");
      // Comments must be '#' lines: <!-- --> makes InspIRCd drop the rest, <bind> included.
      writeFileSync(
        config,
        `# InspIRCd 3 for one test: plain TCP on 127.0.0.1:${port}, no lookups, no flood limits.
<config format="xml">
<server name="${serverName}" description="InspIRCd test server" network="TestNet">
<admin name="Test" nick="admin" email="root@localhost">
<bind address="127.0.0.1" port="${port}" type="clients">
<connect name="main" allow="*" timeout="60" pingfreq="120"
         resolvehostnames="no" useident="no"
         threshold="0" commandrate="1000000" fakelag="off"
         recvq="65536" softsendq="65536" hardsendq="1048576"
         localmax="100000" globalmax="100000" maxchans="1000" limit="100000">
<class name="Shutdown" commands="DIE RESTART REHASH LOADMODULE UNLOADMODULE RELOADMODULE">
<type name="NetAdmin" classes="Shutdown">
<oper name="oper" password="operpass" host="*@*" type="NetAdmin">
<files motd="${motd}">
<dns server="127.0.0.1" timeout="1">
<pid file="${join(dir, "inspircd.pid")}">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${join(dir, "inspircd.log")}">
<options prefixquit="Quit: " syntaxhints="no" announcets="yes">
<performance quietbursts="yes" softlimit="4096" somaxconn="128" netbuffersize="10240" clonesonconnect="no">
<security hideserver="" userstats="Pu" flatlinks="no" hidebans="no" maxtargets="20">
<limits maxnick="30" maxchan="64" maxmodes="20" maxident="11" maxhost="64" maxquit="255" maxtopic="307" maxkick="255" maxreal="128" maxgecos="128" maxaway="200">
<channels users="1000" opers="1000">
<whowas groupsize="10" maxgroups="100000" maxkeep="3d">
<module name="cap">
<module name="ircv3">
<module name="ircv3_capnotify">
<module name="ircv3_chghost">
<module name="ircv3_echomessage">
<module name="ircv3_invitenotify">
<module name="ircv3_servertime">
<module name="ircv3_accounttag">
<module name="ircv3_batch">
<module name="ircv3_ctctags">
<module name="ircv3_msgid">
<module name="namesx">
<module name="uhnames">
`,
        { mode: 0o644 },
      );
      return {
        command: "inspircd",
        args: ["--nofork", "--runasroot", "--nopid", `--config=${config}`],
      };
    },
    options.timeoutMs ?? 20_000,
  );
}
