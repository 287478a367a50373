/**
 * Interop: Debian's netkit `finger` client against our server, and our client against netkit
 * `in.fingerd` (behind socat) and against Twisted 22.4's `twisted.protocols.finger.Finger`.
 *
 * netkit `finger` has no port option: it connects to `getservbyname("finger")`, port 79. Rather
 * than bind 79 (which another test or a real fingerd may hold), each run of the client gets its
 * own mount namespace (`unshare -m`) in which a copy of /etc/services that maps finger to our
 * server's ephemeral port is bind-mounted over /etc/services; the file on disk and every other
 * process are untouched. This needs root (or CAP_SYS_ADMIN), as binding 79 or `unshare -n`
 * would. The peers are installed by the test; a missing one fails, never skips.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IPv4Address, Reactor } from "@twisted-ts/core";
import {
  DEBIAN_PYTHON,
  ensureDebianPackages,
  runProcess,
  type Spawned,
  spawnAndWaitForLine,
} from "@twisted-ts/testing-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finger } from "../src/client.js";
import { FingerFactory } from "../src/server.js";
import { MemoryFingerService } from "../src/services/memory.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let reactor: Reactor;
let finished: Promise<void>;
let ourPort: number;
let servicesFile: string;

beforeAll(() => {
  ensureDebianPackages(["finger", "fingerd", "socat", "python3-twisted"]);
  reactor = new Reactor();
  finished = reactor.run({ installSignalHandlers: false });
  const service = new MemoryFingerService({
    moshez: "Happy and well",
    joe: "At lunch\nback at 2",
  });
  const factory = new FingerFactory(service, { clock: reactor });
  factory.noisy = false;
  ourPort = (reactor.listenTCP(0, factory, { interface: "127.0.0.1" }).getHost() as IPv4Address)
    .port;
  servicesFile = join(tmpdir(), `finger-services-${process.pid}`);
  writeFileSync(
    servicesFile,
    readFileSync("/etc/services", "utf8").replace(/^finger\s.*$/m, `finger\t\t${ourPort}/tcp`),
  );
}, 600_000);

afterAll(async () => {
  if (reactor?.running) reactor.stop();
  await finished;
});

/** Run netkit finger with /etc/services pointing finger at our server. */
function netkitFinger(...args: string[]) {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return runProcess(
    "unshare",
    ["-m", "sh", "-c", `mount --bind '${servicesFile}' /etc/services && exec finger ${quoted}`],
    { timeoutMs: 15_000 },
  );
}

// netkit finger (not on a terminal) prints the answer as it came, CRLF line ends included.
describe("Debian's finger client against our server", () => {
  it("shows a user's status", async () => {
    const r = await netkitFinger("moshez@127.0.0.1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Happy and well\r\n");
  });

  it("asks for the long form with -l, and gets Login:", async () => {
    const r = await netkitFinger("-l", "joe@127.0.0.1");
    expect(r.stdout).toBe("Login: joe\r\nAt lunch\r\nback at 2\r\n");
  });

  it("lists the users for @host", async () => {
    const r = await netkitFinger("@127.0.0.1");
    expect(r.stdout).toBe("moshez\r\njoe\r\n");
  });

  it("gets No such user for a stranger", async () => {
    const r = await netkitFinger("stranger@127.0.0.1");
    expect(r.stdout).toBe("No such user\r\n");
  });

  it("is refused a forwarding query", async () => {
    const r = await netkitFinger("joe@elsewhere@127.0.0.1");
    expect(r.stdout).toBe("Finger forwarding service denied\r\n");
  });
});

/** A TCP port free at the time of asking. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("our client against netkit in.fingerd (behind socat)", () => {
  let socat: Spawned | undefined;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    // socat prints nothing when ready; -d -d logs "listening on" to stderr, so wait on a
    // connection attempt instead.
    const started = spawnAndWaitForLine(
      "sh",
      [
        "-c",
        `socat -d -d TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork ` +
          `EXEC:"/usr/sbin/in.fingerd -t 10",nofork,su=nobody 2>&1`,
      ],
      /listening on/,
    );
    socat = (await started).spawned;
  });

  afterAll(async () => {
    await socat?.stop();
  });

  it("reads root's entry", async () => {
    const answer = await finger(reactor, "root", "127.0.0.1", { port, timeout: 10 });
    expect(answer).toMatch(/^Login: root\s+Name: root\r\n/);
    expect(answer).toMatch(/Directory: \/root\s+Shell: /);
  });

  it("reads the long form", async () => {
    const answer = await finger(reactor, "root", "127.0.0.1", { port, long: true, timeout: 10 });
    expect(answer).toContain("Login: root");
  });

  it("reads the answer to an empty query", async () => {
    const answer = await finger(reactor, "", "127.0.0.1", { port, timeout: 10 });
    expect(answer).toMatch(/\r\n$/);
  });
});

describe("our client against Twisted 22.4's finger server", () => {
  let twisted: Spawned | undefined;
  let port = 0;

  beforeAll(async () => {
    const { spawned, match } = await spawnAndWaitForLine(
      DEBIAN_PYTHON,
      [fixture("twisted_finger_server.py")],
      /twisted (\S+) listening on (\d+)/,
    );
    twisted = spawned;
    expect(match[1]).toMatch(/^22\.4/);
    port = Number(match[2]);
  });

  afterAll(async () => {
    await twisted?.stop();
  });

  it("reads a known user", async () => {
    expect(await finger(reactor, "joe", "127.0.0.1", { port, timeout: 10 })).toBe(
      "Login: joe\r\nHappy and well\r\n",
    );
  });

  it("reads Twisted's refusals, with their LF line ends", async () => {
    const ask = (user: string) => finger(reactor, user, "127.0.0.1", { port, timeout: 10 });
    expect(await ask("nobody")).toBe("Login: nobody\nNo such user\n");
    expect(await ask("")).toBe("Finger online list denied\n");
    expect(await ask("joe@elsewhere")).toBe("Finger forwarding service denied\n");
  });

  it("sends /W as a word of its own, which Twisted takes for the long form of the user", async () => {
    expect(await finger(reactor, "joe", "127.0.0.1", { port, long: true, timeout: 10 })).toBe(
      "Login: joe\r\nHappy and well\r\n",
    );
  });
});
