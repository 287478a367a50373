/**
 * A tiny scripted SMTP server for loopback tests, on plain `node:net` and `node:tls` (an
 * independent peer, not our own server): EHLO with chosen extensions, STARTTLS, AUTH PLAIN and
 * LOGIN, DATA with dot-unstuffing, BDAT, and knobs to misbehave.
 */
import { createServer, type Server, type Socket } from "node:net";
import { TLSSocket } from "node:tls";

/** A message the responder received. */
export interface Received {
  from: string;
  to: string[];
  mailParams: string;
  body: Buffer;
  secure: boolean;
  authenticated: string | undefined;
}

/** What the responder offers and how it behaves. */
export interface ResponderOptions {
  /** Extensions after EHLO (before TLS). */
  extensions?: string[];
  /** Extensions after EHLO over TLS (default: `extensions` without STARTTLS). */
  tlsExtensions?: string[];
  /** Key and certificate for STARTTLS. */
  tls?: { key: string; cert: string };
  /** The one user and password AUTH accepts. */
  auth?: { user: string; password: string };
  /** Drop this many connections right after the 354 to DATA (or the first BDAT). */
  dropInData?: number;
  /** Never send the greeting. */
  silent?: boolean;
}

/** The running responder. */
export class Responder {
  readonly received: Received[] = [];
  /** Each connection's command lines, in order. */
  readonly sessions: string[][] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private drops: number;

  private constructor(readonly options: ResponderOptions) {
    this.drops = options.dropInData ?? 0;
    this.server = createServer((socket) => this.session(socket));
  }

  /** Listen on 127.0.0.1, port 0. */
  static async start(options: ResponderOptions = {}): Promise<Responder> {
    const responder = new Responder(options);
    await new Promise<void>((resolve) => responder.server.listen(0, "127.0.0.1", resolve));
    return responder;
  }

  /** The port it listens on. */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return address.port;
  }

  /** Stop listening and drop every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(plain: Socket): void {
    const options = this.options;
    const log: string[] = [];
    this.sessions.push(log);
    this.sockets.add(plain);
    plain.on("close", () => this.sockets.delete(plain));
    plain.on("error", () => undefined);
    let socket: Socket = plain;
    let secure = false;
    let buffer = Buffer.alloc(0);
    let mode: "line" | "data" | "bdat" | "auth-login-user" | "auth-login-pass" = "line";
    let bdatLeft = 0;
    let bdatLast = false;
    let loginUser = "";
    let authenticated: string | undefined;
    let tx: Received | undefined;
    let body: Buffer[] = [];
    const reply = (text: string) => socket.write(`${text}\r\n`);
    const drop = (): boolean => {
      if (this.drops <= 0) return false;
      this.drops--;
      socket.destroy();
      return true;
    };
    const finish = () => {
      if (tx !== undefined) {
        tx.body = Buffer.concat(body);
        this.received.push(tx);
      }
      tx = undefined;
      body = [];
    };
    const command = (line: string): void => {
      log.push(line);
      const verb = (line.split(" ")[0] ?? "").toUpperCase();
      if (mode === "auth-login-user") {
        loginUser = Buffer.from(line, "base64").toString();
        mode = "auth-login-pass";
        reply(`334 ${Buffer.from("Password:").toString("base64")}`);
        return;
      }
      if (mode === "auth-login-pass") {
        mode = "line";
        const ok =
          loginUser === options.auth?.user &&
          Buffer.from(line, "base64").toString() === options.auth?.password;
        if (ok) authenticated = loginUser;
        reply(ok ? "235 ok" : "535 no");
        return;
      }
      if (verb === "EHLO") {
        const ext = secure
          ? (options.tlsExtensions ??
            (options.extensions ?? []).filter((e) => e.toUpperCase() !== "STARTTLS"))
          : (options.extensions ?? []);
        const lines = ["responder", ...ext];
        lines.forEach((text, i) => {
          reply(`250${i === lines.length - 1 ? " " : "-"}${text}`);
        });
      } else if (verb === "HELO") {
        reply("250 responder");
      } else if (verb === "STARTTLS" && options.tls !== undefined && !secure) {
        reply("220 go ahead");
        const tls = new TLSSocket(plain, { isServer: true, ...options.tls });
        tls.on("error", () => undefined);
        plain.removeAllListeners("data");
        socket = tls;
        secure = true;
        buffer = Buffer.alloc(0);
        tls.on("data", onData);
      } else if (verb === "AUTH") {
        const [, mech, initial] = line.split(" ");
        if (mech?.toUpperCase() === "PLAIN" && initial !== undefined) {
          const [, user, password] = Buffer.from(initial, "base64").toString().split("\0");
          const ok = user === options.auth?.user && password === options.auth?.password;
          if (ok) authenticated = user;
          reply(ok ? "235 ok" : "535 no");
        } else if (mech?.toUpperCase() === "LOGIN") {
          mode = "auth-login-user";
          reply(`334 ${Buffer.from("Username:").toString("base64")}`);
        } else {
          reply("504 unrecognised");
        }
      } else if (verb === "MAIL") {
        const match = /^MAIL FROM:<([^>]*)>\s*(.*)$/i.exec(line);
        tx = {
          from: match?.[1] ?? "",
          to: [],
          mailParams: match?.[2] ?? "",
          body: Buffer.alloc(0),
          secure,
          authenticated,
        };
        reply("250 sender ok");
      } else if (verb === "RCPT") {
        const to = /^RCPT TO:<([^>]*)>/i.exec(line)?.[1] ?? "";
        if (to.startsWith("reject")) {
          reply("550 no such user");
        } else {
          tx?.to.push(to);
          reply("250 recipient ok");
        }
      } else if (verb === "DATA") {
        if (tx === undefined || tx.to.length === 0) {
          reply("554 no valid recipients");
          return;
        }
        reply("354 go ahead");
        if (drop()) return;
        mode = "data";
        buffer = Buffer.concat([Buffer.from("\r\n"), buffer]);
      } else if (verb === "BDAT") {
        const [, size, last] = line.split(" ");
        if (tx !== undefined && tx.to.length > 0 && drop()) return;
        bdatLeft = Number(size);
        bdatLast = last?.toUpperCase() === "LAST";
        mode = "bdat";
      } else if (verb === "RSET") {
        tx = undefined;
        body = [];
        reply("250 reset");
      } else if (verb === "QUIT") {
        reply("221 bye");
        socket.end();
      } else {
        reply("500 what");
      }
    };
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (mode === "data") {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          const content = buffer.subarray(2, end + 2).toString("latin1");
          body.push(Buffer.from(content.replace(/(^|\r\n)\.\./g, "$1."), "latin1"));
          buffer = buffer.subarray(end + 5);
          mode = "line";
          finish();
          reply("250 queued");
        } else if (mode === "bdat") {
          const take = Math.min(bdatLeft, buffer.length);
          body.push(buffer.subarray(0, take));
          buffer = buffer.subarray(take);
          bdatLeft -= take;
          if (bdatLeft > 0) return;
          mode = "line";
          if (bdatLast) {
            finish();
            reply("250 queued");
          } else {
            reply("250 chunk ok");
          }
        } else {
          const end = buffer.indexOf("\r\n");
          if (end < 0) return;
          const line = buffer.subarray(0, end).toString("utf8");
          buffer = buffer.subarray(end + 2);
          command(line);
          if (socket.destroyed) return;
        }
      }
    };
    plain.on("data", onData);
    if (!options.silent) reply("220 responder ESMTP");
  }
}
