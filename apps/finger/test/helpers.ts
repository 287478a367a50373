/**
 * Helpers for the app's loopback and interop tests: independent peers written on plain
 * `node:net`/`node:https` sockets (a finger client, a setter, an IRC user, an HTTPS fetch),
 * and polling.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  RawIRCUser as BaseRawIRCUser,
  connectLoopback,
  until,
} from "@twisted-ts/testing-helpers/loopback";

export { until };

/** The app's directory. */
export const APP = fileURLToPath(new URL("..", import.meta.url));
/** The `twist` command, from source. */
export const TWIST = fileURLToPath(
  new URL("../../../packages/twist/bin/twist.mjs", import.meta.url),
);

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `finger-${prefix}-`));
}

/** Write a users file of `user:status` lines; returns its path. */
export function usersFile(users: Readonly<Record<string, string>>): string {
  const path = join(tempDir("users"), "users.txt");
  writeFileSync(
    path,
    Object.entries(users)
      .map(([u, s]) => `${u}:${s}\n`)
      .join(""),
  );
  return path;
}

/** Send `text` to 127.0.0.1:`port` and read until the server closes: a raw finger or setter. */
export async function exchange(port: number, text: string, timeoutMs = 10_000): Promise<string> {
  const socket = netConnect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  return await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of answer from port ${port}`));
    }, timeoutMs);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    socket.once("connect", () => socket.write(text));
  });
}

/** Send setter lines to 127.0.0.1:`port`, then close. */
export async function setStatus(port: number, lines: string): Promise<void> {
  const socket = netConnect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => socket.end(lines, () => resolve()));
  });
  await new Promise<void>((resolve) => socket.once("close", () => resolve()));
}

/** GET an https URL trusting `ca`; resolves with the status and body. */
export async function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return await new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.once("error", reject);
    req.end();
  });
}

/** A raw-socket IRC user (the shared one) that can also ask the finger bot and use ISON. */
export class RawIRCUser extends BaseRawIRCUser {
  /** Connect to 127.0.0.1:`port` and register as `nick`; resolves after 001. */
  static override async signOn(port: number, nick: string): Promise<RawIRCUser> {
    return new RawIRCUser(await connectLoopback(port)).register(nick);
  }

  /**
   * Ask `bot` in private and wait for its answer (a PRIVMSG to us that starts with `expected`,
   * received after asking).
   */
  async ask(bot: string, question: string, expected: RegExp, timeoutMs = 15_000): Promise<string> {
    const from = this.lines.length;
    this.send(`PRIVMSG ${bot} :${question}`);
    let found: string | undefined;
    await until(
      () => {
        found = this.lines
          .slice(from)
          .map((line) => /^:(\S+?)!\S+ PRIVMSG \S+ :(.*)$/.exec(line))
          .find((m) => m !== null && m[1] === bot && expected.test(m[2] as string))?.[2];
        return found !== undefined;
      },
      timeoutMs,
      () => `${bot}'s answer matching ${expected}; got:\n${this.lines.slice(from).join("\n")}`,
    );
    return found as string;
  }

  /** Whether `nick` is on the server (answers ISON). */
  async isOn(nick: string): Promise<boolean> {
    const from = this.lines.length;
    this.send(`ISON ${nick}`);
    let line: string | undefined;
    await until(
      () => {
        line = this.lines.slice(from).find((l) => / 303 /.test(l));
        return line !== undefined;
      },
      10_000,
      () => "an ISON answer",
    );
    return new RegExp(`[: ]${nick}(\\s|$)`, "i").test((line as string).split(" 303 ")[1] ?? "");
  }
}
